"""Issue 21, item 10: numerical trouble is reported, never recorded as an ordinary failure nor computed on.

A learning rate that saturates every unit (alpha 1e4 and up) leaves the weights finite but every unit flat:
``LSTM1997.train`` marks such nets ``saturated`` (or raises), the experiment runner ends their trials with
the milestone ``"saturated"``; a net whose weights became NaN refuses every later computation by name.
"""

import dataclasses
import json

import numpy as np
import pytest

from lstm_edu import experiments as E
from lstm_edu import lstm1997 as L
from lstm_edu._checks import NumericalError
from lstm_edu.lstm_layout import MAX_WEIGHT
from lstm_edu.tasks import adding, temporal_order


def _adding(seed, P=2):
    b = adding.adding(P, 22, seed=seed)
    return b.x, b.targets, b.target_mask


def _train_until_trouble(net, batches, engine="compiled"):
    """Train on each batch in report mode; return (sequence index, result) of the first troubled update."""
    for i, (x, y, m) in enumerate(batches):
        result = net.train(x, y, m, on_divergence="report", engine=engine)
        if result.saturated.any() or result.diverged.any():
            return i, result
    return None, result


@pytest.mark.parametrize("engine", L.ENGINES)
@pytest.mark.parametrize("alpha", [1e4, 1e6])
def test_a_saturating_learning_rate_is_reported_in_the_train_result(alpha, engine):
    """Row 4-1 on the adding problem: the first update throws every unit into its flat range; the second
    sequence changes no weight although its error is not small: both nets are marked saturated."""
    net = L.build("4-1", 2, seed=0, alpha=alpha)
    step, result = _train_until_trouble(net, (_adding(s) for s in range(10)), engine)
    assert step == 1
    assert result.saturated.tolist() == [True, True] and result.diverged.tolist() == [False, False]
    assert (result.loss >= L.STALL_LOSS).all()
    assert np.isfinite(net.w_hidden).all() and np.isfinite(net.w_output).all()
    frozen = net.w_hidden.copy()
    net.train(*_adding(50), on_divergence="report")
    np.testing.assert_array_equal(net.w_hidden, frozen)  # learning has indeed stopped


@pytest.mark.parametrize("alpha", [1e4, 1e6])
def test_a_saturating_learning_rate_raises_naming_the_networks_and_the_bound(alpha):
    net = L.build("4-1", 2, seed=0, alpha=alpha)
    net.train(*_adding(0))
    with pytest.raises(NumericalError, match=r"saturated: network\(s\) \[0, 1\] .*MAX_WEIGHT=1e\+06.*"
                                             r"STALL_LOSS=0\.001.*smaller alpha"):
        net.train(*_adding(1))


def test_row_6a_at_alpha_1e4_is_saturated_too():
    net = L.build("6a", 2, seed=0, alpha=1e4)
    batches = (temporal_order.temporal_order(2, "6a", seed=s)[:3] for s in range(20))
    step, result = _train_until_trouble(net, batches)
    assert step is not None and step <= 5 and result.saturated.any()
    assert np.abs(net.w_output).max() < MAX_WEIGHT  # caught although the weights stay below the bound


def test_weights_beyond_the_bound_are_saturated_and_the_bound_is_far_above_healthy_nets():
    """Finite weights beyond MAX_WEIGHT: saturated whatever the update; a stored healthy net peaks at 46.8."""
    assert MAX_WEIGHT == 1e6
    net = L.build("4-1", 3, seed=1)
    net.w_output[1, 0, 0] = 5e297
    result = net.train(*_adding(0, P=3), on_divergence="report")
    assert result.saturated.tolist() == [False, True, False] and not result.diverged.any()
    with pytest.raises(NumericalError, match=r"network\(s\) \[1\]"):
        net.train(*_adding(1, P=3))


def test_healthy_training_is_never_marked_saturated():
    net = L.build("4-1", 4, seed=3)
    for s in range(200):
        result = net.train(*_adding(s, P=4))  # raise mode: would raise on any trouble
        assert not result.saturated.any() and not result.diverged.any()
    assert np.abs(net.w_hidden).max() < 50


def test_a_fully_frozen_net_is_not_saturated():
    """A net with every weight frozen keeps its weights by request, not by saturation."""
    net = L.build("4-1", 2, seed=0)
    frozen = (np.ones(net.w_hidden.shape, bool), np.ones(net.w_output.shape, bool))
    result = net.train(*_adding(0), frozen=frozen)
    assert (result.loss >= L.STALL_LOSS).any() and not result.saturated.any()


def test_a_runner_trial_at_a_saturating_alpha_records_the_milestone_and_fails(tmp_path, monkeypatch):
    entry = dataclasses.replace(E.EXPERIMENTS["4-1"], name="saturating", overrides={"alpha": 1e4})
    monkeypatch.setitem(E.EXPERIMENTS, "saturating", entry)
    paths = E.run("saturating", n_trials=2, budget=50, out=tmp_path, batch=2, progress=False)
    for path in paths:
        record = json.loads(path.read_text())
        assert record["success"] is False and record["sequences"] == 2
        assert record["milestones"] == {"saturated": 2}
        assert record["weights"] is None and record["test"] is None


@pytest.mark.parametrize("method", ["forward", "gradient", "train", "forward_one"])
def test_a_net_with_nan_weights_refuses_to_compute_naming_the_network(method):
    net = L.build("4-1", 3, seed=0)
    net.w_hidden[1], net.w_output[1] = 0.0, 1.0
    x, y, m = np.zeros((3, 5, 2)), np.ones((3, 5, 1)), L.end_mask([5] * 3, 5)
    x_big = x.copy()
    x_big[1] = 1e3                      # huge inputs for network 1 only: its update overflows
    with np.errstate(over="ignore", invalid="ignore"):
        result = net.train(x_big, y, m, alpha=1e308, on_divergence="report")
    assert result.diverged.tolist() == [False, True, False]
    calls = {"forward": lambda: net.forward(x), "gradient": lambda: net.gradient(x, y, m),
             "train": lambda: net.train(x, y, m),
             "forward_one": lambda: net.forward_one(x[:1], network=1)}
    with pytest.raises(NumericalError, match=r"weights of network\(s\) \[1\] of 3 are not finite"):
        calls[method]()
    assert net.forward_one(x[:1], network=0).outputs.shape == (1, x.shape[1], 1)  # the others still work
    assert np.isfinite(net.select([0, 2]).forward(x[[0, 2]]).outputs).all()
    with np.errstate(over="ignore", invalid="ignore"):  # report mode: the runner's; marked diverged again
        assert net.train(x, y, m, on_divergence="report").diverged.tolist() == [False, True, False]


def test_raise_mode_leaves_the_nan_net_refusing_later_calls():
    net = L.build("4-1", 1)
    net.w_hidden[:], net.w_output[:] = 0.0, 1.0
    x, y = np.full((1, 5, 2), 1e3), np.ones((1, 5, 1))
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(NumericalError, match="diverged"):
        net.train(x, y, L.end_mask([5], 5), alpha=1e308)
    with pytest.raises(NumericalError, match=r"network\(s\) \[0\] of 1 are not finite"):
        net.forward(x)
