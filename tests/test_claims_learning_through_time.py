"""The claims of the chapter "Learning through time" (book/vanishing/learning_through_time.md).

Each test recomputes a number the chapter shows, from the same seeds and through the same public functions,
and asserts what the prose says about it.
"""

import tracemalloc

import numpy as np
import pytest
from test_recurrent import _autograd_gradient, _relative_error

from lstm_edu import recurrent


def test_bptt_rtrl_and_autograd_agree_to_double_precision():
    """Section "Numerical check": the three gradients agree "to the last few digits of double precision"."""
    rng = np.random.default_rng(0)
    worst = 0.0
    for config in [recurrent.RecurrentConfig(n_in=2, n_hidden=4, n_out=2),
                   recurrent.RecurrentConfig(n_in=1, n_hidden=3, n_out=1, activation="tanh")]:
        P, T = 4, 30
        W = recurrent.init_weights(config, P, seed=1, scale=1.0)
        x = rng.normal(size=(P, T, config.n_in))
        targets = rng.uniform(size=(P, T, config.n_out))
        target_mask = (rng.uniform(size=(P, T, config.n_out)) < 0.3).astype(float)
        g_bptt = recurrent.bptt_gradient(config, W, x, targets, target_mask)[1]
        g_rtrl = recurrent.rtrl_gradient(config, W, x, targets, target_mask)[1]
        g_ref = _autograd_gradient(config, W, x, targets, target_mask)
        worst = max(worst, _relative_error(g_bptt, g_ref), _relative_error(g_rtrl, g_ref),
                    _relative_error(g_bptt, g_rtrl))
    assert worst < 1e-13


def _task(config, T, seed=0):
    """The chapter's `task`: random inputs and a target at every step for one network."""
    rng = np.random.default_rng(seed)
    W = recurrent.init_weights(config, 1, seed)
    x = rng.normal(size=(1, T, config.n_in))
    targets = rng.uniform(size=(1, T, config.n_out))
    return W, x, targets, np.ones_like(targets)


def _peak_memory(gradient, config, T):
    problem = _task(config, T)
    tracemalloc.start()
    gradient(config, *problem)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_bptt_memory_grows_with_the_length_and_rtrl_memory_does_not():
    """Section "What each costs": 32 times the steps cost BPTT roughly 32 times the memory; RTRL's stays flat."""
    config = recurrent.RecurrentConfig(n_in=1, n_hidden=7, n_out=1)
    factor = {name: _peak_memory(g, config, 1600) / _peak_memory(g, config, 50)
              for name, g in (("BPTT", recurrent.bptt_gradient), ("RTRL", recurrent.rtrl_gradient))}
    assert 24 < factor["BPTT"] < 34
    assert 0.9 < factor["RTRL"] < 1.1


def test_early_contributions_of_small_weights_are_tens_of_orders_smaller():
    """Section "A first look at the problem": with weights in [-0.1, 0.1] the contribution at lag 39 is many
    orders of magnitude (the chapter glues the number; 54 when written) below the one at lag 0."""
    config = recurrent.RecurrentConfig(n_in=1, n_hidden=7, n_out=1)
    P, T = 200, 40
    rng = np.random.default_rng(3)
    x = rng.normal(size=(P, T, 1))
    targets = np.zeros((P, T, 1))
    target_mask = np.zeros((P, T, 1))
    target_mask[:, -1] = 1.0
    targets[:, -1] = rng.uniform(size=(P, 1))
    median = {}
    for scale in (0.1, 1.0, 4.0):
        W = recurrent.init_weights(config, P, seed=4, scale=scale)
        per_step = recurrent.bptt_gradient(config, W, x, targets, target_mask, per_step=True)[1]
        size = np.abs(per_step).sum(axis=(2, 3))
        median[scale] = np.median(size / size[:, -1:], axis=0)   # index t is lag T - 1 - t
    assert median[0.1][0] < 1e-50
    for curve in median.values():   # every scale: the contribution shrinks with the lag
        assert curve[0] < 1e-3 * curve[-2]


def test_exercise_bptt_by_hand():
    """Solution of the exercise "BPTT by hand": the hand-written gradient of one self-connected unit with a
    target at step 3 equals bptt_gradient."""
    config = recurrent.RecurrentConfig(n_in=0, n_hidden=0, n_out=1, bias=False)
    f = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    for w, d in ((0.7, 0.2), (-2.0, 0.9), (3.0, 0.1)):
        y1 = f(0.0)
        y2 = f(w * y1)
        y3 = f(w * y2)
        by_hand = y3 * (1 - y3) * (y3 - d) * (y2 + w * y2 * (1 - y2) * y1)
        mask = np.array([0.0, 0.0, 1.0]).reshape(1, 3, 1)
        _, grad = recurrent.bptt_gradient(config, np.full((1, 1, 1), w), np.zeros((1, 3, 0)), np.full((1, 3, 1), d),
                                          mask)
        assert grad[0, 0, 0] == pytest.approx(by_hand, rel=1e-12)
