"""The compiled twin of :func:`lstm_edu.competitor_nets.train`: RTRL, full and truncated BPTT, on many sequences.

The book teaches the competitors from the NumPy functions of :mod:`lstm_edu.competitor_nets` (one time
step vectorised over the trial axis, one function per equation). Their runs are long (Table 2 allows 5
million sequences per trial), on-line and sequential, so this module computes the same equations one net,
one sequence and one unit at a time in loops compiled by numba, from small pieces compiled inline:

- :func:`forward_step`: the recurrent units from ``[bias, x(t), y_R(t-1)]``, then the output layer from the
  same step's ``y_R(t)``; it lists the sources that are not exactly 0 (most inputs of the one-hot tasks are
  0, and a zero source adds nothing to a sum or a weight change);
- :func:`direct_errors`: ``e_o``, ``delta_o`` of the output layer and ``dE(t)/dy_R(t)``;
- :func:`rtrl_step`: the sensitivities ``p^k_ij(t)`` and the weight change after the step;
- :func:`backward`: BPTT's error signals over a window of stored steps, summed into a gradient.

Neither device changes a number beyond rounding: ``tests/test_competitors.py`` trains the reference and
this engine from the same weights on the same sequences and finds the same weights (to 1e-12).
"""

from __future__ import annotations

import numba
import numpy as np

from . import _checks
from .competitor_nets import METHODS, NetConfig, _check_rule

#: Rule codes of the compiled loop: RTRL, full BPTT (one change per sequence), truncated BPTT(h), and no
#: learning (a forward pass).
RTRL, BPTT_FULL, BPTT_TRUNCATED, FORWARD = 0, 1, 2, 3


@numba.njit(cache=True, inline="always")
def logistic(x):
    """``(1 + tanh(x/2)) / 2``, the reference's :func:`lstm_edu.activations.traceable_f`."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


@numba.njit(cache=True, inline="always")
def place(values, s, start, nz, n):
    """Copy ``values`` into the sources ``s`` from column ``start``, listing the nonzero ones in ``nz``
    after its first ``n`` entries; return the new count."""
    for k in range(values.shape[0]):
        s[start + k] = values[k]
        if values[k] != 0.0:
            nz[n] = start + k
            n += 1
    return n


@numba.njit(cache=True, inline="always")
def units(W, s, nz, n, first, stop, y):
    """``y_i = f(sum_j w_ij s_j)`` for the units ``first .. stop-1``, over the ``n`` nonzero sources ``nz``."""
    for i in range(first, stop):
        net = 0.0
        for q in range(n):
            net += W[i, nz[q]] * s[nz[q]]
        y[i] = logistic(net)


@numba.njit(cache=True, inline="always")
def forward_step(W, bias, n_in, R, x_t, y_prev, s, y, nz, one):
    """Fill the sources ``s`` and activations ``y`` of one step; return how many entries of ``nz`` (the
    indices of the nonzero sources, those of ``y_R(t)`` last) are valid. ``one``: the array ``[1.0]``."""
    n = place(one, s, 0, nz, 0) if bias else 0
    n = place(x_t, s, bias, nz, n)
    n = place(y_prev, s, bias + n_in, nz, n)
    units(W, s, nz, n, 0, R, y)
    n = place(y[:R], s, bias + n_in + R, nz, n)
    units(W, s, nz, n, R, W.shape[0], y)
    return n


@numba.njit(cache=True, inline="always")
def direct_errors(W, R, n_hidden, output_layer, cur0, y, d_t, m_t, err, delta_O, eps_R):
    """``e_o = m (y_o - d)``, the output layer's ``delta_o`` and ``eps_R = dE(t)/dy_R(t)`` through this step;
    return the step's error ``E(t)``."""
    n_out = err.shape[0]
    E = 0.0
    for o in range(n_out):
        err[o] = m_t[o] * (y[n_hidden + o] - d_t[o])
        E += 0.5 * err[o] * err[o]
    for k in range(R):
        eps_R[k] = 0.0
    if not output_layer:
        for o in range(n_out):
            eps_R[n_hidden + o] = err[o]
        return E
    for o in range(n_out):
        yo = y[R + o]
        delta_O[o] = yo * (1.0 - yo) * err[o]
        if delta_O[o] != 0.0:
            for k in range(R):
                eps_R[k] += delta_O[o] * W[R + o, cur0 + k]
    return E


