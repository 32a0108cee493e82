"""The 1997 Long Short-Term Memory: architecture, truncated gradient and on-line learning.

Everything follows S. Hochreiter and J. Schmidhuber, "Long Short-Term Memory", Neural Computation 9(8),
1997 (below: "the paper"). There is no forget gate: a cell's state is carried by the constant error
carousel (CEC) with a self-connection fixed at 1.0.

One implementation with a leading *trial axis* ``P``: ``P`` independent networks, each with its own
weights and its own data, go through one code path. The book's single network is ``P = 1``. The time
loop, :func:`_time_loop`, is written unit by unit as the paper's equations and compiled by numba: each
network step then costs a fraction of a microsecond, where a loop of NumPy calls spent tens of
microseconds per step on call overhead alone (``python -m lstm_edu bench``).

Layout
------
Per network there are ``B`` memory cell blocks of ``S`` cells each (``C = B S`` cells, block-major
order); each block has one input gate and (except in Experiments 2a/2b) one output gate shared by
its cells (Section 4). The *hidden units* are, in this order, the ``C`` cells, the ``B`` input gates
and the ``B`` output gates. All hidden units read one *source vector* ``y_src(t)`` = [inputs of step t,
hidden activations of step t-1 (connectivity F only), bias 1 (if any hidden unit is biased)]; the output
units read ``y_out_src(t)`` = [inputs of step t (connectivity B only), cell outputs of step t, bias 1
(bias variant "all" only)]. A weight that the architecture of Table 10 does not have is held at 0 by a
fixed 0/1 mask, so that :attr:`LSTM1997.n_weights` counts exactly the weights of Table 10.

Order of computation within a time step (Section 5, "Experimental conditions"): (1) set the inputs,
(2) compute input gates, output gates and cells from the current inputs and the previous step's hidden
activations, (3) compute the outputs from the cells of the *same* step. Activations are reset to 0 at
the start of every sequence.

Public API
----------
- :data:`ROWS`, :func:`config` (a row of Table 10 by name, with overrides), :class:`LSTMConfig`.
- :class:`LSTM1997` (``build(name, P, seed, **overrides)`` is a shortcut): :meth:`~LSTM1997.forward`
  (a :class:`Trace` of gates, cell states and outputs for plotting), :meth:`~LSTM1997.gradient` (the
  truncated gradient of Appendix A), :meth:`~LSTM1997.train` (on-line learning, one sequence per
  network), :meth:`~LSTM1997.add_block` (sequential network construction), :meth:`~LSTM1997.select`.
- :func:`end_mask`, :func:`every_step_mask`: target masks (error at the end / at every step).
- :func:`reference_loss`: an independent autograd implementation of the same net, truncated
  (stop-gradient) or full, used by the tests and the book to check and compare gradients.

Chapters: ``book/lstm/gates.md`` (architecture, forward pass), ``book/lstm/truncated_gradient.md``
(Appendix A), ``book/lstm/truncation.md`` (truncated vs full gradient).
"""

from __future__ import annotations

import dataclasses
import numbers
from typing import NamedTuple

import numba
import numpy as np

from . import _checks
from .activations import LOGISTIC, SQUASH_1997, SQUASH_CAPTION, SQUASH_LOGISTIC_IDENTITY, prime_from_value

#: Bias variants of Table 10: which units have a bias weight.
BIAS_VARIANTS = ("ga", "b1", "all", "none")
#: Connectivity of Table 10: F (fully recurrent hidden layer, outputs fed by the cells only) or
#: B (each layer fed by all layers below, no recurrence; Experiments 2a/2b).
CONNECTIVITIES = ("F", "B")
#: Weight-update schedules of :meth:`LSTM1997.train`.
SCHEDULES = ("sequence", "step")
#: The cells' (g, h) by :attr:`LSTMConfig.squashing`: the text's ranges (all experiments but 2a/2b), the
#: logistic g and identity h of 2a/2b, and the swapped ranges of Table 10's caption.
SQUASHINGS = {"1997": SQUASH_1997, "logistic-identity": SQUASH_LOGISTIC_IDENTITY, "caption": SQUASH_CAPTION}


@dataclasses.dataclass(frozen=True)
class LSTMConfig:
    """One architecture of Table 10 (Section 5 and Appendix A of the paper).

    Attributes
    ----------
    name: the row of Table 10 (with a suffix ``*`` when overridden).
    n_blocks, block_size: memory cell blocks and cells per block ("blocks", "size").
    n_in, n_out: input and output units.
    connectivity: ``"F"`` or ``"B"`` (see :data:`CONNECTIVITIES`).
    bias: ``"ga"`` gates only, ``"b1"`` all hidden units, ``"all"`` all non-input units, ``"none"``.
    output_gate_bias, input_gate_bias: initial gate bias per block (tuple of floats) or ``None`` for
        random like the other weights (Table 10's "r").
    output_gate: ``False`` for Experiments 2a/2b, whose cells have no output gate.
    squashing: ``"1997"`` (g in [-2, 2], h in [-1, 1]), ``"logistic-identity"`` (2a/2b: g = f, h = x) or
        ``"caption"`` (the ranges of Table 10's caption, g in [-1, 1], h in [-2, 2]; see :data:`SQUASHINGS`).
    init_range: initial weights uniform in ``[-init_range, init_range]``.
    alpha: learning rate.
    paper_weights: the weight count Table 10 prints (``None`` for an overridden architecture).
    note: where the paper is ambiguous, what this row chooses.
    """

    name: str
    n_blocks: int
    block_size: int
    n_in: int
    n_out: int
    connectivity: str
    bias: str
    output_gate_bias: tuple | None
    input_gate_bias: tuple | None
    output_gate: bool
    squashing: str
    init_range: float
    alpha: float
    paper_weights: int | None = None
    note: str = ""

    def __post_init__(self):
        _checks.positive_int("n_blocks", self.n_blocks, minimum=0)
        _checks.positive_int("block_size", self.block_size)
        _checks.positive_int("n_in", self.n_in)
        _checks.positive_int("n_out", self.n_out)
        _checks.choice("connectivity", self.connectivity, CONNECTIVITIES)
        _checks.choice("bias", self.bias, BIAS_VARIANTS)
        _checks.choice("squashing", self.squashing, tuple(SQUASHINGS))
        _checks.positive_float("init_range", self.init_range, allow_zero=True)
        _checks.positive_float("alpha", self.alpha)
        for gate in ("output_gate_bias", "input_gate_bias"):
            value = getattr(self, gate)
            if value is None:
                continue
            if self.bias == "none":
                raise ValueError(f"{gate} must be None (random) when bias='none': the units have no bias weight")
            if gate == "output_gate_bias" and not self.output_gate:
                raise ValueError("output_gate_bias must be None when output_gate=False (there is no output gate)")
            values = _checks.array(gate, value, ndim=1)
            if values.shape[0] != self.n_blocks:
                raise ValueError(f"{gate} must hold one value per block ({self.n_blocks}), got {len(values)}")
            object.__setattr__(self, gate, tuple(float(v) for v in values))

    @property
    def n_cells(self) -> int:
        """C = n_blocks * block_size."""
        return self.n_blocks * self.block_size


