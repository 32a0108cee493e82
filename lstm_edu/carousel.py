"""The constant error carousel and the two weight conflicts of a gate-less carousel.

Hochreiter and Schmidhuber (1997), Section 3.2 ("Constant error flow: naive approach"): error flowing
back through a single unit ``j`` that has only a connection to itself is scaled by
``f'_j(net_j(t)) w_jj`` per time step. Keeping that factor at exactly 1.0 forces a linear unit with
``w_jj = 1.0``: the *constant error carousel*. The same section names two problems of such a unit
when it is wired into a net by ordinary weights: the *input weight conflict* (one incoming weight must
both store a relevant input and keep irrelevant later inputs out) and the *output weight conflict*
(one outgoing weight must both read the stored value out when it is wanted and keep it from
disturbing the net at all other times). Gates (Section 4) resolve both.

This module covers only the single self-connected unit and the naive carousel net of Section 3.2;
the general error-flow analysis of fully recurrent nets lives in :mod:`lstm_edu.analysis`, the full
1997 memory cell in :mod:`lstm_edu.lstm1997`.

Every array has a leading trial axis ``P``: ``P`` independent units or nets in one set of NumPy
calls. Sequences are stored as ``(P, B, T, ...)``: ``B`` sequences per trial, ``T`` time steps.
"""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
from autograd import grad

from . import _checks
from .activations import f, f_prime, traceable_f

#: Activation functions of the single self-connected unit (Section 3.2).
UNIT_ACTIVATIONS = ("linear", "logistic")

#: Input lines of the store-and-recall tasks: the value line, the store marker, the recall marker.
VALUE, STORE, RECALL = 0, 1, 2
N_INPUTS = 3

#: Weight names of the carousel net, in the paper's terms (Sections 3.2 and 4).
CELL = "cell"                        # input weights of the carousel unit, w_cm
OUTPUT = "output"                    # the output unit's weight from the carousel, w_kc
OUTPUT_BIAS = "output_bias"
INPUT_GATE = "input_gate"            # weights and bias of the input gate (multiplicative write control)
INPUT_GATE_BIAS = "input_gate_bias"
OUTPUT_GATE = "output_gate"          # weights and bias of the output gate (multiplicative read control)
OUTPUT_GATE_BIAS = "output_gate_bias"


# ----------------------------------------------------------------------------------------------
# A single self-connected unit (Section 3.2)
# ----------------------------------------------------------------------------------------------

def _trial_vectors(**named):
    """Broadcast scalars or 1-D arrays (the trial axis) to a common shape ``(P,)``."""
    arrays = {name: np.atleast_1d(_checks.array(name, value)) for name, value in named.items()}
    for name, arr in arrays.items():
        if arr.ndim != 1:
            raise ValueError(f"{name} must be a number or a 1-D array over trials (P,), got shape {arr.shape}")
    try:
        shaped = np.broadcast_arrays(*arrays.values())
    except ValueError:
        shapes = {name: arr.shape for name, arr in arrays.items()}
        raise ValueError(f"trial axes do not match: {shapes}; give each one value or P values") from None
    return [np.array(a, dtype=float) for a in shaped]


def self_connected_unit(self_weight, steps, *, activation="linear", initial_activation=0.0, bias=0.0):
    """Run ``P`` units ``j`` whose only input is their own previous activation (Section 3.2).

    ``net_j(t) = w_jj y_j(t-1) + bias`` and ``y_j(t) = f_j(net_j(t))`` for ``t = 1..steps``, with
    ``f_j`` linear (``f(x) = x``) or logistic. ``self_weight``, ``initial_activation`` (``y_j(0)``)
    and ``bias`` are numbers or arrays of shape ``(P,)``.

    Returns ``(net, y)``: ``net`` of shape ``(P, steps)`` (``net[:, t-1] = net_j(t)``) and ``y`` of
    shape ``(P, steps + 1)`` (``y[:, t] = y_j(t)``).
    """
    steps = _checks.positive_int("steps", steps)
    _checks.choice("activation", activation, UNIT_ACTIVATIONS)
    w, y0, b = _trial_vectors(self_weight=self_weight, initial_activation=initial_activation, bias=bias)
    squash = (lambda x: x) if activation == "linear" else f
    net = np.empty((w.size, steps))
    y = np.empty((w.size, steps + 1))
    y[:, 0] = y0
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            net[:, t - 1] = w * y[:, t - 1] + b
            y[:, t] = squash(net[:, t - 1])
    _checks.finite_or_raise("activation y_j", y, hint="a linear unit with |w_jj| > 1 grows without bound")
    return net, y


