"""The job machinery of every study that writes ``results/``: chunks, checkpoints, resume, records, check.

``python -m lstm_edu run ENTRY [--trials N] [--budget SEQUENCES] [--seed S] [--out DIR] [--batch P]
[--workers N | --scheduler ADDRESS] [--check SEQUENCES]`` (the command line is :mod:`lstm_edu.registry`'s, which maps names to entries).

The runner knows no study: it drives *entries* and their *trainers* through a small protocol.

An entry (one registry object: an LSTM row of :mod:`lstm_edu.experiments`, a cell of the Bengio study, ...)
has

- ``name`` (str): the folder of its records; ``study`` (str): the top folder under ``results/``;
- ``n_trials`` (int): default trial count; ``budget`` (int): default cap on training sequences per trial;
  ``max_batch`` (int): most trials trained together;
- ``start(seeds: list[int], budget: int, version: str) -> trainer``: a new chunk of the trials ``seeds``;
- ``resume(path, version: str, budget: int) -> trainer``: the chunk checkpointed at ``path``, to be
  trained on to ``budget``.
- optionally ``went_on(old, new, budget) -> (compared, difference)``: how :func:`check` compares a stored
  trial that went on beyond the check's budget with its rerun (default: its curve and milestones so far).

A trainer (the trials of one chunk while they train) has

- ``seeds``: the seeds of the trials still training; ``chunk_seeds``: the chunk's seeds at its start;
  ``n_seen``: sequences trained so far; ``seconds`` (float): training time so far (the runner sets it);
- ``step() -> (stop, diverged)``: train one or more sequences; two (P,) bool arrays over ``seeds``: the
  trials whose stopping rule now holds and those that blew up (they end as failures);
- ``finish(p, success: bool, diverged: bool) -> dict``: the whole record of trial ``p`` (schema 1,
  :mod:`lstm_edu.results`, with ``"run"`` timing); ``keep(rows)``: keep only those trials;
- ``save(path)``: checkpoint the chunk atomically (:func:`lstm_edu.results.atomic_file`).

A record's ``curve``, where not null, is ``{"every": n, "mean_loss": [...], ...}`` (one point per n
sequences): :func:`check` compares the points of a trial that went on beyond the check's budget.

How a run works
---------------
- Trial ``i`` has the seed ``S + i``; its randomness must depend only on (entry, trial seed), so that a
  trial's outcome is the same in any chunk and under any larger budget.
- The trials without a record are trained together in chunks of ``batch`` trials (at most
  ``entry.max_batch``; :func:`plan`), one after another in this process, or side by side in worker
  processes or on a Dask cluster (:mod:`lstm_edu.workers`): the records are the same. A trial ends
  when its stopping rule holds, its weights blow up, or the budget is spent; its record is then validated
  (:func:`lstm_edu.results.validate`) and written at once to ``<out>/<study>/<name>/trial-<seed:06d>.json``.
- Resuming: a trial whose record exists is never run again. A chunk in progress is checkpointed
  (``<out>/.partial/<study>/<name>/chunk-<first>-<last>-budget<B>.npz``) every ``checkpoint_seconds``
  and whenever a trial leaves it; an interrupted run continues from the checkpoint, whatever its
  ``batch`` or number of workers now (a checkpoint fixes its chunk, :func:`plan`); a chunk without one
  restarts from scratch (trials of it already recorded are recomputed, not rewritten). A run
  with another budget continues a checkpoint of another budget while none of the chunk's trials has ended
  and it has trained fewer sequences than the new budget; that checkpoint is kept for its own budget.
- Records of another budget are refused: a results folder holds one budget per entry. Before training,
  every record in the entry's folder is read and checked (:func:`lstm_edu.results.read_trials`): a file
  that is not a valid record of that entry and seed (corrupted, empty, another entry's record copied in,
  ``trial-000000 copy.json``) stops the run with :class:`lstm_edu.results.RecordError` naming it; the
  run refuses rather than skips, so that no summary or check ever counts a record that does not belong.
- ``out`` must be a writable folder: checked before any training.
- A checkpoint that cannot be resumed (corrupted, truncated, empty, or its metadata disagrees with its
  arrays or its chunk) raises :class:`CheckpointError` naming it: delete that file to restart its chunk.
- Ctrl-C (SIGINT): the step in progress ends, the chunk is checkpointed (every chunk, in every worker)
  and :class:`Interrupted` (a KeyboardInterrupt) is raised; running the same command again resumes. A
  second Ctrl-C interrupts at once (the last checkpoints are kept).
- Progress: one bar for the run (:class:`Progress`), in sequences summed over its trials.
- Checking (:func:`check`): the stored trials are run again, in a scratch folder, for at most N sequences.
"""

