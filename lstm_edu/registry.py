"""Every entry the runner can run, by name, and the ``run`` command.

An entry is one registry object of a study (see :mod:`lstm_edu.runner` for the protocol): the LSTM rows of
Tables 1-9 and their variants (:mod:`lstm_edu.experiments`), and the entries of the other studies (each
module holds ``ENTRIES: dict[str, entry]``): Bengio et al.'s alternatives (:mod:`lstm_edu.bengio_study`), the
competitors (:mod:`lstm_edu.competitors`, :mod:`lstm_edu.constructive_study`) and the cells of the lag sweep
(:mod:`lstm_edu.lag_sweep`).

``python -m lstm_edu run ENTRY`` runs (or resumes) the trials of one entry; ``run all`` every LSTM row
of Tables 1-9 (not the variants) in the paper's order; ``--check N`` checks stored trials instead.
"""

from __future__ import annotations

import shlex
import sys

import numpy as np

from . import _checks, bengio_study, competitors, constructive_study, experiments, lag_sweep, runner, workers
from .results import RESULTS_DIR, read_record

#: Modules of the other studies, each with ``ENTRIES: dict[str, entry]``.
STUDY_MODULES = (bengio_study, competitors, constructive_study, lag_sweep)


def _entries() -> dict:
    known = experiments.entries()
    for module in STUDY_MODULES:
        known.update(module.ENTRIES)
    return known


def names() -> list[str]:
    """The names of every entry, LSTM rows first."""
    return list(_entries())


def study_names(study: str) -> list[str]:
    """The names of the entries of study ``study`` (their top folder under ``results/``), in registry order."""
    return [name for name, item in _entries().items() if item.study == study]


def entry(name: str):
    """The entry called ``name``; ValueError listing the known names otherwise."""
    known = _entries()
    return known[_checks.choice("experiment", name, tuple(known))]


# ------------------------------------------------------------------------------------- command line
def add_arguments(parser) -> None:
    parser.add_argument("experiment", help="an entry: a row of Tables 1-9 (" + ", ".join(experiments.EXPERIMENTS)
                        + "), a variant of a row (" + ", ".join(experiments.VARIANTS) + "), an entry of Bengio "
                        "et al.'s alternatives (<task>-T<T>-<method> with task in " + ", ".join(bengio_study.TASKS)
                        + ", T in " + ", ".join(map(str, bengio_study.LENGTHS)) + ", method in "
                        + ", ".join(bengio_study.METHODS) + ", e.g. latch-T5-simulated_annealing; guessing-<variant> "
                        "with variant in " + ", ".join(bengio_study.GUESSING) + "), a competitor row of the 1997 "
                        "paper (" + ", ".join([*competitors.ENTRIES, *constructive_study.ENTRIES]) + "), a cell of "
                        "the lag sweep "
                        "(sweep-<family>-<method>-L<lag>, e.g. sweep-noise_free-lstm-L100; python -m lstm_edu sweep "
                        "runs many), 'all': "
                        "every row (not the variants) in this order, each with its defaults, or 'alternatives': "
                        "every entry of that study")
    parser.add_argument("--trials", type=int, default=None,
                        help="number of trials (default: the entry's; with --check, the trials stored from --seed on)")
    parser.add_argument("--budget", type=int, default=None,
                        help="most training sequences per trial (default: the entry's; stored in every record)")
    parser.add_argument("--seed", type=int, default=0, help="trial i gets seed SEED + i (default 0)")
    parser.add_argument("--out", default=str(RESULTS_DIR), help=f"results folder (default {RESULTS_DIR})")
    parser.add_argument("--batch", type=int, default=None,
                        help="trials trained together in one chunk (default: the trials shared evenly over the "
                        "workers; at most 64 in one process)")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help=f"train the chunks in N local worker processes (default: every core, here "
                        f"{workers.cores()}; 1: in this process); the records are the same to the last bit")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="train on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (every worker needs "
                        "lstm_edu installed and the --out folder at the same path)")
    parser.add_argument("--checkpoint-seconds", type=float, default=60.0,
                        help="seconds between checkpoints of a chunk in progress (default 60)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--check", type=int, default=None, metavar="SEQUENCES", help=runner.CHECK_HELP)


