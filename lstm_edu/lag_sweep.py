"""Success rate against time lag, every method: the lag sweep (study ``"sweep"``, records under
``results/sweep/<cell>/trial-<seed>.json``, one runner entry per cell ``sweep-<family>-<method>-L<lag>``).

The book's central question is how each method fares as the time lag grows. Each *family* is a task whose lag
is a parameter (:data:`FAMILIES`); each *cell* trains :data:`N_TRIALS` trials of one method (:data:`METHODS`)
at one lag, all through the one runner (:mod:`lstm_edu.runner`: ``python -m lstm_edu run CELL``, resume,
``--check``, ``--workers``, ``--scheduler`` work for a cell as for any entry).

Families (the lag counts input steps from the informative input to the step that must answer, both included)
---------------------------------------------------------------------------------------------------------
- ``noise_free``: Task 2a (Section 5.2), lag p: the last prediction needs the first element. Budget 50,000
  sequences a trial (the 2a row's; the paper's LSTM needed 5,040 on average at p = 100). Methods: LSTM (Table
  10's 2a net with p + 1 inputs and outputs, sequential construction as in row 2a), ``lstm_igb``: the same net
  under the reading that solves row 2a (variant 2a_igb_step: an input-gate bias starting at -2, weights changed
  after every step; 18 of 18 at p = 100, where the text's reading fails most trials), RTRL, BPTT, BPTT(10) and an
  Elman net (the competitors' 2a nets of :mod:`lstm_edu.competitors`: one self-recurrent hidden unit, rate 1.0;
  the Elman net with one hidden unit and its context), RCC (at most 9 units, trained on the task's two
  sequences), the chunker (row 2a-chunker-p100's nets).
- ``two_sequence``: Task 3a with one informative element (Bengio et al.'s 2-sequence problem with noise),
  lag T (lengths T .. T + T/10). Budget 100,000 sequences (row 3a-T100-N1's LSTM needed 58,370 for ST1 in the
  paper). Methods: LSTM (row 3a's net), RTRL, BPTT, BPTT(10), Elman on nets of 8 hidden units with a bias
  (99 weights, the Elman net 89; LSTM's has 102), rate 1.0; Bengio's alternatives and random guessing on his 1-1-1 net
  (training set 20 sequences, budget // 20 passes).
- ``adding``: Experiment 4, lag T (the first marked value lies within the first 10 of at least T steps).
  Budget 200,000 sequences (row 4-1's nets reached the milestone after 72,000 to 170,000). Methods: LSTM
  (row 4-1's net), RTRL, BPTT, BPTT(10), Elman on nets of 7 hidden units with a bias (88 weights; LSTM's 93).
  Criterion "learned" (1 % of fresh sequences wrong), not the paper's ST3, which measures precision.
- ``latch``: Bengio et al.'s latch (variant I, 3 free parameters), lag T. Budget 20,000 sequences (1,000
  passes over 20 training sequences, :mod:`lstm_edu.bengio_study`'s). Methods: Bengio's alternatives and
  random guessing.

Left out, and why: Bengio's methods and guessing on ``noise_free`` and ``adding`` (they are defined on his
one-unit nets and end-of-sequence classification; Task 2a predicts every next symbol, the adding problem is a
regression); the chunker and RCC outside Task 2a (:mod:`lstm_edu.chunker` is built for its prediction task;
RCC trains on a fixed training set, which only Task 2a is: the others draw fresh sequences);
LSTM and the gradient nets on the latch (its model is Bengio's single tanh unit with free initial inputs).
Lags stop where a cell's cost passes about an hour of one core (the plan in ``results/README.md``).

Trials: trial seed ``s`` of a cell draws from its own streams (named by the cell), so no two cells share data.
Skip rule: a method with 0 successes in all :data:`N_TRIALS` trials at two successive lags skips the longer
lags; :func:`skipped` derives the skipped cells from the stored records and ``python -m lstm_edu sweep``
writes them to ``results/sweep/skipped.json`` (no record is ever written for a skipped cell).
"""

from __future__ import annotations

import json
import math
import re
import shlex
import sys
import tempfile
from pathlib import Path

import numpy as np

