"""The competitors' networks of the 1997 paper and their learning rules: RTRL, BPTT (full and truncated), Elman.

Hochreiter and Schmidhuber (1997) compare LSTM with nets trained by real-time recurrent learning (RTRL,
Williams and Zipser 1989), back-propagation through time (BPTT, Williams and Peng 1990) and Elman's
simple recurrent net (Cleeremans, Servan-Schreiber and McClelland 1989). Tables 1 and 2 quote the
competitors' weight counts, and they pin down the architectures (Sec. 5.1, 5.2):

- Table 1's RTRL nets (Smith and Zipser 1989) are *fully recurrent*: ``n = hidden + 7`` units, every one
  fed by the 7 inputs and by all ``n`` units' previous activations, no bias; ``n (7 + n)`` weights: 170 for
  3 hidden units, 494 for 12 (:func:`fully_recurrent`);
- Table 1's Elman net: 15 hidden units fed by the inputs and the *context units*, a copy of the hidden
  layer's previous activations; 7 outputs fed by the hidden layer of the same step; no bias: 435 weights
  (:func:`elman`);
- Table 2's RTRL and BPTT nets: "one self-recurrent hidden unit and p+1 non-recurrent outputs, each layer
  fed by all layers below": 36 weights at p = 4, 144 at p = 10, 10404 at p = 100 (:func:`self_recurrent`).

One :class:`NetConfig` covers all three. Its units are the *recurrent* units (``R`` of them: the hidden
units, and the outputs too in a fully recurrent net) followed by the units of an optional non-recurrent
output layer. Every unit ``i`` has the net input ``net_i(t) = sum_j w_ij s_j(t)`` over the *sources*

    s(t) = [1 (bias, if any), x(t), y_R(t-1) (the context), y_R(t) (the recurrent units of this step)],

and ``y_i(t) = f(net_i(t))``, f logistic, ``y_R(0) = 0`` at the start of every sequence. A fixed 0/1 mask
(:attr:`NetConfig.mask`) says which sources feed which unit: recurrent units never see ``y_R(t)``,
output-layer units never see ``y_R(t-1)``. As in the paper's Section 5, a time step computes the
recurrent units from this step's input and the previous step's activations, then the output layer from
the recurrent units of the *same* step.

Weights of ``P`` nets are one array ``W`` of shape ``(P, n_units, n_sources)``, zero where the mask is.
The error is ``E(t) = 1/2 sum_k m_k(t) (y_k(t) - d_k(t))^2`` over the output units (target mask ``m``),
and a learning step is ``W <- W - alpha dE/dW`` (masked). :func:`train` runs one sequence per net with

- ``"rtrl"``: the sensitivities ``p^k_ij(t) = dy_k(t)/dw_ij`` of the recurrent units are carried forward,
  the weights change after every step (Williams and Zipser 1989's real-time version);
- ``"bptt"`` with ``h=None``: full BPTT, the error of the whole sequence propagated back to its start,
  one weight change at the sequence end (epochwise BPTT, Williams and Peng 1990);
- ``"bptt"`` with an integer ``h``: truncated BPTT(h), after every step the step's error propagated back
  over the last ``h`` steps (the current one included) and the weights changed (Williams and Peng 1990).
  Elman's rule is BPTT(1) on the Elman net: the error reaches the hidden layer and the weights from the
  context units, and goes no further back ("error propagated one step").

With ``learning_rate=0`` the weights stay put and :func:`gradient` returns the summed gradient: for RTRL
and full BPTT the exact ``dE/dW`` of the sequence (tests compare it with autograd's), for BPTT(h) the sum
of the truncated per-step gradients. The forward functions are written with ``autograd.numpy`` and check
nothing, so that autograd can differentiate them; :mod:`lstm_edu.competitor_engine` is the compiled twin
of :func:`train` for long runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import autograd.numpy as anp
import numpy as np

from . import _checks
from .activations import traceable_f

#: The learning rules of :func:`train`.
METHODS = ("rtrl", "bptt")
#: Which previous activations a recurrent unit sees: all recurrent units' or only its own.
RECURRENCE = ("full", "self")


@dataclass(frozen=True, eq=False)
class NetConfig:
    """A competitor's architecture (see the module docstring).

    ``n_hidden`` hidden units, ``n_out`` output units, ``n_in`` inputs. ``output_layer=False``: the
    outputs are recurrent units of a fully recurrent net; ``True``: they form a non-recurrent layer fed by
    the recurrent units of the same step (and by the inputs if ``outputs_see_inputs``). ``recurrence``:
    ``"full"`` (every recurrent unit sees all recurrent units' previous activations) or ``"self"`` (only
    its own). ``bias``: a bias unit feeding every unit.
    """

    n_in: int
    n_hidden: int
    n_out: int
    output_layer: bool = False
    recurrence: str = "full"
    outputs_see_inputs: bool = False
    bias: bool = False

    def __post_init__(self):
        _checks.positive_int("n_in", self.n_in)
        _checks.positive_int("n_hidden", self.n_hidden, minimum=1 if self.output_layer else 0)
        _checks.positive_int("n_out", self.n_out)
        for name in ("output_layer", "outputs_see_inputs", "bias"):
            _checks.boolean(name, getattr(self, name))
        _checks.choice("recurrence", self.recurrence, RECURRENCE)
        if self.outputs_see_inputs and not self.output_layer:
            raise ValueError("outputs_see_inputs needs output_layer=True (the outputs of a fully recurrent net "
                             "see the inputs anyway)")
        mask = np.zeros((self.n_units, self.n_sources))
        R, head = self.n_recurrent, self.previous.start
        mask[:R, :head] = 1.0
        mask[:R, self.previous] = 1.0 if self.recurrence == "full" else np.eye(R)
        mask[R:, self.current] = 1.0
        mask[R:, :int(self.bias)] = 1.0
        if self.outputs_see_inputs:
            mask[R:, self.inputs] = 1.0
        mask.setflags(write=False)
        object.__setattr__(self, "mask", mask)

    @property
    def n_recurrent(self) -> int:
        """``R``: the hidden units, plus the outputs in a fully recurrent net."""
        return self.n_hidden + (0 if self.output_layer else self.n_out)

    @property
    def n_units(self) -> int:
        return self.n_hidden + self.n_out

    @property
    def n_sources(self) -> int:
        """bias + inputs + previous and current activations of the recurrent units."""
        return int(self.bias) + self.n_in + 2 * self.n_recurrent

    @property
    def n_weights(self) -> int:
        """The weights the mask allows: the count the paper's tables give."""
        return int(self.mask.sum())

    @property
    def inputs(self) -> slice:
        return slice(int(self.bias), int(self.bias) + self.n_in)

    @property
    def previous(self) -> slice:
        """Columns of ``y_R(t-1)``, the context."""
        return slice(self.inputs.stop, self.inputs.stop + self.n_recurrent)

    @property
    def current(self) -> slice:
        """Columns of ``y_R(t)``, which only the output layer sees."""
        return slice(self.previous.stop, self.n_sources)

    @property
    def outputs(self) -> slice:
        """The output units: the last ``n_out`` units."""
        return slice(self.n_hidden, self.n_units)