def _print_check(name: str, report: list[dict]) -> bool:
    for r in report:
        print(f"{name} trial {r['seed']}: {'same' if r['equal'] else 'DIFFERENT'} ({r['compared']})"
              + (f"; {r['difference']}" if r["difference"] else ""))
    return all(r["equal"] for r in report)


def _print_run(item, paths) -> None:
    records = [read_record(p) for p in paths]
    ok = [r for r in records if r["success"]]
    mean = np.mean([r["sequences"] for r in ok]) if ok else float("nan")
    print(f"{item.name}: {len(ok)} of {len(records)} trials successful; mean sequences until success "
          f"{mean:,.0f} (paper: {getattr(item, 'paper', {})}); records in {paths[0].parent}")


def _check_options(args) -> None:
    """Raise ValueError naming the option unless every number is allowed (before anything runs)."""
    if args.check is not None and args.budget is not None:
        raise ValueError("--budget and --check exclude each other (a check uses the stored records' budget, "
                         "capped at --check)")
    if args.workers is not None and args.scheduler is not None:
        raise ValueError("--workers and --scheduler exclude each other (a cluster has its own workers)")
    if args.scheduler is not None:
        workers.check_address(args.scheduler)
    for option, value, minimum in (("--trials", args.trials, 1), ("--budget", args.budget, 1),
                                   ("--seed", args.seed, 0), ("--batch", args.batch, 1), ("--check", args.check, 1),
                                   ("--workers", args.workers, 1)):
        if value is not None:
            _checks.positive_int(option, value, minimum=minimum)
    _checks.positive_float("--checkpoint-seconds", args.checkpoint_seconds, allow_zero=True)


def _resume_line(args) -> str:
    """The command that resumes an interrupted run: the same one."""
    words = ["python", "-m", "lstm_edu", "run", args.experiment, "--seed", str(args.seed), "--out", str(args.out)]
    for option, value in (("--trials", args.trials), ("--budget", args.budget), ("--workers", args.workers),
                          ("--scheduler", args.scheduler)):
        if value is not None:
            words += [option, str(value)]
    return shlex.join(words)


def _error(exc: BaseException) -> int:
    if isinstance(exc, OSError):  # disk full, permissions: the results folder named by the message
        text = (exc.strerror or str(exc)) + (f": {exc.filename}" if exc.filename else "")
    else:
        text = str(exc)
    print(f"error: {text}", file=sys.stderr)
    return 2


def main(args) -> int:
    """``run``: several entries ('all', 'alternatives') train all at once over the workers (one bar)."""
    run_names = (list(experiments.EXPERIMENTS) if args.experiment == "all"
                 else study_names("alternatives") if args.experiment == "alternatives" else [args.experiment])
    try:
        _check_options(args)
        items = [entry(name) for name in run_names]
        spread = dict(progress=not args.no_progress, scheduler=args.scheduler,
                      workers=workers.cores() if args.workers is None else args.workers)
        if args.check is not None:
            return _check(items, args, spread)
        jobs = [runner.job(item, args.trials, args.budget, args.seed, args.out, args.batch,
                           args.checkpoint_seconds) for item in items]
        runner.run_jobs(jobs, **spread)
    except (ValueError, TypeError, OSError) as exc:
        return _error(exc)
    except KeyboardInterrupt as exc:
        print(f"interrupted{': ' + str(exc) if str(exc) else ''}; resume with: {_resume_line(args)}",
              file=sys.stderr)
        return 130
    for item, one in zip(items, jobs):
        _print_run(item, [one.task["paths"][s] for s in one.seeds])
    return 0


def _check(items, args, spread) -> int:
    """``run --check``: each entry checked in turn; exit 1 if any trial differs."""
    all_equal = True
    for item in items:
        try:
            report = runner.check(item, args.check, args.trials, args.seed, args.out, args.batch, **spread)
        except KeyboardInterrupt:  # a check trains in a scratch folder and stores nothing
            print(f"interrupted: the check of {item.name} stopped and stored nothing; run it again to check",
                  file=sys.stderr)
            return 130
        all_equal &= _print_check(item.name, report)
    return 0 if all_equal else 1