def _progression(values: tuple | None, n: int) -> tuple | None:
    """Stretch a per-block bias list to ``n`` blocks by continuing its arithmetic progression.

    The paper's gate biases are progressions (-1, -2, -3, -4; -2, -4, -6; -3, -6): "later blocks more
    negative" (Sections 4 and 5.1). A single value is repeated; ``None`` (random) or an empty list gives ``None``.
    """
    if not values:
        return None
    step = values[-1] - values[-2] if len(values) >= 2 else 0.0
    out = list(values[:n])
    while len(out) < n:
        out.append(out[-1] + step)
    return tuple(out)


def _rows() -> dict:
    """The architectures of Table 10, keyed by row name."""
    rows = {}
    exp1_note = ("Experiment 1's text gives output-gate biases -1, -2, -3, Table 10 gives -1, -2, -3, -4 for the "
                 "4-block nets; we follow Table 10 (one bias per block).")
    for name, blocks, size, alpha, weights in (("1-1", 4, 1, 0.1, 264), ("1-2", 3, 2, 0.1, 276),
                                               ("1-3", 3, 2, 0.2, 276), ("1-4", 4, 1, 0.5, 264),
                                               ("1-5", 3, 2, 0.5, 276)):
        rows[name] = LSTMConfig(name, blocks, size, 7, 7, "F", "ga", tuple(-1.0 - k for k in range(blocks)),
                                None, True, "1997", 0.2, alpha, weights, exp1_note)
    for name in ("2a", "2b"):
        rows[name] = LSTMConfig(name, 1, 1, 101, 101, "B", "none", None, None, False, "logistic-identity",
                                0.2, 1.0, 10504,
                                "One cell with an input gate and no output gate; g logistic, h identity "
                                "(Section 5.2). In the paper the cell is added by sequential construction.")
    for k, p in enumerate((50, 100, 200, 500, 1000, 500, 200, 100, 50), start=1):
        weights = 6 * (p + 4 + 6) + 4
        rows[f"2c-{k}"] = LSTMConfig(f"2c-{k}", 2, 1, p + 4, 2, "F", "none", None, None, True, "1997", 0.2,
                                     0.01, weights,
                                     "Weights in [-0.2, 0.2] as for all of Experiment 2 (Section 5). The text "
                                     "prints the distractor range as 1..q; the distractors are a_1..a_p.")
    for name, alpha in (("3a", 1.0), ("3b", 1.0), ("3c", 0.1)):
        rows[name] = LSTMConfig(name, 3, 1, 1, 1, "F", "b1", (-2.0, -4.0, -6.0), (-1.0, -3.0, -5.0), True,
                                "1997", 0.1, alpha, 102)
    for k in (1, 2, 3):
        rows[f"4-{k}"] = LSTMConfig(f"4-{k}", 2, 2, 2, 1, "F", "all", None, (-3.0, -6.0), True, "1997", 0.1,
                                    0.5, 93)
    rows["5"] = LSTMConfig("5", 2, 2, 2, 1, "F", "all", None, None, True, "1997", 0.1, 0.1, 93,
                           "All weights, gate biases included, random in [-0.1, 0.1] (Section 5.5).")
    rows["6a"] = LSTMConfig("6a", 2, 2, 8, 4, "F", "all", None, (-2.0, -4.0), True, "1997", 0.1, 0.5, 156)
    rows["6b"] = LSTMConfig("6b", 3, 2, 8, 8, "F", "all", None, (-2.0, -4.0, -6.0), True, "1997", 0.1, 0.1, 308)
    return rows


_ROWS = _rows()
#: Names of the rows of Table 10, in the paper's order.
ROWS = tuple(_ROWS)


def config(name: str, **overrides) -> LSTMConfig:
    """The architecture of row ``name`` of Table 10, optionally changed by ``overrides``.

    ``overrides`` are :class:`LSTMConfig` fields, e.g. ``n_blocks=3``, ``input_gate_bias=(-1, -2)``
    (a number sets every block; ``None`` means random), ``alpha=0.2``. Changing ``n_blocks`` without
    giving the gate biases stretches the row's biases by their progression (see :func:`_progression`).
    An overridden configuration gets the name ``row*`` and ``paper_weights=None``.
    """
    if name not in _ROWS:
        raise ValueError(f"name must be a row of Table 10, one of {list(ROWS)}; got {name!r}")
    base = _ROWS[name]
    if not overrides:
        return base
    fields = {fld.name for fld in dataclasses.fields(LSTMConfig)} - {"name", "paper_weights", "note"}
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise TypeError(f"unknown override(s) {unknown}; allowed: {sorted(fields)}")
    n_blocks = overrides.get("n_blocks", base.n_blocks)
    for gate in ("output_gate_bias", "input_gate_bias"):
        if gate in overrides:
            value = overrides[gate]
            if isinstance(value, numbers.Real) and not isinstance(value, bool):
                overrides[gate] = (float(value),) * n_blocks
        elif n_blocks != base.n_blocks:
            overrides[gate] = _progression(getattr(base, gate), n_blocks)
    return dataclasses.replace(base, name=name + "*", paper_weights=None, **overrides)


