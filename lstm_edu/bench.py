"""Benchmark: the NumPy reference, the compiled engine, and the runner end to end. ``python -m lstm_edu bench``.

Three sections, each its own key of the ``--json`` report:

- ``reference`` (:func:`measure`): on-line training (truncated gradient,
  :meth:`lstm_edu.lstm1997.LSTM1997.train`) of the adding-problem network (row "4-1" of Table 10: 2 blocks
  of 2 cells, 93 weights, error only at the sequence's end) on populations of ``P`` independent networks,
  with the NumPy reference (``engine="numpy"``, by default P = 1, 10, 32, 100, 256, 1024) and with the
  compiled engine (``engine="compiled"``, P = 1, 10, 100): nanoseconds per network per time step and the
  engine's speed-up over the reference at equal P. The reference pays the call overhead of some fifty
  NumPy operations per step whatever P is, so its cost per network falls as P grows; the engine's cost per
  network step is about the same at every P.
- ``rows`` (:func:`measure_rows`): for rows 4-1 (error at the end), 1-5 (Reber strings of unequal
  lengths, an error and a weight change at every step) and 2c-2 (104 one-hot inputs) with their paper's
  trial counts, the bare engine (``train`` on the trainer's own sequences, timed call by call) and the
  whole ``run`` (task generation, stopping rules, periodic tests, records: :func:`lstm_edu.experiments.run`
  into a temporary folder), both per *real* network step: the padding of unequal lengths counts against
  the engine. The end-to-end figure is the difference of a run of ``2 n`` and one of ``n`` sequences per
  trial, so the final tests and records, paid once per trial, drop out (the final test is cut to
  :data:`FINAL_TEST` sequences, see :func:`end_to_end`). Each timing is the least of ``--repeats``
  (default 2).

- ``workers`` (``--workers N``, :func:`lstm_edu.workers.throughput`): the runner's training sequences per
  second (wall time, summed over trials) on row 4-1's 10 trials: the chunks cut for N workers trained one
  after another in this process and over N local worker processes, and the speed-up; also all 10 trials
  as one chunk in this process. On-line training is sequential within a trial and the trials share nothing
  but the progress events, so the speed-up is bounded by N and by the number of chunks (trials).

Figures of the first two sections are CPU time (``time.process_time``) of this machine, those of the third
wall time; all are printed, never asserted, and on a machine shared with other work they scatter by tens of
percent from one run to the next.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import platform
import sys
import tempfile
import time

import numpy as np

from . import _checks, experiments, runner, workers
from .lstm1997 import build
from .lstm_trials import LSTMTrials, assemble
from .results import read_trials
from .tasks.adding import FIRST_MARK_RANGE, adding

#: The shortest adding-problem sequence: the first mark falls in one of the first FIRST_MARK_RANGE pairs,
#: the second in the first half, so T >= 2 * (FIRST_MARK_RANGE + 1) (Experiment 4; see :mod:`.tasks.adding`).
MIN_STEPS = 2 * (FIRST_MARK_RANGE + 1)

#: Default populations timed per engine.
POPULATIONS = {"numpy": (1, 10, 32, 100, 256, 1024), "compiled": (1, 10, 100)}
#: Rows timed bare and end to end, with the sequences per trial of the shorter of the two runs (the end-to-end
#: figure is the difference of a run of twice as many and this one: about a second of training between them).
ROWS = {"4-1": 3000, "1-5": 3000, "2c-2": 2000}
#: The row and sequences per trial of the workers section.
WORKERS_ROW, WORKERS_BUDGET = "4-1", 20_000
#: Sequences of the final test of every trial in those runs (:func:`end_to_end`).
FINAL_TEST = 64


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


def bare_engine(name: str, n_trials: int, sequences: int) -> tuple[float, np.ndarray]:
    """CPU seconds of the training call alone (timed call by call) on the first ``sequences`` training
    sequences of the trials ``0 .. n_trials - 1`` of row ``name``, drawn and judged as the runner's trainer
    does, and the sequences' lengths (sequences, n_trials). The call is the trainer's: ``LSTM1997._train``,
    :meth:`~lstm_edu.lstm1997.LSTM1997.train` without the checks of its arguments (the public method checks
    every element of the sequences, which costs as much as the engine on row 2c-2's one-hot inputs)."""
    exp = experiments.experiment(name)
    LSTMTrials(exp, [0, 1], 1, "bench").step()  # loads the compiled loop for the trainer's views, untimed
    chunk = LSTMTrials(exp, list(range(n_trials)), sequences, "bench")
    store, seconds, lengths = {}, 0.0, []
    for _ in range(sequences):
        x, y, m, n = assemble(chunk.train, store)
        start = time.process_time()
        chunk.net._train(x, y, m[:, :, 0], exp.schedule, chunk.net.cfg.alpha, exp.judge == "all", "report", None,
                         "compiled")
        seconds += time.process_time() - start
        lengths.append(n)
    return seconds, np.array(lengths)


def end_to_end(name: str, n_trials: int, budget: int) -> tuple[float, list[int]]:
    """CPU seconds of the runner's ``run`` (:func:`lstm_edu.runner.run`, as :func:`lstm_edu.experiments.run`
    calls it) of the trials ``0 .. n_trials - 1`` of row ``name`` to ``budget`` sequences, into a temporary
    folder, and the sequences every trial trained. The final test is cut to :data:`FINAL_TEST` sequences:
    it is paid once per trial and cancels in :func:`measure_rows`' difference, where at full size its
    scatter swamped what is measured (row 2c-2: 10,000 test sequences a trial against 2,000 trained)."""
    exp = experiments.experiment(name)
    exp = dataclasses.replace(exp, test_size=min(exp.test_size, FINAL_TEST))
    with tempfile.TemporaryDirectory() as out:
        start = time.process_time()
        paths = runner.run(exp, n_trials, budget, 0, out, progress=False)
        seconds = time.process_time() - start
        trained = [r["sequences"] for r in read_trials(paths[0].parent)]  # sorted by seed
    return seconds, trained


def measure_rows(rows: dict | None = None, n_trials: int | None = None, repeats: int = 2) -> dict:
    """Bare engine and end-to-end ns per real network step of every row of ``rows`` ({name: sequences per
    trial of the shorter run}, default :data:`ROWS`), with ``n_trials`` trials (default: each row's own).
    Every timing is the least of ``repeats`` (taken in turn: the bare engine, the short run, the long run),
    which damps the scatter of a machine shared with other work."""
    rows = ROWS if rows is None else rows
    repeats = _checks.positive_int("repeats", repeats)
    report = {}
    for name, n in rows.items():
        exp = experiments.experiment(name)
        P = exp.n_trials if n_trials is None else _checks.positive_int("n_trials", n_trials)
        n = _checks.positive_int(f"sequences of row {name}", n)
        end_to_end(name, 1, 1)  # loads the compiled loop for every kind of call the runs make (tests: forward)
        times = [[], [], []]
        for _ in range(repeats):
            bare, lengths = bare_engine(name, P, 2 * n)
            (short, trained_short), (long, trained_long) = (end_to_end(name, P, b) for b in (n, 2 * n))
            for kept, seconds in zip(times, (bare, short, long)):
                kept.append(seconds)
        bare, short, long = (min(t) for t in times)
        steps = [sum(int(lengths[:k, p].sum()) for p, k in enumerate(t)) for t in (trained_short, trained_long)]
        ns_bare = 1e9 * bare / int(lengths.sum())
        ns_run = 1e9 * (long - short) / (steps[1] - steps[0])
        report[name] = {
            "trials": P, "schedule": exp.schedule, "sequences": [n, 2 * n], "repeats": repeats,
            "mean_length": round(float(lengths.mean()), 1),
            "bare_engine_ns": round(ns_bare, 1), "end_to_end_ns": round(ns_run, 1),
            "ratio": round(ns_run / ns_bare, 2)}
    return report


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


def _row(text: str) -> str:
    if text not in experiments.entries():
        raise argparse.ArgumentTypeError(f"must name an LSTM row or variant of lstm_edu.experiments (such as "
                                         f"{', '.join(ROWS)}), got {text!r}")
    return text


def add_arguments(parser):
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--numpy", type=_population, nargs="*", default=list(POPULATIONS["numpy"]), metavar="P",
                        help="populations timed with the NumPy reference (default: 1 10 32 100 256 1024)")
    parser.add_argument("--compiled", type=_population, nargs="*", default=list(POPULATIONS["compiled"]),
                        metavar="P", help="populations timed with the compiled engine (default: 1 10 100)")
    parser.add_argument("--steps", type=_steps, default=100,
                        help=f"sequence length T, at least {MIN_STEPS} (default 100)")
    parser.add_argument("--seconds", type=_seconds, default=1.0,
                        help="minimum timing per population, > 0 (default 1 s)")
    parser.add_argument("--rows", type=_row, nargs="*", default=list(ROWS), metavar="ROW",
                        help=f"rows timed bare and end to end (default: {' '.join(ROWS)}; none: skip)")
    parser.add_argument("--trials", type=_population, default=None,
                        help="trials per row in that section (default: each row's own, as the paper ran it)")
    parser.add_argument("--repeats", type=_population, default=2,
                        help="timings per figure of that section, the least kept (default 2)")
    parser.add_argument("--workers", type=_population, default=None, metavar="N",
                        help="also time the runner on row 4-1's 10 trials in this process and over N local "
                             "worker processes (wall time; default: skip)")
    parser.add_argument("--workers-budget", type=_population, default=WORKERS_BUDGET, metavar="SEQUENCES",
                        help=f"sequences per trial of that section (default {WORKERS_BUDGET:,})")
    parser.add_argument("--sequences", type=_population, default=None,
                        help="training sequences per trial of the shorter end-to-end run (default: "
                             + ", ".join(f"{k} {v}" for k, v in ROWS.items()) + ")")