from __future__ import annotations

import contextlib
import json
import math
import pickle
import signal
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
from tqdm.auto import tqdm  # a widget bar in Jupyter (labs, the run button), text in a terminal

from . import _checks
from .results import OUTCOME_FIELDS, RESULTS_DIR, code_version, read_trials, validate, write_record

#: What a broken checkpoint raises while it is loaded (NumPy's zip reader, pickle, the JSON metadata).
_BROKEN = (OSError, EOFError, ValueError, KeyError, TypeError, IndexError, AttributeError, zipfile.BadZipFile,
           pickle.UnpicklingError)


class CheckpointError(ValueError):
    """A checkpoint that cannot be resumed; the message names the file and how to discard it."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run, after the chunk in progress was checkpointed; the message says where."""


def record_path(out, study: str, name: str, seed: int) -> Path:
    """``<out>/<study>/<name>/trial-<seed:06d>.json``."""
    return Path(out) / study / name / f"trial-{int(seed):06d}.json"


def partial_dir(out, study: str, name: str) -> Path:
    """Where the checkpoints of entry ``name`` lie: ``<out>/.partial/<study>/<name>/``."""
    return Path(out) / ".partial" / study / name


def _resume(entry, path: Path, version: str, budget: int, chunk_seeds: list[int]):
    """``entry.resume(path, ...)``, checked against the chunk it must hold; CheckpointError otherwise."""
    try:
        trainer = entry.resume(path, version, budget)
        problem = ("" if list(trainer.chunk_seeds) == list(chunk_seeds) and set(trainer.seeds) <= set(chunk_seeds)
                   else f"its metadata names the chunk {list(trainer.chunk_seeds)} with trials "
                        f"{list(trainer.seeds)}, but its file name the trials {chunk_seeds[0]}-{chunk_seeds[-1]}")
    except _BROKEN as exc:
        problem = f"{exc.__class__.__name__}: {exc}"
    if problem:
        raise CheckpointError(f"checkpoint {path} cannot be resumed ({problem}); delete it (rm '{path}') to "
                              f"restart its chunk from scratch (trials with a record are not run again)")
    return trainer


def _writable(out, folder: Path) -> None:
    """Raise ValueError naming ``out`` unless the records' ``folder`` under it can be made and written."""
    if Path(out).exists() and not Path(out).is_dir():
        raise ValueError(f"out (--out) {out} is a file, not a folder: name a folder for the results")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError as exc:
        raise ValueError(f"out (--out) {out} is not a writable folder (cannot write in {folder}: "
                         f"{exc.strerror or exc}): name a folder you can write to") from None


@contextlib.contextmanager
def _ctrl_c():
    """While a run trains, the first Ctrl-C sets ``state["hit"]`` (the loop checkpoints after its current
    step and raises :class:`Interrupted`); a second raises KeyboardInterrupt at once."""
    state = {"hit": False}
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def handler(signum, frame):
        if state["hit"]:
            raise KeyboardInterrupt("interrupted twice: the chunk's last checkpoint is kept")
        state["hit"] = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)


def _other_budget(entry, partial: Path, chunk_seeds: list[int], budget: int) -> Path | None:
    """A checkpoint of the same chunk made under another budget that can serve ``budget``, or None.

    A trial's training does not depend on its budget, so a chunk's state after n sequences is the same
    under any budget above n. The checkpoint serves when it holds every trial of the chunk (none has
    ended yet, so no record carries the other budget) and has trained fewer than ``budget`` sequences;
    of several, the one furthest on. It is left in place: its own budget can still be resumed from it.
    """
    best, best_seen = None, -1
    for path in sorted(partial.glob(f"chunk-{chunk_seeds[0]:06d}-{chunk_seeds[-1]:06d}-budget*.npz")):
        trainer = _resume(entry, path, "inspection", budget, chunk_seeds)
        if list(trainer.seeds) == list(chunk_seeds) and best_seen < trainer.n_seen < budget:
            best, best_seen = path, trainer.n_seen
    return best


