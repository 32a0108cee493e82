"""Stored records: atomic writes, reading back, code version."""

import json
import re

import pytest

from lstm_edu import results


def test_record_round_trip(tmp_path):
    path = results.write_record(tmp_path / "a" / "trial-000001.json", {"seed": 1, "success": True})
    assert json.loads(path.read_text()) == {"seed": 1, "success": True}
    assert results.read_records(tmp_path / "a") == [{"seed": 1, "success": True}]


def test_failed_write_leaves_the_old_record_and_no_visible_file(tmp_path):
    path = results.write_record(tmp_path / "r.json", {"seed": 1})
    with pytest.raises(RuntimeError):
        with results.atomic_file(path) as fh:
            fh.write(b'{"seed": 2, "half')
            raise RuntimeError("killed while writing")
    assert json.loads(path.read_text()) == {"seed": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_read_records_skips_hidden_temporary_files(tmp_path):
    results.write_record(tmp_path / "b.json", {"n": 2})
    (tmp_path / ".tmp-x.json").write_text("{not json")
    assert results.read_records(tmp_path) == [{"n": 2}]


def test_missing_results_folder_says_how_to_regenerate(tmp_path):
    with pytest.raises(FileNotFoundError, match="regenerate"):
        results.read_records(tmp_path / "nothing")


def test_code_version_names_the_package_version_and_commit():
    assert re.fullmatch(r"\d+\.\d+\.\d+(\+g[0-9a-f]{12}(\.dirty)?)?", results.code_version())
