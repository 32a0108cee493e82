"""The compiled engine: the 1997 LSTM's time loop compiled by numba, the tested twin of the NumPy reference.

The book teaches the LSTM from the plain NumPy functions of :mod:`lstm_edu.lstm1997` (one time step,
vectorised over the trial axis ``P``, one function per equation group). On-line learning is sequential,
and a NumPy step pays tens of microseconds of call overhead whatever the size of the net; the long runs
of the experiments therefore use this module, which computes the same equations one network and one
unit at a time in compiled loops (a network step of a small net costs a fraction of a microsecond,
``python -m lstm_edu bench``).

Everything the loop needs travels in ONE :class:`Bundle` (a ``NamedTuple`` of arrays and flags, which
numba accepts as a single argument). The loop, :func:`time_loop`, is built from small pieces compiled
inline, one per equation group of the paper (S. Hochreiter and J. Schmidhuber, "Long Short-Term
Memory", Neural Computation 9(8), 1997, Section 5 and Appendix A.1):

- :func:`set_inputs` (step 1 of Section 5's order), :func:`hidden_units` (eqs. 6-8 and the cell input
  of eq. 9), :func:`cells` (the CEC and the cell outputs, eq. 9), :func:`output_units` (after eq. 9);
- :func:`forward_partials` (eqs. 25 and 27), :func:`error_signals` (eqs. 19, 21 and 23),
  :func:`weight_changes` (eqs. 22, 26 and 28; summed over the sequence, Appendix A.1, or applied at once).

Both compute every squashing function through one ``exp`` (:mod:`lstm_edu.activations`: numba's ``tanh``
costs four times as much). Four engine devices have no counterpart in the reference, and none changes a
number: a list of the sources that are not exactly 0 this step (a zero source adds nothing to a sum; most
inputs of the one-hot tasks are zero), used where fewer than half the sources are nonzero (otherwise a
contiguous loop over all of them vectorises better); output units evaluated only at steps where they are
used; learning that runs each network only to its last error step (:func:`steps_to_run`: the padding of
sequences of unequal lengths costs nothing); sequences read where they lie, through their strides (the
trainer's stack of sequences is not copied). ``tests/test_lstm_engine.py`` trains reference and engine
from the same seeds on every family of Table 10 and finds the same weights. Speed, bare and end to end:
``python -m lstm_edu bench`` and ``book/appendix/engine.md``.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from .activations import LOGISTIC, prime_from_value
from .table10 import SQUASHINGS

#: Modes of :func:`time_loop`: record a forward pass, sum the gradient, or learn (two schedules).
FORWARD, GRADIENT, SEQUENCE, STEP = 0, 1, 2, 3
MODES = {"forward": FORWARD, "gradient": GRADIENT, "sequence": SEQUENCE, "step": STEP}

#: How numba compiles every piece: cached on disk, and with NumPy's error model (a division by 0 gives inf or
#: NaN as in NumPy, instead of a test before every division that would raise ZeroDivisionError; no
#: division of the loop can have a zero divisor, and the test made the loop about a fifth slower).
COMPILE = {"cache": True, "error_model": "numpy"}

h_prime_from_value = numba.njit(**COMPILE, inline="always")(prime_from_value)


@numba.njit(**COMPILE, inline="always")
def logistic(x):
    """``1 / (1 + exp(-x))`` of one number (:func:`lstm_edu.activations.logistic`; 0 where ``exp`` overflows)."""
    return 1.0 / (1.0 + np.exp(-x))


class Layout(NamedTuple):
    """The scalars of a network's architecture and of the run (Table 10; a bundle of plain numbers, which
    costs nothing to hand to every piece of the loop)."""

    n_in: int
    B: int                   #: blocks
    S: int                   #: cells per block
    has_og: bool             #: output gates exist
    recurrent: bool          #: connectivity F: the hidden activations of step t-1 are sources
    has_bias: bool           #: the last source of the hidden units is a bias 1
    out_inputs: bool         #: connectivity B: the inputs are the output units' first sources
    out_bias: bool           #: the last source of the output units is a bias 1
    h_identity: bool         #: h is the identity (Experiments 2a, 2b) ...
    h_offset: float          #: ... or h = h_offset + h_scale tanh(s / 2) = (h_offset - h_scale) + 2 h_scale f(s)
    h_scale: float
    mode: int                #: one of :data:`MODES`
    keep_outputs: bool       #: record the outputs of every step into ``outputs`` while learning


class Bundle(NamedTuple):
    """Everything :func:`time_loop` reads and writes, for ``P`` networks (empty arrays where unused)."""

    layout: Layout
    x: np.ndarray            #: inputs (P, T, n_in)
    targets: np.ndarray      #: targets (P, T, K); empty in mode FORWARD
    mask: np.ndarray         #: (P, T) bool, True at the steps with an error; empty in mode FORWARD
    w_h: np.ndarray          #: weights into the hidden units (P, H, M), changed in place
    w_o: np.ndarray          #: weights into the output units (P, K, M_out), changed in place
    rate_h: np.ndarray       #: learning rate per weight, (P or 1, H, M); empty unless learning
    rate_o: np.ndarray       #: (P or 1, K, M_out)
    low: np.ndarray          #: (H,): every hidden unit squashes with low + span f(net), f the logistic function
    span: np.ndarray         #: (H,)
    loss: np.ndarray         #: (P,) out: E = 1/2 sum over error steps of (t_k - y_k)^2
    last_output: np.ndarray  #: (P, K) out: outputs at the last error step
    outputs: np.ndarray      #: (P, T, K) out, mode FORWARD or ``keep_outputs``
    acc_h: np.ndarray        #: (P, H, M) out, mode GRADIENT: sum of the contributions -dE/dw
    acc_o: np.ndarray        #: (P, K, M_out)
    trace_in: np.ndarray     #: (P, T, B) out, mode FORWARD: input gates
    trace_out: np.ndarray    #: (P, T, B) output gates (1 without output gates)
    trace_g: np.ndarray      #: (P, T, C) cell inputs g(net_c)
    trace_s: np.ndarray      #: (P, T, C) cell states
    trace_yc: np.ndarray     #: (P, T, C) cell outputs


@numba.njit(**COMPILE, inline="always")
def change(w, rate, r, u, m, d):
    """The weight change of on-line learning: ``w_um += alpha_um d`` with ``d`` = -dE/dw_um (one step's
    contribution or a sequence's sum) and ``alpha_um`` the weight's rate, ``rate[r, u, m]``."""
    w[u, m] += rate[r, u, m] * d


@numba.njit(**COMPILE, inline="always")
def contribute(w, acc, rate, r, u, m, d, at_once):
    """One step's contribution ``d`` = -dE/dw_um of weight (u, m): applied at once (:func:`change`, mode
    STEP) or added to the sequence's sum ``acc`` (Appendix A.1)."""
    if at_once:
        change(w, rate, r, u, m, d)
    else:
        acc[u, m] += d