def _refuse_other_budgets(folder: Path, budget: int) -> None:
    """Read every record in ``folder`` (RecordError naming a bad one); refuse one of another budget."""
    for old in read_trials(folder):
        if old["budget"] != budget:
            path = record_path(folder.parent.parent, old["study"], old["experiment"], old["seed"])
            raise ValueError(f"budget must match the stored records: {path} was made with budget "
                             f"{old['budget']}, got budget={budget}; use --budget {old['budget']} or "
                             f"another --out")


class Progress:
    """One progress bar for a whole run, over every chunk and worker, counted in sequences summed over trials.

    Its ``total`` is the sum of the budgets of the trials to run; a trial that ends before its budget
    (success, divergence) counts its unused sequences as done when it ends, so the bar ends at its total.
    ``update`` is called by the chunks, in this process or (through :mod:`lstm_edu.workers`) from workers.
    """

    def __init__(self, name: str, n_trials: int, total: int, enabled: bool):
        self.n_trials, self.ended = n_trials, 0
        self.bar = tqdm(total=total, disable=not enabled, mininterval=1.0, unit="seq",
                        desc=f"{name}: {n_trials} trials", file=sys.stderr, unit_scale=True)

    def update(self, sequences: int, ended: int = 0) -> None:
        """``sequences`` more trial-sequences done, ``ended`` more trials ended."""
        self.ended += ended
        self.bar.update(sequences)
        if ended:
            self.bar.set_postfix(ended=f"{self.ended}/{self.n_trials}")

    def close(self) -> None:
        self.bar.close()


def _train_chunk(entry, trainer, paths: dict, ckpt: Path, budget: int, checkpoint_seconds: float,
                 report, stopped) -> None:
    """Train a chunk until every trial has ended, writing each record as its trial ends.

    ``report(sequences, ended)`` tells the run's :class:`Progress` what was done (trials of the chunk that
    are no longer training count as done: their unused budget); ``stopped()`` is true once the run must
    stop (Ctrl-C): the chunk is then checkpointed and :class:`Interrupted` raised.
    """
    seeds = trainer.chunk_seeds
    report(trainer.n_seen * len(trainer.seeds) + budget * (len(seeds) - len(trainer.seeds)),
           len(seeds) - len(trainer.seeds))
    last_save, started = time.monotonic(), time.monotonic() - trainer.seconds
    while trainer.seeds:
        before, active = trainer.n_seen, len(trainer.seeds)
        stop, diverged = trainer.step()
        trainer.seconds = time.monotonic() - started
        ended = np.asarray(stop) | np.asarray(diverged) | (trainer.n_seen >= budget)
        done = np.flatnonzero(ended)
        report((trainer.n_seen - before) * active + (budget - trainer.n_seen) * done.size, done.size)
        for p in done:
            s = trainer.seeds[p]
            if not paths[s].exists():
                write_record(paths[s], validate(trainer.finish(p, bool(stop[p]), bool(diverged[p])), paths[s]))
        if done.size:
            trainer.keep(np.flatnonzero(~ended))
        if trainer.seeds and (done.size or time.monotonic() - last_save >= checkpoint_seconds):
            trainer.save(ckpt)
            last_save = time.monotonic()
        if trainer.seeds and stopped():
            trainer.save(ckpt)
            raise Interrupted(f"{entry.name} trials {seeds[0]}-{seeds[-1]} checkpointed after "
                              f"{trainer.n_seen:,} sequences in {ckpt}")


class Job(NamedTuple):
    """One entry's trials in a run (:func:`job`): ``task``, the arguments of :func:`_run_chunk` common to its
    chunks (entry, paths, out, budget, version, checkpoint_seconds); the run's ``seeds``; ``todo``, those
    without a record; ``batch``, the most trials of a chunk asked for (None: chosen by :func:`run_jobs`)."""

    task: dict
    seeds: list
    todo: list
    batch: int | None