from . import _checks, runner, workers
from .lag_sweep_entries import (FAMILIES, LSTM_METHODS, METHODS, N_TRIALS, STUDY, Family, cell_name,  # noqa: F401
                                 entries)
from .results import RESULTS_DIR, atomic_file, read_trials

__all__ = ["FAMILIES", "METHODS", "LSTM_METHODS", "N_TRIALS", "Family", "cell_name", "parse_cell", "entry", "wilson",
           "skipped", "table", "run", "stored", "ENTRIES"]

#: Every cell, by entry name (what :mod:`lstm_edu.registry` lists).
ENTRIES = entries()
_NAME = re.compile(r"sweep-(?P<family>[a-z_]+)-(?P<method>[a-z_]+)-L(?P<lag>\d+)")


def parse_cell(name: str) -> tuple[str, str, int]:
    """``(family, method, lag)`` of a cell's name (the inverse of :func:`cell_name`)."""
    match = _NAME.fullmatch(str(name))
    if match is None or name not in ENTRIES:
        raise ValueError(f"name must be a cell of the sweep, sweep-<family>-<method>-L<lag>, e.g. "
                         f"{cell_name('noise_free', 'lstm', 100)}; got {name!r}")
    return match["family"], match["method"], int(match["lag"])


def entry(family: str, method: str, lag: int):
    """The runner entry of a cell; ValueError naming what is allowed otherwise."""
    f = FAMILIES[_checks.choice("family", family, tuple(FAMILIES))]
    _checks.choice("method", method, f.methods)
    lag = _checks.positive_int("lag", lag)
    if lag not in f.lags:
        raise ValueError(f"lag must be one of {list(f.lags)} for family {family!r}, got {lag}")
    return ENTRIES[cell_name(family, method, lag)]


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval (95 % by default) of a success rate ``successes / n``."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # the interval holds p exactly; clamp so that rounding cannot leave p outside it (at p = 1, centre + half
    # can come out as 0.9999999999999999)
    return (max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def _records(out, name: str) -> list[dict]:
    """The records of cell ``name`` in ``out`` (none if its folder does not exist)."""
    folder = Path(out) / STUDY / name
    return read_trials(folder) if folder.is_dir() else []


def stored(out=RESULTS_DIR) -> dict:
    """The records of every cell in ``out``, by cell name (an empty list for a cell without records)."""
    return {name: _records(out, name) for name in ENTRIES}


def skipped(out=RESULTS_DIR, n_trials: int = N_TRIALS, records: dict | None = None) -> list[dict]:
    """The cells the skip rule drops, from the records in ``out`` (or ``records``, :func:`stored`'s): after two
    successive lags whose cells hold ``n_trials`` records and no success, every longer lag of that family and
    method without records. Each: ``cell``, ``family``, ``method``, ``lag``, ``reason``, ``failed_lags``."""
    records = stored(out) if records is None else records
    found = []
    for fam, f in FAMILIES.items():
        for method in f.methods:
            run_of, failed = [], None
            for lag in f.lags:
                name = cell_name(fam, method, lag)
                recs = records[name]
                if failed is not None and not recs:
                    found.append({"cell": name, "family": fam, "method": method, "lag": lag, "failed_lags": failed,
                                  "reason": f"0 of {n_trials} trials succeeded at {f.lag_name} = {failed[0]} and "
                                            f"at {f.lag_name} = {failed[1]}"})
                    continue
                done = len(recs) >= n_trials and not any(r["success"] for r in recs)
                run_of = run_of + [lag] if done else []
                if failed is None and len(run_of) >= 2:
                    failed = run_of[-2:]
    return found


def table(out=RESULTS_DIR, n_trials: int = N_TRIALS) -> list[dict]:
    """One row per cell with records in ``out`` or skipped (:func:`skipped`): ``family``, ``method``, ``lag``,
    ``n_trials``, ``n_success``, ``rate``, ``ci`` (Wilson 95 %), ``mean_sequences`` and ``median_sequences``
    (over the successful trials; None if none), ``budget``, ``status`` ("stored": ``n_trials`` trials,
    "partial": fewer, "skipped") and ``note``. Families, methods and lags in :data:`FAMILIES`' order."""
    records = stored(out)
    gone = {s["cell"]: s for s in skipped(out, n_trials, records)}
    rows = []
    for fam, f in FAMILIES.items():
        for method in f.methods:
            for lag in f.lags:
                name = cell_name(fam, method, lag)
                recs = records[name]
                if not recs and name not in gone:
                    continue
                wins = [r["sequences"] for r in recs if r["success"]]
                rows.append({
                    "family": fam, "method": method, "lag": lag, "n_trials": len(recs), "n_success": len(wins),
                    "rate": len(wins) / len(recs) if recs else 0.0, "ci": wilson(len(wins), len(recs)),
                    "mean_sequences": float(np.mean(wins)) if wins else None,
                    "median_sequences": float(np.median(wins)) if wins else None,
                    "budget": recs[0]["budget"] if recs else f.budget,
                    "status": "skipped" if not recs else "stored" if len(recs) >= n_trials else "partial",
                    "note": gone[name]["reason"] if not recs else ""})
    return rows


def _cells(family, methods, lags) -> list[tuple[str, str, int]]:
    """The (family, method, lag) cells chosen, checked: ``family`` a key or a list of keys (None: all), ``methods``
    and ``lags`` lists (None: every one of the family's)."""
    families = list(FAMILIES) if family is None else [family] if isinstance(family, str) else list(family)
    for fam in families:
        _checks.choice("family", fam, tuple(FAMILIES))
    every_method = {m for fam in families for m in FAMILIES[fam].methods}
    every_lag = {lag for fam in families for lag in FAMILIES[fam].lags}
    if methods is not None:
        methods = [methods] if isinstance(methods, str) else list(methods)
        for m in methods:
            _checks.choice("method", m, tuple(sorted(every_method)))
    if lags is not None:
        lags = [lags] if isinstance(lags, (int, np.integer)) else list(lags)
        for lag in lags:
            if not isinstance(lag, (int, np.integer)) or isinstance(lag, bool) or lag not in every_lag:
                raise ValueError(f"lags must be among {sorted(every_lag)} (the lags of family {families}), "
                                 f"got {lag!r}")
    chosen = [(fam, m, lag) for fam in families for m in FAMILIES[fam].methods for lag in FAMILIES[fam].lags
              if (methods is None or m in methods) and (lags is None or lag in lags)]
    if not chosen:
        raise ValueError(f"methods {methods} at lags {lags} name no cell of family {families}: the family's methods "
                         f"are {[list(FAMILIES[fam].methods) for fam in families]}")
    return chosen


def write_skipped(out=RESULTS_DIR, n_trials: int = N_TRIALS) -> Path:
    """Write ``<out>/sweep/skipped.json``: the rule and :func:`skipped`'s cells, from the stored records."""
    path = Path(out) / STUDY / "skipped.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = {"rule": f"a method with 0 successes of {n_trials} trials at two successive lags skips the "
                        "longer lags of the family", "cells": skipped(out, n_trials)}
    with atomic_file(path) as fh:
        fh.write(json.dumps(manifest, indent=1).encode())
    return path


