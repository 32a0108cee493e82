"""What the competitors' learning rules cost: time per step and memory, against the weights and the sequence length.

The 1997 paper (Sec. 4, footnote 3 and Sec. 6) sets LSTM's cost, ``O(W)`` per step and storage
independent of the sequence length, against its competitors': RTRL carries ``n x W`` sensitivities of a
fully recurrent net of ``n`` units and ``W`` weights and updates each from ``n`` others, ``O(n^2 W)`` per
step, with storage independent of ``T``; full BPTT costs ``O(W)`` per step but keeps all ``T`` steps;
BPTT(h) redoes ``h`` steps at every step, ``O(h W)``, and keeps ``h`` of them (Elman's rule: ``h = 1``).
:func:`cost` measures both on one net: the compiled engine's time per step and the NumPy reference's
peak memory (Python's ``tracemalloc``, which sees NumPy's buffers), beside the numbers each rule keeps
between steps as derived above (:func:`kept_numbers`).
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from . import _checks, competitor_engine, competitor_nets
from .competitor_nets import NetConfig


def kept_numbers(config: NetConfig, method: str, T: int, h: int | None = None) -> int:
    """The numbers a rule keeps between the steps of one sequence, besides the weights: RTRL the
    sensitivities ``p^k_ij`` of the ``R`` recurrent units to the weights of the recurrent units (``R x W``
    for a fully recurrent net), BPTT the activations, sources and output errors of the last ``h`` steps (all
    ``T`` for full BPTT)."""
    competitor_nets._check_rule(method, 0.0, h)
    T = _checks.positive_int("T", T)
    R = config.n_recurrent
    if method == "rtrl":
        return R * R * config.current.start
    return min(h or T, T) * (config.n_units + config.n_sources + config.n_out)


def operations(config: NetConfig, method: str, T: int, h: int | None = None) -> float:
    """Multiply-adds per step, averaged over a sequence of ``T`` steps, in the matrix products of one net's
    learning rule as :mod:`lstm_edu.competitor_nets` computes it (elementwise products, of order ``W`` per
    step, not counted). Every rule runs the forward pass, ``R c`` for the ``R`` recurrent units over their
    ``c`` sources plus ``n_out n_sources`` for an output layer. RTRL adds the sensitivity update ``R R (R c)``
    and the gradient ``R (R c)``: ``O(n^2 W)``. BPTT adds, for every step a window goes back through, one
    ``R R`` product (``delta`` to the previous step) and, with an output layer, ``n_out R``: once per step for
    full BPTT, ``min(t, h)`` times at step ``t`` for BPTT(h)."""
    competitor_nets._check_rule(method, 0.0, h)
    T = _checks.positive_int("T", T)
    R, c = config.n_recurrent, config.current.start
    out = config.n_out if config.output_layer else 0
    forward = R * c + out * config.n_sources
    if method == "rtrl":
        return float(forward + R * R * R * c + R * R * c + out * R)
    back_steps = T if h is None else sum(min(t, h) for t in range(1, T + 1))
    return forward + back_steps * (R * R + out * R) / T


def _one_hot_sequences(config: NetConfig, n: int, T: int, gen) -> tuple:
    """``n`` random one-hot sequences of length ``T`` with random one-hot targets at every step."""
    eye_in, eye_out = np.eye(config.n_in), np.eye(config.n_out)
    x = eye_in[gen.integers(0, config.n_in, size=(n, T))]
    d = eye_out[gen.integers(0, config.n_out, size=(n, T))]
    return x, d, np.ones_like(d, dtype=bool)


def cost(config: NetConfig, method: str, h: int | None = None, T: int = 100, seed=0, repeats: int = 3) -> dict:
    """Measure one rule on one net: ``ns_per_step`` (the compiled engine, best of ``repeats`` runs over 4
    random one-hot sequences of length ``T``), ``peak_bytes`` (the NumPy reference training on one such
    sequence, peak of ``tracemalloc`` above what was allocated before) and ``kept`` (:func:`kept_numbers`),
    with ``weights`` (the net's) and ``T``."""
    if not isinstance(config, NetConfig):
        raise TypeError(f"config must be a NetConfig, got {type(config).__name__}")
    T = _checks.positive_int("T", T)
    repeats = _checks.positive_int("repeats", repeats)
    kept = kept_numbers(config, method, T, h)
    gen = _checks.rng(seed)
    W = competitor_nets.init_weights(config, 1, gen)
    x, d, m = _one_hot_sequences(config, 4, T, gen)
    lengths = np.full((1, 4), T)
    best = np.inf
    for _ in range(repeats + 1):  # the first run compiles
        start = time.perf_counter()
        competitor_engine.train_sequences(config, W, x[None], d[None], m[None], lengths, method, 0.1, h)
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    competitor_nets.train(config, W, x[:1], d[:1], m[:1], method, 0.1, h)
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return {"weights": config.n_weights, "T": T, "ns_per_step": 1e9 * best / (4 * T), "peak_bytes": int(peak),
            "kept": kept}