def main(args) -> int:
    if not args.numpy and not args.compiled:
        print("python -m lstm_edu bench: error: --numpy and --compiled are both empty: give at least one "
              "population (an integer >= 1) to time", file=sys.stderr)
        return 2
    report = {"reference": measure({"numpy": tuple(args.numpy), "compiled": tuple(args.compiled)}, args.steps,
                                   args.seconds),
              "rows": measure_rows({name: args.sequences or ROWS.get(name, 1000) for name in args.rows},
                                   args.trials, args.repeats)}
    if args.workers:
        row = experiments.experiment(WORKERS_ROW)
        report["workers"] = workers.throughput(row, row.n_trials, args.workers_budget, args.workers)
    if args.json:
        print(json.dumps(report))
        return 0
    print_reference(report["reference"])
    if report["rows"]:
        print()
        print_rows(report["rows"])
    if "workers" in report:
        w = report["workers"]
        print(f"\nThe runner on the {w['trials']} trials of row {WORKERS_ROW} ({args.workers_budget:,} sequences each), "
              f"sequences per second (wall time):\n  {w['one_chunk']:,.0f} in one chunk in this process; "
              f"{w['one']:,.0f} in {w['n_workers']} chunks one after another; {w['workers']:,.0f} over "
              f"{w['n_workers']} workers: {w['speedup']:.2f}x ({w['speedup_over_one_chunk']:.2f}x one chunk)")
    return 0