def fully_recurrent(n_in: int, n_hidden: int, n_out: int, bias: bool = False) -> NetConfig:
    """A fully recurrent net (Williams and Zipser 1989; Table 1's RTRL nets): outputs are recurrent units."""
    return NetConfig(n_in, n_hidden, n_out, bias=bias)


def elman(n_in: int, n_hidden: int, n_out: int, bias: bool = False) -> NetConfig:
    """Elman's simple recurrent net (Table 1's ELM): context units hold the hidden layer's previous
    activations; the outputs see the hidden layer only."""
    return NetConfig(n_in, n_hidden, n_out, output_layer=True, bias=bias)


def self_recurrent(n_in: int, n_hidden: int, n_out: int, bias: bool = False) -> NetConfig:
    """Table 2's RTRL and BPTT nets: self-recurrent hidden units and non-recurrent outputs, each layer fed
    by all layers below (the outputs by the inputs and the hidden units of the same step)."""
    return NetConfig(n_in, n_hidden, n_out, output_layer=True, recurrence="self", outputs_see_inputs=True,
                     bias=bias)


def init_weights(config: NetConfig, P: int, seed, scale: float = 0.2) -> np.ndarray:
    """Weights of ``P`` nets uniform in ``[-scale, scale]`` where the mask allows, shape ``(P, n_units, n_sources)``."""
    P = _checks.positive_int("P", P)
    scale = _checks.positive_float("scale", scale, allow_zero=True)
    return _checks.rng(seed).uniform(-scale, scale, size=(P, config.n_units, config.n_sources)) * config.mask


