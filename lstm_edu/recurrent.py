"""The fully recurrent network and its two exact gradients: BPTT and RTRL.

Notation follows Section 3 of Hochreiter and Schmidhuber (1997), which follows Hochreiter (1991):
unit ``i`` has net input ``net_i(t) = sum_j w_ij source_j(t)`` and activation ``y_i(t) = f(net_i(t))``.
The *units* are the hidden units followed by the output units (``n_units = n_hidden + n_out``); the
network is fully recurrent: every unit sees the *sources*

    source(t) = [1 (bias, if any), x(t) (the external inputs), y(t-1) (all units' activations)],

so ``n_sources = bias + n_in + n_units``, and ``y(0) = 0`` at the start of every sequence.
That is the *synchronous* order, every unit updated at once from the previous step. The *sequential*
order (``RecurrentConfig(order="sequential")``, :func:`sequential_pass`) updates the hidden units first
and then the output units, which read the hidden units' *current* activations; only its forward pass
exists (the random-guessing experiments of :mod:`lstm_edu.bengio_study` need no gradient).
The weights of ``P`` independent networks are one array ``W`` of shape ``(P, n_units, n_sources)``;
``W[p, i, j]`` is ``w_ij`` of network ``p``. An optional 0/1 ``mask`` of shape ``(n_units, n_sources)``
removes connections: the network uses ``W * mask`` and the masked gradients are zero.

The error is ``E = 1/2 sum_t sum_k m_k(t) (y_k(t) - d_k(t))^2`` over the output units ``k``, where the
target mask ``m_k(t)`` is 1 at the time steps that carry a target. Both gradient algorithms return
``dE/dW`` (a descent step is ``W <- W - learning_rate * grad``):

* :func:`bptt_gradient` -- back-propagation through time (Werbos 1990; Williams and Zipser 1992):
  store the whole sequence, then propagate the error signals ``delta_i(t) = dE/dnet_i(t)`` backwards.
  Memory grows linearly with the sequence length ``T``.
* :func:`rtrl_gradient` -- real-time recurrent learning (Robinson and Fallside 1987; Williams and Zipser
  1989): carry the sensitivities ``p^k_ij(t) = dy_k(t)/dw_ij`` forward in time. Memory is constant in
  ``T`` but each step costs ``O(n_units^2 * n_units * n_sources)``, i.e. ``O(n^4)``.

The forward pass :func:`forward_pass` and the error :func:`squared_error` are written with
``autograd.numpy`` and check nothing, so that the tests and the chapter can differentiate the very same
functions with autograd, an independent reference for both hand-derived gradients; :func:`forward` and
:func:`loss` are the same with their arguments checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from lstm_edu import _checks
from lstm_edu.activations import traceable_f

ACTIVATIONS = ("logistic", "tanh")
#: Update orders within a time step: every unit from ``y(t-1)``, or hidden units first (:func:`sequential_pass`).
ORDERS = ("synchronous", "sequential")


def activation_function(name: str):
    """Return ``(f, f_prime_from_y)`` for the squashing function ``name`` (``"logistic"`` or ``"tanh"``).

    ``f_prime_from_y(y)`` gives ``f'(net)`` from ``y = f(net)``: ``y (1 - y)`` for the logistic
    sigmoid ``1 / (1 + exp(-net))`` (whose derivative is at most 1/4, Sec. 3 of the 1997 paper) and
    ``1 - y^2`` for ``tanh``. The logistic is computed as ``(1 + tanh(net / 2)) / 2``, which never
    overflows.
    """
    _checks.choice("activation", name, ACTIVATIONS)
    if name == "logistic":
        return traceable_f, (lambda y: y * (1.0 - y))
    return anp.tanh, (lambda y: 1.0 - y * y)


@dataclass(frozen=True, eq=False)
class RecurrentConfig:
    """Shape of a fully recurrent network (Sec. 3 of the 1997 paper; Williams and Zipser 1989).

    Units are the ``n_hidden`` hidden units followed by the ``n_out`` output units. Every unit sees
    ``[bias, x(t), y(t-1)]``. ``mask`` (optional, shape ``(n_units, n_sources)``, entries 0 or 1)
    removes connections.
    """

    n_in: int
    n_hidden: int
    n_out: int
    activation: str = "logistic"
    bias: bool = True
    mask: np.ndarray | None = None
    order: str = "synchronous"

    def __post_init__(self):
        _checks.positive_int("n_in", self.n_in, minimum=0)
        _checks.positive_int("n_hidden", self.n_hidden, minimum=0)
        _checks.positive_int("n_out", self.n_out)
        _checks.choice("activation", self.activation, ACTIVATIONS)
        _checks.choice("order", self.order, ORDERS)
        if not isinstance(self.bias, (bool, np.bool_)):
            raise TypeError(f"bias must be True or False, got {self.bias!r}")
        if self.mask is not None:
            mask = _checks.array("mask", self.mask, shape=(self.n_units, self.n_sources))
            if not np.all((mask == 0) | (mask == 1)):
                raise ValueError("mask must contain only 0 and 1")
            mask = mask.copy()
            mask.setflags(write=False)
            object.__setattr__(self, "mask", mask)

    @property
    def n_units(self) -> int:
        """Number of units: hidden units followed by output units."""
        return self.n_hidden + self.n_out

    @property
    def n_sources(self) -> int:
        """Number of sources each unit sees: bias (0 or 1) + inputs + all units' previous activations."""
        return int(self.bias) + self.n_in + self.n_units

    @property
    def recurrent(self) -> slice:
        """Columns of ``W`` that hold the recurrent weights ``w_il`` from unit ``l``'s ``y_l(t-1)``."""
        return slice(int(self.bias) + self.n_in, self.n_sources)

    @property
    def outputs(self) -> slice:
        """Rows (units) that are output units."""
        return slice(self.n_hidden, self.n_units)


