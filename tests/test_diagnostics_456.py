"""lstm_edu.diagnostics_456: the measurements of the chapters of Experiments 4-6 on hand-made records, and the
errors they give for records of other experiments."""

import numpy as np
import pytest

from lstm_edu import diagnostics_456 as d
from lstm_edu import lstm1997, reproduction


def record_of(net, row="4-1", T=100):
    """A record holding the weights of ``net`` (P = 1), as the runner stores them."""
    return {"experiment": row, "row": row, "seed": 0, "task": {"T": T},
            "weights": {"w_hidden": net.w_hidden[0].tolist(), "w_output": net.w_output[0].tolist()}}


def test_n_2000_at_the_ends_and_in_between():
    assert d.n_2000(0) == 2000.0
    q = 0.001
    assert d.n_2000(q) == pytest.approx((1 - (1 - q) ** 2000) / (q * (1 - q) ** 2000), rel=1e-12)
    assert d.n_2000(0.5) == float("inf")
    with pytest.raises(ValueError, match=r"q must be a probability in \[0, 1\)"):
        d.n_2000(1.0)


def test_second_block_reads_the_bias_and_the_output_weights():
    net = lstm1997.build("4-1", 1, seed=0)                     # untrained: biases -3, -6, small output weights
    shut = d.second_block(record_of(net))
    assert shut["bias"] == -6.0 and shut["shut"] and shut["out_weight"] <= 0.1
    net.w_output[0, 0, net.output_source_names.index("cell[1,1]")] = -0.5
    opened = d.second_block(record_of(net))
    assert opened["out_weight"] == 0.5 and not opened["shut"]
    assert d.second_block(record_of(net), 0)["bias"] == -3.0
    with pytest.raises(ValueError, match="block must be below the net's 2 blocks"):
        d.second_block(record_of(net), 2)


def test_an_untrained_net_answers_about_one_half_and_its_gates_carry_nothing():
    net = lstm1997.build("4-1", 1, seed=0)
    err, target = d.end_errors(record_of(net), 500, seed=3)
    assert err.shape == target.shape == (500,)
    assert abs(np.mean(np.abs(target - 0.5)) - np.mean(err)) < 0.02   # output about 0.5 whatever the marks
    assert max(abs(r) for r in d.gate_carries_x1(record_of(net), 500)) < 0.2
    by_lag = d.error_by_lag(record_of(net), 500, seed=3)
    assert by_lag["lag"].min() >= 50 and by_lag["error"].shape == (500,)


def test_the_sum_only_answer_has_the_error_of_the_conditional_variance():
    """About 1/1080 for independent uniform values (the chapter's exercise), a little more with the task's marked
    first pairs; residuals of a conditional mean average 0."""
    err = d.sum_only_errors(100_000)
    assert 0.0008 < np.mean(0.5 * err ** 2) < 0.0013
    assert abs(err.mean()) < 1e-3


def test_fell_back_averages_windows_of_the_budget():
    record = {"budget": 6000, "curve": {"every": 1000, "mean_loss": [0.4, 0.4, 0.1, 0.1, 0.3, 0.5]}}
    out = d.fell_back(record, share=1 / 3)                         # windows of 2 points
    assert out == {"window": 2000, "lowest": pytest.approx(0.1), "lowest_at": 4000, "last": pytest.approx(0.4)}


def test_experiment_6_measurements_on_a_stored_net_and_wrong_records():
    rec = next(r for r in reproduction.records("6a") if r["success"])
    acc = d.block_accuracy(rec)
    assert len(acc) == 2 and max(acc) > 0.9
    state = d.trigger_state(rec)
    assert state["cells"] == 4 and 0 <= state["live"] <= 4 and 0 < state["gate"] < 1
    four = record_of(lstm1997.build("4-1", 1, seed=0))
    with pytest.raises(ValueError, match="record must be of Experiment 6"):
        d.block_accuracy(four)
    with pytest.raises(ValueError, match="record must be of Experiment 4 or 5"):
        d.end_errors(rec)


def test_drift_at_the_end_reads_the_cec_sum_of_the_initial_nets():
    """drift_at_the_end: the state at the last step is the CEC's sum of y_in g(net_c) over the steps
    (s_c(t) = s_c(t-1) + y_in(t) g(net_c(t))); the input-gate biases of 5-13_igb (-3, -6) scale every term
    by about f(-3) or less, so its states stay about 20 times smaller than the row's; in Experiment 4 the same
    gates let the states wander further the longer the sequence; other experiments refuse."""
    from lstm_edu import experiments
    from lstm_edu.tasks import adding
    probe = adding.multiplication(3, 100, 5)
    net, last = experiments.initial_net("5-13", [0]), probe.lengths - 1
    trace = net.forward_one(probe.x)
    gate = np.repeat(trace.input_gate, net.cfg.block_size, axis=-1)           # each cell's block's gate
    steps = np.arange(probe.x.shape[1])[None, :, None] <= last[:, None, None]
    np.testing.assert_allclose(trace.cell_state[np.arange(3), last], (gate * trace.cell_input * steps).sum(axis=1),
                               rtol=1e-12, atol=1e-14)
    row, igb = d.drift_at_the_end("5-13"), d.drift_at_the_end("5-13_igb")
    assert row["median_state"] > 20 * igb["median_state"] and row["flat_share"] > 0.5 and igb["flat_share"] == 0
    assert d.drift_at_the_end("5-13", seeds=[0], n=3)["median_state"] == pytest.approx(
        np.median(np.abs(trace.cell_state[np.arange(3), last])))
    drift_4 = [d.drift_at_the_end(row, n=50)["median_state"] for row in ("4-1", "4-2", "4-3")]
    assert drift_4[0] < drift_4[1] < drift_4[2]
    with pytest.raises(ValueError, match="Experiment 4 or 5"):
        d.drift_at_the_end("6a")