@numba.njit(cache=True, inline="always")
def rtrl_step(W, mask, R, prev0, output_layer, s, y, nz, n_nz, p, p_new, eps_R, delta_O, lr):
    """Carry the sensitivities ``p^k_ij`` to this step, then change the weights by ``-lr dE(t)/dW``.

    Only the columns ``j < cur0`` of the recurrent units' weights exist (they never see ``y_R(t)``), so
    ``p`` and ``p_new`` hold ``p^k_ij`` at ``[k, i * cur0 + j]``: one contiguous row of ``R * cur0`` numbers
    per unit ``k``, which the compiled loop runs through in one stretch. A zero context weight ``w_kl``
    carries nothing and is skipped.
    """
    cur0 = prev0 + R
    c = R * cur0
    for k in range(R):
        pk = p_new[k]
        for x in range(c):
            pk[x] = 0.0
        for j in range(cur0):
            pk[k * cur0 + j] = s[j]
        for l in range(R):
            w = W[k, prev0 + l]
            if w != 0.0:
                pl = p[l]
                for x in range(c):
                    pk[x] += w * pl[x]
        fp = y[k] * (1.0 - y[k])
        for x in range(c):
            pk[x] *= fp
    p[:] = p_new
    for i in range(R):
        for j in range(cur0):
            if mask[i, j] != 0.0:
                g = 0.0
                for k in range(R):
                    g += eps_R[k] * p[k, i * cur0 + j]
                W[i, j] -= lr * g
    if output_layer:
        for o in range(W.shape[0] - R):
            if delta_O[o] != 0.0:
                for q in range(n_nz):
                    j = nz[q]
                    if mask[R + o, j] != 0.0:
                        W[R + o, j] -= lr * delta_O[o] * s[j]


@numba.njit(cache=True, inline="always")
def backward(W, R, n_hidden, output_layer, prev0, cur0, S, Y, D, M, start, stop, only_last, grad, back, eps_R,
             delta_O, err, delta_R):
    """BPTT over the stored steps ``start .. stop-1`` (errors at every step, or at the last only), added
    into ``grad``; no error goes back beyond ``start``."""
    for k in range(R):
        back[k] = 0.0
    for t in range(stop - 1, start - 1, -1):
        if only_last and t != stop - 1:
            for o in range(err.shape[0]):
                err[o] = 0.0
                delta_O[o] = 0.0
            for k in range(R):
                eps_R[k] = 0.0
        else:
            direct_errors(W, R, n_hidden, output_layer, cur0, Y[t], D[t], M[t], err, delta_O, eps_R)
        for k in range(R):
            delta_R[k] = Y[t, k] * (1.0 - Y[t, k]) * (eps_R[k] + back[k])
        for j in range(S.shape[1]):
            sj = S[t, j]
            if sj != 0.0:
                for i in range(R):
                    grad[i, j] += delta_R[i] * sj
                if output_layer:
                    for o in range(err.shape[0]):
                        grad[R + o, j] += delta_O[o] * sj
        for k in range(R):
            acc = 0.0
            for l in range(R):
                acc += W[l, prev0 + k] * delta_R[l]
            back[k] = acc


@numba.njit(cache=True)
def train_net(W, mask, bias, n_in, n_hidden, output_layer, x, targets, tmask, lengths, rule, h, lr, losses, ends):
    """Train one net (``W`` in place) on the sequences ``x[q, :lengths[q]]`` in order; ``losses[q]`` gets
    each sequence's error, ``ends[q]`` its outputs at its last step (as computed on-line). Return the number
    of sequences trained before the weights stopped being finite (all of them if they stayed finite)."""
    n_units, m = W.shape
    R = n_hidden if output_layer else n_units
    prev0, cur0 = bias + n_in, bias + n_in + R
    T_max, n_out = x.shape[1], targets.shape[2]
    S, Y = np.zeros((T_max, m)), np.zeros((T_max, n_units))
    nz, one = np.zeros(m, dtype=np.int64), np.ones(1)
    p, p_new = np.zeros((R, R * cur0)), np.zeros((R, R * cur0))
    grad = np.zeros((n_units, m))
    y_prev, back, eps_R, delta_R = np.zeros(R), np.zeros(R), np.zeros(R), np.zeros(R)
    err, delta_O = np.zeros(n_out), np.zeros(n_out)
    for q in range(x.shape[0]):
        T = lengths[q]
        y_prev[:] = 0.0
        p[:] = 0.0
        loss = 0.0
        for t in range(T):
            n_nz = forward_step(W, bias, n_in, R, x[q, t], y_prev, S[t], Y[t], nz, one)
            y_prev[:] = Y[t, :R]
            loss += direct_errors(W, R, n_hidden, output_layer, cur0, Y[t], targets[q, t], tmask[q, t], err,
                                  delta_O, eps_R)
            if rule == RTRL:
                rtrl_step(W, mask, R, prev0, output_layer, S[t], Y[t], nz, n_nz, p, p_new, eps_R, delta_O, lr)
            elif rule == BPTT_TRUNCATED:
                grad[:] = 0.0
                backward(W, R, n_hidden, output_layer, prev0, cur0, S, Y, targets[q], tmask[q], max(0, t + 1 - h),
                         t + 1, True, grad, back, eps_R, delta_O, err, delta_R)
                W -= lr * grad * mask
        if rule == BPTT_FULL:
            grad[:] = 0.0
            backward(W, R, n_hidden, output_layer, prev0, cur0, S, Y, targets[q], tmask[q], 0, T, False, grad,
                     back, eps_R, delta_O, err, delta_R)
            W -= lr * grad * mask
        losses[q] = loss
        ends[q] = Y[T - 1, n_hidden:]
        if not np.all(np.isfinite(W)):
            return q
    return x.shape[0]