@numba.njit(**COMPILE, inline="always")
def reset(lay, y_src, y_osrc, s, dS_in, dS_c, acc_h, acc_o):
    """Start of a sequence: every activation, state, partial and sum is 0; bias sources are 1."""
    y_src[:] = 0.0
    if lay.has_bias:
        y_src[y_src.shape[0] - 1] = 1.0
    y_osrc[:] = 0.0
    if lay.out_bias:
        y_osrc[y_osrc.shape[0] - 1] = 1.0
    s[:] = 0.0
    dS_in[:] = 0.0
    dS_c[:] = 0.0
    acc_h[:] = 0.0
    acc_o[:] = 0.0


@numba.njit(**COMPILE, inline="always")
def steps_to_run(lay, mask, p, T):
    """How many steps of network ``p``'s sequence must run: all ``T`` for a forward pass or where every
    output is kept; while learning, up to its last step with an error: later steps change nothing (no
    error reaches back from them), so the padding of sequences of unequal lengths costs no time."""
    if lay.mode == FORWARD or lay.keep_outputs:
        return T
    for t in range(T - 1, -1, -1):
        if mask[p, t]:
            return t + 1
    return 0


@numba.njit(**COMPILE, inline="always")
def set_inputs(lay, x_t, y_src, nonzero):
    """Step (1) of Section 5's order: the inputs of step t, ``x_t`` (n_in,), become the first sources.
    Returns how many sources are not exactly 0, listed in ``nonzero`` (a zero source adds nothing to a
    sum below: most inputs of the one-hot tasks; in Task 2c with p = 1000 all but one of a thousand)."""
    for i in range(lay.n_in):
        y_src[i] = x_t[i]
    n_nonzero = 0
    for m in range(y_src.shape[0]):
        if y_src[m] != 0.0:
            nonzero[n_nonzero] = m
            n_nonzero += 1
    return n_nonzero


