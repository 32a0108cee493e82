"""The one-unit latch a_t = w tanh(a_{t-1}) + h_t: fixed points, stability, derivative, latching."""

import numpy as np
import pytest

from lstm_edu import latching


def test_fixed_points_solve_their_equation_and_stability_follows_the_derivative():
    w = np.array([0.3, 0.9, 1.0, 1.01, 1.5, 2.0, 5.0, 40.0])
    points, stable = latching.fixed_points(w)
    x = points[:, 2]
    has_pair = w > 1.0
    assert np.array_equal(~np.isnan(x), has_pair)
    # x = w tanh(x), x > 0: a genuine nonzero root, checked against the map itself
    assert np.allclose(latching.latch_map(x[has_pair], w[has_pair]), x[has_pair], atol=1e-12)
    assert np.all(x[has_pair] > 0)
    assert np.allclose(points[has_pair, 0], -x[has_pair])
    deriv = w[:, None] * (1.0 - np.tanh(points) ** 2)
    with np.errstate(invalid="ignore"):
        assert np.array_equal(stable, np.abs(deriv) < 1.0)
    assert np.array_equal(stable[:, 1], w < 1.0)  # 0 is stable only below w = 1
    assert np.all(stable[has_pair][:, [0, 2]])  # the outer pair is always stable


def test_w2_numbers_from_the_literature():
    x = latching.positive_fixed_point(2.0)[0]
    assert x == pytest.approx(1.915, abs=5e-4)
    assert latching.latch_map_derivative(x, 2.0) == pytest.approx(0.166, abs=5e-4)


def test_state_derivative_matches_finite_difference():
    w = np.array([0.8, 1.2, 2.0, 3.0])
    a0 = np.array([0.3, -0.4, 1.0, 0.2])
    eps = 1e-6
    plus = latching.simulate(w, a0 + eps, 6, 0.3, seed=4)
    minus = latching.simulate(w, a0 - eps, 6, 0.3, seed=4)
    fd = (plus[:, -1] - minus[:, -1]) / (2 * eps)
    analytic = latching.state_derivative(latching.simulate(w, a0, 6, 0.3, seed=4), w)
    assert np.allclose(analytic, fd, rtol=1e-5, atol=0)
    assert np.all(np.abs(analytic) > 1e-6)  # the comparison is not vacuous


def test_noise_free_trajectories_converge_to_the_fixed_points():
    w = np.array([2.0, 2.0, 0.5])
    traj = latching.simulate(w, [0.01, -3.0, 2.0], 200, 0.0, seed=0)
    x = latching.positive_fixed_point(2.0)[0]
    assert np.allclose(traj[:, -1], [x, -x, 0.0], atol=1e-9)


def test_latching_is_robust_only_where_the_derivative_vanishes():
    kept, gain = latching.latching_experiment(np.array([0.5, 3.0]), np.sqrt(0.2), 50, 400, seed=1)
    assert 0.4 < kept[0] < 0.6  # no attractor: the bit is a coin flip
    assert kept[1] == 1.0  # deep attractor: every trial keeps it
    assert gain[1] < 0.2 ** 50  # ... and a_0 has no measurable influence on a_50


@pytest.mark.parametrize("call, match", [
    (lambda: latching.simulate(2.0, 0.0, 0, 0.1, 0), "T must be"),
    (lambda: latching.simulate(2.0, 0.0, 5, -0.1, 0), "noise_std must be >= 0"),
    (lambda: latching.positive_fixed_point([2.0, np.nan]), "w contains 1 non-finite"),
    (lambda: latching.latching_experiment(2.0, 0.1, 5, 0, 0), "P must be"),
])
def test_bad_inputs_raise(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