def end_mask(lengths, n_steps: int) -> np.ndarray:
    """Target mask (P, n_steps) with one error at each sequence's last step ``lengths[p] - 1``.

    Sequences of different lengths share one padded input array; steps after a network's last target
    do not change its loss, gradient or weights (no error arrives there), so the padding is harmless.
    """
    n_steps = _checks.positive_int("n_steps", n_steps)
    lengths = _checks.array("lengths", lengths, ndim=1, dtype=np.int64)
    if np.any(lengths < 1) or np.any(lengths > n_steps):
        raise ValueError(f"lengths must lie in [1, n_steps={n_steps}], got min {lengths.min()}, max {lengths.max()}")
    mask = np.zeros((lengths.shape[0], n_steps), dtype=bool)
    mask[np.arange(lengths.shape[0]), lengths - 1] = True
    return mask


def every_step_mask(n_networks: int, n_steps: int) -> np.ndarray:
    """Target mask (P, n_steps) with an error at every step (Experiments 1, 2a)."""
    return np.ones((_checks.positive_int("n_networks", n_networks), _checks.positive_int("n_steps", n_steps)),
                   dtype=bool)


@numba.njit(cache=True, inline="always")
def _change(w, rate, r, u, m, d):
    """The weight change of on-line learning: ``w_um += alpha_um d`` with ``d`` = -dE/dw_um (one step's
    contribution or a sequence's sum) and ``alpha_um`` the weight's rate, ``rate[r, u, m]``."""
    w[u, m] += rate[r, u, m] * d


@numba.njit(cache=True, inline="always")
def _contribute(w, acc, rate, r, u, m, d, at_once):
    """One step's contribution ``d`` = -dE/dw_um of weight (u, m): applied at once (:func:`_change`, mode
    STEP) or added to the sequence's sum ``acc`` (Appendix A.1)."""
    if at_once:
        _change(w, rate, r, u, m, d)
    else:
        acc[u, m] += d


#: Modes of :func:`_time_loop`.
FORWARD, GRADIENT, SEQUENCE, STEP = 0, 1, 2, 3
_MODES = {"forward": FORWARD, "gradient": GRADIENT, "sequence": SEQUENCE, "step": STEP}