def print_reference(report: dict) -> None:
    ns, speedup = report["ns_per_network_step"], report["speedup_compiled_over_numpy"]
    print(f"Training row {report['network']} ({report['weights']} weights), T = {report['n_steps']}, "
          f"error at the end; {report['machine']}")
    print(f"{'P':>6} {'NumPy reference':>16} {'compiled engine':>16} {'speed-up':>9}   (ns/network/step)")
    for P in sorted({*ns["numpy"], *ns["compiled"]}, key=int):
        cells = [f"{ns[e][P]:>16.1f}" if P in ns[e] else f"{'':>16}" for e in ("numpy", "compiled")]
        gain = f"{speedup[P]:>8.1f}x" if P in speedup else ""
        print(f"{P:>6} {cells[0]} {cells[1]} {gain}")


def print_rows(rows: dict) -> None:
    print("The engine bare and the whole run, ns per real network-step (padding counts against the engine); "
          "the run's\nfigure is the difference of two runs, so the final tests and the records, paid once per "
          "trial, drop out")
    print(f"{'row':>6} {'trials':>6} {'schedule':>9} {'length':>7} {'bare engine':>12} {'end to end':>11} "
          f"{'ratio':>6}")
    for name, r in rows.items():
        print(f"{name:>6} {r['trials']:>6} {r['schedule']:>9} {r['mean_length']:>7.1f} {r['bare_engine_ns']:>12.1f} "
              f"{r['end_to_end_ns']:>11.1f} {r['ratio']:>5.2f}x")