@numba.njit(**COMPILE, inline="always")
def hidden_units(w, y_src, nonzero, n_nonzero, low, span, y_h, y_h_prime):
    """Eqs. 6-9: net_u(t) = sum_m w_um y^m(t-1) for every hidden unit (cells, input gates, output gates);
    y_u = f_u(net_u) with every squashing low + span f(net) (f logistic: f, g = 4 f - 2, h = 2 f - 1) and
    its derivative span f (1 - f), as :func:`lstm_edu.activations.tanh_affine_and_prime` computes them."""
    for u in range(y_h.shape[0]):
        net = 0.0
        for i in range(n_nonzero):
            m = nonzero[i]
            net += w[u, m] * y_src[m]
        f = logistic(net)
        y_h[u] = low[u] + span[u] * f
        y_h_prime[u] = span[u] * f * (1.0 - f)


@numba.njit(**COMPILE, inline="always")
def cells(lay, y_h, s, h_s, y_c):
    """Eq. 9: the CEC s_c(t) = s_c(t-1) + y_in(t) g(net_c(t)) and the cell output y_c(t) = y_out(t) h(s_c(t))."""
    C, B, S = s.shape[0], lay.B, lay.S
    for c in range(C):
        j = c // S
        s[c] += y_h[C + j] * y_h[c]
        if lay.h_identity:
            h_s[c] = s[c]
        else:
            h_s[c] = (lay.h_offset - lay.h_scale) + (2.0 * lay.h_scale) * logistic(s[c])
        y_c[c] = y_h[C + B + j] * h_s[c] if lay.has_og else h_s[c]


@numba.njit(**COMPILE, inline="always")
def output_units(lay, x_t, wo, y_c, y_osrc, y_k, y_k_prime):
    """The output units (Appendix A.1, after eq. 9), step (3) of Section 5's order:
    y_k(t) = f(sum_m w_km y^m(t)) from the cells of the SAME step (and the inputs ``x_t`` in
    connectivity B, a bias in variant "all")."""
    oc = lay.n_in if lay.out_inputs else 0
    for i in range(oc):
        y_osrc[i] = x_t[i]
    for c in range(y_c.shape[0]):
        y_osrc[oc + c] = y_c[c]
    for k in range(y_k.shape[0]):
        net = 0.0
        for m in range(y_osrc.shape[0]):
            net += wo[k, m] * y_osrc[m]
        f = logistic(net)
        y_k[k] = f
        y_k_prime[k] = f * (1.0 - f)


@numba.njit(**COMPILE, inline="always")
def record(lay, y_h, s, y_c, in_t, out_t, g_t, s_t, yc_t):
    """Mode FORWARD: keep the gates, cell inputs, states and cell outputs of step t (rows of the traces)."""
    C, B = s.shape[0], lay.B
    for j in range(B):
        in_t[j] = y_h[C + j]
        out_t[j] = y_h[C + B + j] if lay.has_og else 1.0
    for c in range(C):
        g_t[c] = y_h[c]
        s_t[c] = s[c]
        yc_t[c] = y_c[c]


