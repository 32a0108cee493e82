"""lstm_edu.learned_view: the table and figure of the chapters of Experiments 4 to 6, against the stored records
read directly from their JSON files."""

import json
from pathlib import Path

import matplotlib
import matplotlib.collections

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_edu import experiments, learned_view  # noqa: E402
from lstm_edu.results import RESULTS_DIR  # noqa: E402


def raw(name):
    return [json.loads(p.read_text()) for p in sorted((Path(RESULTS_DIR) / "lstm1997" / name).glob("trial-*.json"))]


def test_entries_put_each_stored_variant_after_its_row():
    got = learned_view.entries(["4-1", "4-2"])
    stored = [v for v, exp in experiments.VARIANTS.items() if exp.base == "4-1" and raw(v)]
    assert got == ["4-1", *stored, "4-2", *[v for v, e in experiments.VARIANTS.items() if e.base == "4-2" and raw(v)]]
    assert "4-1_long" in got


def test_reading_line_counts_the_records_of_a_variant():
    """The sentence on 4-1_igb_alpha, recomputed from its JSON files: its change, successes within the budget,
    their mean against the paper's 74,000, and the milestone's trials and range."""
    recs = raw("4-1_igb_alpha")
    ok = [r["sequences"] for r in recs if r["success"]]
    one = sorted(r["milestones"]["learned_1pct"] for r in recs if "learned_1pct" in r["milestones"])
    line = learned_view.reading_line("4-1_igb_alpha", "learned_1pct")
    assert line == (f"4-1_igb_alpha (input-gate biases -3 and -3 instead of -3 and -6, and learning rate 1.0 instead "
                    f"of 0.5): {len(ok)} of {len(recs)} met ST3 within {recs[0]['budget']:,} sequences, after "
                    f"{np.mean(ok):,.0f} on average ({np.mean(ok) / 74_000:.1f} times the paper's mean of 74,000); "
                    f"learned (1 % wrong) in {len(one)} of {len(recs)}, after {one[0]:,} to {one[-1]:,}")
    with pytest.raises(ValueError, match="key must be one of"):
        learned_view.reading_line("4-1", "soon")


def test_milestones_and_table_cells_count_the_records():
    recs = raw("4-1")
    for key in learned_view.MILESTONES:
        assert learned_view.milestone("4-1", key) == [r["milestones"][key] for r in recs if key in r["milestones"]]
    text = learned_view.table(["4-1", "4-1_long"]).data
    row = next(line for line in text.splitlines() if line.startswith("| 4-1 |"))
    ok = [r["sequences"] for r in recs if r["success"]]
    assert f"{len(ok)} of {len(recs)}" in row
    learned = [r["milestones"]["learned_1pct"] for r in recs if "learned_1pct" in r["milestones"]]
    assert f"{len(learned)} of {len(recs)}, mean {np.mean(learned):,.0f}" in row
    assert learned_view.reading("4-1") == "as written"
    long_row = next(line for line in text.splitlines() if line.startswith("| 4-1_long |"))
    measured = all("learned" in r["criteria"] for r in raw("4-1_long"))
    assert ("not measured" in long_row) != measured
    assert learned_view.reading("4-1_long") in long_row


def test_the_figure_draws_every_trial_and_milestone():
    fig, ax = plt.subplots()
    learned_view.figure(ax, ["6a"])
    scatters = [c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]
    points = np.concatenate([c.get_offsets() for c in scatters if len(c.get_offsets())])
    recs = raw("6a")
    expected = sorted([r["sequences"] for r in recs] + [v for r in recs for k, v in r["milestones"].items()
                                                         if k in learned_view.MILESTONES])
    assert sorted(points[:, 1].tolist()) == expected
    plt.close(fig)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="key must be one of"):
        learned_view.milestone("4-1", "learned_5pct")
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="labels must hold one label per entry"):
        learned_view.figure(ax, ["4-1", "4-2"], labels=["one"])
    plt.close(fig)
