"""Tests of lstm_edu.abuse: cell usage and the strings and trained nets it is measured on."""

import numpy as np
import pytest

from lstm_edu import abuse, experiments, lstm1997


@pytest.fixture(scope="module")
def strings():
    return abuse.training_strings([0, 10, 20], 5, seed=1)


def test_cell_usage_matches_a_direct_computation_per_network(strings):
    x, valid = strings
    net = lstm1997.build("1-4", 3, seed=2)
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


def test_cell_usage_bad_input(strings):
    x, valid = strings
    net = lstm1997.build("1-4", 2, seed=0)
    with pytest.raises(ValueError, match="one row per network"):
        abuse.cell_usage(net, x, valid)
    with pytest.raises(ValueError, match="valid"):
        abuse.cell_usage(net, x[:2, :2], valid[:2, :3])


def test_training_strings_come_from_each_trials_reber_pair(strings):
    x, valid = strings
    assert x.shape[:2] == (3, 5) and x.shape[3] == 7 and valid.shape == x.shape[:3]
    on = x.sum(axis=3)  # one-hot inputs on valid steps, nothing on padding
    assert np.all(on[valid] == 1) and np.all(on[~valid] == 0)
    for p, seed in enumerate([0, 10, 20]):  # every string is one of the trial's pair's training strings
        train = experiments.reber_task(seed).train(400, np.random.default_rng(0))
        known = {train.x[i, :n].tobytes() for i, n in enumerate(train.lengths)}
        assert all(x[p, b, :valid[p, b].sum()].tobytes() in known for b in range(5))
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        abuse.training_strings([0], 0)


def test_usage_of_records_rebuilds_their_trained_nets(strings):
    nets = experiments.initial_net("1-4_zero", [0, 10, 20])
    records = [{"experiment": "1-4_zero", "seed": s, "row": "1-4", "overrides": {"output_gate_bias": 0.0},
                "weights": {"w_hidden": nets.w_hidden[p].tolist(), "w_output": nets.w_output[p].tolist()}}
               for p, s in enumerate([0, 10, 20])]
    rms, constancy = abuse.usage(records, n=5, seed=1)
    direct = abuse.cell_usage(nets, *strings)
    np.testing.assert_array_equal(rms, direct[0])
    np.testing.assert_array_equal(constancy, direct[1])
    with pytest.raises(ValueError, match="records must hold at least one"):
        abuse.usage([])
    assert abuse.VARIANTS == {"zero": "1-4_zero", "staggered": "1-4", "sequential": "1-4_sequential"}
