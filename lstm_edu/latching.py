"""Bengio, Simard and Frasconi's (1994) latching trade-off, on the one-unit system

    a_t = M(a_{t-1}) + h_t,      M(a) = w tanh(a),                       (chapter eq. latch-map)

with a leading trial axis: every function takes arrays of ``w`` (one value per trial) and computes all
trials in one set of NumPy calls.

* For ``w <= 1`` the only fixed point of ``M`` is ``a = 0`` (stable for ``|w| < 1``).
* For ``w > 1`` the fixed point 0 is unstable and two stable fixed points ``+-x`` appear, where
  ``tanh(x) = x / w`` (eq. ``latch-fixed``); their local derivative ``M'(x) = w (1 - tanh(x)^2)`` is < 1.
* A bit stored as the sign of ``a`` survives noise ``h_t`` when the state stays in the contracting
  region around ``+-x``; but there ``d a_T / d a_0 = prod_t M'(a_{t-1})`` shrinks exponentially in ``T``
  (eq. ``latch-derivative``): robust latching and a long-range gradient exclude each other (Bengio et
  al. 1994, Sec. III).
"""

from __future__ import annotations

import numpy as np

from . import _checks


def _weights(w) -> np.ndarray:
    return np.atleast_1d(_checks.array("w", w))


def latch_map(a, w):
    """``M(a) = w tanh(a)``, the noise-free update of eq. ``latch-map``."""
    return np.asarray(w) * np.tanh(a)


def latch_map_derivative(a, w):
    """``M'(a) = w (1 - tanh(a)^2)``: the factor by which a small change of ``a_{t-1}`` reaches ``a_t``."""
    return np.asarray(w) * (1.0 - np.tanh(a) ** 2)


def positive_fixed_point(w, *, tol=1e-13, max_iter=200):
    """The fixed point ``x >= 0`` of ``M`` for each ``w`` (shape of ``w``): the root of ``x = w tanh(x)``.

    ``x = 0`` for ``w <= 1``; for ``w > 1`` the unique ``x > 0`` with ``tanh(x) = x / w`` (eq.
    ``latch-fixed``), found by bisection on ``[0, w]`` (``x - w tanh(x)`` is negative just above 0 and
    positive at ``x = w``), so it converges for every ``w``.
    """
    w = _weights(w)
    lo = np.zeros_like(w)
    hi = np.maximum(w, 0.0)
    for _ in range(max_iter):
        mid = 0.5 * (lo + hi)
        below = mid - w * np.tanh(mid) < 0.0
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
        if np.all(hi - lo < tol):
            break
    return np.where(w > 1.0, 0.5 * (lo + hi), 0.0)


def fixed_points(w):
    """All fixed points of ``M`` for each ``w``: array ``(len(w), 3)`` holding ``[-x, 0, x]`` (NaN where
    ``w <= 1``: only 0 exists) and a bool array ``stable`` of the same shape, ``|M'(a*)| < 1``."""
    w = _weights(w)
    x = positive_fixed_point(w)
    points = np.stack([-x, np.zeros_like(w), x], axis=1)
    points[w <= 1.0, 0] = np.nan
    points[w <= 1.0, 2] = np.nan
    with np.errstate(invalid="ignore"):
        stable = np.abs(latch_map_derivative(points, w[:, None])) < 1.0
    return points, stable


def simulate(w, a0, T, noise_std, seed):
    """Trajectories ``a_0 .. a_T`` of eq. ``latch-map`` with Gaussian noise ``h_t`` of std ``noise_std``.

    ``w``, ``a0`` and ``noise_std`` broadcast to one value per trial ``(P,)``; returns ``(P, T + 1)``.
    """
    T = _checks.positive_int("T", T)
    w, a0, std = np.broadcast_arrays(_weights(w), np.atleast_1d(_checks.array("a0", a0)),
                                     np.atleast_1d(_checks.array("noise_std", noise_std)))
    if np.any(std < 0):
        raise ValueError(f"noise_std must be >= 0, got minimum {std.min()}")
    h = std[:, None] * _checks.rng(seed).standard_normal(size=(w.shape[0], T))
    a = [a0.astype(float)]
    for t in range(T):
        a.append(latch_map(a[-1], w) + h[:, t])
    return _checks.finite_or_raise("trajectory", np.stack(a, axis=1))


def state_derivative(trajectory, w):
    """``d a_T / d a_0 = prod_{t=1..T} M'(a_{t-1})`` along each trajectory (eq. ``latch-derivative``).

    ``trajectory`` is ``(P, T + 1)`` from :func:`simulate` (the noise is an input, so it does not depend
    on ``a_0``); returns ``(P,)``.
    """
    trajectory = _checks.array("trajectory", trajectory, ndim=2)
    return np.prod(latch_map_derivative(trajectory[:, :-1], _weights(w)[:, None]), axis=1)


def latching_experiment(w, noise_std, T, P, seed):
    """Store a +1 bit at the positive fixed point and run ``T`` noisy steps, for every ``w`` and noise level.

    For each pair ``(w, noise_std)`` (arrays broadcast against each other) ``P`` trials start at
    ``a_0 = max(x(w), 1)`` (the positive fixed point, or 1 where none exists). Returns
    ``kept``: the fraction of trials whose final state is still positive, and ``gain``: the median over
    trials of ``|d a_T / d a_0|``, both of the broadcast shape.
    """
    P = _checks.positive_int("P", P)
    w, noise_std = np.broadcast_arrays(_checks.array("w", w), _checks.array("noise_std", noise_std))
    ws = np.repeat(w.ravel(), P)
    a0 = np.maximum(positive_fixed_point(ws), 1.0)
    traj = simulate(ws, a0, T, np.repeat(noise_std.ravel(), P), seed)
    kept = (traj[:, -1] > 0).reshape(-1, P).mean(axis=1).reshape(w.shape)
    gain = np.median(np.abs(state_derivative(traj, ws)).reshape(-1, P), axis=1).reshape(w.shape)
    return kept, gain