def job(entry, n_trials: int | None = None, budget: int | None = None, seed: int = 0, out=RESULTS_DIR,
        batch: int | None = None, checkpoint_seconds: float = 60.0) -> Job:
    """Check a run's settings and its results folder (see the module docstring) before anything trains."""
    version = code_version()
    n_trials = entry.n_trials if n_trials is None else _checks.positive_int("trials", n_trials)
    budget = entry.budget if budget is None else _checks.positive_int("budget", budget)
    seed = _checks.positive_int("seed", seed, minimum=0)
    batch = None if batch is None else _checks.positive_int("batch", batch)
    checkpoint_seconds = _checks.positive_float("checkpoint_seconds", checkpoint_seconds, allow_zero=True)
    seeds = [seed + i for i in range(n_trials)]
    paths = {s: record_path(out, entry.study, entry.name, s) for s in seeds}
    _writable(out, paths[seed].parent)
    _refuse_other_budgets(paths[seed].parent, budget)
    todo = [s for s in seeds if not paths[s].exists()]
    for path in partial_dir(out, entry.study, entry.name).glob(f"chunk-*-*-budget{budget}.npz"):
        first, last = (int(part) for part in path.name.split("-")[1:3])
        if all(s in paths and s not in todo for s in range(first, last + 1)):  # ended after its checkpoint
            path.unlink()
    task = dict(entry=entry, paths=paths, out=out, budget=budget, version=version,
                checkpoint_seconds=checkpoint_seconds)
    return Job(task, seeds, todo, batch)


def run(entry, n_trials: int | None = None, budget: int | None = None, seed: int = 0, out=RESULTS_DIR,
        batch: int | None = None, checkpoint_seconds: float = 60.0, progress: bool = True, workers: int = 1,
        scheduler: str | None = None) -> list[Path]:
    """Run (or resume) ``n_trials`` trials of ``entry``; return the paths of all their records.

    ``budget`` caps training sequences per trial (default: the entry's); ``batch`` trials train together
    (capped by ``entry.max_batch``; default: the trials to run shared evenly over the workers, at most 64
    a chunk in one process). ``workers`` > 1 trains the chunks in that many local worker processes,
    ``scheduler`` (a Dask scheduler's address) on an existing cluster (:mod:`lstm_edu.workers`); the records
    are the same to the last bit either way. See the module docstring for resuming. Every record names the
    code version of the working tree when the run *started*: the code this process runs, even if the tree
    changes while it trains.
    """
    one = job(entry, n_trials, budget, seed, out, batch, checkpoint_seconds)
    run_jobs([one], progress, workers, scheduler)
    return [one.task["paths"][s] for s in one.seeds]


def run_jobs(jobs: list[Job], progress: bool = True, workers: int = 1, scheduler: str | None = None) -> None:
    """Train the trials of several entries (:func:`job`): in this process, entry after entry, or all at once
    over ``workers`` local worker processes or the cluster of ``scheduler`` (one progress bar)."""
    workers = _checks.positive_int("workers", workers)
    if scheduler is not None:
        from .workers import check_address
        scheduler = check_address(scheduler)
    todo = sum(len(j.todo) for j in jobs)
    with _ctrl_c() as ctrl_c:
        if todo and (scheduler is not None or min(workers, todo) > 1):
            from .workers import run_chunks
            run_chunks(jobs, workers, scheduler, progress, ctrl_c)
            return
        for one in jobs:
            entry = one.task["entry"]
            chunks = plan(one.seeds, one.todo, min(one.batch or 64, entry.max_batch),
                          partial_dir(one.task["out"], entry.study, entry.name))
            n = sum(map(len, chunks))
            bar = Progress(entry.name, n, n * one.task["budget"], progress)
            try:
                for chunk_seeds in chunks:
                    _run_chunk(chunk_seeds, report=bar.update, stopped=lambda: ctrl_c["hit"], **one.task)
            finally:
                bar.close()