def error_flow(self_weight, steps, *, activation="linear", initial_activation=0.0, bias=0.0, log10=False):
    """Scaling of an error as it flows back through the self-connected unit ``j`` (Section 3.2).

    One step back multiplies the error by ``f'_j(net_j(t)) w_jj``; ``q`` steps back by the product of
    those factors. Returns ``flow`` of shape ``(P, steps + 1)`` with ``flow[:, 0] = 1`` and
    ``flow[:, q] = prod_{t=1..q} f'_j(net_j(t)) w_jj``, which equals ``d y_j(q) / d y_j(0)``: the
    factor by which an error injected at step ``q`` reaches step 0. Arguments as for
    :func:`self_connected_unit`.

    With ``log10=True`` it returns ``log10 |flow|`` instead, summed factor by factor, which stays finite
    where the product itself underflows to 0 (a logistic unit reaches 1e-308 within a few hundred steps).
    """
    log10 = _checks.boolean("log10", log10)
    net, _ = self_connected_unit(self_weight, steps, activation=activation,
                                 initial_activation=initial_activation, bias=bias)
    w = _trial_vectors(self_weight=self_weight, initial_activation=initial_activation, bias=bias)[0]
    derivative = np.ones_like(net) if activation == "linear" else f_prime(net)
    factors = derivative * w[:, None]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if log10:
            flow = np.concatenate([np.zeros((w.size, 1)), np.cumsum(np.log10(np.abs(factors)), axis=1)], axis=1)
        else:
            flow = np.concatenate([np.ones((w.size, 1)), np.cumprod(factors, axis=1)], axis=1)
    return _checks.finite_or_raise("error flow", flow, hint="the per-step factor |f'(net) w_jj| exceeds 1")


# ----------------------------------------------------------------------------------------------
# Store-and-recall tasks that isolate each weight conflict (Section 3.2)
# ----------------------------------------------------------------------------------------------

def store_recall_task(n_trials, n_sequences, length, *, conflict, distractor_scale=0.1, seed=0):
    """Sequences on which the carousel net must store a value at step 1 and give it back at the end.

    Three input lines (``VALUE``, ``STORE``, ``RECALL``). At step 1 the value line holds the relevant
    value ``v ~ U[-1, 1]`` and the store marker is 1; at the last step the recall marker is 1.

    - ``conflict="input"``: every later step carries an irrelevant value ``distractor_scale * U[-1, 1]``
      on the same value line; the target ``v`` is given only at the last step. Only the input weight
      conflict can hurt here.
    - ``conflict="output"``: the value line is 0 after step 1; the target is 0 at every step before the
      last and ``v`` at the last, and every step counts. Only the output weight conflict can hurt here.

    Returns ``(inputs, targets, mask)`` of shapes ``(P, B, T, 3)``, ``(P, B, T)``, ``(P, B, T)``; the
    error is summed over the steps where ``mask`` is 1.
    """
    P = _checks.positive_int("n_trials", n_trials)
    B = _checks.positive_int("n_sequences", n_sequences)
    T = _checks.positive_int("length", length, minimum=2)
    _checks.choice("conflict", conflict, ("input", "output"))
    scale = _checks.positive_float("distractor_scale", distractor_scale, allow_zero=True)
    rng = _checks.rng(seed)
    inputs = np.zeros((P, B, T, N_INPUTS))
    value = rng.uniform(-1.0, 1.0, size=(P, B))
    inputs[:, :, 0, VALUE] = value
    inputs[:, :, 0, STORE] = 1.0
    inputs[:, :, -1, RECALL] = 1.0
    targets = np.zeros((P, B, T))
    targets[:, :, -1] = value
    mask = np.zeros((P, B, T))
    if conflict == "input":
        inputs[:, :, 1:, VALUE] = scale * rng.uniform(-1.0, 1.0, size=(P, B, T - 1))
        mask[:, :, -1] = 1.0
    else:
        mask[:, :, :] = 1.0
    return inputs, targets, mask


def input_conflict_floor(length, distractor_scale):
    """Smallest final-step error the gate-less carousel net can reach on ``conflict="input"``, relative to
    the error of always answering 0 (the variance of ``v``).

    The unit adds every input through the same weights, so ``s(T) = w_c,VALUE (v + D) + const`` with
    ``D`` the sum of the ``T - 1`` distractors. The best linear read-out of ``v`` from ``v + D`` leaves the
    fraction ``Var(D) / (Var(v) + Var(D)) = (T-1) a^2 / (1 + (T-1) a^2)`` (``a = distractor_scale``).
    """
    T = _checks.positive_int("length", length, minimum=2)
    a2 = _checks.positive_float("distractor_scale", distractor_scale, allow_zero=True) ** 2
    return (T - 1) * a2 / (1.0 + (T - 1) * a2)


