"""The claims of the chapter "Bengio's latching trade-off" (book/vanishing/latching.md).

Each test recomputes, from the chapter's seeds and through the same public functions, a number the chapter
shows, and asserts what its prose says about it.
"""

import numpy as np

from lstm_edu import latching


def test_fixed_point_for_w_2_matches_the_literature():
    """Bengio et al.'s example w = 2: a fixed point near 1.915 with local derivative about 0.166."""
    x2 = latching.positive_fixed_point(2.0)[0]
    assert abs(x2 - 1.915) < 5e-4
    assert abs(latching.latch_map_derivative(x2, 2.0) - 0.166) < 5e-4


def test_without_noise_the_state_derivative_is_the_fixed_point_factor_to_the_power_t():
    """Eq. latch-decay holds exactly at the fixed point: d a_T / d a_0 = M'(x)^T."""
    x2 = latching.positive_fixed_point(2.0)[0]
    d2 = latching.latch_map_derivative(x2, 2.0)
    for T in (5, 10, 20):
        trajectory = latching.simulate(2.0, x2, T, 0.0, seed=0)
        np.testing.assert_allclose(latching.state_derivative(trajectory, 2.0)[0], d2 ** T, rtol=1e-10)


def test_robust_latching_needs_a_deep_attractor_and_more_noise_needs_more_depth():
    """T = 100, 400 runs per point: below w = 1 the bit survives in about half of the runs; the weaker noise
    levels keep it in every run from some w on, a larger one for larger noise; the two strongest do not
    within w <= 3."""
    w_grid = np.linspace(0.25, 3.0, 56)
    kept = [latching.latching_experiment(w_grid, std, 100, 400, seed=k)[0]
            for k, std in enumerate([0.2, np.sqrt(0.2), 0.8, 1.2])]
    assert abs(kept[0][w_grid < 0.9].mean() - 0.5) < 0.05
    robust = [w_grid[k == 1.0].min() for k in kept[:2]]
    assert 1.0 < robust[0] < robust[1]
    assert kept[2][-1] < 1.0 and kept[3][-1] < 1.0


def test_the_gradient_vanishes_exactly_where_latching_is_robust():
    """T = 30, noise variance 0.2: where every run keeps the bit, |d a_T / d a_0| is below 1e-28 and more than
    twenty orders of magnitude below its largest value near w = 1."""
    w_grid = np.linspace(0.25, 4.0, 76)
    kept, gain = latching.latching_experiment(w_grid, np.sqrt(0.2), 30, 400, seed=11)
    robust = kept == 1.0
    assert robust.any()
    assert gain[robust].max() < 1e-28
    assert gain[robust].max() < 1e-20 * gain[w_grid < 1.2].max()
