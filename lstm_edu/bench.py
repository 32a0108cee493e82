"""Benchmark: the NumPy reference and the compiled engine. ``python -m lstm_edu bench [--json]``.

Times on-line training (truncated gradient, :meth:`lstm_edu.lstm1997.LSTM1997.train`) of the adding-problem
network (row "4-1" of Table 10: 2 blocks of 2 cells, 93 weights, error only at the sequence's end) on
populations of ``P`` independent networks, with the NumPy reference (``engine="numpy"``, by default
P = 1, 10, 32, 100, 256, 1024) and with the compiled engine (``engine="compiled"``, P = 1, 10, 100), and
prints nanoseconds per network per time step and the engine's speed-up over the reference at equal P.

The reference pays the call overhead of some fifty NumPy operations per step whatever P is, so its cost
per network falls as P grows; the engine's cost per network step is about the same at every P.
Figures are CPU time (``time.process_time``) of this machine, printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time

import numpy as np

from . import _checks
from .lstm1997 import build
from .tasks.adding import FIRST_MARK_RANGE, adding

#: The shortest adding-problem sequence: the first mark falls in one of the first FIRST_MARK_RANGE pairs,
#: the second in the first half, so T >= 2 * (FIRST_MARK_RANGE + 1) (Experiment 4; see :mod:`.tasks.adding`).
MIN_STEPS = 2 * (FIRST_MARK_RANGE + 1)

#: Default populations timed per engine.
POPULATIONS = {"numpy": (1, 10, 32, 100, 256, 1024), "compiled": (1, 10, 100)}


def ns_per_network_step(engine: str, P: int, n_steps: int, min_seconds: float, seed: int = 0) -> float:
    """CPU nanoseconds per network per time step of training ``P`` networks of row "4-1" with ``engine``
    on adding-problem sequences of minimal length ``n_steps`` (Experiment 4), timed for ``min_seconds``."""
    P = _checks.positive_int("population", P)
    net = build("4-1", P, seed=seed)
    batch = adding(P, n_steps, _checks.rng(seed))  # the experiments' generator: lengths in [T, T + T/10], padded
    x, y, m = batch.x, batch.targets, batch.target_mask
    net.train(x, y, m, engine=engine)  # warm-up (and compilation)
    sequences, start = 0, time.process_time()
    while True:
        net.train(x, y, m, engine=engine)
        sequences += 1
        elapsed = time.process_time() - start
        if elapsed >= min_seconds:
            break
    return 1e9 * elapsed / (sequences * x.shape[1] * P)  # steps processed, padding included


def measure(populations: dict | None = None, n_steps: int = 100, min_seconds: float = 1.0, seed: int = 0) -> dict:
    """Time every engine at its populations (``{"numpy": (...), "compiled": (...)}``, default
    :data:`POPULATIONS`); the speed-up is reported at each P timed with both engines."""
    populations = POPULATIONS if populations is None else populations
    n_steps = _checks.positive_int("n_steps", n_steps, minimum=MIN_STEPS)
    for engine, chosen in populations.items():
        _checks.choice("populations engine", engine, ("numpy", "compiled"))
        for P in chosen:
            _checks.positive_int(f"populations[{engine!r}] entry", P)
    min_seconds = _checks.positive_float("min_seconds", min_seconds)
    ns = {engine: {str(P): round(ns_per_network_step(engine, P, n_steps, min_seconds, seed), 1)
                   for P in populations.get(engine, ())}
          for engine in ("numpy", "compiled")}
    both = [P for P in ns["compiled"] if P in ns["numpy"]]
    return {
        "network": "4-1", "weights": build("4-1").n_weights, "n_steps": n_steps, "schedule": "sequence",
        "ns_per_network_step": ns,
        "speedup_compiled_over_numpy": {P: round(ns["numpy"][P] / ns["compiled"][P], 1) for P in both},
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
                   f"numpy {np.__version__}",
    }


def _steps(text: str) -> int:
    value = _int(text)
    if value < MIN_STEPS:
        raise argparse.ArgumentTypeError(
            f"must be an integer >= {MIN_STEPS}, got {value}: the adding problem's first mark lies in the first "
            f"{FIRST_MARK_RANGE} pairs and its second in the first half, so T >= 2 * ({FIRST_MARK_RANGE} + 1)")
    return value


def _population(text: str) -> int:
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"a population must be an integer >= 1 (networks), got {value}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds > 0, got {text}")
    return value


def add_arguments(parser):
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--numpy", type=_population, nargs="*", default=list(POPULATIONS["numpy"]), metavar="P",
                        help="populations timed with the NumPy reference (default: 1 10 32 100 256 1024)")
    parser.add_argument("--compiled", type=_population, nargs="*", default=list(POPULATIONS["compiled"]),
                        metavar="P", help="populations timed with the compiled engine (default: 1 10 100)")
    parser.add_argument("--steps", type=_steps, default=100,
                        help=f"sequence length T, at least {MIN_STEPS} (default 100)")
    parser.add_argument("--seconds", type=_seconds, default=1.0,
                        help="minimum timing per population, > 0 (default 1 s)")


def main(args) -> int:
    if not args.numpy and not args.compiled:
        print("python -m lstm_edu bench: error: --numpy and --compiled are both empty: give at least one "
              "population (an integer >= 1) to time", file=sys.stderr)
        return 2
    report = measure({"numpy": tuple(args.numpy), "compiled": tuple(args.compiled)}, args.steps, args.seconds)
    if args.json:
        print(json.dumps(report))
        return 0
    ns, speedup = report["ns_per_network_step"], report["speedup_compiled_over_numpy"]
    print(f"Training row {report['network']} ({report['weights']} weights), T = {report['n_steps']}, "
          f"error at the end; {report['machine']}")
    print(f"{'P':>6} {'NumPy reference':>16} {'compiled engine':>16} {'speed-up':>9}   (ns/network/step)")
    for P in sorted({*ns["numpy"], *ns["compiled"]}, key=int):
        cells = [f"{ns[e][P]:>16.1f}" if P in ns[e] else f"{'':>16}" for e in ("numpy", "compiled")]
        gain = f"{speedup[P]:>8.1f}x" if P in speedup else ""
        print(f"{P:>6} {cells[0]} {cells[1]} {gain}")
    return 0