@numba.njit(**COMPILE, inline="always")
def forward_partials(lay, y_h, y_h_prime, y_src, nonzero, n_nonzero, dS_in, dS_c):
    """Eqs. 25 and 27 (Appendix A.1): ds_c/dw_{in,m} += g(net_c) f'_in(net_in) y_m,
    ds_c/dw_{c,m} += g'(net_c) y_in y_m.

    Where at least half the sources are not 0, the loop runs over all of them (a contiguous loop, which
    the compiler turns into vector instructions), otherwise over the list ``nonzero``. The two give the
    same numbers: a partial is never -0 (it starts at +0), so adding ``coef * 0`` leaves it as it is."""
    C, S, M = dS_in.shape[0], lay.S, y_src.shape[0]
    dense = 2 * n_nonzero >= M
    for c in range(C):
        j = c // S
        coef_in = y_h[c] * y_h_prime[C + j]
        coef_c = y_h_prime[c] * y_h[C + j]
        if dense:
            for m in range(M):
                dS_in[c, m] += coef_in * y_src[m]
                dS_c[c, m] += coef_c * y_src[m]
        else:
            for i in range(n_nonzero):
                m = nonzero[i]
                dS_in[c, m] += coef_in * y_src[m]
                dS_c[c, m] += coef_c * y_src[m]