# ------------------------------------------------------------------------------------------ forward
def _net_inputs(W, s):
    """``net_i = sum_j w_ij s_j`` of every net ``(P, n)``; weights of one net (``P = 1``) serve every row of
    ``s`` (a test of one net on many sequences). One net on one sequence takes the per-net path, so that a
    trial computes the same bits alone as in a chunk of trials (the runner's rule)."""
    if W.shape[0] == 1 and s.shape[0] > 1:
        return anp.dot(s, W[0].T)
    return anp.einsum("pij,pj->pi", W, s)


def forward_step(config: NetConfig, W, x_t, y_prev):
    """One time step: activations ``y(t)`` ``(P, n_units)`` and sources ``s(t)`` ``(P, n_sources)``.

    ``y_prev`` is ``y_R(t-1)`` ``(P, R)`` (``W`` of one net may serve ``P`` sequences). First the recurrent
    units, ``y_R(t) = f(W_R [bias, x(t), y_R(t-1)])``, then the output layer from the same step's ``y_R(t)``.
    Unchecked and autograd-traceable.
    """
    R = config.n_recurrent
    head = [x_t, y_prev] if not config.bias else [anp.ones((x_t.shape[0], 1)), x_t, y_prev]
    head = anp.concatenate(head, axis=1)
    y_R = traceable_f(_net_inputs(W[:, :R, :config.current.start], head))
    s = anp.concatenate([head, y_R], axis=1)
    if not config.output_layer:
        return y_R, s
    y_O = traceable_f(_net_inputs(W[:, R:], s))
    return anp.concatenate([y_R, y_O], axis=1), s


def forward_pass(config: NetConfig, W, x):
    """Activations ``(P, T, n_units)`` and sources ``(P, T, n_sources)`` of every step; unchecked, traceable."""
    y_R = anp.zeros((x.shape[0], config.n_recurrent))
    ys, ss = [], []
    for t in range(x.shape[1]):
        y, s = forward_step(config, W, x[:, t], y_R)
        y_R = y[:, :config.n_recurrent]
        ys.append(y)
        ss.append(s)
    return anp.stack(ys, axis=1), anp.stack(ss, axis=1)


def squared_error(config: NetConfig, y, targets, target_mask):
    """``E = 1/2 sum_t sum_k m_k(t) (y_k(t) - d_k(t))^2`` per net ``(P,)``; unchecked, traceable."""
    err = target_mask * (y[:, :, config.outputs] - targets)
    return 0.5 * anp.sum(err * err, axis=(1, 2))


def _check(config: NetConfig, W, x, targets=None, target_mask=None, shared: bool = False):
    if not isinstance(config, NetConfig):
        raise TypeError(f"config must be a NetConfig, got {type(config).__name__}")
    W = _checks.array("W", W, ndim=3, shape=(None, config.n_units, config.n_sources))
    if W.shape[0] < 1:
        raise ValueError("W must hold at least one net (P >= 1) along its first axis")
    x = _checks.array("x", x, ndim=3, shape=(None if shared and W.shape[0] == 1 else W.shape[0], None, config.n_in))
    if x.shape[1] < 1:
        raise ValueError("x must hold at least one time step (T >= 1) along its second axis")
    if targets is None:
        return W, x
    shape = (x.shape[0], x.shape[1], config.n_out)
    targets = _checks.array("targets", targets, shape=shape)
    target_mask = np.ones(shape) if target_mask is None else _checks.bool_array(
        "target_mask", target_mask, shape=shape).astype(float)
    return W, x, targets, target_mask


