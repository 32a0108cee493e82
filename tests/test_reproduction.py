"""The reproduction summary: statuses and figures from synthetic records, and the command line."""

import json

import pytest

from lstm_edu import __main__ as cli
from lstm_edu import reproduction as R
from trial_records import write_trial


def _write(out, name, outcomes):
    """One record per (success, sequences) pair, shaped like the runner's."""
    for seed, (success, sequences) in enumerate(outcomes):
        write_trial(out, name, seed, {
            "experiment": name, "seed": seed, "success": success, "sequences": sequences, "budget": 160_000,
            "milestones": {} if success or sequences == 160_000 else {"diverged": sequences},
            "test": {"n": 2560, "wrong": 2 * seed, "mse": 0.01, "mean_abs_error": 0.05} if success else None,
            "code_version": "0.1.0+gabc", "curve": {"every": 1000, "mean_loss": [0.4, 0.1]},
            "run": {"batch": 2, "seconds": 10.0 * (seed + 1)}})


def test_paper_figures_of_rows():
    assert R.paper_sequences("6a") == 31390 and R.paper_sequences("3a-T100-N3") == 39850
    assert R.paper_sequences("3c-T100-N1") == 565640 and R.paper_success_percent("1-3") == 97
    assert R.paper_success_percent("4-1") == 100


@pytest.mark.parametrize("outcomes, status", [
    ([(True, 30000)] * 20, "reproduced"),
    ([(True, 62780)] * 20, "reproduced"),              # exactly twice the paper's 31,390
    ([(True, 62781)] * 20, "slower"),
    ([(True, 20000)] * 19 + [(False, 160_000)], "fewer successes"),
])
def test_status_follows_the_books_target(tmp_path, outcomes, status):
    _write(tmp_path, "6a", outcomes)
    row = R.row_summary("6a", tmp_path)
    assert row["status"] == status and not row["partial"]
    assert row["ours"]["trials"] == 20 and row["paper"]["sequences_mean"] == 31390


def test_figures_and_partial_rows(tmp_path):
    _write(tmp_path, "6a", [(True, 10000), (True, 30000), (False, 1234)])
    o = R.row_summary("6a", tmp_path)
    assert o["partial"] and o["status"] == "fewer successes"
    ours = o["ours"]
    assert ours["successes"] == 2 and ours["success_percent"] == pytest.approx(200 / 3)
    assert (ours["sequences_mean"], ours["sequences_min"], ours["sequences_max"]) == (20000, 10000, 30000)
    assert ours["test_wrong_mean"] == 1 and ours["diverged"] == 1 and ours["budgets"] == [160_000]
    assert ours["wall_seconds"] == 20 + 30  # chunks {0, 1} and {2}: the last finish of each
    assert R.row_summary("6b", tmp_path)["status"] == "not run" and not R.row_summary("6b", tmp_path)["capped"]
    assert not o["capped"]  # 160,000 is row 6a's default budget
    _write(tmp_path, "6b", [(False, 160_000)] * 10)  # row 6b's default is 2,900,000: these ran under a cap
    capped = R.row_summary("6b", tmp_path)
    assert capped["capped"] and not capped["partial"] and capped["default_budget"] == 2_900_000
    assert R.table_rows([capped])[1][-1] == "fewer successes (capped budget)"


def test_summary_command_prints_every_row(tmp_path, capsys):
    _write(tmp_path, "6a", [(True, 30000)] * 20)
    assert cli.main(["summary", "--json", "--out", str(tmp_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["experiment"] for r in rows][:2] == ["1-1", "1-2"] and len(rows) == 31
    assert {r["experiment"]: r["status"] for r in rows}["6a"] == "reproduced"
    assert cli.main(["summary", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "6a" in text and "1 reproduced" in text and "30 not run" in text
    table = R.markdown_table(R.table_rows(rows[-2:]))
    assert table.count("\n") == 3 and "| 6a |" in table