@numba.njit(**COMPILE, inline="always")
def error_signals(lay, targets_t, wo, y_h, y_h_prime, h_s, y_k, y_k_prime, e_k, back, e_s, e_out):
    """Eqs. 19, 21, 23: e_k = f'_k (t_k - y_k); e_out_j = f'_out_j sum_v h(s_v) sum_k w_kv e_k;
    e_s_c = y_out_j h'(s_c) sum_k w_kc e_k. Returns sum_k (t_k - y_k)^2."""
    C, B, S = h_s.shape[0], lay.B, lay.S
    oc = lay.n_in if lay.out_inputs else 0
    squared = 0.0
    for k in range(y_k.shape[0]):
        diff = targets_t[k] - y_k[k]
        squared += diff * diff
        e_k[k] = y_k_prime[k] * diff                                # e_k, eq. 19
    for c in range(C):
        total = 0.0
        for k in range(y_k.shape[0]):
            total += wo[k, oc + c] * e_k[k]                         # sum_k w_kc e_k
        back[c] = total
        h_prime = 1.0 if lay.h_identity else h_prime_from_value(h_s[c], lay.h_offset, lay.h_scale)
        e_s[c] = h_prime * total                                    # e_s, eq. 23
        if lay.has_og:
            e_s[c] *= y_h[C + B + c // S]
    if lay.has_og:
        for j in range(B):
            total = 0.0
            for v in range(S):
                total += h_s[j * S + v] * back[j * S + v]
            e_out[j] = y_h_prime[C + B + j] * total                 # eq. 21
    return squared


@numba.njit(**COMPILE, inline="always")
def weight_changes(lay, r, w, wo, rate_h, rate_o, acc_h, acc_o, y_src, y_osrc, e_k, e_s, e_out, dS_in, dS_c):
    """Eqs. 22, 26, 28: this step's contributions -dE/dw, summed over the sequence, or applied at once
    (mode STEP)."""
    C, B, S = e_s.shape[0], lay.B, lay.S
    at_once = lay.mode == STEP
    for k in range(e_k.shape[0]):                                   # output units, eq. 22
        for m in range(y_osrc.shape[0]):
            contribute(wo, acc_o, rate_o, r, k, m, e_k[k] * y_osrc[m], at_once)
    for c in range(C):                                              # cells, eq. 28
        for m in range(y_src.shape[0]):
            contribute(w, acc_h, rate_h, r, c, m, e_s[c] * dS_c[c, m], at_once)
    for j in range(B):                                              # input gates, eq. 26
        for m in range(y_src.shape[0]):
            d = 0.0
            for v in range(S):
                d += e_s[j * S + v] * dS_in[j * S + v, m]
            contribute(w, acc_h, rate_h, r, C + j, m, d, at_once)
    if lay.has_og:
        for j in range(B):                                          # output gates, eq. 22
            for m in range(y_src.shape[0]):
                contribute(w, acc_h, rate_h, r, C + B + j, m, e_out[j] * y_src[m], at_once)


@numba.njit(**COMPILE, inline="always")
def recur(lay, y_h, y_c, y_src):
    """Connectivity F: this step's cell outputs and gates become the next step's sources."""
    C = y_c.shape[0]
    for c in range(C):
        y_src[lay.n_in + c] = y_c[c]
    for u in range(C, y_h.shape[0]):
        y_src[lay.n_in + u] = y_h[u]


@numba.njit(**COMPILE, inline="always")
def apply_sums(r, w, wo, rate_h, rate_o, acc_h, acc_o):
    """Mode SEQUENCE, at the end of a sequence: the change is alpha times the sum of all steps'
    contributions (Appendix A.1)."""
    for u in range(w.shape[0]):
        for m in range(w.shape[1]):
            change(w, rate_h, r, u, m, acc_h[u, m])
    for k in range(wo.shape[0]):
        for m in range(wo.shape[1]):
            change(wo, rate_o, r, k, m, acc_o[k, m])


@numba.njit(**COMPILE, nogil=True)
def time_loop(b):
    """The time loop of every network of the :class:`Bundle` ``b``: the forward pass in Section 5's order,
    the forward partials and errors of the truncated gradient (Appendix A), the weight changes.

    Network ``p`` runs over its sequence ``x[p]`` from zero activations, unit by unit. Notation of
    Appendix A: ``y_src[m]`` are the sources of the hidden units (inputs of step t, hidden activations of
    step t-1, bias), ``dS_in[c, m]`` = ds_c/dw_{in_j, m} and ``dS_c[c, m]`` = ds_c/dw_{c, m} (block j = c // S).
    The bundle is unpacked once: its arrays are handed to the pieces one by one.
    """
    (lay, x, targets, mask, w_h, w_o, rate_h, rate_o, low, span, loss, last_output, outputs,
     acc_h_all, acc_o_all, trace_in, trace_out, trace_g, trace_s, trace_yc) = b
    P, T, H, M = x.shape[0], x.shape[1], w_h.shape[1], w_h.shape[2]
    K, M_out, C = w_o.shape[1], w_o.shape[2], lay.B * lay.S
    y_src, y_osrc = np.empty(M), np.empty(M_out)
    y_h, y_h_prime = np.empty(H), np.empty(H)      # hidden units: cells, input gates, output gates
    s, h_s, y_c = np.empty(C), np.empty(C), np.empty(C)
    y_k, y_k_prime, e_k = np.empty(K), np.empty(K), np.empty(K)
    back, e_s, e_out = np.empty(C), np.empty(C), np.empty(lay.B)
    dS_in, dS_c = np.empty((C, M)), np.empty((C, M))
    nonzero = np.empty(M, dtype=np.int64)         # sources that are not exactly 0 this step
    acc_h, acc_o = np.empty((H, M)), np.empty((K, M_out))
    forward = lay.mode == FORWARD
    for p in range(P):
        w, wo = w_h[p], w_o[p]
        r = p if rate_h.shape[0] > 1 else 0        # this network's row of the learning rates
        reset(lay, y_src, y_osrc, s, dS_in, dS_c, acc_h, acc_o)
        loss_p = 0.0
        for t in range(steps_to_run(lay, mask, p, T)):
            n_nonzero = set_inputs(lay, x[p, t], y_src, nonzero)                     # (1) inputs
            hidden_units(w, y_src, nonzero, n_nonzero, low, span, y_h, y_h_prime)  # (2) gates, cells
            cells(lay, y_h, s, h_s, y_c)
            error_step = not forward and mask[p, t]
            if forward or lay.keep_outputs or error_step:                             # (3) outputs
                output_units(lay, x[p, t], wo, y_c, y_osrc, y_k, y_k_prime)
                if forward or lay.keep_outputs:
                    outputs[p, t] = y_k
            if forward:
                record(lay, y_h, s, y_c, trace_in[p, t], trace_out[p, t], trace_g[p, t], trace_s[p, t],
                       trace_yc[p, t])
            else:
                forward_partials(lay, y_h, y_h_prime, y_src, nonzero, n_nonzero, dS_in, dS_c)
            if error_step:
                squared = error_signals(lay, targets[p, t], wo, y_h, y_h_prime, h_s, y_k, y_k_prime, e_k, back,
                                        e_s, e_out)
                loss_p += 0.5 * squared
                last_output[p] = y_k
                weight_changes(lay, r, w, wo, rate_h, rate_o, acc_h, acc_o, y_src, y_osrc, e_k, e_s, e_out,
                               dS_in, dS_c)
            if lay.recurrent:
                recur(lay, y_h, y_c, y_src)
        if not forward:
            loss[p] = loss_p
        if lay.mode == GRADIENT:
            acc_h_all[p] = acc_h
            acc_o_all[p] = acc_o
        elif lay.mode == SEQUENCE:
            apply_sums(r, w, wo, rate_h, rate_o, acc_h, acc_o)


def bundle(net, x, targets, mask, *, mode: str, rates=None, keep_outputs: bool = False) -> Bundle:
    """The :class:`Bundle` of network population ``net`` (an :class:`~lstm_edu.lstm1997.LSTM1997`) for one
    sequence per network, with fresh result arrays. The sequences are read where they lie (a view of a larger
    array, such as the trainer's stack of sequences, is not copied); the weights are contiguous float copies
    only where ``net``'s are not already; :func:`run` writes them back."""
    P, T, B, C, K = x.shape[0], x.shape[1], net.B, net.C, net.cfg.n_out
    forward = mode == "forward"
    none = np.zeros((0, 0, 0))
    squash = SQUASHINGS[net.cfg.squashing]
    h = squash.h
    rate_h, rate_o = (none, none) if rates is None else rates
    trace = [np.zeros((P, T, n)) if forward else none for n in (B, B, C, C, C)]
    w_h = np.ascontiguousarray(net.w_hidden, dtype=float)
    w_o = np.ascontiguousarray(net.w_output, dtype=float)
    layout = Layout(net.cfg.n_in, B, net.S, bool(net.cfg.output_gate), net.cfg.connectivity == "F",
                    net.source_names[-1] == "bias", net.output_cells.start > 0,
                    net.output_source_names[-1] == "bias", h is None, 0.0 if h is None else float(h[0]),
                    1.0 if h is None else float(h[1]), MODES[mode], bool(keep_outputs))
    return Bundle(
        layout, np.asarray(x, dtype=float),  # views are read in place (strides): no copy of the sequences
        none if forward else np.asarray(targets, dtype=float),
        np.zeros((0, 0), dtype=bool) if forward else np.asarray(mask, dtype=bool),
        w_h, w_o, rate_h, rate_o,
        np.array([squash.g[0] - squash.g[1]] * C + [LOGISTIC[0] - LOGISTIC[1]] * (net.H - C)),
        np.array([2.0 * squash.g[1]] * C + [2.0 * LOGISTIC[1]] * (net.H - C)),
        np.zeros(P), np.zeros((P, K)), np.zeros((P, T, K)) if forward or keep_outputs else none,
        np.zeros(w_h.shape) if mode == "gradient" else none, np.zeros(w_o.shape) if mode == "gradient" else none,
        *trace)


def run(net, x, targets, mask, *, mode: str, rates=None, keep_outputs: bool = False) -> Bundle:
    """Run :func:`time_loop` on :func:`bundle`; learning modes leave the changed weights in ``net``.
    Returns the bundle, whose result fields hold the loss, outputs, gradient sums or traces."""
    b = bundle(net, x, targets, mask, mode=mode, rates=rates, keep_outputs=keep_outputs)
    time_loop(b)
    if b.w_h is not net.w_hidden:
        net.w_hidden[...] = b.w_h
    if b.w_o is not net.w_output:
        net.w_output[...] = b.w_o
    return b
