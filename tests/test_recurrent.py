"""Tests of lstm_edu.recurrent: BPTT and RTRL against autograd and against each other."""

import autograd
import numpy as np
import pytest

from lstm_edu import _checks, recurrent


def _problem(config, P=3, T=9, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    W = recurrent.init_weights(config, P, seed, scale=scale)
    x = rng.normal(size=(P, T, config.n_in))
    targets = rng.uniform(-0.5, 1.0, size=(P, T, config.n_out))
    target_mask = (rng.uniform(size=(P, T, config.n_out)) < 0.6).astype(float)
    return W, x, targets, target_mask


def _autograd_gradient(config, W, x, targets, target_mask):
    """Reference: autograd differentiates the forward pass itself (no hand-derived backward pass)."""
    def total(W):
        y, _ = recurrent.forward_pass(config, W, x)
        return recurrent.squared_error(config, y, targets, target_mask).sum()
    return autograd.grad(total)(W)


def _relative_error(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


CONFIGS = [
    recurrent.RecurrentConfig(n_in=2, n_hidden=3, n_out=2),
    recurrent.RecurrentConfig(n_in=1, n_hidden=2, n_out=1, activation="tanh"),
    recurrent.RecurrentConfig(n_in=3, n_hidden=0, n_out=2, bias=False),
    recurrent.RecurrentConfig(
        n_in=2, n_hidden=3, n_out=1,
        mask=(np.random.default_rng(5).uniform(size=(4, 7)) < 0.6).astype(float)),
]


@pytest.mark.parametrize("config", CONFIGS)
def test_bptt_matches_autograd(config):
    problem = _problem(config)
    E, grad = recurrent.bptt_gradient(config, *problem)
    ref = _autograd_gradient(config, *problem)
    assert grad.shape == ref.shape == problem[0].shape
    assert _relative_error(grad, ref) < 1e-10
    np.testing.assert_allclose(E, recurrent.loss(config, *problem), rtol=1e-14)


@pytest.mark.parametrize("config", CONFIGS)
def test_rtrl_matches_autograd_and_bptt(config):
    problem = _problem(config, seed=1)
    E_rtrl, grad_rtrl = recurrent.rtrl_gradient(config, *problem)
    E_bptt, grad_bptt = recurrent.bptt_gradient(config, *problem)
    assert _relative_error(grad_rtrl, _autograd_gradient(config, *problem)) < 1e-10
    assert _relative_error(grad_rtrl, grad_bptt) < 1e-10
    np.testing.assert_allclose(E_rtrl, E_bptt, rtol=1e-12)


def test_gradient_is_not_trivially_zero_and_networks_are_independent():
    config = CONFIGS[0]
    W, x, d, m = _problem(config, P=4)
    _, grad = recurrent.bptt_gradient(config, W, x, d, m)
    assert np.all(np.abs(grad).max(axis=(1, 2)) > 1e-3)
    # network 2 alone gives the same gradient as inside the batch of 4
    _, alone = recurrent.bptt_gradient(config, W[2:3], x[2:3], d[2:3], m[2:3])
    np.testing.assert_allclose(alone[0], grad[2], rtol=1e-13, atol=1e-16)


def test_gradient_matches_finite_differences():
    config = CONFIGS[1]
    W, x, d, m = _problem(config, P=1, T=6)
    _, grad = recurrent.bptt_gradient(config, W, x, d, m)
    h = 1e-6
    for idx in [(0, 0, 0), (0, 1, 2), (0, 2, 3)]:
        Wp, Wm = W.copy(), W.copy()
        Wp[idx] += h
        Wm[idx] -= h
        fd = (recurrent.loss(config, Wp, x, d, m) - recurrent.loss(config, Wm, x, d, m))[0] / (2 * h)
        assert abs(fd - grad[idx]) < 1e-7 * max(1.0, abs(grad[idx]))


def test_per_step_contributions_sum_to_gradient():
    config = CONFIGS[0]
    problem = _problem(config, T=11)
    _, steps = recurrent.bptt_gradient(config, *problem, per_step=True)
    _, grad = recurrent.bptt_gradient(config, *problem)
    assert steps.shape == (3, 11, config.n_units, config.n_sources)
    np.testing.assert_allclose(steps.sum(axis=1), grad, rtol=1e-12, atol=1e-15)
    # step t's contribution is delta(t) outer source(t): the bias column is delta itself, so the
    # last step's bias contribution equals f'(net(T)) * dE/dy(T)
    y = recurrent.forward(config, problem[0], problem[1])
    e_last = np.zeros((3, config.n_units))
    e_last[:, config.outputs] = problem[3][:, -1] * (y[:, -1, config.outputs] - problem[2][:, -1])
    np.testing.assert_allclose(steps[:, -1, :, 0], y[:, -1] * (1 - y[:, -1]) * e_last, atol=1e-15)


def test_forward_follows_the_definition():
    config = recurrent.RecurrentConfig(n_in=1, n_hidden=1, n_out=1)
    W = np.array([[[0.5, 1.0, -2.0, 0.3], [-0.1, 0.4, 0.7, 1.5]]])  # (1, 2 units, bias + 1 in + 2 units)
    x = np.array([[[1.0], [-1.0]]])
    y = recurrent.forward(config, W, x)
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))
    y1 = sig(W[0, :, 0] + W[0, :, 1] * 1.0)
    y2 = sig(W[0, :, 0] - W[0, :, 1] + W[0, :, 2:] @ y1)
    np.testing.assert_allclose(y[0], [y1, y2], rtol=1e-14)