def forward(config: NetConfig, W, x) -> np.ndarray:
    """The activations ``(P, T, n_units)`` of ``P`` nets for inputs ``x`` ``(P, T, n_in)``, arguments checked;
    ``W`` of one net (``(1, n_units, n_sources)``) is run on every sequence of ``x``."""
    W, x = _check(config, W, x, shared=True)
    return forward_pass(config, W * config.mask, x)[0]


# ------------------------------------------------------------------------------- error signals
def _output_error(config: NetConfig, y_t, d_t, m_t):
    """``e_k(t) = m_k (y_k - d_k)`` ``(P, n_out)`` and the step's error ``E(t)`` ``(P,)``."""
    err = m_t * (y_t[:, config.outputs] - d_t)
    return err, 0.5 * np.sum(err * err, axis=1)


def direct_errors(config: NetConfig, W, y_t, err):
    """``dE(t)/dy_R(t)`` of the recurrent units ``(P, R)`` through this step only, and the output layer's
    ``delta_o = f'(net_o) e_o`` (``(P, n_out)``, None for a fully recurrent net).

    Fully recurrent: the outputs are the last ``n_out`` recurrent units, their error is ``e``. With an output
    layer: ``sum_o delta_o w_o,k`` over the weights from the recurrent unit ``k`` of the same step.
    """
    if not config.output_layer:
        return np.concatenate([np.zeros((err.shape[0], config.n_hidden)), err], axis=1), None
    y_O = y_t[:, config.n_recurrent:]
    delta_O = y_O * (1.0 - y_O) * err
    return np.einsum("po,pok->pk", delta_O, W[:, config.n_recurrent:, config.current]), delta_O


def rtrl_sensitivities(config: NetConfig, W, p, s, y_R):
    """``p^k_ij(t) = f'(net_k(t)) [sum_l w_kl p^l_ij(t-1) + [k = i] s_j(t)]`` (Williams and Zipser 1989),
    shape ``(P, R, R, c)``: the recurrent units' sensitivities to the recurrent units' weights, over the
    ``c = bias + n_in + R`` sources they may see (the output layer's weights do not reach the recurrent
    units). For a fully recurrent net that is ``n x W`` numbers per net: ``n`` units, ``W`` weights."""
    P, R, _, c = p.shape
    context = W[:, :R, config.previous]  # w_kl from y_l(t-1)
    carried = np.matmul(context, p.reshape(P, R, R * c)).reshape(P, R, R, c)
    carried += np.eye(R)[None, :, :, None] * s[:, None, None, :c]
    return (y_R * (1.0 - y_R))[:, :, None, None] * carried


def rtrl_step_gradient(config: NetConfig, W, p, s, y_t, err):
    """``dE(t)/dW`` ``(P, n_units, n_sources)`` from the sensitivities ``p(t)``: ``sum_k (dE(t)/dy_k)
    p^k_ij`` for the recurrent units' weights, ``delta_o s_j(t)`` for the output layer's."""
    eps_R, delta_O = direct_errors(config, W, y_t, err)
    grad = np.einsum("pk,pkij->pij", eps_R, p)
    grad = np.concatenate([grad, np.zeros((*grad.shape[:2], config.n_recurrent))], axis=2)  # no y_R(t) source
    if delta_O is not None:
        grad = np.concatenate([grad, delta_O[:, :, None] * s[:, None, :]], axis=1)
    return grad


def bptt_window(config: NetConfig, W, y, s, err, start: int, stop: int):
    """``dE/dW`` of the errors ``err[:, start:stop]`` ``(P, T, n_out)``, propagated back to step ``start``
    and no further (Williams and Peng 1990): for ``t = stop-1 .. start``

        delta_R(t) = f'(net_R(t)) [dE(t)/dy_R(t) + sum_l w_lk delta_l(t+1)],   delta_R(stop) = 0,

    and ``dE/dw_ij = sum_t delta_i(t) s_j(t)`` (the output layer's ``delta_o`` from :func:`direct_errors`).
    """
    P, R = W.shape[0], config.n_recurrent
    grad = np.zeros_like(W)
    back = np.zeros((P, R))  # sum_l w_lk delta_l(t+1)
    for t in range(stop - 1, start - 1, -1):
        eps_R, delta_O = direct_errors(config, W, y[:, t], err[:, t])
        y_R = y[:, t, :R]
        delta_R = y_R * (1.0 - y_R) * (eps_R + back)
        grad[:, :R] += delta_R[:, :, None] * s[:, t, None, :]
        if delta_O is not None:
            grad[:, R:] += delta_O[:, :, None] * s[:, t, None, :]
        back = np.einsum("plk,pl->pk", W[:, :R, config.previous], delta_R)
    return grad