@numba.njit(cache=True, nogil=True)
def _time_loop(x, targets, mask, w_h, w_o, rate_h, rate_o, offset, scale, h_offset, h_scale, h_identity,
               n_in, B, S, has_og, recurrent, has_bias, out_inputs, out_bias, mode, keep_outputs,
               loss, last_output, outputs, acc_h_all, acc_o_all,
               trace_in, trace_out, trace_g, trace_s, trace_yc):
    """The time loop of every network: forward pass (Section 5's order), forward partials and errors of the
    truncated gradient (Appendix A), weight changes. Compiled by numba; the one implementation of the math.

    Network ``p`` runs over its sequence ``x[p]`` (T, n_in) from zero activations, unit by unit as the paper
    writes it (one scalar loop per sum). Notation of Appendix A: ``y_src[m]`` are the sources y_m of the
    hidden units (inputs of step t, hidden activations of step t-1, bias), ``dS_in[c, m]`` = ds_c/dw_{in_j, m}
    and ``dS_c[c, m]`` = ds_c/dw_{c, m} the forward-propagated partials of cell c (block j = c // S).
    ``mode``: FORWARD records the activations into the ``trace_*`` arrays and ``outputs``; GRADIENT sums
    each weight's contributions -dE/dw over the steps into ``acc_h_all``/``acc_o_all``; SEQUENCE does the
    same and then changes the weights by ``rate * sum`` (Appendix A.1); STEP applies each step's contribution
    at once. ``rate_h``, ``rate_o``: each weight's learning rate, one row per network or one row shared by
    all. ``w_h``, ``w_o`` are changed in place. Output units are evaluated only where they are used.
    """
    P, T = x.shape[0], x.shape[1]
    H, M = w_h.shape[1], w_h.shape[2]
    K, M_out = w_o.shape[1], w_o.shape[2]
    C = B * S
    oc = n_in if out_inputs else 0                 # first cell among the output units' sources
    y_src, y_osrc = np.empty(M), np.empty(M_out)
    y_h, y_h_prime = np.empty(H), np.empty(H)      # hidden units: cells, input gates, output gates
    s, h_s, y_c = np.empty(C), np.empty(C), np.empty(C)
    y_k, y_k_prime, e_k = np.empty(K), np.empty(K), np.empty(K)
    back, e_s, e_out = np.empty(C), np.empty(C), np.empty(B)
    dS_in, dS_c = np.empty((C, M)), np.empty((C, M))
    nonzero = np.empty(M, dtype=np.int64)         # sources that are not exactly 0 this step
    acc_h, acc_o = np.empty((H, M)), np.empty((K, M_out))
    for p in range(P):
        w, wo = w_h[p], w_o[p]
        r = p if rate_h.shape[0] > 1 else 0        # this network's row of the learning rates
        y_src[:] = 0.0
        if has_bias:
            y_src[M - 1] = 1.0
        y_osrc[:] = 0.0
        if out_bias:
            y_osrc[M_out - 1] = 1.0
        s[:] = 0.0
        dS_in[:] = 0.0
        dS_c[:] = 0.0
        acc_h[:] = 0.0
        acc_o[:] = 0.0
        loss_p = 0.0
        for t in range(T):
            # (1) inputs of this step
            for i in range(n_in):
                y_src[i] = x[p, t, i]
            # a source that is exactly 0 adds nothing to a sum below: skip it (most inputs of the one-hot
            # tasks; in Task 2c with p = 1000 all but one of a thousand)
            n_nonzero = 0
            for m in range(M):
                if y_src[m] != 0.0:
                    nonzero[n_nonzero] = m
                    n_nonzero += 1
            # (2) hidden units: net_u = sum_m w_um y_m; every squashing is offset + scale tanh(net/2)
            for u in range(H):
                net = 0.0
                for i in range(n_nonzero):
                    m = nonzero[i]
                    net += w[u, m] * y_src[m]
                th = np.tanh(0.5 * net)
                y_h[u] = offset[u] + scale[u] * th
                y_h_prime[u] = (0.5 * scale[u]) * (1.0 - th * th)
            for c in range(C):                      # the CEC: s_c(t) = s_c(t-1) + y_in(t) g(net_c(t))
                j = c // S
                s[c] += y_h[C + j] * y_h[c]
                h_s[c] = s[c] if h_identity else h_offset + h_scale * np.tanh(0.5 * s[c])
                y_c[c] = y_h[C + B + j] * h_s[c] if has_og else h_s[c]
            # (3) output units from the cells of the same step
            error_step = mode != FORWARD and mask[p, t]
            if mode == FORWARD or keep_outputs or error_step:
                for i in range(oc):
                    y_osrc[i] = x[p, t, i]
                for c in range(C):
                    y_osrc[oc + c] = y_c[c]
                for k in range(K):
                    net = 0.0
                    for m in range(M_out):
                        net += wo[k, m] * y_osrc[m]
                    th = np.tanh(0.5 * net)
                    y_k[k] = 0.5 + 0.5 * th
                    y_k_prime[k] = 0.25 * (1.0 - th * th)
                    if mode == FORWARD or keep_outputs:
                        outputs[p, t, k] = y_k[k]
            if mode == FORWARD:
                for j in range(B):
                    trace_in[p, t, j] = y_h[C + j]
                    trace_out[p, t, j] = y_h[C + B + j] if has_og else 1.0
                for c in range(C):
                    trace_g[p, t, c] = y_h[c]
                    trace_s[p, t, c] = s[c]
                    trace_yc[p, t, c] = y_c[c]
            else:
                # forward partials (Appendix A.1, eqs. 25 and 27): ds_c/dw_{in,m} += g(net_c) f'_in(net_in) y_m,
                #                                                  ds_c/dw_{c,m}  += g'(net_c) y_in y_m
                for c in range(C):
                    j = c // S
                    coef_in = y_h[c] * y_h_prime[C + j]
                    coef_c = y_h_prime[c] * y_h[C + j]
                    for i in range(n_nonzero):
                        m = nonzero[i]
                        dS_in[c, m] += coef_in * y_src[m]
                        dS_c[c, m] += coef_c * y_src[m]
            if error_step:
                squared = 0.0
                for k in range(K):
                    diff = targets[p, t, k] - y_k[k]
                    squared += diff * diff
                    last_output[p, k] = y_k[k]
                    e_k[k] = y_k_prime[k] * diff                                # e_k, eq. 19
                loss_p += 0.5 * squared
                for c in range(C):
                    total = 0.0
                    for k in range(K):
                        total += wo[k, oc + c] * e_k[k]                         # sum_k w_kc e_k
                    back[c] = total
                    h_prime = 1.0 if h_identity else prime_from_value(h_s[c], h_offset, h_scale)
                    e_s[c] = h_prime * total                                    # e_s, eq. 23
                    if has_og:
                        e_s[c] *= y_h[C + B + c // S]
                if has_og:
                    for j in range(B):
                        total = 0.0
                        for v in range(S):
                            total += h_s[j * S + v] * back[j * S + v]
                        e_out[j] = y_h_prime[C + B + j] * total                 # eq. 21
                # contributions -dE/dw, summed, or applied at once (mode STEP)
                at_once = mode == STEP
                for k in range(K):                                              # output units, eq. 22
                    for m in range(M_out):
                        _contribute(wo, acc_o, rate_o, r, k, m, e_k[k] * y_osrc[m], at_once)
                for c in range(C):                                              # cells, eq. 28
                    for m in range(M):
                        _contribute(w, acc_h, rate_h, r, c, m, e_s[c] * dS_c[c, m], at_once)
                for j in range(B):                                              # input gates, eq. 26
                    for m in range(M):
                        d = 0.0
                        for v in range(S):
                            d += e_s[j * S + v] * dS_in[j * S + v, m]
                        _contribute(w, acc_h, rate_h, r, C + j, m, d, at_once)
                if has_og:
                    for j in range(B):                                          # output gates, eq. 22
                        for m in range(M):
                            _contribute(w, acc_h, rate_h, r, C + B + j, m, e_out[j] * y_src[m], at_once)
            if recurrent:  # this step's hidden activations become the next step's sources
                for c in range(C):
                    y_src[n_in + c] = y_c[c]
                for u in range(C, H):
                    y_src[n_in + u] = y_h[u]
        if mode != FORWARD:
            loss[p] = loss_p
        if mode == GRADIENT:
            acc_h_all[p] = acc_h
            acc_o_all[p] = acc_o
        elif mode == SEQUENCE:  # Appendix A.1: the change is alpha times the sum over all steps
            for u in range(H):
                for m in range(M):
                    _change(w, rate_h, r, u, m, acc_h[u, m])
            for k in range(K):
                for m in range(M_out):
                    _change(wo, rate_o, r, k, m, acc_o[k, m])


class Trace(NamedTuple):
    """Activations of a forward pass over a sequence, each ``(P, T, units)`` (for plotting)."""

    input_gate: np.ndarray    #: y_in_j(t), (P, T, B)
    output_gate: np.ndarray   #: y_out_j(t), (P, T, B); ones where the net has no output gate
    cell_input: np.ndarray    #: g(net_c(t)), (P, T, C)
    cell_state: np.ndarray    #: s_c(t), the CEC's content, (P, T, C)
    cell_output: np.ndarray   #: y_c(t) = y_out_j(t) h(s_c(t)), (P, T, C)
    outputs: np.ndarray       #: y_k(t), (P, T, n_out)


class Gradient(NamedTuple):
    """dE/dw of the truncated gradient, laid out like the weights."""

    hidden: np.ndarray  #: (P, H, M), rows in :attr:`LSTM1997.unit_names` order
    output: np.ndarray  #: (P, n_out, M_out)


class TrainResult(NamedTuple):
    """What :meth:`LSTM1997.train` reports for one sequence per network."""

    loss: np.ndarray         #: E = 1/2 sum over error steps and outputs of (t_k - y_k)^2, (P,)
    last_output: np.ndarray  #: outputs at each network's last error step, (P, n_out)
    outputs: np.ndarray | None  #: all outputs (P, T, n_out) if ``keep_outputs`` else None
    diverged: np.ndarray     #: (P,) bool: networks whose weights became non-finite in this update


class LSTM1997:
    """``P`` independent 1997 LSTM networks of one architecture, with a leading trial axis.

    Parameters
    ----------
    cfg: an :class:`LSTMConfig` (e.g. ``config("4-1")``) or a row name of Table 10.
    n_networks: ``P``, the number of independent networks.
    seed: int or ``numpy.random.Generator`` for the initial weights (uniform in ``[-r, r]``, r = ``init_range``;
        gate biases set per block where the configuration gives them).

    Weights
    -------
    ``w_hidden`` (P, H, M) feeds the hidden units from :attr:`source_names`; ``w_output`` (P, n_out, M_out)
    feeds the outputs from :attr:`output_source_names`. Views by unit type: :attr:`cell_weights`,
    :attr:`input_gate_weights`, :attr:`output_gate_weights` (write into them to change a weight).
    Weights the architecture lacks are 0 and stay 0 (masks ``mask_hidden``, ``mask_output``).
    """

    def __init__(self, cfg: LSTMConfig | str, n_networks: int = 1, seed=0):
        self.cfg = config(cfg) if isinstance(cfg, str) else cfg
        if not isinstance(self.cfg, LSTMConfig):
            raise TypeError(f"cfg must be an LSTMConfig or a row name of Table 10, got {type(cfg).__name__}")
        self.P = _checks.positive_int("n_networks", n_networks)
        self._layout()
        gen = _checks.rng(seed)
        r = self.cfg.init_range
        self.w_hidden = gen.uniform(-r, r, (self.P, self.H, self.M)) * self.mask_hidden
        self.w_output = gen.uniform(-r, r, (self.P, self.cfg.n_out, self.M_out)) * self.mask_output
        self._set_gate_biases(range(self.cfg.n_blocks))

    # ----------------------------------------------------------------------------------- layout
    def _layout(self):
        cfg = self.cfg
        B, S, C = cfg.n_blocks, cfg.block_size, cfg.n_cells
        self.B, self.S, self.C = B, S, C
        self.unit_names = ([f"cell[{j},{v}]" for j in range(B) for v in range(S)]
                           + [f"input_gate[{j}]" for j in range(B)]
                           + ([f"output_gate[{j}]" for j in range(B)] if cfg.output_gate else []))
        self.H = len(self.unit_names)
        has_bias = cfg.bias != "none"
        recurrent = self.unit_names if cfg.connectivity == "F" else []
        self.source_names = [f"input[{i}]" for i in range(cfg.n_in)] + recurrent + (["bias"] if has_bias else [])
        self.M = len(self.source_names)
        self.output_source_names = ((([f"input[{i}]" for i in range(cfg.n_in)]) if cfg.connectivity == "B" else [])
                                    + [f"cell[{j},{v}]" for j in range(B) for v in range(S)]
                                    + (["bias"] if cfg.bias == "all" else []))
        self.M_out = len(self.output_source_names)
        mask = np.ones((self.H, self.M))
        if has_bias and cfg.bias == "ga":  # cells have no bias weight
            mask[:C, -1] = 0.0
        self.mask_hidden = mask
        self.mask_output = np.ones((cfg.n_out, self.M_out))
        self._rec = slice(cfg.n_in, cfg.n_in + len(recurrent))     # hidden activations of step t-1 in y_src
        self._out_cells = slice(cfg.n_in if cfg.connectivity == "B" else 0,
                                (cfg.n_in if cfg.connectivity == "B" else 0) + C)  # cells in y_out_src
        self._squash = SQUASHINGS[cfg.squashing]
        # every hidden unit squashes with offset + scale tanh(net/2): g for the cells, f for the gates
        self._offset = np.array([self._squash.g[0]] * C + [LOGISTIC[0]] * (self.H - C))
        self._scale = np.array([self._squash.g[1]] * C + [LOGISTIC[1]] * (self.H - C))

    def _set_gate_biases(self, blocks):
        C, B = self.C, self.B
        for j in blocks:
            if self.cfg.input_gate_bias is not None:
                self.w_hidden[:, C + j, -1] = self.cfg.input_gate_bias[j]
            if self.cfg.output_gate_bias is not None:
                self.w_hidden[:, C + B + j, -1] = self.cfg.output_gate_bias[j]

    @property
    def output_cells(self) -> slice:
        """Slice of the cells among the output units' sources (the columns of ``w_output`` fed by cells)."""
        return self._out_cells

    @property
    def n_weights(self) -> int:
        """Weights per network, counted as Table 10 counts them."""
        return int(self.mask_hidden.sum() + self.mask_output.sum())

    @property
    def cell_weights(self) -> np.ndarray:
        """View (P, C, M) of the weights into the cells (rows ``cell[j,v]``)."""
        return self.w_hidden[:, :self.C]

    @property
    def input_gate_weights(self) -> np.ndarray:
        """View (P, B, M) of the weights into the input gates."""
        return self.w_hidden[:, self.C:self.C + self.B]

    @property
    def output_gate_weights(self) -> np.ndarray:
        """View (P, B, M) of the weights into the output gates (empty without output gates)."""
        return self.w_hidden[:, self.C + self.B:]

    def source_index(self, name: str) -> int:
        """Column of ``w_hidden`` for the source ``name`` (e.g. ``"bias"``, ``"input[0]"``, ``"cell[1,0]"``)."""
        return self.source_names.index(_checks.choice("name", name, self.source_names))

    def cell_input_from_gates(self, gate_level: float = 0.5) -> np.ndarray:
        """(P, C): the part of each cell's net input net_c that does not depend on the inputs or the cells,
        when every gate of the previous step sits at ``gate_level``: sum over the gates j of w_{c,j}
        times ``gate_level``, plus the cell's bias weight where it has one.

        With small weights and no gate biases every gate is near f(0) = 1/2, so this term is the same at
        every step of every sequence: a bias of the cell in all but name, even in nets without bias
        weights (Experiment 2c). A constant cell input makes the state drift linearly (Section 4,
        "internal state drift"); :doc:`/book/experiments/long_lags` derives the drift of 2c from it.
        """
        level = _checks.positive_float("gate_level", gate_level, allow_zero=True)
        if level > 1:
            raise ValueError(f"gate_level must lie in [0, 1] (a gate's activation), got {level}")
        gates = [i for i, n in enumerate(self.source_names) if n.startswith(("input_gate", "output_gate"))]
        out = level * self.cell_weights[:, :, gates].sum(axis=2)
        if self.source_names[-1] == "bias":
            out = out + self.cell_weights[:, :, -1]
        return out

    def __repr__(self):
        return (f"LSTM1997({self.cfg.name!r}, P={self.P}, blocks={self.B}x{self.S}, n_in={self.cfg.n_in}, "
                f"n_out={self.cfg.n_out}, weights={self.n_weights})")

    # ---------------------------------------------------------------------------------- building
    @classmethod
    def from_weights(cls, cfg: LSTMConfig | str, w_hidden, w_output) -> "LSTM1997":
        """A population with the given weights (P, H, M) and (P, n_out, M_out); masks are applied."""
        w_hidden = _checks.array("w_hidden", w_hidden, ndim=3)
        net = cls(cfg, w_hidden.shape[0], seed=0)
        net.w_hidden = _checks.array("w_hidden", w_hidden, shape=(net.P, net.H, net.M)) * net.mask_hidden
        net.w_output = _checks.array("w_output", w_output, shape=(net.P, net.cfg.n_out, net.M_out)) * net.mask_output
        return net

    def select(self, networks) -> "LSTM1997":
        """A new population holding copies of the networks with indices ``networks`` (int or sequence)."""
        idx = np.atleast_1d(np.asarray(networks))
        if idx.dtype.kind not in "iu" or idx.ndim != 1 or np.any(idx < 0) or np.any(idx >= self.P):
            raise ValueError(f"networks must be indices in [0, {self.P}), got {networks!r}")
        return LSTM1997.from_weights(self.cfg, self.w_hidden[idx], self.w_output[idx])

    def add_block(self, seed, *, input_gate_bias=None, output_gate_bias=None) -> None:
        """Grow every network by one memory cell block, in place (sequential network construction).

        The paper adds a block when the error stops decreasing (Section 4, "abuse problem", remedy 1;
        Experiment 2). Existing weights are kept; every new weight (into and out of the new block's
        units) is drawn uniform in ``[-init_range, init_range]``. The new gates' biases are
        ``input_gate_bias`` / ``output_gate_bias`` if given, else the configuration's progression
        continued (random if the configuration's biases are random; a bias given for a configuration
        with random biases is written into the weights while ``cfg`` keeps ``None``).
        """
        old_cfg, old_src, old_units, old_osrc = self.cfg, self.source_names, self.unit_names, self.output_source_names
        old_h, old_o = self.w_hidden, self.w_output
        n = old_cfg.n_blocks + 1
        biases, new_biases = {}, {}
        for gate, given in (("input_gate_bias", input_gate_bias), ("output_gate_bias", output_gate_bias)):
            current = getattr(old_cfg, gate)
            if given is None:
                biases[gate] = _progression(current, n)
            else:
                given = float(_checks.array(gate, given, ndim=0))
                biases[gate] = None if current is None else tuple(current) + (given,)
                new_biases[gate] = given
        if not old_cfg.output_gate:
            biases["output_gate_bias"] = None
        if old_cfg.bias == "none":
            biases = {"input_gate_bias": None, "output_gate_bias": None}
        name = old_cfg.name if old_cfg.name.endswith("*") else old_cfg.name + "*"
        self.cfg = dataclasses.replace(old_cfg, name=name, n_blocks=n, paper_weights=None, **biases)
        self._layout()
        gen = _checks.rng(seed)
        r = self.cfg.init_range
        self.w_hidden = gen.uniform(-r, r, (self.P, self.H, self.M)) * self.mask_hidden
        self.w_output = gen.uniform(-r, r, (self.P, self.cfg.n_out, self.M_out)) * self.mask_output
        self._set_gate_biases([n - 1])
        if "input_gate_bias" in new_biases and self.cfg.bias != "none":
            self.w_hidden[:, self.C + n - 1, -1] = new_biases["input_gate_bias"]
        if "output_gate_bias" in new_biases and self.cfg.bias != "none" and self.cfg.output_gate:
            self.w_hidden[:, self.C + self.B + n - 1, -1] = new_biases["output_gate_bias"]
        rows = [self.unit_names.index(u) for u in old_units]
        cols = [self.source_names.index(s) for s in old_src]
        self.w_hidden[np.ix_(range(self.P), rows, cols)] = old_h
        ocols = [self.output_source_names.index(s) for s in old_osrc]
        self.w_output[:, :, ocols] = old_o

    # ------------------------------------------------------------------------------- computation
    def _check_sequence(self, inputs, targets=None, target_mask=None):
        x = _checks.array("inputs", inputs, ndim=3)
        if x.shape[0] != self.P or x.shape[2] != self.cfg.n_in:
            raise ValueError(f"inputs must have shape (P={self.P}, T, n_in={self.cfg.n_in}), got {x.shape}")
        if x.shape[1] < 1:
            raise ValueError("inputs must hold at least one time step (T >= 1)")
        if targets is None:
            return x, None, None
        y = _checks.array("targets", targets, shape=(self.P, x.shape[1], self.cfg.n_out))
        m = _checks.array("target_mask", target_mask, dtype=bool)
        if m.shape == (self.P, x.shape[1], self.cfg.n_out):
            # A task's SequenceBatch marks targets per output unit; the paper's errors come per time step.
            if np.any(m != m[:, :, :1]):
                raise ValueError("target_mask of shape (P, T, n_out) must be the same for every output unit "
                                 "(errors are given per time step, Appendix A)")
            m = m[:, :, 0]
        elif m.shape != (self.P, x.shape[1]):
            raise ValueError(f"target_mask must have shape (P={self.P}, T={x.shape[1]}) or "
                             f"(P, T, n_out={self.cfg.n_out}), got {m.shape}")
        return x, y, m

    def forward(self, inputs) -> Trace:
        """Run every network over its sequence ``inputs`` (P, T, n_in) from zero activations.

        Returns the :class:`Trace` of gate activations, cell inputs, cell states, cell outputs and outputs.
        """
        x, _, _ = self._check_sequence(inputs)
        return self._run(x, None, None, mode="forward")

    def forward_one(self, inputs, network: int = 0) -> Trace:
        """Run the single network ``network`` over every sequence of ``inputs`` (n, T, n_in), any n.

        The weights are copied once per sequence (:meth:`select`), so one trained net is tested on a whole
        batch of fresh sequences in one call. Returns the :class:`Trace`, one row per sequence.
        """
        x = _checks.array("inputs", inputs, ndim=3)
        if isinstance(network, bool) or not isinstance(network, (int, np.integer)):
            raise ValueError(f"network must be an int index in [0, {self.P}), got {network!r}")
        return self.select(np.full(x.shape[0], network)).forward(x)

    def gradient(self, inputs, targets, target_mask) -> tuple[np.ndarray, Gradient]:
        """The truncated gradient dE/dw of Appendix A, for one sequence per network; weights unchanged.

        ``E = 1/2 sum_t mask[t] sum_k (t_k(t) - y_k(t))^2``. Errors reaching a gate's or a cell's net input
        are not propagated to the previous step's activations; only the CEC carries error back in time.
        Returns ``(loss (P,), Gradient)``.
        """
        x, y, m = self._check_sequence(inputs, targets, target_mask)
        return self._run(x, y, m, mode="gradient")

    def train(self, inputs, targets, target_mask, *, schedule: str = "sequence", alpha: float | None = None,
              keep_outputs: bool = False, on_divergence: str = "raise", frozen=None) -> TrainResult:
        """On-line learning on one sequence per network: ``w <- w - alpha dE/dw`` (truncated gradient).

        ``schedule="sequence"`` (the book's default) sums the contributions of all time steps and changes
        the weights at the end of the sequence: Appendix A.1 defines a weight's update as that sum, and
        the applied change is then exactly ``-alpha`` times the gradient of the sequence's error. With
        ``schedule="step"`` each step's contribution is applied at once (real-time recurrent learning
        style, forward partials kept across the change). With the error only at the end (Experiments
        2c-6) the two coincide.

        A network whose weights become non-finite (overflow, NaN) has diverged: with
        ``on_divergence="raise"`` (default) that raises :class:`~lstm_edu._checks.NumericalError`; with
        ``"report"`` the update of the other networks stands and ``result.diverged`` marks the diverged
        ones (the experiment runner ends those trials as failures and goes on with the rest).

        ``frozen``: ``None``, or a pair of bool arrays shaped like ``w_hidden`` (P, H, M) and ``w_output``
        (P, n_out, M_out), True where a weight of a network must not change in this call (in either
        schedule). Sequential network construction (Section 4, remedy 1) uses it: a net whose cell is not
        yet added keeps the cell's weights at exactly 0, within the sequence too.
        """
        x, y, m = self._check_sequence(inputs, targets, target_mask)
        _checks.choice("schedule", schedule, SCHEDULES)
        _checks.choice("on_divergence", on_divergence, ("raise", "report"))
        alpha = self.cfg.alpha if alpha is None else _checks.positive_float("alpha", alpha)
        rate_h, rate_o = (alpha * self.mask_hidden)[None], (alpha * self.mask_output)[None]  # shared by all
        if frozen is not None:
            if not isinstance(frozen, (tuple, list)) or len(frozen) != 2:
                raise ValueError("frozen must be None or a pair (hidden (P, H, M), output (P, n_out, M_out)) of "
                                 f"bool arrays, got {type(frozen).__name__}")
            rate_h = rate_h * ~_checks.array("frozen[0]", frozen[0], shape=self.w_hidden.shape, dtype=bool)
            rate_o = rate_o * ~_checks.array("frozen[1]", frozen[1], shape=self.w_output.shape, dtype=bool)
        # a blow-up (overflow, NaN) is not an error inside the loop; it is detected below, per network
        result = self._run(x, y, m, mode=schedule, rates=(np.ascontiguousarray(rate_h), np.ascontiguousarray(rate_o)),
                           keep_outputs=bool(keep_outputs))
        diverged = ~(np.isfinite(self.w_hidden).all(axis=(1, 2)) & np.isfinite(self.w_output).all(axis=(1, 2)))
        if on_divergence == "raise" and diverged.any():
            _checks.finite_or_raise("weights", self.w_hidden, hint="learning diverged; try a smaller alpha")
            _checks.finite_or_raise("weights", self.w_output, hint="learning diverged; try a smaller alpha")
        return result._replace(diverged=diverged)

    def _run(self, x, targets, mask, *, mode, rates=None, keep_outputs=False):
        """Prepare the arrays of :func:`_time_loop` (the compiled time loop) and collect its results.

        Memory: O(W) per network beside the sequences; only the recorded trace of ``mode="forward"`` and
        ``keep_outputs`` grow with T. ``rates``: the learning rate per weight, (P or 1, H, M) and
        (P or 1, n_out, M_out) (one row shared by every network).
        """
        P, T, B, C, K = x.shape[0], x.shape[1], self.B, self.C, self.cfg.n_out
        forward = mode == "forward"
        none = np.zeros((0, 0, 0))
        w_h = np.ascontiguousarray(self.w_hidden, dtype=float)
        w_o = np.ascontiguousarray(self.w_output, dtype=float)
        trace = [np.zeros((P, T, n)) if forward else none for n in (B, B, C, C, C)]
        outputs = np.zeros((P, T, K)) if forward or keep_outputs else none
        loss, last_output = np.zeros(P), np.zeros((P, K))
        acc_h, acc_o = (np.zeros(w_h.shape), np.zeros(w_o.shape)) if mode == "gradient" else (none, none)
        rate_h, rate_o = (none, none) if rates is None else rates
        h = self._squash.h
        _time_loop(np.ascontiguousarray(x, dtype=float),
                   none if forward else np.ascontiguousarray(targets, dtype=float),
                   np.zeros((0, 0), dtype=bool) if forward else np.ascontiguousarray(mask, dtype=bool),
                   w_h, w_o, rate_h, rate_o, self._offset, self._scale,
                   0.0 if h is None else float(h[0]), 1.0 if h is None else float(h[1]), h is None,
                   self.cfg.n_in, B, self.S, bool(self.cfg.output_gate), self._rec.stop > self._rec.start,
                   self.source_names[-1] == "bias", self._out_cells.start > 0,
                   self.output_source_names[-1] == "bias", _MODES[mode], bool(keep_outputs),
                   loss, last_output, outputs, acc_h, acc_o, *trace)
        if forward:
            return Trace(*trace, outputs)
        if mode == "gradient":
            return loss, Gradient(-(acc_h * self.mask_hidden), -(acc_o * self.mask_output))
        if w_h is not self.w_hidden:
            self.w_hidden[...] = w_h
        if w_o is not self.w_output:
            self.w_output[...] = w_o
        return TrainResult(loss, last_output, outputs if keep_outputs else None, np.zeros(P, dtype=bool))


def build(name: str, n_networks: int = 1, seed=0, **overrides) -> LSTM1997:
    """``LSTM1997(config(name, **overrides), n_networks, seed)``: a population for row ``name`` of Table 10."""
    return LSTM1997(config(name, **overrides), n_networks, seed)


def reference_loss(net: LSTM1997, inputs, targets, target_mask, *, truncate: bool = True):
    """An independent autograd reference: ``(loss (P,), dE/dw_hidden (P, H, M), dE/dw_output (P, K, M_out))``.

    Written directly from the paper's equations with ``autograd.numpy`` (per unit type, logistic as
    ``1 / (1 + exp(-x))``, g and h as ``2 tanh(x/2)`` and ``tanh(x/2)``, swapped for ``squashing="caption"``),
    sharing no code with :func:`_time_loop`. With ``truncate=True`` the previous step's hidden
    activations enter the net inputs through ``autograd.tracer.getval`` (stop-gradient): autograd then
    differentiates exactly the truncated graph of Appendix A. ``truncate=False`` gives the full gradient
    (backpropagation through time through the whole graph), used to measure what the truncation changes
    and to train with it.
    The ``P`` networks are independent, so the gradient of the summed loss holds each network's own
    gradient. Meant for checks and short sequences (it stores the whole graph).
    """
    import autograd
    import autograd.numpy as anp
    from autograd.tracer import getval

    cfg = net.cfg
    B, S, C, n_in, P = cfg.n_blocks, cfg.block_size, cfg.n_cells, cfg.n_in, net.P
    x = _checks.array("inputs", inputs, shape=(P, None, n_in))
    y = _checks.array("targets", targets, shape=(P, x.shape[1], cfg.n_out))
    m = _checks.array("target_mask", target_mask, shape=(P, x.shape[1]), dtype=bool).astype(float)
    has_bias = cfg.bias != "none"
    losses = {}

    def sigmoid(z):
        return 1.0 / (1.0 + anp.exp(-z))

    # (g, h) of each squashing: 4 f - 2 = 2 tanh(x/2) and 2 f - 1 = tanh(x/2); the caption swaps the ranges
    g, h = {"1997": (lambda z: 2.0 * anp.tanh(0.5 * z), lambda s: anp.tanh(0.5 * s)),
            "caption": (lambda z: anp.tanh(0.5 * z), lambda s: 2.0 * anp.tanh(0.5 * s)),
            "logistic-identity": (sigmoid, lambda s: s)}[cfg.squashing]

    def loss_of(w_h, w_o):
        w_cell, w_in, w_out = w_h[:, :C], w_h[:, C:C + B], w_h[:, C + B:]
        if cfg.bias == "ga":  # cells have no bias weight
            w_cell = anp.concatenate([w_cell[:, :, :-1], anp.zeros((P, C, 1))], axis=2)
        prev = anp.zeros((P, len(net.source_names) - n_in - has_bias))
        state = anp.zeros((P, C))
        total = anp.zeros(P)
        for t in range(x.shape[1]):
            prev_in = getval(prev) if truncate else prev
            src = anp.concatenate([x[:, t], prev_in] + ([anp.ones((P, 1))] if has_bias else []), axis=1)
            gate_in = sigmoid(anp.einsum("pjm,pm->pj", w_in, src))
            net_c = anp.einsum("pcm,pm->pc", w_cell, src)
            state = state + anp.repeat(gate_in, S, axis=1) * g(net_c)
            squashed_out = h(state)
            if cfg.output_gate:
                gate_out = sigmoid(anp.einsum("pjm,pm->pj", w_out, src))
                cell_out = anp.repeat(gate_out, S, axis=1) * squashed_out
                hidden = [cell_out, gate_in, gate_out]
            else:
                cell_out = squashed_out
                hidden = [cell_out, gate_in]
            osrc = anp.concatenate(([x[:, t]] if cfg.connectivity == "B" else []) + [cell_out]
                                   + ([anp.ones((P, 1))] if cfg.bias == "all" else []), axis=1)
            out = sigmoid(anp.einsum("pkm,pm->pk", w_o, osrc))
            total = total + 0.5 * m[:, t] * anp.sum((y[:, t] - out) ** 2, axis=1)
            if cfg.connectivity == "F":
                prev = anp.concatenate(hidden, axis=1)
        losses["value"] = getval(total)
        return anp.sum(total)

    grad_h, grad_o = autograd.grad(loss_of, (0, 1))(net.w_hidden, net.w_output)
    return losses["value"], grad_h, grad_o
