"""results/migrate.py: stored records to schema 1, every field kept bit for bit, idempotent."""

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from lstm_edu.results import RESULTS_DIR, validate

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("migrate", ROOT / "results" / "migrate.py")
migrate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(migrate)


def _old_runner_copy(tmp_path, rows) -> dict:
    """The stored records of ``rows`` as the runner before schema 1 wrote them (no ``schema``, no
    ``study``; the stored records are those plus the two keys): {path in tmp_path: record text}."""
    texts = {}
    for row in rows:
        for path in sorted((RESULTS_DIR / "lstm1997" / row).glob("trial-*.json")):
            record = json.loads(path.read_text())
            old = {k: v for k, v in record.items() if k not in ("schema", "study")}
            target = tmp_path / "lstm1997" / row / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(old, indent=1, sort_keys=True) + "\n")
            texts[target] = target.read_text()
    return texts


def test_migration_keeps_every_field_of_real_records_and_runs_once(tmp_path):
    # rows with weights and a Reber test (1-4), ABS tests and milestones (2a, cell_added), no weights
    # (2c-1), Experiment 3's ST1 and fraction_misclassified (3a-T100-N3), a variant with overrides
    rows = ["1-4", "2a", "2c-1", "3a-T100-N3", "2c-3_igb"]
    before = _old_runner_copy(tmp_path, rows)
    assert migrate.migrate(tmp_path)["lstm1997"] == {"migrated": len(before), "unchanged": 0}
    for path, text in before.items():
        old, new = json.loads(text), json.loads(path.read_text())
        validate(new, path)
        assert set(new) - set(old) == {"schema", "study"} and (new["schema"], new["study"]) == (1, "lstm1997")
        for key, value in old.items():  # every field, the outcome fields included, to the last bit
            assert json.dumps(new[key], sort_keys=True) == json.dumps(value, sort_keys=True), (path, key)
        for key in ("success", "sequences", "milestones", "test", "curve", "weights"):
            assert new[key] == old[key]
    migrated = {path: path.read_bytes() for path in before}
    assert migrate.migrate(tmp_path)["lstm1997"] == {"migrated": 0, "unchanged": len(before)}
    assert {path: path.read_bytes() for path in before} == migrated  # schema-1 records are left as they are


def test_every_stored_record_is_of_schema_1():
    paths = sorted((RESULTS_DIR / "lstm1997").glob("*/trial-*.json"))
    assert len(paths) > 800
    for path in paths:
        validate(json.loads(path.read_text()), path)


def test_migration_command_and_bad_folders(tmp_path, capsys):
    _old_runner_copy(tmp_path, ["4-1"])
    assert migrate.main(["--results", str(tmp_path)]) == 0
    assert "lstm1997: 10 records migrated to schema 1, 0 already of schema 1" in capsys.readouterr().out
    assert migrate.main(["--results", str(tmp_path / "none")]) == 2
    assert "results must be a folder" in capsys.readouterr().err
    path = next((tmp_path / "lstm1997" / "4-1").glob("trial-*.json"))
    record = json.loads(path.read_text())
    record["schema"] = 0
    path.write_text(json.dumps(record))
    with pytest.raises(ValueError, match=f"record {path}: key 'schema' is 0"):
        migrate.migrate(tmp_path)
    shutil.rmtree(tmp_path / "lstm1997")
    assert migrate.migrate(tmp_path)["lstm1997"] == {"migrated": 0, "unchanged": 0}