def plan(seeds: list[int], todo: list[int], batch: int, partial: Path) -> list[list[int]]:
    """The chunks that train the trials ``todo`` (those of the run's ``seeds`` without a record), ``batch``
    at most in each.

    A checkpoint in ``partial`` (``chunk-<first>-<last>-budget<B>.npz``, the trials first .. last) of trials
    of this run fixes its chunk, so that a run resumes whatever ``batch`` or number of workers it now has;
    the other trials follow in consecutive runs of at most ``batch``. A trial's training depends only on the
    entry and its seed, never on the chunk it trains in, so any chunking gives the same records.
    """
    left, chunks = set(todo), []
    for path in sorted(partial.glob("chunk-*-*-budget*.npz")):
        first, last = (int(part) for part in path.name.split("-")[1:3])
        chunk = set(range(first, last + 1))
        if chunk <= set(seeds) and chunk & left and not any(chunk & set(c) for c in chunks):
            chunks.append(sorted(chunk))
            left -= chunk
    rest = [s for s in todo if s in left]
    return sorted(chunks + [rest[k:k + batch] for k in range(0, len(rest), batch)])


def _run_chunk(chunk_seeds, entry, paths, out, budget, version, checkpoint_seconds, report, stopped) -> None:
    """Train (or resume) one chunk to its end; the checkpoint of its budget is removed when it ends."""
    partial = partial_dir(out, entry.study, entry.name)
    ckpt = partial / f"chunk-{chunk_seeds[0]:06d}-{chunk_seeds[-1]:06d}-budget{budget}.npz"
    source = ckpt if ckpt.exists() else _other_budget(entry, partial, chunk_seeds, budget)
    trainer = (_resume(entry, source, version, budget, chunk_seeds) if source is not None
               else entry.start(chunk_seeds, budget, version))
    _train_chunk(entry, trainer, paths, ckpt, budget, checkpoint_seconds, report, stopped)
    if ckpt.exists():
        ckpt.unlink()


# ---------------------------------------------------------------------------------------------- check
#: What ``--check N`` compares, and what it cannot see (the command's help text says the same).
CHECK_HELP = ("instead of running, check the stored trials: run them again in a scratch folder for at most "
              "SEQUENCES sequences each (the stored budget if smaller) and compare with their records. A trial "
              "that ended within them is compared whole: success, sequences, milestones, final test, learning "
              "curve and weights, to the last bit. A trial that went on beyond them is compared only on its "
              "learning curve and milestones so far (and must not end earlier): its success, sequence count, "
              "final test and weights lie beyond a short check; check with SEQUENCES at least the stored "
              "budget to compare every trial whole")


