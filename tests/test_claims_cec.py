"""The claims of the chapter "The constant error carousel" (book/lstm/cec.md).

Each test recomputes, from the chapter's settings and through the same public functions, a number the chapter
shows, and asserts what its prose says about it. Claims that tests/test_carousel.py already asserts on the
same settings stay there: the carousel's flow is exactly 1 for 1000 steps; self-weights 0.99 and 1.01 move it
by more than four orders of magnitude; logistic units with w_jj = 1 and 10 lose more than 600 and 3000.
"""

import numpy as np
from autograd import grad
from test_carousel import _unrolled_logistic

from lstm_edu import activations, analysis, carousel


def test_error_flow_is_autograds_derivative_of_the_unrolled_unit_over_30_steps():
    """The chapter's check: four units, q = 1, 10, 30, largest relative difference below 1e-10."""
    worst = 0.0
    for w, b, y0 in [(1.0, 0.0, 0.0), (4.0, -2.0, 0.8), (10.0, 0.0, 0.0), (-3.0, 1.5, 0.3)]:
        flow = carousel.error_flow(w, 30, activation="logistic", initial_activation=y0, bias=b)
        for q in (1, 10, 30):
            reference = grad(_unrolled_logistic)(y0, w, b, q)
            worst = max(worst, abs(flow[0, q] - reference) / max(abs(reference), 1e-300))
    assert worst < 1e-10


def test_logistic_units_lose_the_error_within_a_few_dozen_steps_the_saturated_one_first():
    """Below 1e-30 within a few dozen steps (w_jj = 1), sooner for the saturated unit (w_jj = 10); f'(10) is
    about 4.5e-5."""
    log_flow = carousel.error_flow([1.0, 10.0], 100, activation="logistic", initial_activation=0.5, log10=True)
    gone = np.argmax(log_flow < -30, axis=1)
    assert 20 < gone[0] < 60
    assert 0 < gone[1] < gone[0]
    assert abs(activations.f_prime(10.0) - 4.5e-5) < 0.05e-5


def test_tuned_logistic_unit_decays_as_q_to_the_minus_three_halves():
    """w = 4, b = -2, y(0) = 0.8: delta_q follows (8q/3)^(-1/2), the flow falls as q^(-3/2) between q = 100
    and 1000, and its ratio to (delta_q / delta_0)^3 settles at a constant a little below 1."""
    _, y = carousel.self_connected_unit(4.0, 1000, activation="logistic", bias=-2.0, initial_activation=0.8)
    flow = carousel.error_flow(4.0, 1000, activation="logistic", bias=-2.0, initial_activation=0.8)[0]
    delta = y[0] - 0.5
    np.testing.assert_allclose(delta[1000], (8 / 3 * 1000) ** -0.5, rtol=0.01)
    assert abs(np.log(flow[1000] / flow[100]) / np.log(10.0) + 1.5) < 0.05
    ratio = {q: flow[q] / (delta[q] / delta[0]) ** 3 for q in (100, 1000)}
    assert 0.9 < ratio[1000] < 1.0
    assert abs(ratio[1000] - ratio[100]) < 0.01


def test_every_settled_random_logistic_unit_forgets_its_error():
    """4000 random units after 2000 steps: every one at a fixed point has a factor below 1, most of them a
    tiny one."""
    rng = np.random.default_rng(1997)
    P = 4000
    w, b, y0 = rng.uniform(-20, 20, P), rng.uniform(-10, 10, P), rng.uniform(0, 1, P)
    net, y = carousel.self_connected_unit(w, 2000, activation="logistic", bias=b, initial_activation=y0)
    factor = np.abs(activations.f_prime(net[:, -1]) * w)
    settled = np.abs(y[:, -1] - y[:, -2]) < 1e-9
    assert settled.sum() > P / 2
    assert factor[settled].max() < 1.0
    assert np.median(factor[settled]) < 0.01


def test_exercise_the_best_constant_factor():
    """Solution of "The best constant factor": over w_jj in [-20, 20] (bias 0, y_j(0) = 0.5) the flow after 50
    steps is largest at a negative weight between -6 and -5, among positive weights between 1 and 2 (next to
    logistic_factor_maximum's w), and below 1 everywhere."""
    w = np.linspace(-20, 20, 4000)
    log_flow = carousel.error_flow(w, 50, activation="logistic", initial_activation=0.5, log10=True)[:, -1]
    assert -6 < w[np.argmax(log_flow)] < -5 and log_flow.max() < 0
    best_positive = w[w > 0][np.argmax(log_flow[w > 0])]
    assert 1 < best_positive < 2 and abs(best_positive - analysis.logistic_factor_maximum(1.0)[0]) < 0.5
