"""The chapter helpers of lstm_edu.plots, drawn from synthetic records shaped like the runner's."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_edu import plots  # noqa: E402
from trial_records import write_trial  # noqa: E402


def _write(out, name, outcomes, budget=150_000):
    for seed, (success, sequences) in enumerate(outcomes):
        write_trial(out, name, seed, {
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


def _write_tested(out, name, trials):
    """Records of row ``name`` with final tests: ``trials`` = [(success, wrong, mse, mean_abs_error), ...]."""
    for seed, (success, wrong, mse, mae) in enumerate(trials):
        write_trial(out, name, seed, {
            "experiment": name, "seed": seed, "success": success, "sequences": 1000 + seed, "budget": 5000,
            "milestones": {}, "code_version": "0.1.0+gabc",
            "test": {"n": 2560, "wrong": wrong, "mse": mse, "mean_abs_error": mae},
            "run": {"seconds": 10.0, "batch": 64, "finished": "2026-01-01T00:00:00+00:00"}})


def _cells(table, name):
    """The cells of row ``name`` of a Markdown table, keyed by the header."""
    lines = table.data.splitlines()
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    row = next(line for line in lines[2:] if line.startswith(f"| {name} |"))
    return dict(zip(header, (c.strip() for c in row.strip("|").split("|"))))


def test_test_errors_table_averages_successful_trials_beside_the_paper(tmp_path):
    # two successful trials and one failure, whose test must not count
    _write_tested(tmp_path, "5-140", [(True, 2, 0.001, 0.02), (True, 7, 0.003, 0.03), (False, 900, 0.5, 0.6)])
    cells = _cells(plots.test_errors_table(["5-140", "6a"], tmp_path), "5-140")
    assert cells["tested trials"] == "2"
    assert cells["sequences per test"] == "2,560"
    assert cells["wrong: mean (paper)"] == "4.5 (139)"          # (2 + 7) / 2; Table 8: 139 of 2560
    assert cells["wrong: most"] == "7"
    assert cells["MSE: mean (paper)"] == "0.0020 (0.0223)"
    assert cells["mean abs. error: mean"] == "0.0250"
    assert cells["mean abs. error: largest"] == "0.0300"


def test_test_errors_table_row_without_records_shows_dashes(tmp_path):
    cells = _cells(plots.test_errors_table(["6a"], tmp_path), "6a")
    assert cells["tested trials"] == "0"
    assert cells["wrong: mean (paper)"] == "- (1)"                # Table 9: 1 of 2560
    assert cells["MSE: mean (paper)"] == "-"                     # Table 9 gives no MSE


def test_cell_activity_draws_the_nets_own_trace():
    from lstm_edu.lstm1997 import build
    from lstm_edu.tasks import noise_signal

    net = build("3a", 1, seed=4)
    batch = noise_signal.task_3a(4, 20, 3, np.random.default_rng(0))
    fig, axes = plt.subplots(1, 4)
    trace = plots.cell_activity(axes, net, batch, [2, 0], ["b", "a"])
    direct = build("3a", 1, seed=4).forward(batch.x[[2]])
    n = int(batch.lengths[2])
    np.testing.assert_allclose(trace.cell_state[0, :n], direct.cell_state[0, :n])
    first = axes[1].get_lines()[0]                       # sequence 2, cell 1
    np.testing.assert_allclose(first.get_ydata(), direct.cell_state[0, :n, 0])
    assert len(axes[1].get_lines()) == 2 * 3 and first.get_label() == "b, unit 1"
    with pytest.raises(ValueError, match="one name per row"):
        plots.cell_activity(axes, net, batch, [0], ["a", "b"])
    plt.close(fig)


def test_learning_curves_legend_names_only_the_kinds_of_trial_drawn(tmp_path):
    _write(tmp_path, "2c-1", [(True, 20000), (False, 150_000)])
    _write(tmp_path, "2c-2", [(False, 160_000), (False, 160_000)], budget=160_000)
    fig, axes = plt.subplots(1, 2)
    for ax, name in zip(axes, ("2c-1", "2c-2")):
        plots.learning_curves(ax, name, tmp_path)
    labels = [[t.get_text() for t in ax.get_legend().get_texts()] for ax in axes]
    assert labels[0] == ["paper's mean until success", "successful trial", "failed trial"]
    assert labels[1] == ["paper's mean until success", "failed trial"]
    assert len(axes[1].get_lines()) == 2 + 1 + 1   # two curves, the paper's line, the legend's red line
    np.testing.assert_allclose(axes[1].get_lines()[0].get_ydata(), [0.4, 0.1])
    plt.close(fig)


def test_source_is_the_one_implementation_in_widgets():
    from lstm_edu import recurrent, widgets

    assert plots.source is widgets.source
    assert plots.source(recurrent.forward_pass).data.startswith("````python\ndef forward_pass(")


def test_table_is_one_markdown_table_with_a_row_per_result():
    shown = plots.table(["net", "error"], [["a|b", "1.0e-3"], ["c", "x<y"]])
    assert shown.data.splitlines() == ["| net | error |", "|---|---|", "| a\\|b | 1.0e-3 |", "| c | x&lt;y |"]
    with pytest.raises(ValueError, match=r"one cell per column of header \(2\), row 1 has 1"):
        plots.table(["net", "error"], [["a", "b"], ["c"]])