def output_conflict_floor(length):
    """Smallest summed error the gate-less carousel net can reach on ``conflict="output"``, relative to the
    error of always answering 0: ``(T - 1) / T``.

    After step 1 the unit holds ``s = w_c,VALUE v + const`` at every step, so the output carries ``c v``
    with one coefficient ``c`` at all ``T`` steps. ``(T - 1) c^2 + (c - 1)^2`` is smallest at ``c = 1/T``:
    the single output weight must be small to keep quiet for ``T - 1`` steps and 1 to answer at the end.
    """
    T = _checks.positive_int("length", length, minimum=2)
    return (T - 1) / T


def naive_least_squares(inputs, targets, mask):
    """The best weights of the gate-less carousel net for given data, by linear least squares per trial.

    Without gates the output is ``y(t) = w_k s(t) + b_k`` with ``s(t) = sum_{tau <= t} w_c . x(tau)``
    (self-weight 1, ``s(0) = 0``): linear in the cumulative inputs with coefficients ``w_k w_c``. So the
    smallest error over all weights is a least-squares problem, solved here with ``w_k = 1``.

    Returns ``(weights, error)``: ``weights`` for :func:`carousel_net` (no gates) and the per-trial mean
    over sequences of the masked summed squared error, shape ``(P,)``.
    """
    inputs, targets, mask = _check_data(inputs, targets, mask)
    P = inputs.shape[0]
    features = np.concatenate([np.cumsum(inputs, axis=2), np.ones(inputs.shape[:3] + (1,))], axis=3)
    cell = np.empty((P, N_INPUTS))
    bias = np.empty(P)
    error = np.empty(P)
    for p in range(P):
        keep = mask[p].reshape(-1) > 0
        X = features[p].reshape(-1, N_INPUTS + 1)[keep]
        y = targets[p].reshape(-1)[keep]
        coef = np.linalg.lstsq(X, y, rcond=None)[0]
        cell[p], bias[p] = coef[:N_INPUTS], coef[N_INPUTS]
        error[p] = np.sum((X @ coef - y) ** 2) / inputs.shape[1]
    return {CELL: cell, OUTPUT: np.ones(P), OUTPUT_BIAS: bias}, error


# ----------------------------------------------------------------------------------------------
# The carousel net, with or without gates (Sections 3.2 and 4)
# ----------------------------------------------------------------------------------------------

def carousel_net(weights, inputs, *, input_gate=False, output_gate=False, return_state=False):
    """Outputs of ``P`` nets, each one carousel unit between the inputs and one linear output unit.

    ``s(t) = s(t-1) + y_in(t) net_c(t)`` with ``net_c(t) = sum_m w_cm x_m(t)`` and ``s(0) = 0``: a linear
    unit with self-weight 1.0 (Section 3.2). The output is ``y_k(t) = w_k y_out(t) s(t) + b_k``. Without
    gates ``y_in = y_out = 1``; with them ``y_in(t) = f(sum_m w_in,m x_m(t) + b_in)`` and
    ``y_out(t) = f(sum_m w_out,m x_m(t) + b_out)`` with the logistic ``f`` (Section 4, eqs. 4.1-4.4, with
    ``g`` and ``h`` the identity so that only the gates differ from the naive unit).

    ``weights`` maps the module's weight names to arrays with a leading trial axis: ``CELL`` and the gate
    weights ``(P, 3)``, the rest ``(P,)``. ``inputs`` has shape ``(P, B, T, 3)``. Returns the outputs
    ``(P, B, T)``, and also the states ``s`` ``(P, B, T)`` if ``return_state``. Written with
    ``autograd.numpy`` so that :func:`train_carousel_net` can differentiate it.
    """
    def gate(name, x):
        return traceable_f(anp.einsum("pbm,pm->pb", x, weights[name]) + weights[name + "_bias"][:, None])

    s = anp.zeros(inputs.shape[:2])
    outputs, states = [], []
    for t in range(inputs.shape[2]):
        x = inputs[:, :, t, :]
        write = anp.einsum("pbm,pm->pb", x, weights[CELL])
        s = s + (gate(INPUT_GATE, x) * write if input_gate else write)
        read = gate(OUTPUT_GATE, x) * s if output_gate else s
        outputs.append(weights[OUTPUT][:, None] * read + weights[OUTPUT_BIAS][:, None])
        states.append(s)
    outputs = anp.stack(outputs, axis=2)
    return (outputs, anp.stack(states, axis=2)) if return_state else outputs


