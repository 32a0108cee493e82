"""Tests of lstm_edu.carousel: the constant error carousel and the weight conflicts (1997 paper, Section 3.2)."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from lstm_edu import activations, carousel
from lstm_edu._checks import NumericalError


# ---------------------------------------------------------------- the single self-connected unit

def test_linear_unit_with_self_weight_one_keeps_error_exactly_constant_for_1000_steps():
    flow = carousel.error_flow(1.0, 1000, activation="linear", initial_activation=[0.0, 0.7, -3.0])
    assert flow.shape == (3, 1001)
    assert np.all(flow == 1.0)


def test_linear_unit_off_one_decays_or_grows_geometrically():
    flow = carousel.error_flow([0.99, 1.01], 1000, activation="linear")
    np.testing.assert_allclose(flow[:, -1], [0.99 ** 1000, 1.01 ** 1000], rtol=1e-10)
    assert flow[0, -1] < 5e-5 and flow[1, -1] > 2e4


def _unrolled_logistic(y0, w, b, steps):
    """An independent scalar implementation of y(t) = 1 / (1 + exp(-(w y(t-1) + b)))."""
    y = y0
    for _ in range(steps):
        y = 1.0 / (1.0 + anp.exp(-(w * y + b)))
    return y


@pytest.mark.parametrize("w, b, y0", [(1.0, 0.0, 0.0), (4.0, -2.0, 0.8), (10.0, 0.0, 0.0), (-3.0, 1.5, 0.3)])
def test_logistic_flow_is_the_derivative_of_the_unrolled_map(w, b, y0):
    steps = 12
    flow = carousel.error_flow(w, steps, activation="logistic", initial_activation=y0, bias=b)
    for q in (1, 5, steps):
        expected = grad(_unrolled_logistic)(y0, w, b, q)
        np.testing.assert_allclose(flow[0, q], expected, rtol=1e-10, atol=1e-300)


def test_logistic_flow_vanishes_and_log10_form_matches_without_underflow():
    flow = carousel.error_flow([1.0, 10.0], 1000, activation="logistic")
    log_flow = carousel.error_flow([1.0, 10.0], 1000, activation="logistic", log10=True)
    assert abs(flow[0, 1]) == pytest.approx(0.25) and abs(flow[1, 1]) == pytest.approx(2.5)
    assert flow[0, -1] == 0.0 and np.all(np.isfinite(log_flow))
    assert log_flow[0, -1] < -600 and log_flow[1, -1] < -3000    # saturation is far worse than w = 1
    keep = np.abs(flow) > 1e-300
    np.testing.assert_allclose(log_flow[keep], np.log10(np.abs(flow[keep])), rtol=1e-9, atol=1e-9)


def test_tuned_logistic_unit_decays_only_algebraically():
    # w = 4, bias -2: at y = 0.5 the factor f'(0) w is exactly 1, but the state drifts back towards 0.5.
    flow = carousel.error_flow(4.0, 1000, activation="logistic", bias=-2.0, initial_activation=0.5)
    np.testing.assert_allclose(flow[0], 1.0, rtol=1e-12)
    flow = carousel.error_flow(4.0, 1000, activation="logistic", bias=-2.0, initial_activation=0.8)
    assert 1e-5 < flow[0, -1] < 1e-2


def test_trial_axis_runs_independent_units():
    w = np.array([1.0, 0.5, 4.0])
    together = carousel.error_flow(w, 50, activation="logistic", bias=[0.0, 1.0, -2.0], initial_activation=0.3)
    for p in range(3):
        alone = carousel.error_flow(w[p], 50, activation="logistic", bias=[0.0, 1.0, -2.0][p], initial_activation=0.3)
        np.testing.assert_array_equal(together[p], alone[0])


def test_self_connected_unit_bad_input_and_overflow():
    with pytest.raises(ValueError, match="activation"):
        carousel.self_connected_unit(1.0, 10, activation="tanh")
    with pytest.raises(ValueError, match="steps"):
        carousel.self_connected_unit(1.0, 0)
    with pytest.raises(ValueError, match="self_weight"):
        carousel.self_connected_unit(np.nan, 10)
    with pytest.raises(ValueError, match="trial axes"):
        carousel.self_connected_unit([1.0, 2.0], 10, bias=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="1-D"):
        carousel.self_connected_unit(np.ones((2, 2)), 10)
    with pytest.raises(NumericalError, match="error flow"):
        carousel.error_flow(4.0, 1000, activation="linear")
    with pytest.raises(NumericalError, match="activation"):
        carousel.self_connected_unit(4.0, 1000, activation="linear", initial_activation=1.0)


# ---------------------------------------------------------------- the tasks and the conflicts

def test_store_recall_task_follows_its_definition():
    x, y, m = carousel.store_recall_task(2, 5, 7, conflict="input", distractor_scale=0.3, seed=4)
    assert x.shape == (2, 5, 7, 3) and y.shape == m.shape == (2, 5, 7)
    np.testing.assert_array_equal(y[:, :, -1], x[:, :, 0, carousel.VALUE])
    assert np.all(y[:, :, :-1] == 0) and np.all(m[:, :, -1] == 1) and np.all(m[:, :, :-1] == 0)
    assert np.all(x[:, :, 0, carousel.STORE] == 1) and np.all(x[:, :, 1:, carousel.STORE] == 0)
    assert np.all(x[:, :, -1, carousel.RECALL] == 1) and np.all(x[:, :, :-1, carousel.RECALL] == 0)
    assert np.all(np.abs(x[:, :, 1:, carousel.VALUE]) <= 0.3) and np.any(x[:, :, 1:, carousel.VALUE] != 0)
    x, y, m = carousel.store_recall_task(2, 5, 7, conflict="output", seed=4)
    assert np.all(x[:, :, 1:, carousel.VALUE] == 0) and np.all(m == 1)


def test_store_recall_task_bad_input():
    with pytest.raises(ValueError, match="conflict"):
        carousel.store_recall_task(1, 1, 5, conflict="both")
    with pytest.raises(ValueError, match="length"):
        carousel.store_recall_task(1, 1, 1, conflict="input")
    with pytest.raises(ValueError, match="distractor_scale"):
        carousel.store_recall_task(1, 1, 5, conflict="input", distractor_scale=-0.1)
    with pytest.raises(TypeError, match="n_trials"):
        carousel.store_recall_task(1.5, 1, 5, conflict="input")


@pytest.mark.parametrize("T", [2, 10, 100])
def test_input_conflict_floor_matches_a_direct_least_squares_fit(T):
    x, y, m = carousel.store_recall_task(1, 20000, T, conflict="input", distractor_scale=0.1, seed=T)
    # Independently: the unit holds w (v + D) + const at the end; fit the target from (v + D, 1).
    total = x[0, :, :, carousel.VALUE].sum(axis=1)
    design = np.stack([total, np.ones_like(total)], axis=1)
    residual = np.linalg.lstsq(design, y[0, :, -1], rcond=None)[1][0] / len(total)
    relative = residual / np.mean(y[0, :, -1] ** 2)
    assert relative == pytest.approx(carousel.input_conflict_floor(T, 0.1), rel=0.05)
    _, error = carousel.naive_least_squares(x, y, m)
    assert error[0] == pytest.approx(residual, rel=1e-6)


@pytest.mark.parametrize("T", [2, 5, 50])
def test_output_conflict_floor_matches_a_direct_scan_over_the_output_coefficient(T):
    x, y, m = carousel.store_recall_task(1, 20000, T, conflict="output", seed=T)
    v = x[0, :, 0, carousel.VALUE]
    c = np.linspace(0, 1, 2001)[:, None]
    summed = ((T - 1) * (c * v) ** 2 + (c * v - v) ** 2).mean(axis=1) / np.mean(v ** 2)
    assert summed.min() == pytest.approx(carousel.output_conflict_floor(T), rel=1e-6)
    assert c[np.argmin(summed), 0] == pytest.approx(1 / T, abs=1e-3)
    weights, error = carousel.naive_least_squares(x, y, m)
    assert error[0] / np.mean(v ** 2) == pytest.approx(carousel.output_conflict_floor(T), rel=0.02)


def test_naive_least_squares_weights_reproduce_their_error_in_the_net():
    x, y, m = carousel.store_recall_task(3, 50, 8, conflict="input", seed=1)
    weights, error = carousel.naive_least_squares(x, y, m)
    np.testing.assert_allclose(carousel.carousel_error(weights, x, y, m), error, rtol=1e-9)


def test_conflict_floors_grow_with_the_time_lag_and_reject_bad_input():
    lags = [2, 10, 100, 1000]
    assert np.all(np.diff([carousel.input_conflict_floor(T, 0.1) for T in lags]) > 0)
    assert np.all(np.diff([carousel.output_conflict_floor(T) for T in lags]) > 0)
    assert carousel.input_conflict_floor(1000, 0.0) == 0.0
    with pytest.raises(ValueError, match="length"):
        carousel.output_conflict_floor(1)
    with pytest.raises(ValueError, match="distractor_scale"):
        carousel.input_conflict_floor(10, np.inf)


# ---------------------------------------------------------------- the carousel net with gates

def test_traceable_logistic_equals_the_package_logistic():
    x = np.linspace(-40, 40, 101)
    # activations.f is computed through tanh: exact to about 1e-16 absolute, not relative, far in the tail
    np.testing.assert_allclose(activations.traceable_f(x), activations.f(x), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(activations.traceable_f(x), 1.0 / (1.0 + np.exp(-x)), rtol=1e-13, atol=1e-16)
    # and autograd differentiates it: f' = f (1 - f)
    from autograd import elementwise_grad
    fx = activations.f(x)
    np.testing.assert_allclose(elementwise_grad(activations.traceable_f)(x), fx * (1 - fx), rtol=1e-12, atol=2e-16)


def test_gated_carousel_net_matches_a_scalar_loop():
    x, _, _ = carousel.store_recall_task(2, 3, 6, conflict="input", distractor_scale=0.5, seed=2)
    w = carousel.initial_weights(2, input_gate=True, output_gate=True, scale=1.0, seed=5)
    out, state = carousel.carousel_net(w, x, input_gate=True, output_gate=True, return_state=True)
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))
    for p in range(2):
        for b in range(3):
            s = 0.0
            for t in range(6):
                xt = x[p, b, t]
                s += sig(xt @ w["input_gate"][p] + w["input_gate_bias"][p]) * (xt @ w["cell"][p])
                y_out = sig(xt @ w["output_gate"][p] + w["output_gate_bias"][p])
                assert state[p, b, t] == pytest.approx(s, rel=1e-12, abs=1e-15)
                assert out[p, b, t] == pytest.approx(w["output"][p] * y_out * s + w["output_bias"][p], rel=1e-12)


def test_learned_input_gate_beats_the_input_conflict_floor():
    T = 10
    x, y, m = carousel.store_recall_task(2, 32, T, conflict="input", seed=3)
    w0 = carousel.initial_weights(2, input_gate=True, seed=4)
    _, history = carousel.train_carousel_net(w0, x, y, m, input_gate=True, iterations=120, learning_rate=0.1)
    relative = history[-1] / np.mean(y[:, :, -1] ** 2, axis=1)
    assert np.all(relative < 0.3 * carousel.input_conflict_floor(T, 0.1))
    assert np.all(history[-1] < history[0])


def test_training_bad_input():
    x, y, m = carousel.store_recall_task(1, 2, 4, conflict="output", seed=0)
    w0 = carousel.initial_weights(1, output_gate=True)
    with pytest.raises(ValueError, match="targets"):
        carousel.train_carousel_net(w0, x, y[:, :, :-1], m, output_gate=True)
    with pytest.raises(ValueError, match="learning_rate"):
        carousel.train_carousel_net(w0, x, y, m, output_gate=True, learning_rate=0.0)
    with pytest.raises(ValueError, match="inputs"):
        carousel.naive_least_squares(x[..., :2], y, m)