def init_weights(config: RecurrentConfig, P: int, seed, scale: float = 0.1) -> np.ndarray:
    """Weights of ``P`` networks, uniform in ``[-scale, scale]`` (masked), shape ``(P, n_units, n_sources)``.

    The 1997 paper's experiments initialise in ``[-0.1, 0.1]`` or ``[-0.2, 0.2]`` (Sec. 5).
    """
    P = _checks.positive_int("P", P)
    scale = _checks.positive_float("scale", scale, allow_zero=True)
    W = _checks.rng(seed).uniform(-scale, scale, size=(P, config.n_units, config.n_sources))
    if config.mask is not None:
        W = W * config.mask
    return W


def _effective_weights(config: RecurrentConfig, W):
    return W if config.mask is None else W * config.mask


def _sources(config: RecurrentConfig, x_t, y_prev):
    """``[bias, x(t), y(t-1)]`` of shape ``(P, n_sources)``."""
    parts = [x_t, y_prev]
    if config.bias:
        parts.insert(0, anp.ones((x_t.shape[0], 1)))
    return anp.concatenate(parts, axis=1)


def forward_pass(config: RecurrentConfig, W, x):
    """Activations ``(P, T, n_units)`` and sources ``(P, T, n_sources)`` of every step.

    The loop over time that :func:`forward`, :func:`loss` and both gradients run, without checking its
    arguments, so that autograd can trace it (the independent reference of the tests and the chapter).

    Eq. ``ltt-net`` of the chapter "Learning through time" (Sec. 3.1 of the 1997 paper):
    ``net_i(t) = sum_j w_ij source_j(t)``, ``y_i(t) = f(net_i(t))``, ``y(0) = 0``.
    """
    _synchronous_only(config, "forward_pass")
    f, _ = activation_function(config.activation)
    W = _effective_weights(config, W)
    P, T, _ = x.shape
    y = anp.zeros((P, config.n_units))
    ys, sources = [], []
    for t in range(T):
        s = _sources(config, x[:, t, :], y)
        net = anp.einsum("pij,pj->pi", W, s)
        _checks.finite_or_raise("net", getval(net), hint="weights or inputs too large")
        y = f(net)
        ys.append(y)
        sources.append(s)
    return anp.stack(ys, axis=1), anp.stack(sources, axis=1)


