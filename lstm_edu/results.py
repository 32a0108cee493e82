"""Stored experiment results: one JSON record per trial, written atomically, in one schema for every study.

A record lives at ``results/<study>/<experiment>/trial-<seed:06d>.json`` and holds the keys of
:data:`REQUIRED` (schema :data:`SCHEMA`): what was run (study, experiment, seed, method, configuration,
task, criteria, the paper's figures, note, budget), what came out (success, sequences, milestones, test,
curve, weights: the *outcome fields*, :data:`OUTCOME_FIELDS`) and how (code_version, and ``run``: timing,
batch, finish time, code versions, the only fields that differ between identical runs). A study may add
descriptive fields of its own. :func:`validate` checks a record against the schema; the runner
(:mod:`lstm_edu.runner`) validates every record it writes, the summary every record it reads.

Records are written to a temporary file and renamed into place, so an interrupted run never leaves a
half-written record behind and a resumed run can skip every trial whose record exists.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from . import __version__

#: The repository's stored results, read by the book's chapters.
RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"
#: The record schema's version, stored under ``"schema"``.
SCHEMA = 1
#: The keys every record holds, with the types their values may have (``None``: null allowed).
REQUIRED = {
    "schema": (int,), "study": (str,), "experiment": (str,), "seed": (int,), "method": (str,),
    "budget": (int,), "success": (bool,), "sequences": (int,),
    "milestones": (dict,), "test": (dict, None), "curve": (dict, None), "weights": (dict, None),
    "configuration": (dict,), "task": (dict,), "criteria": (dict,), "paper": (dict,), "note": (str,),
    "code_version": (str,), "run": (dict,),
}
#: The fields of a record that training computes (the rest describes the run or times it).
OUTCOME_FIELDS = ("success", "sequences", "milestones", "test", "curve", "weights")
_TRIAL_FILE = re.compile(r"trial-(\d{6,})\.json")


class RecordError(ValueError):
    """A stored record that cannot be used: unreadable, not JSON, against the schema, or in the wrong
    file. The message names the file and says what is wrong."""


def _type_ok(value, allowed) -> bool:
    if value is None:
        return None in allowed
    if isinstance(value, bool):
        return bool in allowed
    return isinstance(value, tuple(t for t in allowed if t is not None and t is not bool))


def validate(record: dict, path: str | os.PathLike | None = None) -> dict:
    """Check ``record`` against the schema and return it; raise :class:`RecordError` naming the file and key.

    Every key of :data:`REQUIRED` must be present with a value of its type, ``schema`` must be
    :data:`SCHEMA`, ``sequences`` at most ``budget``. With ``path`` (``.../<study>/<experiment>/trial-<seed>.json``)
    the record's study, experiment and seed must also be those its path names.
    """
    where = f"record {path}" if path is not None else "record"
    if not isinstance(record, dict):
        raise RecordError(f"{where} must be a JSON object, got {type(record).__name__}")
    for key, allowed in REQUIRED.items():
        if key not in record:
            raise RecordError(f"{where} has no key {key!r} (schema {SCHEMA} requires {sorted(REQUIRED)})")
        if not _type_ok(record[key], allowed):
            names = " or ".join("null" if t is None else t.__name__ for t in allowed)
            raise RecordError(f"{where}: key {key!r} must be {names}, got {record[key]!r:.80}")
    if record["schema"] != SCHEMA:
        raise RecordError(f"{where}: key 'schema' must be {SCHEMA}, got {record['schema']!r} (migrate it: "
                         f"python results/migrate.py)")
    if record["sequences"] > record["budget"]:
        raise RecordError(f"{where}: key 'sequences' ({record['sequences']}) exceeds key 'budget' "
                         f"({record['budget']})")
    if path is not None:
        path = Path(path)
        match = _TRIAL_FILE.fullmatch(path.name)
        if match is None:
            raise RecordError(f"{where}: a record's file name must be trial-<seed, 6 or more digits>.json "
                              f"(a copy or a stray file?); move it out of {path.parent} or delete it")
        expected = {"study": path.parent.parent.name, "experiment": path.parent.name,
                    "seed": int(match.group(1))}
        for key, value in expected.items():
            if record[key] != value:
                raise RecordError(f"{where}: key {key!r} is {record[key]!r}, but its path names {value!r} (a "
                                  f"record copied into the wrong folder or file?); move it or delete it")
    return record


def run_info(seconds: float, batch: int, versions: list[str]) -> dict:
    """A record's ``"run"``: ``seconds`` (of the whole chunk of trials so far), ``batch`` (trials trained
    together), ``finished`` (UTC) and, when more than one code version trained it, ``code_versions`` (in
    order; ``"unrecorded"`` for a checkpoint older than this field)."""
    return {"seconds": round(float(seconds), 3), "batch": int(batch),
            "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            **({"code_versions": list(versions)} if len(versions) > 1 else {})}


@functools.cache
def code_version() -> str:
    """The package version plus the git commit of the working tree (``+dirty`` if modified), if known.

    Read once per process, when this module is imported (below), so that the records of a long run name the
    code that the process loaded, even if the tree moves on while it runs."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "lstm_edu"], cwd=root,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+g{commit}" + (".dirty" if dirty else "")


code_version()  # the code this process loaded


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike):
    """Open a temporary binary file beside ``path``; on success it replaces ``path`` in one rename.

    An interrupted writer leaves ``path`` as it was (and at most a hidden ``.tmp-*`` file, which
    :func:`read_trials` never reads), so a reader never sees half a record or half a checkpoint.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):  # disk full, read-only, ...
            raise OSError(exc.errno, f"cannot write {path.name} in the folder {path.parent}: "
                          f"{exc.strerror or exc} (nothing half-written was left)") from exc
        raise


def write_record(path: str | os.PathLike, record: dict) -> Path:
    """Write ``record`` as JSON to ``path`` atomically (see :func:`atomic_file`)."""
    with atomic_file(path) as fh:
        fh.write((json.dumps(record, indent=1, sort_keys=True) + "\n").encode())
    return Path(path)


def read_record(path: str | os.PathLike) -> dict:
    """The record stored at ``path``, checked by :func:`validate` against the schema and its path; a file
    that cannot be read, is not JSON (empty, truncated) or breaks the schema raises :class:`RecordError`
    naming the file."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(f"record {path} cannot be read ({exc.__class__.__name__}: {exc}); "
                          f"delete it to run its trial again") from None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        what = "is empty" if not text.strip() else f"is not valid JSON (truncated or corrupted?): {exc}"
        raise RecordError(f"record {path} {what}; delete it to run its trial again") from None
    return validate(record, path)


def read_trials(directory: str | os.PathLike) -> list[dict]:
    """The trial records (``trial-*.json``) of one experiment's folder, sorted by seed, each read by
    :func:`read_record` (a file that is not a valid record of this folder raises :class:`RecordError`
    naming it: a record of an older schema, of another entry or seed, ``trial-000000 copy.json``)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"no stored results in {directory}: regenerate them (see the book's preface)")
    return [read_record(p) for p in sorted(directory.glob("trial-*.json"))]
