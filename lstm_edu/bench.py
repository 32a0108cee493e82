"""Benchmark: the trial axis P. ``python -m lstm_edu bench [--json]``.

Times on-line training (truncated gradient, :meth:`lstm_edu.lstm1997.LSTM1997.train`) of the adding-problem
network (row "4-1" of Table 10: 2 blocks of 2 cells, 93 weights, error only at the sequence's end) for
populations of P = 1, 32, 256 and 1024 independent networks, and prints nanoseconds per network per time
step and the speed-up over P = 1 measured in the same run. Speed is reported as ratios, never asserted.
"""

from __future__ import annotations

import json
import platform
import time

import numpy as np

from . import _checks
from .lstm1997 import build, end_mask


def adding_like_batch(gen: np.random.Generator, n_networks: int, n_steps: int):
    """Inputs (P, T, 2), targets (P, T, 1) and an end-of-sequence mask shaped like the adding problem.

    Values uniform in [-1, 1]; markers 1.0 on one of the first ten and one of the first T/2 - 1 elements,
    -1.0 on the first and last elements; target 0.5 + (X1 + X2) / 4 at the last step (Section 5.4). For
    timing only: the task module of the experiments is the reference generator of the adding problem.
    """
    x = np.zeros((n_networks, n_steps, 2))
    x[:, :, 0] = gen.uniform(-1.0, 1.0, (n_networks, n_steps))
    x[:, 0, 1] = x[:, -1, 1] = -1.0
    rows = np.arange(n_networks)
    first = gen.integers(0, min(10, n_steps), n_networks)
    second = (first + 1 + gen.integers(0, max(1, n_steps // 2 - 2), n_networks)) % n_steps
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    targets = np.zeros((n_networks, n_steps, 1))
    targets[:, -1, 0] = 0.5 + (x[rows, first, 0] + x[rows, second, 0]) / 4.0
    return x, targets, end_mask(np.full(n_networks, n_steps), n_steps)


def measure(populations=(1, 32, 256, 1024), n_steps: int = 100, min_seconds: float = 1.0, seed: int = 0) -> dict:
    """Nanoseconds per network per time step of training row "4-1", for each population size."""
    gen = _checks.rng(seed)
    n_steps = _checks.positive_int("n_steps", n_steps)
    min_seconds = _checks.positive_float("min_seconds", min_seconds)
    results = {}
    for P in populations:
        P = _checks.positive_int("population", P)
        net = build("4-1", P, seed=seed)
        x, y, m = adding_like_batch(gen, P, n_steps)
        net.train(x, y, m)  # warm-up
        sequences, start = 0, time.process_time()
        while True:
            net.train(x, y, m)
            sequences += 1
            elapsed = time.process_time() - start
            if elapsed >= min_seconds:
                break
        results[P] = 1e9 * elapsed / (sequences * n_steps * P)
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
