"""The compiled twin of :func:`lstm_edu.chunker.train_sequence`, on many sequences: the chunker's long runs.

The book teaches the chunker from the NumPy reference (:mod:`lstm_edu.chunker`, one step vectorised over the
trial axis). A run of Table 2 trains up to a hundred thousand sequences of 101 steps per trial, on-line, so
this module computes the same steps one trial and one sequence at a time in a loop compiled by numba, built
from the compiled pieces of the competitors' engine (:mod:`lstm_edu.competitor_engine`: ``forward_step``,
``direct_errors``, ``rtrl_step``), which skip the sources that are exactly 0 (all but one input of a one-hot
symbol).

``C`` learns from a step of its own only when its next event brings the target, so the engine keeps ``C``'s
sensitivities one step behind: at an event it first carries them to ``C``'s last step and changes ``C``'s
weights (``rtrl_step``, with the weights of that step, which have not changed since), then steps ``C`` on
the new input. That is the reference's order. ``tests/test_chunker.py`` trains both from the same weights on
the same sequences and finds the same weights (to 1e-12).
"""

from __future__ import annotations

import numba
import numpy as np

from . import _checks
from .chunker import ChunkerConfig
from .competitor_engine import direct_errors, forward_step, rtrl_step


@numba.njit(cache=True)
def train_pair(W_A, W_C, mask_A, mask_C, absorb, threshold, time_scale, x, lengths, lr, out):
    """Train one chunker (``W_A``, ``W_C`` in place) on the sequences ``x[q, :lengths[q]]`` in order.

    ``out[q]`` gets the sequence's error of ``A`` (summed over its steps), the number of ``C``'s steps, and
    the largest absolute error of ``A``'s symbol outputs at its last prediction (of the final symbol).
    """
    n = x.shape[2]
    m_A, m_C = W_A.shape[1], W_C.shape[1]
    n_out_A = W_A.shape[0] - 1
    s_A, y_A, nz_A = np.zeros(m_A), np.zeros(W_A.shape[0]), np.zeros(m_A, dtype=np.int64)
    s_C, y_C, nz_C = np.zeros(m_C), np.zeros(W_C.shape[0]), np.zeros(m_C, dtype=np.int64)
    p_A, p_new_A = np.zeros((1, m_A)), np.zeros((1, m_A))  # p^k_ij at [k, i * cur0 + j] (rtrl_step)
    p_C, p_new_C = np.zeros((1, m_C)), np.zeros((1, m_C))
    h_A, h_C, one = np.zeros(1), np.zeros(1), np.ones(1)
    err_A, delta_A, eps_A = np.zeros(n_out_A), np.zeros(n_out_A), np.zeros(1)
    err_C, delta_C, eps_C = np.zeros(n), np.zeros(n), np.zeros(1)
    d_A, m_A_t, m_C_t, x_C = np.zeros(n_out_A), np.ones(n_out_A), np.ones(n), np.zeros(n + 1)
    for q in range(x.shape[0]):
        T = lengths[q]
        h_A[0], h_C[0] = 0.0, 0.0
        p_A[:] = 0.0
        p_C[:] = 0.0
        n_nz_C, seen, missed, loss, events = 0, False, True, 0.0, 0
        for t in range(T):
            if missed:
                events += 1
                if seen:   # C's last step gets its target: carry its sensitivities there, change its weights
                    direct_errors(W_C, 1, 1, True, m_C - 1, y_C, x[q, t], m_C_t, err_C, delta_C, eps_C)
                    rtrl_step(W_C, mask_C, 1, n + 1, True, s_C, y_C, nz_C, n_nz_C, p_C, p_new_C, eps_C, delta_C, lr)
                x_C[:n] = x[q, t]
                x_C[n] = t / time_scale
                n_nz_C = forward_step(W_C, 0, n + 1, 1, x_C, h_C, s_C, y_C, nz_C, one)
                h_C[0] = y_C[0]
                seen = True
            n_nz_A = forward_step(W_A, 0, n, 1, x[q, t], h_A, s_A, y_A, nz_A, one)
            h_A[0] = y_A[0]
            if t + 1 < T:
                d_A[:n] = x[q, t + 1]
                if absorb:
                    d_A[n] = h_C[0]
                loss += direct_errors(W_A, 1, 1, True, m_A - 1, y_A, d_A, m_A_t, err_A, delta_A, eps_A)
                rtrl_step(W_A, mask_A, 1, n, True, s_A, y_A, nz_A, n_nz_A, p_A, p_new_A, eps_A, delta_A, lr)
                worst = 0.0
                for k in range(n):
                    worst = max(worst, abs(y_A[1 + k] - x[q, t + 1, k]))
                missed = worst > threshold
                out[q, 2] = worst
        out[q, 0], out[q, 1] = loss, events
        if not (np.all(np.isfinite(W_A)) and np.all(np.isfinite(W_C))):
            return q
    return x.shape[0]


def train_sequences(config: ChunkerConfig, W_A, W_C, x, lengths, learning_rate: float = 1.0):
    """Train ``P`` chunkers, each on its own ``N`` sequences in order: the compiled twin of calling
    :func:`lstm_edu.chunker.train_sequence` once per sequence.

    ``x`` (P, N, T, n_symbols), ``lengths`` (P, N) input steps. ``W_A``, ``W_C`` are not changed. Returns the
    new weights, per sequence ``A``'s error (P, N), ``C``'s steps (P, N) and the largest absolute error of
    ``A``'s symbol outputs at its last prediction (P, N) (NaN after a blow-up); and per chunker the sequences
    trained while the weights stayed finite (``N`` unless they blew up).
    """
    if not isinstance(config, ChunkerConfig):
        raise TypeError(f"config must be a ChunkerConfig, got {type(config).__name__}")
    lo, up = config.lower, config.upper
    W_A = _checks.array("W_A", W_A, ndim=3, shape=(None, lo.n_units, lo.n_sources)) * lo.mask
    W_C = _checks.array("W_C", W_C, shape=(W_A.shape[0], up.n_units, up.n_sources)) * up.mask
    x = _checks.array("x", x, ndim=4, shape=(W_A.shape[0], None, None, config.n_symbols))
    lengths = _checks.int_array("lengths", lengths, shape=x.shape[:2])
    if np.any(lengths < 2) or np.any(lengths > x.shape[2]):
        raise ValueError(f"lengths must lie in [2, {x.shape[2]}] (inputs of at least two steps)")
    rate = _checks.positive_float("learning_rate", learning_rate, allow_zero=True)
    out = np.full(x.shape[:2] + (3,), np.nan)
    done = np.zeros(W_A.shape[0], dtype=np.int64)
    for k in range(W_A.shape[0]):
        done[k] = train_pair(W_A[k], W_C[k], lo.mask, up.mask, config.absorb, config.threshold,
                             config.time_scale, x[k], lengths[k], rate, out[k])
    return W_A, W_C, out[..., 0], out[..., 1], out[..., 2], done
