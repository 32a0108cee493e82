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


def migrate_alternatives(results: Path) -> dict:
    """Bengio et al.'s alternatives and guessing: the old records ``alternatives/comparison/<task>_T<T>_<method>_
    seed<s>.json`` and ``alternatives/guessing/<variant>_run<s>.json`` (keys ``config``, ``evaluations``,
    ``solved_training``, ``test_accuracy``, ``theta``, ``wall_s_per_trial``; ``budget`` in evaluations) become
    schema-1 records of the entries of ``lstm_edu.bengio_study`` at ``alternatives/<entry>/trial-<seed>.json``,
    made by the study's own record builder (``Cell.record``): success and sequences as they are, evaluations
    and solved_training under ``milestones``, the test accuracy under ``test`` (with the count of wrong test
    sequences it implies), theta under ``weights``, the budget in sequences (evaluations times the training
    set), the code version as it is, the wall time per trial and the old file under ``run``. The old files
    are then removed; records already of schema 1 are counted as unchanged."""
    from lstm_edu import bengio_study

    root = Path(results)
    old_paths = [p for part in ("comparison", "guessing")
                 for p in sorted((root / "alternatives" / part).glob("*.json"))]
    for path in old_paths:
        old = json.loads(path.read_text())
        c = old["config"]
        name = (bengio_study.guessing_name(c["variant"]) if old["experiment"] == "guessing"
                else bengio_study.cell_name(c["task"], c["T"], c["method"]))
        cell = bengio_study.ENTRIES[name]
        if (c["settings"], old["budget"], c["n_train"]) != (bengio_study.SETTINGS[cell.method], cell.evaluations,
                                                           cell.n_train):
            raise ValueError(f"record {path}: settings, budget or training set differ from entry {name}'s")
        result = {"success": old["success"], "sequences": old["sequences"], "evaluations": old["evaluations"],
                  "solved_training": old["solved_training"], "test_accuracy": old["test_accuracy"],
                  "theta": old["theta"]}
        run = {"seconds_per_trial": old["wall_s_per_trial"], "migrated_from": path.relative_to(root).as_posix()}
        new = cell.record(old["seed"], old["budget"] * cell.n_train, result, old["code_version"], run)
        target = root / "alternatives" / name / f"trial-{old['seed']:06d}.json"
        write_record(target, validate(new, target))
    for path in old_paths:
        path.unlink()
    for part in ("comparison", "guessing"):
        if (root / "alternatives" / part).is_dir() and not any((root / "alternatives" / part).iterdir()):
            (root / "alternatives" / part).rmdir()
    return {"migrated": len(old_paths),
            "unchanged": len(_trial_files(results, "alternatives")) - len(old_paths)}


#: study -> its migration, run in this order.
MIGRATIONS = {"lstm1997": migrate_lstm1997, "alternatives": migrate_alternatives}


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