def _same_value(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def first_difference(old, new, where: str = "") -> str:
    """The first place where two JSON values differ, as ``"key.key[i]: stored X, now Y"``; ``""`` if none.
    Floats must be equal to the last bit (NaN equals NaN); an int and a float, or True and 1, differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            here = f"{where}.{key}" if where else str(key)
            if key not in old or key not in new:
                return f"{here}: stored {old.get(key, '(absent)')!r:.120}, now {new.get(key, '(absent)')!r:.120}"
            found = first_difference(old[key], new[key], here)
            if found:
                return found
        return ""
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return f"{where}: stored {len(old)} items, now {len(new)}"
        for i, (a, b) in enumerate(zip(old, new)):
            found = first_difference(a, b, f"{where}[{i}]")
            if found:
                return found
        return ""
    return "" if _same_value(old, new) else f"{where}: stored {old!r:.120}, now {new!r:.120}"


def _went_on(old: dict, new: dict, budget: int) -> tuple[str, str]:
    """Compare a stored trial that went on beyond ``budget`` with its rerun up to ``budget``."""
    if new["success"] or new["sequences"] < budget or "diverged" in new["milestones"]:
        return "", (f"ended after {new['sequences']:,} sequences (success {new['success']}), before the stored "
                    f"trial ({old['sequences']:,})")
    points = len(new["curve"]["mean_loss"]) if new.get("curve") else 0
    compared = (f"the first {points} curve points and the milestones so far (stored trial: "
                f"{old['sequences']:,} sequences)")
    if points:
        before, now = old["curve"]["mean_loss"][:points], new["curve"]["mean_loss"]
        for i, (a, b) in enumerate(zip(before, now)):
            if not _same_value(a, b):
                every = new["curve"]["every"]
                return compared, (f"curve point {i} (sequences {i * every:,}-{(i + 1) * every:,}): stored {a!r}, "
                                  f"now {b!r}")
    for key, value in new["milestones"].items():
        stored = old["milestones"].get(key)
        ok = (stored is not None and value <= stored if key == "tests"
              else isinstance(stored, list) and stored[:len(value)] == value if isinstance(value, list)
              else _same_value(stored, value))
        if not ok:
            return compared, f"milestones.{key}: stored {stored!r}, now {value!r} (after {budget:,} sequences)"
    missing = [k for k, v in old["milestones"].items()
               if k != "tests" and isinstance(v, int) and v <= budget and k not in new["milestones"]]
    if missing:
        return compared, f"milestones.{missing[0]}: stored {old['milestones'][missing[0]]!r}, now absent"
    return compared, ""


def compare(old: dict, new: dict, budget: int, went_on=_went_on) -> dict:
    """Compare a stored record with its rerun under ``budget`` (see :data:`CHECK_HELP`): ``compared``
    (what), ``equal`` and ``difference`` (the first one found, ``""`` if none). ``went_on(old, new, budget)
    -> (compared, difference)`` compares a trial that went on beyond ``budget`` (an entry whose trainer
    runs a whole budget in one step supplies its own, as ``entry.went_on``)."""
    if old["sequences"] <= budget:
        compared = "the whole record (" + ", ".join(OUTCOME_FIELDS) + ")"
        difference = first_difference({k: old[k] for k in OUTCOME_FIELDS}, {k: new[k] for k in OUTCOME_FIELDS})
    else:
        compared, difference = went_on(old, new, budget)
    return {"seed": old["seed"], "compared": compared, "equal": not difference, "difference": difference}


def check(entry, sequences: int, n_trials: int | None = None, seed: int = 0, out=RESULTS_DIR,
          batch: int | None = None, progress: bool = True, workers: int = 1, scheduler: str | None = None
          ) -> list[dict]:
    """Run the stored trials of ``entry`` again for at most ``sequences`` sequences each and compare.

    The trials ``seed`` .. ``seed + n_trials - 1`` must have records in ``out`` (default: the stored trials
    from ``seed`` on, up to the first seed without a record, as for a variant stored with fewer trials than its
    row; the entry's count if ``seed`` has none). They are run again by this code in a temporary folder with
    the budget ``min(sequences, stored budget)``; a trial's training does not depend on its budget, so up to
    that budget the rerun must follow the stored trial exactly (see :data:`CHECK_HELP` and :func:`compare`).
    ``workers`` and ``scheduler`` as for :func:`run` (on a cluster the scratch folder is made inside ``out``).
    Returns one dict per trial: ``seed``, ``compared``, ``equal``, ``difference``.
    """
    sequences = _checks.positive_int("sequences", sequences)
    seed = _checks.positive_int("seed", seed, minimum=0)
    if not Path(out).is_dir():
        raise ValueError(f"out (--out) {out} is not a folder of results to check: name the folder that "
                         f"python -m lstm_edu run wrote to (default {RESULTS_DIR})")
    if n_trials is None:
        n_trials = 0
        while record_path(out, entry.study, entry.name, seed + n_trials).exists():
            n_trials += 1
        n_trials = n_trials or entry.n_trials
    n_trials = _checks.positive_int("trials", n_trials)
    seeds = [seed + i for i in range(n_trials)]
    paths = {s: record_path(out, entry.study, entry.name, s) for s in seeds}
    missing = [s for s, p in paths.items() if not p.exists()]
    if missing:
        raise ValueError(f"trials {missing} of {entry.name} have no record in {out} to check; run them first "
                         f"(python -m lstm_edu run {entry.name}) or pass --trials and --seed of stored trials")
    # every record of the folder must belong there (RecordError otherwise); read once
    stored = {r["seed"]: r for r in read_trials(paths[seeds[0]].parent) if r["seed"] in paths}
    budget = min(sequences, *(r["budget"] for r in stored.values()))
    # on a cluster the scratch folder must be where the workers write: beside the records
    with tempfile.TemporaryDirectory(dir=None if scheduler is None else out, prefix=".check-") as scratch:
        made = run(entry, n_trials, budget, seeds[0], scratch, batch, progress=progress, workers=workers,
                   scheduler=scheduler)
        fresh = {s: json.loads(p.read_text()) for s, p in zip(seeds, made)}
    return [compare(stored[s], fresh[s], budget, getattr(entry, "went_on", _went_on)) for s in seeds]