def sequential_pass(config: RecurrentConfig, W, x):
    """Activations ``(P, T, n_units)`` in the *sequential* order: hidden units first, then the outputs.

    Within step ``t`` the hidden units read ``[bias, x(t), y(t-1)]`` as in :func:`forward_pass` (each other
    and the outputs one step late); then each output unit reads ``[bias, x(t), h(t), o(t-1)]``: the input,
    the hidden units' activations of the *same* step and the outputs' previous ones, in the same columns of
    ``W`` as the synchronous net. So an output is read at the step of the last input, with no extra step.
    This is one reading of the nets of Schmidhuber and Hochreiter (1996), whose update order is not
    stated. With no hidden units (or no connection from them to the outputs) both orders agree.
    Unchecked and autograd-traceable, like :func:`forward_pass`.
    """
    f, _ = activation_function(config.activation)
    W = _effective_weights(config, W)
    W_hidden, W_out, outputs = W[:, :config.n_hidden], W[:, config.outputs], config.outputs
    y = anp.zeros((x.shape[0], config.n_units))
    ys = []
    for t in range(x.shape[1]):
        net_hidden = anp.einsum("pij,pj->pi", W_hidden, _sources(config, x[:, t, :], y))
        _checks.finite_or_raise("net", getval(net_hidden), hint="weights or inputs too large")
        h = f(net_hidden)
        net_out = anp.einsum("pij,pj->pi", W_out, _sources(config, x[:, t, :], anp.concatenate([h, y[:, outputs]], 1)))
        _checks.finite_or_raise("net", getval(net_out), hint="weights or inputs too large")
        y = anp.concatenate([h, f(net_out)], axis=1)
        ys.append(y)
    return anp.stack(ys, axis=1)


def _activations(config: RecurrentConfig, W, x):
    """The activations of either order (unchecked)."""
    return sequential_pass(config, W, x) if config.order == "sequential" else forward_pass(config, W, x)[0]


def _synchronous_only(config: RecurrentConfig, name: str) -> None:
    if config.order != "synchronous":
        raise ValueError(f"{name} needs config.order 'synchronous' (the sequential order has only a forward "
                         f"pass: forward, loss, sequential_pass), got {config.order!r}")


def squared_error(config: RecurrentConfig, y, targets, target_mask):
    """``E = 1/2 sum_t sum_k m_k(t) (y_k(t) - d_k(t))^2`` per network, shape ``(P,)``, from the activations ``y``.

    Chapter eq. ``ltt-error``. Unchecked and autograd-traceable, like :func:`forward_pass`.
    """
    err = target_mask * (y[:, :, config.outputs] - targets)
    return 0.5 * anp.sum(err * err, axis=(1, 2))


def _check_weights(config: RecurrentConfig, W) -> np.ndarray:
    W = _checks.array("W", W, ndim=3, shape=(None, config.n_units, config.n_sources))
    if W.shape[0] < 1:
        raise ValueError("W must hold at least one network (P >= 1) along its first axis")
    return W


def _check_inputs(config: RecurrentConfig, W, x):
    W = _check_weights(config, W)
    x = _checks.array("x", x, ndim=3, shape=(W.shape[0], None, config.n_in))
    if x.shape[1] < 1:
        raise ValueError("x must hold at least one time step (T >= 1) along its second axis")
    return W, x


def _check_targets(config: RecurrentConfig, x, targets, target_mask):
    shape = (x.shape[0], x.shape[1], config.n_out)
    targets = _checks.array("targets", targets, shape=shape)
    if target_mask is None:
        return targets, np.ones(shape)
    target_mask = _checks.array("target_mask", target_mask, shape=shape)
    if not np.all((target_mask == 0) | (target_mask == 1)):
        raise ValueError("target_mask must contain only 0 and 1")
    return targets, target_mask


def forward(config: RecurrentConfig, W, x) -> np.ndarray:
    """Unit activations ``y`` of shape ``(P, T, n_units)`` for inputs ``x`` of shape ``(P, T, n_in)``, in the
    config's update order (:func:`forward_pass` or :func:`sequential_pass`)."""
    W, x = _check_inputs(config, W, x)
    return _activations(config, W, x)


def loss(config: RecurrentConfig, W, x, targets, target_mask=None) -> np.ndarray:
    """Sum of squared errors ``1/2 sum m (y - d)^2`` of the output units, shape ``(P,)``.

    ``targets`` and ``target_mask`` have shape ``(P, T, n_out)``; ``target_mask=None`` means every step.
    """
    W, x = _check_inputs(config, W, x)
    targets, target_mask = _check_targets(config, x, targets, target_mask)
    y = _activations(config, W, x)
    return _checks.finite_or_raise("loss", squared_error(config, y, targets, target_mask))


def _output_error(config: RecurrentConfig, y, targets, target_mask):
    """``dE/dy_k(t)`` for every unit, shape ``(P, T, n_units)``: ``m (y - d)`` on outputs, 0 on hidden units."""
    e = np.zeros_like(y)
    e[:, :, config.outputs] = target_mask * (y[:, :, config.outputs] - targets)
    return e