def sweep(cells, n_trials: int = N_TRIALS, budget: int | None = None, out=RESULTS_DIR, progress: bool = True,
          workers: int = 1, scheduler: str | None = None, checkpoint_seconds: float = 60.0) -> None:
    """Run (resume) ``cells`` ((family, method, lag) triples), lag by lag, shortest first: each round submits
    every chosen cell of that lag not skipped at once (:func:`lstm_edu.runner.run_jobs`); the skip rule is
    applied to the records as the rounds finish; ``skipped.json`` is rewritten after each round."""
    budget = None if budget is None else _checks.positive_int("budget", budget)
    for lag in sorted({lag for _, _, lag in cells}):
        gone = {s["cell"] for s in skipped(out, n_trials)}
        jobs = [runner.job(ENTRIES[cell_name(*c)], n_trials, budget, 0, out, None, checkpoint_seconds)
                for c in cells if c[2] == lag and cell_name(*c) not in gone]
        runner.run_jobs(jobs, progress, workers, scheduler)
        write_skipped(out, n_trials)


def run(family, methods=None, lags=None, n_trials: int = N_TRIALS, budget: int | None = None, out=None,
        progress: bool = True, workers: int = 1) -> list[dict]:
    """Train a fresh small sweep: ``n_trials`` trials of each of ``methods`` (default: the family's) at each of
    ``lags`` (default: all) of ``family`` under ``budget`` sequences a trial (default: the family's), with the
    skip rule, into ``out`` (default: a new temporary folder); the :func:`table` rows of those cells."""
    n_trials = _checks.positive_int("n_trials", n_trials)
    cells = _cells(family, methods, lags)
    out = Path(tempfile.mkdtemp(prefix="lstm-edu-sweep-")) if out is None else Path(out)
    sweep(cells, n_trials, budget, out, progress, _checks.positive_int("workers", workers))
    names = {cell_name(*c) for c in cells}
    return [row for row in table(out, n_trials) if cell_name(row["family"], row["method"], row["lag"]) in names]