def carousel_error(weights, inputs, targets, mask, *, input_gate=False, output_gate=False):
    """Per-trial error ``(P,)``: the masked squared error summed over steps, averaged over sequences."""
    outputs = carousel_net(weights, inputs, input_gate=input_gate, output_gate=output_gate)
    return anp.sum(mask * (outputs - targets) ** 2, axis=(1, 2)) / inputs.shape[1]


def initial_weights(n_trials, *, input_gate=False, output_gate=False, scale=0.1, seed=0):
    """Weights uniform in ``[-scale, scale]`` (Section 5 uses 0.1 or 0.2), one set per trial."""
    P = _checks.positive_int("n_trials", n_trials)
    scale = _checks.positive_float("scale", scale)
    input_gate, output_gate = _checks.boolean("input_gate", input_gate), _checks.boolean("output_gate", output_gate)
    rng = _checks.rng(seed)
    names = [(CELL, (P, N_INPUTS)), (OUTPUT, (P,)), (OUTPUT_BIAS, (P,))]
    if input_gate:
        names += [(INPUT_GATE, (P, N_INPUTS)), (INPUT_GATE_BIAS, (P,))]
    if output_gate:
        names += [(OUTPUT_GATE, (P, N_INPUTS)), (OUTPUT_GATE_BIAS, (P,))]
    return {name: rng.uniform(-scale, scale, size=shape) for name, shape in names}


def train_carousel_net(weights, inputs, targets, mask, *, input_gate=False, output_gate=False,
                       iterations=300, learning_rate=0.05):
    """Train ``P`` carousel nets at once on a fixed batch of sequences.

    The gradient of :func:`carousel_error` is exact (autograd through the whole sequence; every trial's
    error depends only on its own weights, so the gradient of the summed error is each trial's own
    gradient). The step is Adam's (Kingma and Ba 2015: running means of the gradient and of its square,
    ``beta1 = 0.9``, ``beta2 = 0.999``), chosen here only to keep the chapter's demonstration short: the
    point of the chapter is which errors the nets *can* reach, not how the 1997 paper trains (that is
    :mod:`lstm_edu.lstm1997`). Returns ``(weights, history)``: the trained weights and the per-trial
    error before every iteration and after the last, shape ``(iterations + 1, P)``.
    """
    inputs, targets, mask = _check_data(inputs, targets, mask)
    input_gate, output_gate = _checks.boolean("input_gate", input_gate), _checks.boolean("output_gate", output_gate)
    iterations = _checks.positive_int("iterations", iterations)
    learning_rate = _checks.positive_float("learning_rate", learning_rate)
    weights = {name: np.array(value, dtype=float) for name, value in weights.items()}

    def error(w):
        return carousel_error(w, inputs, targets, mask, input_gate=input_gate, output_gate=output_gate)

    gradient = grad(lambda w: anp.sum(error(w)))
    mean = {name: np.zeros_like(value) for name, value in weights.items()}
    square = {name: np.zeros_like(value) for name, value in weights.items()}
    history = []
    for i in range(1, iterations + 1):
        history.append(error(weights))
        step = gradient(weights)
        for name in weights:
            mean[name] = 0.9 * mean[name] + 0.1 * step[name]
            square[name] = 0.999 * square[name] + 0.001 * step[name] ** 2
            unbiased = mean[name] / (1 - 0.9 ** i), square[name] / (1 - 0.999 ** i)
            weights[name] = weights[name] - learning_rate * unbiased[0] / (np.sqrt(unbiased[1]) + 1e-8)
    history.append(error(weights))
    history = np.array(history)
    _checks.finite_or_raise("training error", history, hint="lower learning_rate")
    return weights, history


def _check_data(inputs, targets, mask):
    inputs = _checks.array("inputs", inputs, ndim=4)
    if inputs.shape[3] != N_INPUTS:
        raise ValueError(f"inputs must have shape (P, B, T, {N_INPUTS}), got {inputs.shape}")
    targets = _checks.array("targets", targets, shape=inputs.shape[:3])
    mask = _checks.bool_array("mask", mask, shape=inputs.shape[:3]).astype(float)  # exactly 0/1
    return inputs, targets, mask
