"""The neural sequence chunker (Schmidhuber 1992): a higher level that sees only what the lower level missed.

Table 2 of the 1997 paper quotes the chunker ("CH") on Task 2a at p = 100: 33% of the trials succeed, after
32,400 sequences on average, with 10,506 weights at learning rate 1.0; on Task 2b it fails. Its nets are
"two such nets" as the RTRL and BPTT nets of that table (one self-recurrent hidden unit and p + 1
non-recurrent outputs, each layer fed by all layers below; :func:`lstm_edu.competitor_nets.self_recurrent`),
"one with an extra output predicting the other's hidden unit".

The two levels
--------------
- The *automatiser* ``A`` (the lower level) reads every input ``x(t)`` and predicts the next one.
- The *chunker* ``C`` (the higher level) steps only when an input was *unexpected*: the first input of a
  sequence, and every input ``x(t)`` whose prediction by ``A`` at ``t - 1`` missed it by more than
  ``threshold`` on some output unit. It then reads that input together with its time ``t / time_scale``
  and predicts the next unexpected input. Its own time runs only at those events, so a lag of ``p`` steps
  between two unexpected inputs is a lag of one step for ``C``: the history is *compressed*.
- The two-net version the paper ran (``absorb=True``, the *collapsed* hierarchy): ``A`` has one extra
  output that predicts ``C``'s hidden unit at every step. What ``C`` has learned to remember then becomes a
  target of ``A`` at every step, so ``A`` learns to hold it too, one step of lag at a time, and can in the
  end predict what only ``C`` could. Without it (``absorb=False``) the levels only share the data.

On Task 2a the middle ``a_1 .. a_{p-1}`` is soon predicted by ``A``; ``C`` then sees only the first symbol
(x or y) and the last one, one step apart in its own time. On Task 2b the middle is random: ``A`` misses
almost every input, ``C`` sees nearly the whole sequence and faces the same lag of ``p`` steps as ``A``.

Learning
--------
Both nets learn by RTRL (:mod:`lstm_edu.competitor_nets`), weights changed after every step of their own:
``A`` at every step on ``E_A(t) = 1/2 sum_k (y_k(t) - d_k(t))^2`` over its outputs (the next symbol, and
``C``'s hidden unit ``h_C(t)`` after ``C``'s step at ``t`` if ``absorb``); ``C`` at every event, when
the input that its previous event's prediction aimed at arrives. Activations and sensitivities of both
nets are reset at the start of every sequence. Success is judged on ``A``'s symbol outputs alone (the
collapsed net must predict everything itself).

With ``learning_rate=0`` :func:`train_sequence` returns the summed gradients at fixed weights, ``A``'s equal
to autograd's of its sequence error (with ``C``'s hidden values as targets) and ``C``'s equal to autograd's
on the sequence of its events (``tests/test_chunker.py``). Long runs use the compiled twin
:mod:`lstm_edu.chunker_engine`, tested equal to :func:`train_sequence`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _checks
from .competitor_nets import (NetConfig, forward, forward_step, init_weights, rtrl_sensitivities,
                              rtrl_step_gradient, self_recurrent)


@dataclass(frozen=True)
class ChunkerConfig:
    """Sizes and rules of a two-level chunker on ``n_symbols`` locally coded symbols (see the module docstring).

    ``absorb``: ``A`` has the extra output predicting ``C``'s hidden unit (the paper's two-net version).
    ``threshold``: an input is unexpected when ``A``'s prediction of it erred by more than this on some
    output (0 < threshold < 1). ``time_scale``: ``C`` reads the time ``t`` of an event as ``t / time_scale``.
    """

    n_symbols: int
    time_scale: float
    absorb: bool = True
    threshold: float = 0.25

    def __post_init__(self):
        _checks.positive_int("n_symbols", self.n_symbols, minimum=2)
        _checks.positive_float("time_scale", self.time_scale)
        _checks.boolean("absorb", self.absorb)
        if not 0 < _checks.positive_float("threshold", self.threshold) < 1:
            raise ValueError(f"threshold must lie strictly between 0 and 1 (outputs are logistic), "
                             f"got {self.threshold}")

    @property
    def lower(self) -> NetConfig:
        """``A``: the symbols in, the next symbol out (and ``C``'s hidden unit if ``absorb``)."""
        return self_recurrent(self.n_symbols, 1, self.n_symbols + int(self.absorb))

    @property
    def upper(self) -> NetConfig:
        """``C``: an unexpected symbol and its time in, the next unexpected symbol out."""
        return self_recurrent(self.n_symbols + 1, 1, self.n_symbols)

    @property
    def n_weights(self) -> dict:
        """Weights of ``A`` and ``C`` (the paper's 10,506 at p = 100 is ``A``'s with the extra output)."""
        return {"automatiser": self.lower.n_weights, "chunker": self.upper.n_weights}


def initial_weights(config: ChunkerConfig, seeds, scale: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """``(W_A, W_C)`` of one net pair per seed (a seed, SeedSequence or Generator each), uniform in
    ``[-scale, scale]`` (0.2: Experiment 2's range)."""
    gens = [_checks.rng(s) for s in seeds]
    if not gens:
        raise ValueError("seeds must name at least one net pair")
    W_A = np.concatenate([init_weights(config.lower, 1, g, scale) for g in gens])
    W_C = np.concatenate([init_weights(config.upper, 1, g, scale) for g in gens])
    return W_A, W_C


class _Level(NamedTuple):
    """One net's on-line state: recurrent activation ``y_R`` (P, 1), sensitivities ``p``, and the sources
    ``s``, activations ``y`` of its last step (``C``: needed when the target of that step arrives)."""

    y_R: np.ndarray
    p: np.ndarray
    s: np.ndarray
    y: np.ndarray


def _start(config: NetConfig, P: int) -> _Level:
    return _Level(np.zeros((P, 1)), np.zeros((P, 1, 1, config.current.start)), np.zeros((P, config.n_sources)),
                  np.zeros((P, config.n_units)))


def _step(config: NetConfig, W, state: _Level, x_t, on) -> _Level:
    """Advance the nets ``on`` (P,) bool by one of their own steps on ``x_t``; the others keep their state."""
    y, s = forward_step(config, W, x_t, state.y_R)
    p = rtrl_sensitivities(config, W, state.p, s, y[:, :1])
    new = _Level(y[:, :1], p, s, y)
    return _Level(*(np.where(on.reshape((-1,) + (1,) * (a.ndim - 1)), a, b) for a, b in zip(new, state)))


def _gradient(config: NetConfig, W, state: _Level, target, on):
    """RTRL's ``dE/dW`` of the last step's error against ``target``, zero for the nets not ``on``."""
    err = (state.y[:, config.outputs] - target) * on[:, None]
    return rtrl_step_gradient(config, W, state.p, state.s, state.y, err) * config.mask, 0.5 * np.sum(err ** 2, 1)


class Trained(NamedTuple):
    """What :func:`train_sequence` returns: the new weights, ``events`` (P, T) bool (the steps at which ``C``
    stepped), ``C``'s hidden value after each step (P, T), ``A``'s symbol outputs (P, T, n_symbols),
    ``A``'s and ``C``'s summed errors (P,) and summed gradients."""

    W_A: np.ndarray
    W_C: np.ndarray
    events: np.ndarray
    hidden_C: np.ndarray
    outputs: np.ndarray
    loss_A: np.ndarray
    loss_C: np.ndarray
    gradient_A: np.ndarray
    gradient_C: np.ndarray


def _check_sequence(config: ChunkerConfig, W_A, W_C, x, lengths, learning_rate):
    lo, up = config.lower, config.upper
    W_A = _checks.array("W_A", W_A, ndim=3, shape=(None, lo.n_units, lo.n_sources))
    W_C = _checks.array("W_C", W_C, shape=(W_A.shape[0], up.n_units, up.n_sources))
    x = _checks.array("x", x, ndim=3, shape=(W_A.shape[0], None, config.n_symbols))
    lengths = _checks.int_array("lengths", lengths, shape=(W_A.shape[0],))
    if np.any(lengths < 2) or np.any(lengths > x.shape[1]):
        raise ValueError(f"lengths must lie in [2, {x.shape[1]}] (inputs of at least two steps), got {lengths}")
    return W_A * lo.mask, W_C * up.mask, x, lengths, _checks.positive_float("learning_rate", learning_rate,
                                                                              allow_zero=True)


def train_sequence(config: ChunkerConfig, W_A, W_C, x, lengths, learning_rate: float = 1.0) -> Trained:
    """Train ``P`` chunkers on one sequence each: ``x`` (P, T, n_symbols) one-hot, ``lengths`` (P,) input
    steps; the target of step ``t`` is the input of step ``t + 1``, so the last input step
    ``lengths - 1`` is the final symbol, read but not predicted. ``W_A``, ``W_C`` are not changed."""
    W_A, W_C, x, lengths, rate = _check_sequence(config, W_A, W_C, x, lengths, learning_rate)
    lo, up, n = config.lower, config.upper, config.n_symbols
    P, T = x.shape[:2]
    A, C = _start(lo, P), _start(up, P)
    seen = np.zeros(P, dtype=bool)                      # C has a prediction waiting for its target
    missed = np.ones(P, dtype=bool)                     # A's prediction of this step's input failed
    events, hidden, outputs = np.zeros((P, T), dtype=bool), np.zeros((P, T)), np.zeros((P, T, n))
    loss_A, loss_C, grad_A, grad_C = np.zeros(P), np.zeros(P), np.zeros_like(W_A), np.zeros_like(W_C)
    for t in range(T):
        inside = t < lengths
        event = inside & missed
        grad, E = _gradient(up, W_C, C, x[:, t], event & seen)
        W_C, grad_C, loss_C = W_C - rate * grad, grad_C + grad, loss_C + E
        C = _step(up, W_C, C, np.concatenate([x[:, t], np.full((P, 1), t / config.time_scale)], axis=1), event)
        seen |= event
        events[:, t], hidden[:, t] = event, C.y_R[:, 0]
        A = _step(lo, W_A, A, x[:, t], inside)
        outputs[:, t] = A.y[:, lo.outputs][:, :n]
        predicts = inside & (t + 1 < lengths)
        if t + 1 < T:
            target = np.concatenate([x[:, t + 1], hidden[:, t:t + 1]], axis=1) if config.absorb else x[:, t + 1]
            grad, E = _gradient(lo, W_A, A, target, predicts)
            W_A, grad_A, loss_A = W_A - rate * grad, grad_A + grad, loss_A + E
            missed = np.max(np.abs(outputs[:, t] - x[:, t + 1]), axis=1) > config.threshold
    _checks.finite_or_raise("W_A and W_C", np.concatenate([W_A.ravel(), W_C.ravel()]),
                            hint="the learning rate is too large or the weights blew up")
    return Trained(W_A, W_C, events, hidden, outputs, loss_A, loss_C, grad_A, grad_C)


def predictions(config: ChunkerConfig, W_A, x) -> np.ndarray:
    """``A``'s symbol outputs (P, T, n_symbols) on inputs ``x`` (P, T, n_symbols), weights fixed: what the
    collapsed chunker predicts on its own (the success tests read these). ``W_A`` of one net (first axis 1)
    serves every sequence of ``x``."""
    y = forward(config.lower, W_A, x)
    return y[:, :, config.lower.outputs][:, :, :config.n_symbols]
