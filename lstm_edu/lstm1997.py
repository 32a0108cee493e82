"""The 1997 Long Short-Term Memory in plain NumPy: forward pass, truncated gradient, on-line learning.

Everything follows S. Hochreiter and J. Schmidhuber, "Long Short-Term Memory", Neural Computation 9(8),
1997 (below: "the paper"). There is no forget gate: a cell's state is carried by the constant error
carousel (CEC) with a self-connection fixed at 1.0.

This module is the reference the book teaches: one time step of ``P`` independent networks at once
(every array has the *trial axis* ``P`` first; the book's single network is ``P = 1``), written as small
functions in the paper's order, each under its equation of Appendix A.1:

- the forward step in Section 5's order: :func:`sources`, :func:`input_gates` (eq. 7),
  :func:`output_gates` (eq. 8), :func:`cell_inputs`, :func:`cell_states`, :func:`cell_outputs` (eq. 9),
  :func:`output_units` (the unnumbered equation after eq. 9), together :func:`forward_step`;
- the forward partials :func:`input_gate_partials` (eq. 25) and :func:`cell_partials` (eq. 27);
- the error signals :func:`output_errors` (eq. 19), :func:`output_gate_errors` (eq. 21),
  :func:`state_errors` (eq. 23), and the weight changes :func:`output_unit_changes`,
  :func:`output_gate_changes` (eq. 22), :func:`input_gate_changes` (eq. 26), :func:`cell_changes`
  (eq. 28), together :func:`error_step`;
- the time loops built from them: :func:`forward_pass` and :func:`train_sequence` (on-line learning).

Every squashing function is ``offset + scale tanh(x/2)``, computed through the logistic function
(:mod:`lstm_edu.activations`), with the
derivative of h computed from its value, as in the compiled engine :mod:`lstm_edu.lstm_engine`, the
reference's tested twin that the experiments run (``engine="compiled"``, the default of
:class:`LSTM1997`'s methods; ``engine="numpy"`` runs the functions of this module).

Public API
----------
- :data:`ROWS`, :func:`config` (a row of Table 10 by name, with overrides), :class:`LSTMConfig`
  (from :mod:`lstm_edu.table10`).
- :class:`LSTM1997` (``build(name, P, seed, **overrides)`` is a shortcut): :meth:`~LSTM1997.forward`
  (a :class:`Trace` of gates, cell states and outputs for plotting), :meth:`~LSTM1997.gradient` (the
  truncated gradient of Appendix A), :meth:`~LSTM1997.train` (on-line learning, one sequence per
  network), :meth:`~LSTM1997.add_block` (sequential network construction), :meth:`~LSTM1997.select`
  (architecture and weights: :class:`lstm_edu.lstm_layout.LSTMLayout`).
- :func:`end_mask`, :func:`every_step_mask`: target masks (error at the end / at every step).
- :func:`reference_loss`: an independent autograd implementation of the same net, truncated
  (stop-gradient) or full (:mod:`lstm_edu.lstm_autograd`).

Chapters: ``book/lstm/gates.md`` (architecture, forward pass), ``book/lstm/truncated_gradient.md``
(Appendix A), ``book/lstm/truncation.md`` (truncated vs full gradient); the engine:
``book/appendix/engine.md``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _checks, activations, lstm_engine
from .lstm_autograd import reference_loss  # noqa: F401 (re-exported)
from .lstm_layout import MAX_WEIGHT, LSTMLayout  # noqa: F401 (MAX_WEIGHT re-exported)
from .table10 import (BIAS_VARIANTS, CONNECTIVITIES, ROWS, SQUASHINGS, LSTMConfig,  # noqa: F401 (re-exported)
                      config)

#: Weight-update schedules of :meth:`LSTM1997.train`.
SCHEDULES = ("sequence", "step")
#: Implementations behind :class:`LSTM1997`'s methods: the compiled engine or this module's NumPy functions.
ENGINES = ("compiled", "numpy")
#: A network whose error on a sequence is at least this but whose update changed no weight at all is
#: *saturated* (:meth:`LSTM1997.train`): every error reaches the weights through an output unit's f'(net_k),
#: so no change at all means every output unit with an error sat where f is flat (|net_k| above about 38,
#: or so close that alpha e_k f' is below half a weight's last bit). The weight bound
#: :data:`~lstm_edu.lstm_layout.MAX_WEIGHT` alone misses the typical case: at alpha 1e4 (rows 4-1, 6a) one
#: update throws the weights to ~1e3 and every unit is flat from then on, so the weights freeze there.
#: A net still learning never keeps all its weights at an error of 1e-3: its updates are far above the bits.
STALL_LOSS = 1e-3


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
    saturated: np.ndarray    #: (P,) bool: learning has stopped, every unit flat (:meth:`LSTM1997.train`)


# ==================================================================================== the forward pass
# One time step of P networks at once: every array has the trial axis P first. Section 5's order of
# computation: (1) the inputs of step t, (2) input gates, output gates and cells from those inputs and
# the hidden activations of step t-1, (3) output units from the cells of the same step.

def squash(net, pair):
    """A squashing function and its derivative: ``(a + b tanh(x/2), (b/2) (1 - tanh^2(x/2)))`` for
    ``pair = (a, b)``, computed as ``(a - b) + 2 b s`` and ``2 b s (1 - s)`` with ``s = 1 / (1 + exp(-x))``.
    f (eq. 3) is (1/2, 1/2), h (eq. 4) is (0, 1), g (eq. 5) is (0, 2)."""
    return activations.tanh_affine_and_prime(net, *pair)


def sources(x_t, hidden_prev, has_bias):
    """The sources y^u(t-1) of every gate and cell (eqs. 6-9): the inputs of step t, the hidden
    activations of step t-1 (connectivity F; none in B) and a bias unit that is always 1. (P, M)."""
    bias = [np.ones((x_t.shape[0], 1))] if has_bias else []
    return np.concatenate([x_t, hidden_prev] + bias, axis=1)


def net_input(w, y):
    """net_u = sum_m w_um y^m for every unit u of one kind: weights (P, units, M), sources (P, M)."""
    return np.einsum("pum,pm->pu", w, y)


def input_gates(w_in, y_src):
    """Eq. 7: net_in_j(t) = sum_u w_in_j,u y^u(t-1), y^in_j(t) = f(net_in_j(t)). Returns (y^in, f'_in), (P, B)."""
    return squash(net_input(w_in, y_src), activations.LOGISTIC)


def output_gates(w_out, y_src):
    """Eq. 8: net_out_j(t) = sum_u w_out_j,u y^u(t-1), y^out_j(t) = f(net_out_j(t)). Returns (y^out, f'_out)."""
    return squash(net_input(w_out, y_src), activations.LOGISTIC)


def cell_inputs(w_cell, y_src, g):
    """Eq. 9, first line: net_c(t) = sum_u w_c,u y^u(t-1), squashed by g. Returns (g(net_c), g'(net_c)), (P, C)."""
    return squash(net_input(w_cell, y_src), g)


def cell_states(s_prev, y_in, g_c, S):
    """Eq. 9, the constant error carousel: s_c(t) = s_c(t-1) + y^in_j(t) g(net_c(t)) for each cell c of
    block j (the ``S`` cells of a block share its input gate). (P, C)."""
    return s_prev + np.repeat(y_in, S, axis=1) * g_c


def cell_outputs(s, y_out, h, S):
    """Eq. 9, last line: y^c(t) = y^out_j(t) h(s_c(t)). ``h`` is ``None`` for the identity (2a, 2b).
    Returns (h(s_c), y^c), (P, C)."""
    h_s = s if h is None else squash(s, h)[0]
    return h_s, np.repeat(y_out, S, axis=1) * h_s


def output_sources(x_t, y_c, inputs, bias):
    """The sources of the output units at step t: the inputs (connectivity B), the cell outputs of the
    SAME step (Section 5's order) and a bias 1 (bias variant "all"). (P, M_out)."""
    parts = ([x_t] if inputs else []) + [y_c] + ([np.ones((x_t.shape[0], 1))] if bias else [])
    return np.concatenate(parts, axis=1)


def output_units(w_o, y_osrc):
    """Appendix A.1, the output units (after eq. 9): net_k(t) = sum_u w_ku y^u (u not a gate),
    y^k(t) = f(net_k(t)). Returns (y^k, f'_k), (P, K)."""
    return squash(net_input(w_o, y_osrc), activations.LOGISTIC)


class Step(NamedTuple):
    """The activations of one time step of ``P`` networks, and the derivatives the gradient needs."""

    y_src: np.ndarray        #: sources of the gates and cells, (P, M)
    y_in: np.ndarray         #: input gates y^in_j and f'_in_j, (P, B)
    f_in_prime: np.ndarray
    y_out: np.ndarray        #: output gates y^out_j (1 without output gates) and f'_out_j, (P, B)
    f_out_prime: np.ndarray
    g_c: np.ndarray          #: cell inputs g(net_c) and g'(net_c), (P, C)
    g_prime: np.ndarray
    s: np.ndarray            #: cell states s_c (the CEC), (P, C)
    h_s: np.ndarray          #: h(s_c), (P, C)
    y_c: np.ndarray          #: cell outputs y^c, (P, C)
    y_osrc: np.ndarray       #: sources of the output units, (P, M_out)
    y_k: np.ndarray          #: output units y^k and f'_k, (P, K)
    f_k_prime: np.ndarray


def forward_step(net, x_t, hidden_prev, s_prev) -> Step:
    """One time step of the networks ``net`` in Section 5's order: (1) the inputs ``x_t`` (P, n_in),
    (2) input gates (eq. 7), output gates (eq. 8) and cells (eq. 9) from them and the hidden activations
    ``hidden_prev`` of step t-1, (3) the output units (after eq. 9) from the cells of this step."""
    cfg = net.cfg
    y_src = sources(x_t, hidden_prev, cfg.bias != "none")
    y_in, f_in_prime = input_gates(net.input_gate_weights, y_src)
    if cfg.output_gate:
        y_out, f_out_prime = output_gates(net.output_gate_weights, y_src)
    else:  # Experiments 2a, 2b: no output gate, the cell output is h(s_c) itself
        y_out, f_out_prime = np.ones_like(y_in), np.zeros_like(y_in)
    g_c, g_prime = cell_inputs(net.cell_weights, y_src, net.squashing.g)
    s = cell_states(s_prev, y_in, g_c, net.S)
    h_s, y_c = cell_outputs(s, y_out, net.squashing.h, net.S)
    y_osrc = output_sources(x_t, y_c, cfg.connectivity == "B", cfg.bias == "all")
    y_k, f_k_prime = output_units(net.w_output, y_osrc)
    return Step(y_src, y_in, f_in_prime, y_out, f_out_prime, g_c, g_prime, s, h_s, y_c, y_osrc, y_k, f_k_prime)


def hidden_activations(net, step: Step):
    """What the gates and cells of step t+1 read of step t: all cells and gates in connectivity F
    (in :attr:`~LSTM1997.unit_names` order), nothing in B. (P, H) or (P, 0)."""
    if net.cfg.connectivity == "B":
        return step.y_c[:, :0]
    return np.concatenate([step.y_c, step.y_in] + ([step.y_out] if net.cfg.output_gate else []), axis=1)


# ============================================================================ the truncated gradient
# Appendix A.1. The truncation sets to 0 every derivative of a gate's or a cell's net input with respect
# to the previous step's activations; what is left of the past is carried by two forward partials.

def input_gate_partials(dS_in, g_c, f_in_prime, y_src, S):
    """Eq. 25: ds_c(t)/dw_in_j,m = ds_c(t-1)/dw_in_j,m + g(net_c(t)) f'_in_j(net_in_j(t)) y^m(t-1),
    for every cell c (of block j) and source m: (P, C, M), 0 at the start of a sequence."""
    return dS_in + (g_c * np.repeat(f_in_prime, S, axis=1))[:, :, None] * y_src[:, None, :]


def cell_partials(dS_c, g_prime, y_in, y_src, S):
    """Eq. 27: ds_c(t)/dw_c,m = ds_c(t-1)/dw_c,m + g'(net_c(t)) y^in_j(t) y^m(t-1): (P, C, M)."""
    return dS_c + (g_prime * np.repeat(y_in, S, axis=1))[:, :, None] * y_src[:, None, :]


def output_errors(targets_t, y_k, f_k_prime):
    """Eq. 19: e_k(t) = f'_k(net_k(t)) (t^k(t) - y^k(t)), the error of output unit k. (P, K)."""
    return f_k_prime * (targets_t - y_k)


def errors_at_cells(w_o_cells, e_k):
    """sum_k w_kc e_k(t) for every cell c: what the output units send back to the cell outputs
    (the sums of eqs. 21 and 23). ``w_o_cells``: the output weights from the cells, (P, K, C)."""
    return np.einsum("pkc,pk->pc", w_o_cells, e_k)


def output_gate_errors(f_out_prime, h_s, back, S):
    """Eq. 21: e_out_j(t) = f'_out_j(net_out_j(t)) sum_v h(s_c_j^v(t)) sum_k w_k,c_j^v e_k(t). (P, B)."""
    P, B = f_out_prime.shape
    return f_out_prime * (h_s * back).reshape(P, B, S).sum(axis=2)


def state_errors(y_out, h_s, back, h, S):
    """Eq. 23: e_s_c(t) = y^out_j(t) h'(s_c(t)) sum_k w_kc e_k(t), with h' computed from the value h(s_c)
    (1 for the identity h, ``h=None``). (P, C)."""
    h_prime = 1.0 if h is None else activations.prime_from_value(h_s, *h)
    return h_prime * back * np.repeat(y_out, S, axis=1)


def output_unit_changes(e_k, y_osrc):
    """Eq. 22 for the output units: time t's contribution -dE(t)/dw_km = e_k(t) y^m(t). (P, K, M_out)."""
    return e_k[:, :, None] * y_osrc[:, None, :]


def output_gate_changes(e_out, y_src):
    """Eq. 22 for the output gates: -dE(t)/dw_out_j,m = e_out_j(t) y^m(t-1). (P, B, M)."""
    return e_out[:, :, None] * y_src[:, None, :]


def input_gate_changes(e_s, dS_in, S):
    """Eq. 26: -dE(t)/dw_in_j,m = sum_v e_s_c_j^v(t) ds_c_j^v(t)/dw_in_j,m (over the block's S cells). (P, B, M)."""
    P, C, M = dS_in.shape
    return (e_s[:, :, None] * dS_in).reshape(P, C // S, S, M).sum(axis=2)


def cell_changes(e_s, dS_c):
    """Eq. 28: -dE(t)/dw_c,m = e_s_c(t) ds_c(t)/dw_c,m. (P, C, M)."""
    return e_s[:, :, None] * dS_c


def error_step(net, step: Step, targets_t, has_error, dS_in, dS_c):
    """At a step where the networks ``has_error`` (P,) get targets ``targets_t`` (P, K): the errors
    (eqs. 19, 21, 23) and this step's contributions -dE(t)/dw (eqs. 22, 26, 28), laid out like
    ``net.w_hidden`` and ``net.w_output``; 0 for the networks without an error at this step."""
    e_k = np.where(has_error[:, None], output_errors(targets_t, step.y_k, step.f_k_prime), 0.0)
    back = errors_at_cells(net.w_output[:, :, net.output_cells], e_k)
    e_s = state_errors(step.y_out, step.h_s, back, net.squashing.h, net.S)
    d_hidden = [cell_changes(e_s, dS_c), input_gate_changes(e_s, dS_in, net.S)]
    if net.cfg.output_gate:
        e_out = output_gate_errors(step.f_out_prime, step.h_s, back, net.S)
        d_hidden.append(output_gate_changes(e_out, step.y_src))
    return np.concatenate(d_hidden, axis=1), output_unit_changes(e_k, step.y_osrc)


# ===================================================================================== the time loops
def sequence_start(net, P):
    """Section 5: all activations are reset to 0 at the start of every sequence. Returns the cell states
    s_c(0) (P, C) and the hidden activations a first step reads as "step t-1" (P, H) (none in B)."""
    return np.zeros((P, net.C)), np.zeros((P, net.H if net.cfg.connectivity == "F" else 0))


def forward_pass(net, x) -> Trace:
    """Run the networks ``net`` over their sequences ``x`` (P, T, n_in) from zero activations (eqs. 6-9
    and the output units at every step) and record every gate, cell and output: the :class:`Trace`."""
    s, hidden = sequence_start(net, x.shape[0])
    steps = []
    for t in range(x.shape[1]):
        step = forward_step(net, x[:, t], hidden, s)
        s, hidden = step.s, hidden_activations(net, step)
        steps.append(step)
    return Trace(*(np.stack([getattr(step, name) for step in steps], axis=1)
                   for name in ("y_in", "y_out", "g_c", "s", "y_c", "y_k")))


def train_sequence(net, x, targets, mask, *, mode="sequence", rates=None, keep_outputs=False):
    """On-line learning of the networks ``net`` on one sequence each (Appendix A.1), from zero activations.

    At every step: the forward step, then the forward partials (eqs. 25, 27); at a step with an error
    (``mask`` (P, T)), the errors and the contributions -dE(t)/dw. ``mode="sequence"`` sums the
    contributions and changes the weights at the end, ``"step"`` changes them at once, ``"gradient"``
    only sums. ``rates``: each weight's learning rate, ((P or 1, H, M), (P or 1, K, M_out)); 0 freezes
    a weight. Returns ``(loss (P,), last outputs (P, K), outputs (P, T, K) or None, sums)``.
    """
    P, T = x.shape[:2]
    s, hidden = sequence_start(net, P)
    dS_in, dS_c = np.zeros((P, net.C, net.M)), np.zeros((P, net.C, net.M))
    sum_h, sum_o = np.zeros(net.w_hidden.shape), np.zeros(net.w_output.shape)
    loss, last_output = np.zeros(P), np.zeros((P, net.cfg.n_out))
    outputs = np.zeros((P, T, net.cfg.n_out)) if keep_outputs else None
    for t in range(T):
        step = forward_step(net, x[:, t], hidden, s)
        dS_in = input_gate_partials(dS_in, step.g_c, step.f_in_prime, step.y_src, net.S)   # eq. 25
        dS_c = cell_partials(dS_c, step.g_prime, step.y_in, step.y_src, net.S)             # eq. 27
        if keep_outputs:
            outputs[:, t] = step.y_k
        has_error = mask[:, t]
        if has_error.any():
            loss += np.where(has_error, 0.5 * np.sum((targets[:, t] - step.y_k) ** 2, axis=1), 0.0)
            last_output = np.where(has_error[:, None], step.y_k, last_output)
            d_hidden, d_output = error_step(net, step, targets[:, t], has_error, dS_in, dS_c)
            if mode == "step":                              # apply this step's contribution at once
                net.w_hidden += rates[0] * d_hidden
                net.w_output += rates[1] * d_output
            else:                                           # Appendix A.1: sum over the sequence
                sum_h += d_hidden
                sum_o += d_output
        s, hidden = step.s, hidden_activations(net, step)
    if mode == "sequence":
        net.w_hidden += rates[0] * sum_h
        net.w_output += rates[1] * sum_o
    return loss, last_output, outputs, (sum_h, sum_o)


class LSTM1997(LSTMLayout):
    """``P`` independent 1997 LSTM networks of one architecture (see :class:`~lstm_edu.lstm_layout.LSTMLayout`
    for the parameters, units and weights), and what they compute.

    :meth:`forward`, :meth:`gradient` and :meth:`train` take ``engine="compiled"`` (default: the numba
    engine :mod:`lstm_edu.lstm_engine`) or ``engine="numpy"`` (this module's reference functions); the
    two give the same numbers to rounding (``tests/test_lstm_engine.py``).
    """

    # ------------------------------------------------------------------------------- computation
    def forward(self, inputs, *, engine: str = "compiled") -> Trace:
        """Run every network over its sequence ``inputs`` (P, T, n_in) from zero activations.

        Returns the :class:`Trace` of gate activations, cell inputs, cell states, cell outputs and outputs.
        """
        x, _, _ = self._check_sequence(inputs)
        if _checks.choice("engine", engine, ENGINES) == "numpy":
            return forward_pass(self, x)
        b = lstm_engine.run(self, x, None, None, mode="forward")
        return Trace(b.trace_in, b.trace_out, b.trace_g, b.trace_s, b.trace_yc, b.outputs)

    def forward_one(self, inputs, network: int = 0) -> Trace:
        """Run the single network ``network`` over every sequence of ``inputs`` (n, T, n_in), any n.

        The weights are copied once per sequence (:meth:`select`), so one trained net is tested on a whole
        batch of fresh sequences in one call. Returns the :class:`Trace`, one row per sequence.
        """
        x = _checks.array("inputs", inputs, ndim=3)
        if isinstance(network, bool) or not isinstance(network, (int, np.integer)):
            raise ValueError(f"network must be an int index in [0, {self.P}), got {network!r}")
        if 0 <= network < self.P:
            self.require_finite_weights([network])
        return self.select(np.full(x.shape[0], network)).forward(x)

    def gradient(self, inputs, targets, target_mask, *, engine: str = "compiled") -> tuple[np.ndarray, Gradient]:
        """The truncated gradient dE/dw of Appendix A, for one sequence per network; weights unchanged.

        ``E = 1/2 sum_t mask[t] sum_k (t_k(t) - y_k(t))^2``. Errors reaching a gate's or a cell's net input
        are not propagated to the previous step's activations; only the CEC carries error back in time.
        Returns ``(loss (P,), Gradient)``.
        """
        x, y, m = self._check_sequence(inputs, targets, target_mask)
        loss, _, _, (sum_h, sum_o) = self._run(x, y, m, mode="gradient", engine=engine)
        return loss, Gradient(-(sum_h * self.mask_hidden), -(sum_o * self.mask_output))

    def train(self, inputs, targets, target_mask, *, schedule: str = "sequence", alpha: float | None = None,
              keep_outputs: bool = False, on_divergence: str = "raise", frozen=None,
              engine: str = "compiled") -> TrainResult:
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
        ones (the experiment runner ends those trials as failures and goes on with the rest). A network
        whose weights stay finite but exceed :data:`MAX_WEIGHT` in size is *saturated* (its units sit where
        f, g and h are exactly flat in float64, so every derivative through them is 0 and learning has
        stopped); so is one whose update changed no weight although its error was at least
        :data:`STALL_LOSS` (every output unit flat: the saturation that alpha 1e4 causes after one update,
        the weights frozen at ~1e3). ``"raise"`` raises :class:`~lstm_edu._checks.NumericalError` naming
        the networks and the bounds, ``"report"`` marks them in ``result.saturated``. A net whose weights
        are not finite refuses every later ``forward``, ``gradient`` and ``train`` naming the networks
        (never computes with NaN weights silently); only ``train(..., on_divergence="report")`` goes on, marking them diverged again.

        ``frozen``: ``None``, or a pair of bool arrays shaped like ``w_hidden`` (P, H, M) and ``w_output``
        (P, n_out, M_out), True where a weight of a network must not change in this call (in either
        schedule). Sequential network construction (Section 4, remedy 1) uses it: a net whose cell is not
        yet added keeps the cell's weights at exactly 0, within the sequence too.

        ``engine``: ``"compiled"`` (default) or ``"numpy"`` (see :data:`ENGINES`).
        """
        _checks.choice("schedule", schedule, SCHEDULES)
        _checks.choice("on_divergence", on_divergence, ("raise", "report"))
        x, y, m = self._check_sequence(inputs, targets, target_mask, finite_weights=on_divergence == "raise")
        alpha = self.cfg.alpha if alpha is None else _checks.positive_float("alpha", alpha)
        if frozen is not None:
            if not isinstance(frozen, (tuple, list)) or len(frozen) != 2:
                raise ValueError("frozen must be None or a pair (hidden (P, H, M), output (P, n_out, M_out)) of "
                                 f"bool arrays, got {type(frozen).__name__}")
            frozen = (_checks.array("frozen[0]", frozen[0], shape=self.w_hidden.shape, dtype=bool),
                      _checks.array("frozen[1]", frozen[1], shape=self.w_output.shape, dtype=bool))
        return self._train(x, y, m, schedule, alpha, _checks.boolean("keep_outputs", keep_outputs), on_divergence,
                           frozen, engine)

    def _train(self, x, y, m, schedule, alpha, keep_outputs, on_divergence, frozen, engine) -> TrainResult:
        """:meth:`train` on arguments already checked: ``train``'s, or those the experiment trainer builds
        itself at every step (:class:`lstm_edu.lstm_trials.LSTMTrials`: float64 sequences of the right shapes
        from the tasks, the mask per time step ``(P, T)``), which would otherwise be checked element by
        element a hundred thousand times a trial."""
        rate_h, rate_o = (alpha * self.mask_hidden)[None], (alpha * self.mask_output)[None]  # shared by all
        if frozen is not None:
            rate_h, rate_o = rate_h * ~frozen[0], rate_o * ~frozen[1]
        # a blow-up (overflow, NaN) is not an error inside the loop; it is detected below, per network
        before = (self.w_hidden.copy(), self.w_output.copy())
        loss, last_output, outputs, _ = self._run(
            x, y, m, mode=schedule, rates=(np.ascontiguousarray(rate_h), np.ascontiguousarray(rate_o)),
            keep_outputs=keep_outputs, engine=engine)
        learns = (np.ones(self.P, dtype=bool) if frozen is None  # every net has a weight with a rate > 0
                  else (rate_h != 0).any(axis=(1, 2)) | (rate_o != 0).any(axis=(1, 2)))
        diverged, saturated = self._trouble(before, loss, learns, on_divergence)
        return TrainResult(loss, last_output, outputs, diverged, saturated)

    def _trouble(self, before, loss, learns, on_divergence):
        """``(diverged, saturated)`` after an update (see :meth:`train`), raised if ``on_divergence="raise"``."""
        diverged, beyond = self.weight_health()
        with np.errstate(invalid="ignore"):
            still = (self.w_hidden == before[0]).all(axis=(1, 2)) & (self.w_output == before[1]).all(axis=(1, 2))
        saturated = beyond | (~diverged & still & learns & (loss >= STALL_LOSS))
        if on_divergence == "raise" and diverged.any():
            bad = np.flatnonzero(diverged).tolist()
            raise _checks.NumericalError(f"learning diverged: the weights of network(s) {bad} became non-finite "
                                         "(overflow or NaN); try a smaller alpha")
        if on_divergence == "raise" and saturated.any():
            raise _checks.NumericalError(
                f"learning saturated: network(s) {np.flatnonzero(saturated).tolist()} have a |weight| beyond "
                f"MAX_WEIGHT={MAX_WEIGHT:g} or kept every weight although their error was >= STALL_LOSS="
                f"{STALL_LOSS:g} (their units are flat, learning has stopped); try a smaller alpha")
        return diverged, saturated

    def _run(self, x, targets, mask, *, mode, rates=None, keep_outputs=False, engine="compiled"):
        """:func:`train_sequence` or the compiled engine's :func:`~lstm_edu.lstm_engine.run` (mode
        "gradient", "sequence" or "step"): ``(loss, last outputs, outputs or None, (sum_h, sum_o))``.

        Memory: O(W) per network beside the sequences; only ``keep_outputs`` grows with T.
        """
        if _checks.choice("engine", engine, ENGINES) == "numpy":
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected per network by train
                return train_sequence(self, x, targets, mask, mode=mode, rates=rates, keep_outputs=keep_outputs)
        b = lstm_engine.run(self, x, targets, mask, mode=mode, rates=rates, keep_outputs=keep_outputs)
        return b.loss, b.last_output, b.outputs if keep_outputs else None, (b.acc_h, b.acc_o)


def build(name: str, n_networks: int = 1, seed=0, **overrides) -> LSTM1997:
    """``LSTM1997(config(name, **overrides), n_networks, seed)``: a population for row ``name`` of Table 10."""
    return LSTM1997(config(name, **overrides), n_networks, seed)