# ------------------------------------------------------------------------------------------ command line
def add_arguments(parser) -> None:
    parser.add_argument("--family", nargs="+", default=None, help="families (default all): " + ", ".join(FAMILIES))
    parser.add_argument("--method", nargs="+", default=None, help="methods (default: every method of each family): "
                        + ", ".join(METHODS))
    parser.add_argument("--lags", nargs="+", type=int, default=None, help="lags (default: every lag of each family)")
    parser.add_argument("--trials", type=int, default=N_TRIALS, help=f"trials per cell (default {N_TRIALS})")
    parser.add_argument("--budget", type=int, default=None, help="sequences per trial (default: the family's)")
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="local worker processes (default 1)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS", help="an existing Dask cluster's address")
    parser.add_argument("--out", default=str(RESULTS_DIR), help=f"results folder (default {RESULTS_DIR})")
    parser.add_argument("--checkpoint-seconds", type=float, default=60.0, help="seconds between checkpoints")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--check", type=int, default=None, metavar="SEQUENCES", help=runner.CHECK_HELP
                        + "; only cells with --trials stored trials are checked")


def _check(cells, args) -> int:
    """``sweep --check``: the chosen cells with ``--trials`` stored trials, each checked in turn."""
    names = [cell_name(*c) for c in cells if len(_records(args.out, cell_name(*c))) >= args.trials]
    if not names:
        raise ValueError(f"--check: none of the {len(cells)} chosen cells has {args.trials} stored trials in "
                         f"{args.out}; run them first or choose stored ones (--family, --method, --lags, --trials)")
    same = True
    for name in names:
        report = runner.check(ENTRIES[name], args.check, args.trials, 0, args.out, progress=not args.no_progress,
                              workers=args.workers, scheduler=args.scheduler)
        for r in report:
            same &= r["equal"]
            print(f"{name} trial {r['seed']}: {'same' if r['equal'] else 'DIFFERENT'} ({r['compared']})"
                  + (f"; {r['difference']}" if r["difference"] else ""))
    return 0 if same else 1


def main(args) -> int:
    """``python -m lstm_edu sweep``: run (resume) the stored sweep over the chosen cells, or ``--check`` it."""
    try:
        for option, value in (("--trials", args.trials), ("--workers", args.workers), ("--budget", args.budget),
                              ("--check", args.check)):
            if value is not None:
                _checks.positive_int(option, value)
        if args.scheduler is not None:
            workers.check_address(args.scheduler)
        cells = _cells(args.family, args.method, args.lags)
        if args.check is not None:
            return _check(cells, args)
        sweep(cells, args.trials, args.budget, args.out, not args.no_progress, args.workers, args.scheduler,
              args.checkpoint_seconds)
    except (ValueError, TypeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"interrupted ({exc}); resume with: python -m lstm_edu sweep " + shlex.join(sys.argv[2:]),
              file=sys.stderr)
        return 130
    for row in table(args.out, args.trials):
        if (row["family"], row["method"], row["lag"]) in cells:
            print(f"{cell_name(row['family'], row['method'], row['lag'])}: {row['n_success']} of {row['n_trials']} "
                  f"({row['status']}){' ' + row['note'] if row['note'] else ''}")
    return 0