# ------------------------------------------------------------------------------------ learning
class Trained(NamedTuple):
    """What :func:`train` returns: the new weights, each net's error ``E`` of the sequence ``(P,)`` and the
    sum of all gradients it computed."""

    W: np.ndarray
    loss: np.ndarray
    gradient: np.ndarray


def _check_rule(method: str, learning_rate, h):
    _checks.choice("method", method, METHODS)
    learning_rate = _checks.positive_float("learning_rate", learning_rate, allow_zero=True)
    if h is not None:
        if method != "bptt":
            raise ValueError(f"h (the truncation of BPTT) applies only to method 'bptt', got method {method!r}")
        h = _checks.positive_int("h", h)
    return learning_rate, h


def train(config: NetConfig, W, x, targets, target_mask=None, method: str = "rtrl", learning_rate: float = 0.1,
          h: int | None = None) -> Trained:
    """Train ``P`` nets on one sequence each (the module docstring's three rules); ``W`` is not changed.

    ``x`` ``(P, T, n_in)``, ``targets`` and ``target_mask`` ``(P, T, n_out)`` (padding: mask 0). RTRL and
    BPTT(h) change the weights after every step, full BPTT (``h=None``) at the sequence end. What each rule
    keeps between steps is what it needs: RTRL the sensitivities (not the past), BPTT(h) the last ``h``
    steps, full BPTT the whole sequence.
    """
    W, x, targets, target_mask = _check(config, W, x, targets, target_mask)
    learning_rate, h = _check_rule(method, learning_rate, h)
    W, mask, R = W * config.mask, config.mask, config.n_recurrent
    P, T = x.shape[:2]
    p = np.zeros((P, R, R, config.current.start)) if method == "rtrl" else None
    y_R = np.zeros((P, R))
    ys, ss, errs = [], [], []  # the past steps BPTT keeps
    loss, total = np.zeros(P), np.zeros_like(W)
    for t in range(T):
        y, s = forward_step(config, W, x[:, t], y_R)
        y_R = y[:, :R]
        err, E = _output_error(config, y, targets[:, t], target_mask[:, t])
        loss += E
        if method == "bptt":
            keep = h or T
            ys, ss, errs = (ys + [y])[-keep:], (ss + [s])[-keep:], (errs + [err])[-keep:]
        if method == "rtrl":
            p = rtrl_sensitivities(config, W, p, s, y_R)
            grad = rtrl_step_gradient(config, W, p, s, y, err) * mask
        elif h is not None:
            grad = bptt_window(config, W, np.stack(ys, 1), np.stack(ss, 1), _only_last(errs), 0, len(ys)) * mask
        else:
            continue
        total += grad
        W = W - learning_rate * grad
    if method == "bptt" and h is None:
        total = bptt_window(config, W, np.stack(ys, 1), np.stack(ss, 1), np.stack(errs, 1), 0, T) * mask
        W = W - learning_rate * total
    _checks.finite_or_raise("W", W, hint="the learning rate is too large or the weights blew up")
    return Trained(W, loss, total)


def _only_last(errs: list) -> np.ndarray:
    """The errors of the window's steps ``(P, len(errs), n_out)`` with only the last one's kept (BPTT(h)'s
    injection: the current step's error)."""
    out = np.zeros((errs[0].shape[0], len(errs), errs[0].shape[1]))
    out[:, -1] = errs[-1]
    return out


def gradient(config: NetConfig, W, x, targets, target_mask=None, method: str = "rtrl", h: int | None = None):
    """The sum of the gradients :func:`train` computes on a sequence at fixed weights: the exact ``dE/dW``
    for RTRL and full BPTT, the sum over steps of the truncated gradients for BPTT(h)."""
    return train(config, W, x, targets, target_mask, method, 0.0, h).gradient