def test_init_weights_scale_mask_and_seed():
    mask = np.ones((3, 6))
    mask[0, 2] = 0
    config = recurrent.RecurrentConfig(n_in=2, n_hidden=2, n_out=1, mask=mask)
    W = recurrent.init_weights(config, 50, seed=7, scale=0.2)
    assert W.shape == (50, 3, 6)
    assert np.all(np.abs(W) <= 0.2) and np.abs(W).max() > 0.19
    assert np.all(W[:, 0, 2] == 0)
    np.testing.assert_array_equal(W, recurrent.init_weights(config, 50, seed=7, scale=0.2))


def test_bad_inputs_raise_clear_errors():
    config = CONFIGS[0]
    W, x, d, m = _problem(config)
    with pytest.raises(ValueError, match="activation"):
        recurrent.RecurrentConfig(1, 1, 1, activation="relu")
    with pytest.raises(ValueError, match="n_out"):
        recurrent.RecurrentConfig(1, 1, 0)
    with pytest.raises(ValueError, match="mask must have shape"):
        recurrent.RecurrentConfig(1, 1, 1, mask=np.ones((2, 2)))
    with pytest.raises(ValueError, match="only 0 and 1"):
        recurrent.RecurrentConfig(1, 1, 1, mask=np.full((2, 4), 0.5))
    with pytest.raises(ValueError, match="W must have shape"):
        recurrent.forward(config, W[:, :, :-1], x)
    with pytest.raises(ValueError, match="x must have shape"):
        recurrent.forward(config, W, x[:2])
    with pytest.raises(ValueError, match="x contains"):
        bad = x.copy()
        bad[0, 0, 0] = np.nan
        recurrent.bptt_gradient(config, W, bad, d, m)
    with pytest.raises(ValueError, match="targets must have shape"):
        recurrent.rtrl_gradient(config, W, x, d[:, :, :1], m)
    with pytest.raises(ValueError, match="target_mask must contain only 0 and 1"):
        recurrent.loss(config, W, x, d, m * 0.5)
    with pytest.raises(ValueError, match="scale"):
        recurrent.init_weights(config, 2, 0, scale=-1.0)
    with pytest.raises(TypeError, match="P must be an integer"):
        recurrent.init_weights(config, 2.5, 0)


def test_overflowing_weights_are_reported():
    config = recurrent.RecurrentConfig(n_in=1, n_hidden=1, n_out=1, activation="tanh")
    W = np.full((1, 2, 4), 1e308)
    x = np.ones((1, 3, 1))
    for gradient in (recurrent.bptt_gradient, recurrent.rtrl_gradient):
        with pytest.raises(_checks.NumericalError, match="net"), np.errstate(over="ignore"):
            gradient(config, W, x, np.zeros((1, 3, 1)))
