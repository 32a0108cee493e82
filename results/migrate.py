"""Migrate the stored trial records of a results folder to the one record schema (lstm_edu.results.SCHEMA).

``python results/migrate.py [--results DIR]`` (default: this folder). One function per study, each
``migrate_<study>(results: Path) -> dict`` (counts of records ``migrated`` and ``unchanged``), listed in
:data:`MIGRATIONS`. A migration keeps every outcome field (success, sequences, milestones, test, curve,
weights) and every other stored field as it is, only adds what schema 1 asks for, validates the result
(``lstm_edu.results.validate``) and writes it atomically. Records already of schema 1 are left untouched,
so running it twice changes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lstm_edu.results import SCHEMA, validate, write_record

HERE = Path(__file__).resolve().parent


def _trial_files(results: Path, study: str) -> list[Path]:
    return sorted((Path(results) / study).glob("*/trial-*.json"))


def migrate_lstm1997(results: Path) -> dict:
    """The LSTM records (``<results>/lstm1997/<experiment>/trial-<seed>.json``, written by the runner before
    schema 1) already hold every field of schema 1 but ``schema`` and ``study``: add those two."""
    counts = {"migrated": 0, "unchanged": 0}
    for path in _trial_files(results, "lstm1997"):
        record = json.loads(path.read_text())
        if record.get("schema") == SCHEMA:
            counts["unchanged"] += 1
            continue
        if "schema" in record or "study" in record:
            raise ValueError(f"record {path}: key 'schema' is {record.get('schema')!r}, expected none "
                             f"(a record of the old runner) or {SCHEMA}")
        write_record(path, validate({"schema": SCHEMA, "study": "lstm1997", **record}, path))
        counts["migrated"] += 1
    return counts


#: study -> its migration, run in this order.
MIGRATIONS = {"lstm1997": migrate_lstm1997}


def migrate(results: Path = HERE) -> dict:
    """Run every migration on the results folder ``results``; ``{study: counts}``."""
    results = Path(results)
    if not results.is_dir():
        raise FileNotFoundError(f"results must be a folder of stored results, got {results}")
    return {study: fn(results) for study, fn in MIGRATIONS.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=str(HERE), help=f"results folder (default {HERE})")
    args = parser.parse_args(argv)
    try:
        report = migrate(Path(args.results))
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for study, counts in report.items():
        print(f"{study}: {counts['migrated']} records migrated to schema {SCHEMA}, {counts['unchanged']} "
              f"already of schema {SCHEMA}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
