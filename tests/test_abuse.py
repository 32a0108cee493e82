"""Tests of lstm_edu.abuse: cell usage, Experiment 1 data and the sequential-construction rule."""

import numpy as np
import pytest

from lstm_edu import abuse, criteria, lstm1997


@pytest.fixture(scope="module")
def data():
    return abuse.reber_data([0, 1, 2])


def test_cell_usage_matches_a_direct_computation_per_network(data):
    net = lstm1997.build("1-4", 3, seed=2)
    x, valid = data["train_x"][:, :5], data["train_valid"][:, :5]
    rms, constancy = abuse.cell_usage(net, x, valid)
    assert rms.shape == constancy.shape == (3, 4)
    for p in range(3):
        outputs = [net.select(p).forward(x[p:p + 1, b]).cell_output[0][valid[p, b]] for b in range(5)]
        y = np.concatenate(outputs)                       # (valid steps, cells)
        np.testing.assert_allclose(rms[p], np.sqrt(np.mean(y ** 2, axis=0)), rtol=1e-12)
        np.testing.assert_allclose(constancy[p], np.mean(y, axis=0) ** 2 / np.mean(y ** 2, axis=0), rtol=1e-10)
    assert np.all((constancy >= 0) & (constancy <= 1 + 1e-12))


def test_bias_like_needs_constant_and_active():
    rms = np.array([0.5, 0.5, 0.05, 0.5])
    constancy = np.array([0.95, 0.5, 0.99, 0.9])
    np.testing.assert_array_equal(abuse.bias_like(rms, constancy), [True, False, False, False])


def test_cell_usage_bad_input(data):
    net = lstm1997.build("1-4", 2, seed=0)
    with pytest.raises(ValueError, match="one row per network"):
        abuse.cell_usage(net, data["train_x"][:3, :2], data["train_valid"][:3, :2])
    with pytest.raises(ValueError, match="valid"):
        abuse.cell_usage(net, data["train_x"][:2, :2], data["train_valid"][:2, :3])


def test_reber_data_keeps_each_pair_and_pads_harmlessly(data):
    assert data["train_x"].shape[:2] == (3, 256) and data["train_x"].shape[3] == 7
    # every trial's training strings: one-hot inputs on valid steps, nothing on padding
    on = data["train_x"].sum(axis=3)
    assert np.all(on[data["train_valid"]] == 1) and np.all(on[~data["train_valid"]] == 0)
    # trial k uses pair k % 3: trial 3 has trial 0's data
    again = abuse.reber_data([3])
    np.testing.assert_array_equal(again["train_x"][0], data["train_x"][0][:, :again["train_x"].shape[2]])


def test_fraction_correct_counts_strings_judged_by_the_criterion(data):
    net = lstm1997.build("1-4", 3, seed=4)
    fraction = abuse.reber_fraction_correct(net, data, np.arange(3))
    x = data["eval_x"][1]
    out = net.forward_one(x, 1).outputs
    direct = criteria.reber_correct(out, data["eval_possible"][1], data["eval_lengths"][1]).mean()
    assert fraction.shape == (3,) and fraction[1] == pytest.approx(direct)


def test_sequential_construction_grows_exactly_when_the_error_stops_falling(monkeypatch):
    """Blocks are added exactly at the plateaus; every record names the code version taken at the start."""
    versions = iter(f"0.1.0+g{k:012d}" for k in range(1000))
    monkeypatch.setattr(abuse, "code_version", lambda: next(versions))
    records = abuse.run_trials("sequential", [0, 1, 2], max_sequences=3000, window=500, check_every=1000)
    grew_somewhere = False
    for record in records:
        assert record["code_version"] == "0.1.0+g000000000000"
        loss = np.array([c["mean_loss"] for c in record["checkpoints"]])
        blocks = np.array([c["n_blocks"] for c in record["checkpoints"]])
        assert blocks[0] == 1 and np.all(np.diff(blocks) >= 0) and blocks.max() <= abuse.MAX_BLOCKS
        for k in range(1, len(loss) - 1):
            if blocks[k + 1] > blocks[k]:
                grew_somewhere = True
                assert loss[k] > (1 - abuse.PLATEAU_DROP) * loss[k - 1]
            elif loss[k] <= (1 - abuse.PLATEAU_DROP) * loss[k - 1]:
                assert blocks[k + 1] == blocks[k]
        assert len(record["checkpoints"][-1]["rms"]) == blocks[-1]
        assert record["checkpoints"][1]["fraction_correct"] is not None
        assert record["checkpoints"][0]["fraction_correct"] is None
    assert grew_somewhere


def test_variants_start_as_described_and_bad_options_raise():
    assert lstm1997.LSTM1997(abuse.variant_config("staggered"), 1).cfg.output_gate_bias == (-1.0, -2.0, -3.0, -4.0)
    assert abuse.variant_config("zero").output_gate_bias == (0.0,) * 4
    assert abuse.variant_config("sequential").n_blocks == 1
    with pytest.raises(ValueError, match="variant"):
        abuse.variant_config("random")
    with pytest.raises(ValueError, match="check_every"):
        abuse.run_trials("zero", [0], max_sequences=10, window=4, check_every=6)