def bptt_gradient(config: RecurrentConfig, W, x, targets, target_mask=None, per_step: bool = False):
    """Loss ``(P,)`` and ``dE/dW`` by back-propagation through time.

    The error signal ``delta_i(t) = dE/dnet_i(t)`` obeys (chapter eq. ``ltt-bptt-delta``; Sec. 3.1 of the 1997 paper)

        delta_i(t) = f'(net_i(t)) [ e_i(t) + sum_l w_li delta_l(t+1) ],   delta(T+1) = 0,

    with ``e_i(t) = dE/dy_i(t)`` the injected output error and ``w_li`` the recurrent weight from unit
    ``i`` to unit ``l``; then ``dE/dw_ij = sum_t delta_i(t) source_j(t)`` (eq. ``ltt-bptt-grad``).
    With ``per_step=True`` the gradient keeps its time axis, shape ``(P, T, n_units, n_sources)``: entry
    ``t`` is the contribution ``delta_i(t) source_j(t)`` of the weights' use at step ``t``; its sum over
    ``t`` is the full gradient. (The paper's ``theta`` is ``-delta``: it points downhill.)
    """
    W, x = _check_inputs(config, W, x)
    targets, target_mask = _check_targets(config, x, targets, target_mask)
    _, f_prime = activation_function(config.activation)
    y, s = forward_pass(config, W, x)
    E = squared_error(config, y, targets, target_mask)
    e = _output_error(config, y, targets, target_mask)
    fp = f_prime(y)
    per_step = _checks.boolean("per_step", per_step)
    R = _effective_weights(config, W)[:, :, config.recurrent]  # (P, n_units, n_units): R[p, l, i] = w_li
    T = x.shape[1]
    delta = np.zeros_like(y)
    back = np.zeros((x.shape[0], config.n_units))  # sum_l w_li delta_l(t+1)
    for t in range(T - 1, -1, -1):
        delta[:, t] = fp[:, t] * (e[:, t] + back)
        back = np.einsum("pli,pl->pi", R, delta[:, t])
    if per_step:
        grad = delta[:, :, :, None] * s[:, :, None, :]
    else:  # the sum over t without a (P, T, n_units, n_sources) intermediate
        grad = np.einsum("pti,ptj->pij", delta, s)
    if config.mask is not None:
        grad = grad * config.mask
    return E, _checks.finite_or_raise("grad", grad)


def rtrl_gradient(config: RecurrentConfig, W, x, targets, target_mask=None):
    """Loss ``(P,)`` and ``dE/dW`` by real-time recurrent learning.

    The sensitivities ``p^k_ij(t) = dy_k(t)/dw_ij``, an array of shape ``(P, n_units, n_units, n_sources)``,
    are carried forward (chapter eq. ``ltt-rtrl-p``; Williams and Zipser 1989):

        p^k_ij(t) = f'(net_k(t)) [ sum_l w_kl p^l_ij(t-1) + [k = i] source_j(t) ],   p(0) = 0,

    and the gradient accumulates on-line, ``dE/dw_ij = sum_t sum_k e_k(t) p^k_ij(t)`` (eq. ``ltt-rtrl-grad``).
    Only the current step's ``p`` is kept: memory does not grow with the sequence length.
    """
    _synchronous_only(config, "rtrl_gradient")
    W, x = _check_inputs(config, W, x)
    targets, target_mask = _check_targets(config, x, targets, target_mask)
    f, f_prime = activation_function(config.activation)
    We = _effective_weights(config, W)
    R = We[:, :, config.recurrent]
    P, T, _ = x.shape
    n, m = config.n_units, config.n_sources
    eye = np.eye(n)[None, :, :, None]
    y = np.zeros((P, n))
    p = np.zeros((P, n, n, m))
    grad = np.zeros((P, n, m))
    E = np.zeros(P)
    for t in range(T):
        s = _sources(config, x[:, t, :], y)
        net = np.einsum("pij,pj->pi", We, s)
        _checks.finite_or_raise("net", net, hint="weights or inputs too large")
        y = f(net)
        p = np.matmul(R, p.reshape(P, n, n * m)).reshape(P, n, n, m) + eye * s[:, None, None, :]
        p *= f_prime(y)[:, :, None, None]
        err = target_mask[:, t] * (y[:, config.outputs] - targets[:, t])
        E += 0.5 * np.sum(err * err, axis=1)
        grad += np.einsum("pk,pkij->pij", err, p[:, config.outputs])
    if config.mask is not None:
        grad = grad * config.mask
    return E, _checks.finite_or_raise("grad", grad)
