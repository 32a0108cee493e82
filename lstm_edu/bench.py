"""Benchmark: the trial axis P. ``python -m lstm_edu bench [--json]``.

Times on-line training (truncated gradient, :meth:`lstm_edu.lstm1997.LSTM1997.train`) of the adding-problem
network (row "4-1" of Table 10: 2 blocks of 2 cells, 93 weights, error only at the sequence's end) for
populations of P = 1, 32, 256 and 1024 independent networks, and prints nanoseconds per network per time
step and the speed-up over P = 1 measured in the same run. The time loop is compiled (numba), so a network
step costs about the same at every P; the speed-up shows what the per-call work around the loop (checks,
copies) still adds at small P. Speed is reported as ratios, never asserted.
"""

from __future__ import annotations

import json
import platform
import time

import numpy as np

from . import _checks
from .lstm1997 import build
from .tasks.adding import adding


def measure(populations=(1, 32, 256, 1024), n_steps: int = 100, min_seconds: float = 1.0, seed: int = 0) -> dict:
    """Nanoseconds per network per time step of training row "4-1" on adding-problem sequences of minimal
    length ``n_steps`` (Experiment 4), for each population size."""
    gen = _checks.rng(seed)
    n_steps = _checks.positive_int("n_steps", n_steps)
    min_seconds = _checks.positive_float("min_seconds", min_seconds)
    results = {}
    for P in populations:
        P = _checks.positive_int("population", P)
        net = build("4-1", P, seed=seed)
        batch = adding(P, n_steps, gen)  # the experiments' generator: lengths in [T, T + T/10], padded
        x, y, m = batch.x, batch.targets, batch.target_mask
        net.train(x, y, m)  # warm-up
        sequences, start = 0, time.process_time()
        while True:
            net.train(x, y, m)
            sequences += 1
            elapsed = time.process_time() - start
            if elapsed >= min_seconds:
                break
        results[P] = 1e9 * elapsed / (sequences * x.shape[1] * P)  # steps processed, padding included
    base = results.get(1)
    return {
        "network": "4-1", "weights": build("4-1").n_weights, "n_steps": n_steps, "schedule": "sequence",
        "ns_per_network_step": {str(P): round(v, 1) for P, v in results.items()},
        "speedup_over_P1": ({str(P): round(base / v, 1) for P, v in results.items()} if base else None),
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
                   f"numpy {np.__version__}",
    }


def add_arguments(parser):
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--populations", type=int, nargs="+", default=[1, 32, 256, 1024],
                        help="population sizes P to time (default: 1 32 256 1024)")
    parser.add_argument("--steps", type=int, default=100, help="sequence length T (default 100)")
    parser.add_argument("--seconds", type=float, default=1.0, help="minimum timing per population (default 1 s)")


def main(args) -> int:
    report = measure(tuple(args.populations), args.steps, args.seconds)
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"Training row {report['network']} ({report['weights']} weights), T = {report['n_steps']}, "
          f"error at the end; {report['machine']}")
    print(f"{'P':>6} {'ns/network/step':>16} {'speed-up vs P=1':>16}")
    for P, ns in report["ns_per_network_step"].items():
        speedup = report["speedup_over_P1"][P] if report["speedup_over_P1"] else float("nan")
        print(f"{P:>6} {ns:>16.1f} {speedup:>15.1f}x")
    return 0
