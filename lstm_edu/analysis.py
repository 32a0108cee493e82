"""Hochreiter's (1991) error-flow analysis, as outlined in Section 3.1 of the 1997 LSTM paper.

Setting (Sec. 3.1): ``n`` non-input units, ``net_i(t) = sum_j w_ij y_j(t-1)`` (plus, here, an optional
external drive that stands for the input units' contribution), ``y_i(t) = f(net_i(t))``. The back-propagated
error signal is ``theta_j(t) = f'(net_j(t)) sum_i w_ij theta_i(t+1)``, so the error at unit ``u`` at time
``t`` reaches unit ``v`` at time ``t - q`` scaled by the *local error flow*
``d theta_v(t-q) / d theta_u(t)`` (paper eq. 1, recursion; eq. 2, sum over ``n^(q-1)`` paths). Because the
error signals are derivatives with respect to net inputs, this factor is the Jacobian
``d net_u(t) / d net_v(t-q)`` of the unrolled network, which the tests compute with autograd.

Arrays carry a leading trial axis ``P``: ``W`` has shape ``(P, n, n)`` (``W[p, i, j] = w_ij``, the weight
from unit ``j`` to unit ``i``) and a trajectory of net inputs has shape ``(P, q + 1, n)`` with
``nets[:, 0] = net(t - q)`` and ``nets[:, -1] = net(t)``.
"""

from __future__ import annotations

import itertools

import autograd.numpy as anp
import numpy as np

from lstm_edu import _checks
from lstm_edu.recurrent import ACTIVATIONS, activation_function

#: Largest number of path terms :func:`path_terms` will enumerate (it lists ``n^(q-1)`` products).
MAX_PATHS = 2_000_000


def _check_weights(W) -> np.ndarray:
    W = _checks.array("W", W, ndim=3)
    if W.shape[1] != W.shape[2] or W.shape[0] < 1 or W.shape[1] < 1:
        raise ValueError(f"W must have shape (P, n, n) with P, n >= 1, got {W.shape}")
    return W


def _check_nets(W, nets) -> np.ndarray:
    nets = _checks.array("nets", nets, ndim=3, shape=(W.shape[0], None, W.shape[1]))
    if nets.shape[1] < 2:
        raise ValueError(f"nets must hold at least two time steps (q >= 1), got shape {nets.shape}")
    return nets


def unroll(W, net_start, steps: int, activation: str = "logistic", drive=None):
    """Net inputs ``net(t-q), ..., net(t)`` of the unrolled network, shape ``(P, steps + 1, n)``.

    ``net(s + 1) = W f(net(s)) + drive(s + 1)`` starting from ``net_start`` (shape ``(P, n)``); ``drive``
    (shape ``(P, steps, n)``, default 0) is the constant part of the net input that the input units add.
    Written with ``autograd.numpy``: differentiating it with respect to ``net_start`` gives the error flow.
    """
    steps = _checks.positive_int("steps", steps)
    f, _ = activation_function(activation)
    net = net_start
    nets = [net]
    for s in range(steps):
        net = anp.einsum("pij,pj->pi", W, f(net))
        if drive is not None:
            net = net + drive[:, s]
        nets.append(net)
    return anp.stack(nets, axis=1)


def _f_prime(nets, activation):
    f, f_prime = activation_function(activation)
    return f_prime(f(nets))


def local_error_flow(W, nets, activation: str = "logistic") -> np.ndarray:
    """``d theta_v(t-q) / d theta_u(t)`` for all ``u, v`` and ``q = 1..Q``, shape ``(P, Q, n, n)``.

    Paper eq. (1), written for all unit pairs at once: entry ``[p, q-1, u, v]`` is

        q = 1:  f'_v(net_v(t-1)) w_uv
        q > 1:  f'_v(net_v(t-q)) sum_l [d theta_l(t-q+1) / d theta_u(t)] w_lv,

    i.e. ``flow_q = (flow_{q-1} W) F'(t-q)`` with ``F'`` the diagonal of derivatives. ``nets`` is the
    trajectory from :func:`unroll`, ``Q = nets.shape[1] - 1``. Cost ``O(Q n^3)``.
    """
    W = _check_weights(W)
    nets = _check_nets(W, nets)
    fp = _f_prime(nets, activation)
    Q = nets.shape[1] - 1
    flow = np.empty((W.shape[0], Q, W.shape[1], W.shape[1]))
    flow[:, 0] = W * fp[:, Q - 1, None, :]
    for q in range(2, Q + 1):
        flow[:, q - 1] = np.matmul(flow[:, q - 2], W) * fp[:, Q - q, None, :]
    return _checks.finite_or_raise("flow", flow)


