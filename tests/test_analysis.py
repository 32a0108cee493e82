"""Tests of lstm_edu.analysis: the error-flow recursion and path sum against autograd, the logistic facts."""

import autograd
import numpy as np
import pytest

from lstm_edu import _checks, analysis


def _autograd_flow(W, net_start, q, activation):
    """d net(t) / d net(t-q) of the unrolled net by autograd, shape (P, n, n) (entry [p, u, v])."""
    J = autograd.jacobian(lambda s: analysis.unroll(W, s, q, activation)[:, -1])(net_start)
    return np.stack([J[p, :, p, :] for p in range(W.shape[0])])


@pytest.mark.parametrize("activation", ["logistic", "tanh"])
def test_recursion_and_path_sum_match_autograd(activation):
    P, n, Q = 3, 3, 5
    W, nets = analysis.random_networks(P, n, 2.0, seed=4, steps=Q, activation=activation, net_scale=1.5)
    flow = analysis.local_error_flow(W, nets, activation)
    assert flow.shape == (P, Q, n, n)
    for q in range(1, Q + 1):
        ref = _autograd_flow(W, nets[:, Q - q], q, activation)
        assert np.max(np.abs(flow[:, q - 1] - ref)) < 1e-12 * np.max(np.abs(ref))
        for u, v in [(0, 2), (1, 1), (2, 0)]:
            terms = analysis.path_terms(W, nets[:, Q - q:], u, v, activation)
            assert terms.shape == (P, n ** (q - 1))
            np.testing.assert_allclose(terms.sum(axis=1), ref[:, u, v], rtol=1e-10, atol=1e-16)


def test_path_terms_transposed_weights_would_be_wrong():
    """The orientation w_{l_{m-1} l_m} matters: with W transposed the sum misses autograd's value."""
    W, nets = analysis.random_networks(2, 3, 2.0, seed=9, steps=3)
    ref = _autograd_flow(W, nets[:, 0], 3, "logistic")
    transposed = analysis.path_terms(np.swapaxes(W, 1, 2), nets, 0, 1).sum(axis=1)
    assert np.all(np.abs(transposed - ref[:, 0, 1]) > 1e-4)


def test_path_terms_have_mixed_signs_and_count():
    W, nets = analysis.random_networks(1, 4, 1.0, seed=1, steps=4)
    terms = analysis.path_terms(W, nets, 0, 3)
    assert terms.shape == (1, 4 ** 3)
    assert np.any(terms > 0) and np.any(terms < 0)


def test_first_lag_is_derivative_times_weight():
    W, nets = analysis.random_networks(2, 4, 1.0, seed=3, steps=1)
    y = 1 / (1 + np.exp(-nets[:, 0]))
    np.testing.assert_allclose(analysis.local_error_flow(W, nets)[:, 0], W * (y * (1 - y))[:, None, :],
                               rtol=1e-13)


def test_logistic_factor_maximum_value_and_location():
    w_star, net_star, peak = analysis.logistic_factor_maximum()
    assert abs(net_star - 1.5434) < 1e-4 and w_star == net_star
    assert abs(peak - 0.2239) < 1e-4
    # first-order condition of the paper: w = (1/y) coth(net/2)
    assert abs(w_star - 1 / np.tanh(net_star / 2)) < 1e-12
    # a dense grid never beats it
    w = np.linspace(-20, 20, 400_001)
    assert analysis.logistic_factor(w).max() <= peak + 1e-15
    assert abs(w[np.argmax(analysis.logistic_factor(w))]) == pytest.approx(net_star, abs=1e-4)
    # for other y the peak moves to w = net*/y and scales as 1/y
    w_y, net_y, peak_y = analysis.logistic_factor_maximum(0.5)
    assert net_y == pytest.approx(net_star, abs=1e-12) and w_y == pytest.approx(2 * net_star, abs=1e-12)
    assert peak_y == pytest.approx(2 * peak, rel=1e-12)


def test_logistic_factor_below_one_when_weights_below_four():
    w = np.linspace(-4, 4, 4001)[1:-1]
    y = np.concatenate([-np.logspace(-4, 0, 200), np.logspace(-4, 0, 200)])
    factor = analysis.logistic_factor(w[:, None], y[None, :])
    assert factor.max() < 1.0 and factor.max() > 0.99  # the bound 0.25 |w| < 1 is approached, never reached
    # beyond |w| = 4 a small source activation lets one factor exceed 1
    assert analysis.logistic_factor(7.7, 0.2) > 1.0


@pytest.mark.parametrize("activation,scale", [("logistic", 0.5), ("logistic", 8.0), ("tanh", 2.0)])
def test_weak_upper_bound_holds_on_random_networks(activation, scale):
    W, nets = analysis.random_networks(200, 5, scale, seed=2, steps=12, activation=activation,
                                       drive_scale=1.0)
    measured = np.abs(analysis.local_error_flow(W, nets, activation)).max(axis=(2, 3))
    bound = analysis.weak_upper_bound(W, nets, activation)
    assert np.all(measured <= bound * (1 + 1e-12))
    if activation == "logistic":
        assert np.all(bound <= analysis.weak_upper_bound(W, nets, f_prime_max=0.25) * (1 + 1e-12))


def test_small_weights_give_the_papers_exponential_decay():
    n, w_max = 5, 0.7  # w_max < 4/n, tau = n w_max / 4 = 0.875
    W, nets = analysis.random_networks(100, n, w_max, seed=6, steps=30, drive_scale=1.0)
    tau = n * w_max / 4.0
    q = np.arange(1, 31)
    measured = np.abs(analysis.local_error_flow(W, nets)).max(axis=(2, 3))
    assert np.all(measured <= n * tau ** q)
    assert np.all(measured[:, -1] < 1e-10)


def test_bad_inputs_raise_clear_errors():
    W, nets = analysis.random_networks(2, 3, 1.0, seed=0, steps=4)
    with pytest.raises(ValueError, match="W must have shape"):
        analysis.local_error_flow(W[:, :2], nets)
    with pytest.raises(ValueError, match="nets must have shape"):
        analysis.local_error_flow(W, nets[:1])
    with pytest.raises(ValueError, match="at least two time steps"):
        analysis.local_error_flow(W, nets[:, :1])
    with pytest.raises(ValueError, match="u must be a unit index"):
        analysis.path_terms(W, nets, 3, 0)
    with pytest.raises(ValueError, match="MAX_PATHS"):
        big_W, big_nets = analysis.random_networks(1, 20, 1.0, seed=0, steps=8)
        analysis.path_terms(big_W, big_nets, 0, 0)
    with pytest.raises(ValueError, match="activation"):
        analysis.random_networks(2, 3, 1.0, seed=0, activation="relu")
    with pytest.raises(ValueError, match="scale"):
        analysis.random_networks(2, 3, -1.0, seed=0)
    with pytest.raises(ValueError, match="y must be"):
        analysis.logistic_factor_maximum(0.0)
    with pytest.raises(_checks.NumericalError, match="flow"), np.errstate(over="ignore", invalid="ignore"):
        analysis.local_error_flow(np.full((1, 2, 2), 1e200), np.zeros((1, 3, 2)), "tanh")
