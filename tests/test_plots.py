"""The chapter helpers of lstm_edu.plots, drawn from synthetic records shaped like the runner's."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_edu import plots  # noqa: E402
from lstm_edu.experiments import record_path  # noqa: E402
from lstm_edu.results import write_record  # noqa: E402


def _write(out, name, outcomes, budget=150_000):
    for seed, (success, sequences) in enumerate(outcomes):
        write_record(record_path(out, name, seed), {
            "experiment": name, "seed": seed, "success": success, "sequences": sequences, "budget": budget,
            "milestones": {}, "test": {"n": 10000, "wrong": 0} if success else None,
            "code_version": "0.1.0+gabc", "curve": {"every": 1000, "mean_loss": [0.4, 0.1]},
            "run": {"seconds": 10.0, "batch": 64, "finished": "2026-01-01T00:00:00+00:00"}})


def test_sequences_against_draws_our_means_and_the_papers(tmp_path):
    _write(tmp_path, "2c-1", [(True, 20000), (True, 40000), (False, 150_000)])
    _write(tmp_path, "2c-2", [(True, 62000)])
    fig, ax = plt.subplots()
    plots.sequences_against(ax, ["2c-1", "2c-2", "2c-3"], [50, 100, 200], tmp_path, label="q")
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    ours = lines["our mean"].get_xydata()
    np.testing.assert_allclose(ours, [[50, 30000], [100, 62000]])        # failures and empty rows left out
    np.testing.assert_allclose(lines["paper's mean"].get_ydata(), [30000, 31000, 33000])
    assert "no successful trial yet: 2c-3" in lines
    assert ax.get_xlabel() == "q" and ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="one value per row"):
        plots.sequences_against(ax, ["2c-1"], [1, 2], tmp_path)
    plt.close(fig)


def test_ours_vs_paper_sentence(tmp_path):
    _write(tmp_path, "2c-1", [(True, 15000), (True, 45000), (False, 150_000)])
    text = plots.ours_vs_paper("2c-1", tmp_path)
    assert text.startswith("row 2c-1: 2 of 3 trials successful (paper: 100%)")
    assert "mean 30,000 sequences until success, 1.00 times the paper's 30,000 (range 15,000 to 45,000)" in text
    assert "budget 150,000" in text and "3 of the paper's 20 trials" in text and "fewer successes" in text
    assert plots.ours_vs_paper("2c-2", tmp_path).startswith("row 2c-2: no stored trials yet")
