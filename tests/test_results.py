"""Stored records: atomic writes, reading back, code version."""

import json
import re

import pytest

from lstm_edu import results


def test_record_round_trip(tmp_path):
    record = _valid()
    path = results.write_record(tmp_path / "lstm1997" / "4-1" / "trial-000007.json", record)
    assert json.loads(path.read_text()) == record
    assert results.read_trials(path.parent) == [record]


def test_failed_write_leaves_the_old_record_and_no_visible_file(tmp_path):
    path = results.write_record(tmp_path / "r.json", {"seed": 1})
    with pytest.raises(RuntimeError):
        with results.atomic_file(path) as fh:
            fh.write(b'{"seed": 2, "half')
            raise RuntimeError("killed while writing")
    assert json.loads(path.read_text()) == {"seed": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_read_trials_skips_hidden_temporary_files(tmp_path):
    folder, record = tmp_path / "lstm1997" / "4-1", _valid()
    results.write_record(folder / "trial-000007.json", record)
    (folder / ".tmp-x.json").write_text("{not json")
    assert results.read_trials(folder) == [record]


def test_missing_results_folder_says_how_to_regenerate(tmp_path):
    with pytest.raises(FileNotFoundError, match="regenerate"):
        results.read_trials(tmp_path / "nothing")


def test_code_version_names_the_package_version_and_commit():
    assert re.fullmatch(r"\d+\.\d+\.\d+(\+g[0-9a-f]{12}(\.dirty)?)?", results.code_version())


def test_code_version_is_the_one_read_at_import(monkeypatch):
    """A long run's records name the code its process loaded: git is not asked again later."""
    def no_git(*args, **kwargs):
        raise AssertionError("code_version asked git again")
    loaded = results.code_version()
    monkeypatch.setattr(results.subprocess, "run", no_git)
    assert results.code_version() == loaded


def _valid(**changes):
    record = {"schema": 1, "study": "lstm1997", "experiment": "4-1", "seed": 7, "method": "m", "budget": 100,
              "success": True, "sequences": 40, "milestones": {}, "test": None, "curve": None, "weights": None,
              "configuration": {}, "task": {}, "criteria": {}, "paper": {}, "note": "", "code_version": "0.1",
              "run": results.run_info(1.5, 4, ["a", "b"])}
    record.update(changes)
    return record


def test_validate_names_the_file_and_the_key_that_is_wrong(tmp_path):
    path = tmp_path / "lstm1997" / "4-1" / "trial-000007.json"
    assert results.validate(_valid(), path)["run"]["code_versions"] == ["a", "b"]
    assert set(results.REQUIRED) >= {"schema", *results.OUTCOME_FIELDS, "run", "code_version"}
    record = _valid()
    del record["curve"]
    with pytest.raises(ValueError, match=f"record {re.escape(str(path))} has no key 'curve'"):
        results.validate(record, path)
    cases = [(dict(success=1), "key 'success' must be bool, got 1"),
             (dict(sequences=True), "key 'sequences' must be int, got True"),
             (dict(test=[1]), "key 'test' must be dict or null"),
             (dict(schema=2), "key 'schema' must be 1, got 2"),
             (dict(sequences=101), r"key 'sequences' \(101\) exceeds key 'budget' \(100\)"),
             (dict(seed=8), "key 'seed' is 8, but its path names 7"),
             (dict(experiment="4-2"), "key 'experiment' is '4-2', but its path names '4-1'"),
             (dict(study="abuse"), "key 'study' is 'abuse', but its path names 'lstm1997'")]
    for change, message in cases:
        with pytest.raises(ValueError, match=message):
            results.validate(_valid(**change), path)
    results.validate(_valid(seed=8))  # without a path only the keys are checked
    assert "code_versions" not in results.run_info(1.0, 1, ["a"])


def test_read_trials_validates_every_record(tmp_path):
    folder = tmp_path / "lstm1997" / "4-1"
    results.write_record(folder / "trial-000007.json", _valid())
    assert [r["seed"] for r in results.read_trials(folder)] == [7]
    results.write_record(folder / "trial-000008.json", _valid(seed=8, schema=None))
    with pytest.raises(ValueError, match="trial-000008.json: key 'schema' must be int"):
        results.read_trials(folder)