def path_terms(W, nets, u: int, v: int, activation: str = "logistic") -> np.ndarray:
    """The ``n^(q-1)`` product terms of paper eq. (2) from unit ``u`` at ``t`` to unit ``v`` at ``t - q``.

    With ``l_0 = u`` and ``l_q = v``, one term per path ``(l_1, ..., l_{q-1})``:

        prod_{m=1..q} f'_{l_m}(net_{l_m}(t-m)) w_{l_{m-1} l_m},

    shape ``(P, n^(q-1))``, paths in lexicographic order. (With ``net_i = sum_j w_ij y_j`` the error flows
    from ``l_{m-1}`` back to ``l_m`` along the weight ``w_{l_{m-1} l_m}``; the tests check this
    orientation against autograd.) Their sum is :func:`local_error_flow` at lag ``q``; listed one by one
    they show that the terms differ in sign. Here ``q = nets.shape[1] - 1``.
    """
    W = _check_weights(W)
    nets = _check_nets(W, nets)
    n = W.shape[1]
    for name, unit in (("u", u), ("v", v)):
        _checks.positive_int(name, unit, minimum=0)
        if unit >= n:
            raise ValueError(f"{name} must be a unit index in 0..{n - 1}, got {unit}")
    q = nets.shape[1] - 1
    if n ** (q - 1) > MAX_PATHS:
        raise ValueError(f"n^(q-1) = {n}^{q - 1} paths exceed MAX_PATHS = {MAX_PATHS}; use local_error_flow")
    fp = _f_prime(nets, activation)
    middle = np.array(list(itertools.product(range(n), repeat=q - 1)), dtype=int).reshape(n ** (q - 1), q - 1)
    paths = np.concatenate([np.full((len(middle), 1), u), middle, np.full((len(middle), 1), v)], axis=1)
    terms = np.ones((W.shape[0], len(paths)))
    for m in range(1, q + 1):
        # net(t - m) is nets[:, q - m]
        terms *= fp[:, q - m, paths[:, m]] * W[:, paths[:, m - 1], paths[:, m]]
    return terms


def weak_upper_bound(W, nets, activation: str = "logistic", f_prime_max: float | None = None) -> np.ndarray:
    """The paper's weak upper bound ``n (f'_max ||W||_A)^q`` for ``q = 1..Q``, shape ``(P, Q)``.

    ``||W||_A = max_r sum_s |w_rs|`` (maximum row sum). ``f_prime_max`` defaults to the largest derivative
    actually met on the trajectory, ``max_m ||F'(t-m)||_A``; pass 0.25 for the logistic's global maximum.
    With ``|w_ij| <= w_max < 4/n`` and ``tau = n w_max / 4 < 1`` the bound is at most ``n tau^q`` (Sec. 3.1).
    """
    W = _check_weights(W)
    nets = _check_nets(W, nets)
    Q = nets.shape[1] - 1
    if f_prime_max is None:
        fpm = _f_prime(nets, activation)[:, :Q].max(axis=(1, 2))
    else:
        fpm = np.full(W.shape[0], _checks.positive_float("f_prime_max", f_prime_max))
    norm_A = np.abs(W).sum(axis=2).max(axis=1)
    q = np.arange(1, Q + 1)
    return W.shape[1] * (fpm * norm_A)[:, None] ** q[None, :]


def random_networks(P: int, n: int, scale: float, seed, *, net_scale: float = 1.0, steps: int = 1,
                    activation: str = "logistic", drive_scale: float = 0.0):
    """``P`` random networks for the flow experiments: ``W`` uniform in ``[-scale, scale]``, shape ``(P, n, n)``,
    and their unrolled net inputs over ``steps`` steps from ``net(t-q)`` uniform in ``[-net_scale, net_scale]``
    with a random drive uniform in ``[-drive_scale, drive_scale]``. Returns ``(W, nets)``.
    """
    P = _checks.positive_int("P", P)
    n = _checks.positive_int("n", n)
    scale = _checks.positive_float("scale", scale)
    net_scale = _checks.positive_float("net_scale", net_scale, allow_zero=True)
    drive_scale = _checks.positive_float("drive_scale", drive_scale, allow_zero=True)
    _checks.choice("activation", activation, ACTIVATIONS)
    gen = _checks.rng(seed)
    W = gen.uniform(-scale, scale, size=(P, n, n))
    net_start = gen.uniform(-net_scale, net_scale, size=(P, n))
    drive = gen.uniform(-drive_scale, drive_scale, size=(P, steps, n))
    return W, unroll(W, net_start, steps, activation, drive)


def logistic_factor(w, y=1.0):
    """``|f'(w y) w|``: the factor one step of error flow gets from a weight ``w`` whose source has constant
    activation ``y`` (logistic ``f``; Sec. 3.1)."""
    f, f_prime = activation_function("logistic")
    w = np.asarray(w, dtype=float)
    return np.abs(f_prime(f(w * y)) * w)


def logistic_factor_maximum(y: float = 1.0, tol: float = 1e-15):
    """Where ``|f'(w y) w|`` peaks for fixed ``y > 0``: returns ``(w_star, net_star, factor_max)``.

    Setting the derivative of ``f'(w y) w`` to zero with ``f'' = f' (1 - 2 f)`` gives
    ``net tanh(net / 2) = 1`` for ``net = w y``, i.e. the paper's ``w = (1 / y) coth(net / 2)``. The root is
    found by bisection on ``[1, 2]`` (where ``net tanh(net/2) - 1`` changes sign); ``factor_max = f'(net) net / y``.
    """
    y = _checks.positive_float("y", y)
    lo, hi = 1.0, 2.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if mid * np.tanh(0.5 * mid) < 1.0:
            lo = mid
        else:
            hi = mid
    net_star = 0.5 * (lo + hi)
    w_star = net_star / y
    return w_star, net_star, float(logistic_factor(w_star, y))
