"""Claims of the reproduction summary (book/experiments/summary.md), checked against the stored records.

The chapter prints these figures from ``lstm_edu.reproduction``; the tests recompute them from the record
files (or from the records the chapter reads) so that a regenerated record that changes a claim fails here.
"""

import json

import numpy as np
import pytest

from lstm_edu import experiments, reproduction

TABLE_1 = ["1-1", "1-2", "1-3", "1-4", "1-5"]


def ours(name):
    return reproduction.row_summary(name)["ours"]


@pytest.mark.parametrize("name", list(experiments.EXPERIMENTS))
def test_summary_is_the_record_files(name):
    """'The table is computed, never typed': trials, successes and mean sequences equal the files' own."""
    files = sorted((reproduction.RESULTS_DIR / "lstm1997" / name).glob("trial-*.json"))
    loaded = [json.loads(f.read_text()) for f in files]
    wins = [r["sequences"] for r in loaded if r["success"]]
    o = ours(name)
    assert o["trials"] == len(files)
    assert o["successes"] == len(wins)
    if wins:
        assert o["sequences_mean"] == np.mean(wins)
    else:
        assert o["sequences_mean"] is None


def test_the_budget_of_row_4_1_decides_its_success_rate():
    """Row 4-1: few trials within its budget, all of them when the same trials may run to 4-2's budget,
    at a mean well outside the target of twice the paper's."""
    short, long_ = ours("4-1"), ours("4-1_long")
    assert (short["successes"], short["trials"], short["budgets"]) == (1, 10, [370_000])
    assert (long_["successes"], long_["trials"], long_["budgets"]) == (10, 10, [1_100_000])
    ratio = long_["sequences_mean"] / reproduction.paper_sequences("4-1")
    assert 8.0 < ratio < 9.0                                      # "about eight times the paper's"


def test_capped_rows_ran_at_the_budgets_the_text_names():
    """Rows 2c-4 to 2c-9 ran with the paper's mean as their budget, row 4-3 with twice the paper's mean."""
    for name in [f"2c-{k}" for k in range(4, 10)]:
        assert ours(name)["budgets"] == [reproduction.paper_sequences(name)], name
    assert ours("4-3")["budgets"] == [2 * reproduction.paper_sequences("4-3")]
    assert reproduction.row_summary("4-3")["capped"]


def test_no_2b_net_succeeds():
    assert (ours("2b")["successes"], ours("2b")["trials"]) == (0, 18)


def test_the_caption_ranges_raise_the_success_rate_of_every_table_1_row():
    """Clearly in rows 1-1, 1-3, 1-4 and 1-5, by one trial (within chance) in 1-2; neither reading
    reaches the paper's 97-100%."""
    gain = {row: ours(f"{row}_caption")["successes"] - ours(row)["successes"] for row in TABLE_1}
    assert all(gain[row] >= 4 for row in ("1-1", "1-3", "1-4", "1-5")), gain
    assert gain["1-2"] == 1, gain
    for name in TABLE_1 + [f"{row}_caption" for row in TABLE_1]:
        assert ours(name)["success_percent"] < 97, name


def test_row_1_5_trained_four_times_as_long_still_fails_mostly():
    long_ = ours("1-5_long")
    assert long_["budgets"] == [4 * ours("1-5")["budgets"][0]]
    assert long_["successes"] < long_["trials"] / 2