def train_sequences(config: NetConfig, W, x, targets, target_mask, lengths, method: str = "rtrl",
                    learning_rate: float = 0.1, h: int | None = None):
    """Train ``P`` nets, each on its own ``N`` sequences in order: the compiled twin of calling
    :func:`lstm_edu.competitor_nets.train` once per sequence.

    ``W`` ``(P, n_units, n_sources)`` (not changed); ``x`` ``(P, N, T, n_in)``, ``targets`` and
    ``target_mask`` ``(P, N, T, n_out)``, ``lengths`` ``(P, N)`` (steps beyond a sequence's length are not
    run). Returns the new weights, each sequence's error ``(P, N)``, its outputs at its last step
    ``(P, N, n_out)`` and, per net, the number of sequences trained while the weights stayed finite (``N``
    unless they blew up; then the later errors are NaN).
    """
    learning_rate, h = _check_rule(method, learning_rate, h)
    rule = RTRL if method == "rtrl" else BPTT_FULL if h is None else BPTT_TRUNCATED
    return _run(config, W, x, targets, target_mask, lengths, rule, h or 0, learning_rate)


def end_outputs(config: NetConfig, W, x, lengths) -> np.ndarray:
    """The outputs ``(P, N, n_out)`` of ``P`` nets at the last step of each of their ``N`` sequences ``x``
    ``(P, N, T, n_in)`` (no learning; a fast test of one net on many sequences)."""
    x = _checks.array("x", x, ndim=4, shape=(None, None, None, getattr(config, "n_in", None)))
    zeros = np.zeros((*x.shape[:3], getattr(config, "n_out", 1)))
    return _run(config, W, x, zeros, zeros, lengths, FORWARD, 0, 0.0)[2]


def _run(config, W, x, targets, target_mask, lengths, rule, h, learning_rate):
    if not isinstance(config, NetConfig):
        raise TypeError(f"config must be a NetConfig, got {type(config).__name__}")
    W = _checks.array("W", W, ndim=3, shape=(None, config.n_units, config.n_sources)) * config.mask
    P = W.shape[0]
    x = _checks.array("x", x, ndim=4, shape=(P, None, None, config.n_in))
    shape = (*x.shape[:3], config.n_out)
    targets = _checks.array("targets", targets, shape=shape)
    target_mask = _checks.bool_array("target_mask", target_mask, shape=shape).astype(float)
    lengths = _checks.int_array("lengths", lengths, shape=x.shape[:2])
    if np.any(lengths < 1) or np.any(lengths > x.shape[2]):
        raise ValueError(f"lengths must lie in [1, {x.shape[2]}] (the padded length of x)")
    losses, ends = np.full(x.shape[:2], np.nan), np.full((*x.shape[:2], config.n_out), np.nan)
    done = np.zeros(P, dtype=np.int64)
    for n in range(P):
        done[n] = train_net(W[n], config.mask, int(config.bias), config.n_in, config.n_hidden, config.output_layer,
                            x[n], targets[n], target_mask[n], lengths[n], rule, h, learning_rate, losses[n], ends[n])
    return W, losses, ends, done


__all__ = ["METHODS", "end_outputs", "train_sequences", "train_net"]
