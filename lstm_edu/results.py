"""Stored experiment results: one JSON record per trial, written atomically.

Every record carries the seed, the configuration, the budget and the code version that produced it,
so that the book's tables can always be traced back to a run. Records are written to a temporary
file and renamed into place, so an interrupted run never leaves a half-written record behind and a
resumed run can skip every trial whose record exists.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
from pathlib import Path

from . import __version__

#: The repository's stored results, read by the book's chapters.
RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"


def code_version() -> str:
    """The package version plus the git commit of the working tree (``+dirty`` if modified), if known."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "lstm_edu"], cwd=root,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+g{commit}" + (".dirty" if dirty else "")


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike):
    """Open a temporary binary file beside ``path``; on success it replaces ``path`` in one rename.

    An interrupted writer leaves ``path`` as it was (and at most a hidden ``.tmp-*`` file, which
    :func:`read_records` ignores), so a reader never sees half a record or half a checkpoint.
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
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_record(path: str | os.PathLike, record: dict) -> Path:
    """Write ``record`` as JSON to ``path`` atomically (see :func:`atomic_file`)."""
    with atomic_file(path) as fh:
        fh.write((json.dumps(record, indent=1, sort_keys=True) + "\n").encode())
    return Path(path)


def read_records(directory: str | os.PathLike) -> list[dict]:
    """All records (``*.json``) in ``directory``, sorted by file name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"no stored results in {directory}: regenerate them (see the book's preface)")
    return [json.loads(p.read_text()) for p in sorted(directory.glob("*.json")) if not p.name.startswith(".")]
