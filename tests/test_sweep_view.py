"""lstm_edu.sweep_view: the lag sweep's figures and widget draw exactly the cells of a table, and the run panel
adds the cells of a real small sweep."""

import ipywidgets
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lstm_edu import lag_sweep, sweep_view, widgets  # noqa: E402

FAMILY = "noise_free"
LAGS = lag_sweep.FAMILIES[FAMILY].lags


def row(method, lag, n_trials, sequences, status=None, family=FAMILY):
    """A table row of the documented shape for ``n_trials`` trials, the successful ones having needed
    ``sequences`` (a list); the interval from lag_sweep.wilson."""
    wins = len(sequences)
    return {"family": family, "method": method, "lag": lag, "n_trials": n_trials, "n_success": wins,
            "rate": wins / n_trials if n_trials else 0.0, "ci": lag_sweep.wilson(wins, n_trials),
            "mean_sequences": float(np.mean(sequences)) if wins else None,
            "median_sequences": float(np.median(sequences)) if wins else None,
            "budget": lag_sweep.FAMILIES[family].budget,
            "status": status or ("stored" if n_trials >= lag_sweep.N_TRIALS else "partial"), "note": ""}


# LSTM succeeds at the first two lags, BPTT fails at the second and third, so its fourth is skipped.
ROWS = [row("lstm", LAGS[0], 20, [300] * 20), row("lstm", LAGS[1], 20, [500] * 14 + [900, 1100, 4000]),
        row("bptt", LAGS[0], 20, [2000, 6000, 9000]), row("bptt", LAGS[1], 20, []), row("bptt", LAGS[2], 20, []),
        row("bptt", LAGS[3], 0, [], status="skipped"), row("rtrl", LAGS[0], 7, [8000, 12000])]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def panel_of(fig, family=FAMILY):
    return next(ax for ax in fig.axes if ax.get_title() == lag_sweep.FAMILIES[family].label)


def line(ax, label):
    """The line labelled ``label`` (a plain line or an error bar's data line)."""
    found = [c.lines[0] for c in ax.containers if c.get_label() == label]
    found += [ln for ln in ax.get_lines() if ln.get_label() == label]
    assert len(found) == 1, [ln.get_label() for ln in ax.get_lines()] + [c.get_label() for c in ax.containers]
    return found[0]


def intervals(ax, label):
    """The (low, high) ends of the error bars of the points labelled ``label``."""
    (bars,) = next(c for c in ax.containers if c.get_label() == label).lines[2]
    return [tuple(segment[:, 1]) for segment in bars.get_segments()]


def test_success_figure_draws_each_stored_cell_with_its_interval_and_skipped_cells_hollow_at_zero():
    fig = sweep_view.success_figure(ROWS)
    assert len(fig.axes) == len(lag_sweep.FAMILIES)
    ax = panel_of(fig)
    assert ax.get_xscale() == "log"
    lstm, bptt = line(ax, "LSTM"), line(ax, "BPTT")
    np.testing.assert_allclose(lstm.get_ydata(), [1.0, 0.85])
    np.testing.assert_allclose(bptt.get_ydata(), [0.15, 0.0, 0.0])
    np.testing.assert_allclose(bptt.get_xdata() / np.array(LAGS[:3]), 1.0, rtol=0.1)  # moved aside a little
    np.testing.assert_allclose(intervals(ax, "LSTM"), [lag_sweep.wilson(20, 20), lag_sweep.wilson(17, 20)])
    np.testing.assert_allclose(intervals(ax, "BPTT")[0], lag_sweep.wilson(3, 20))
    hollow = [ln for ln in ax.get_lines() if ln.get_markerfacecolor() == "none" and len(ln.get_xdata())]
    assert len(hollow) == 1 and np.allclose(hollow[0].get_ydata(), [0.0])
    assert hollow[0].get_xdata()[0] == pytest.approx(LAGS[3], rel=0.1)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[-1] == sweep_view.SKIPPED_LABEL and {"LSTM", "BPTT", "RTRL"} <= set(labels)
    empty = panel_of(fig, "adding")
    assert [t.get_text() for t in empty.texts] == ["no cell stored yet"] and not empty.get_lines()


def test_cost_figure_draws_the_median_of_the_successful_trials_and_the_budget():
    fig = sweep_view.cost_figure(ROWS, families=[FAMILY])
    (ax,) = fig.axes
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    np.testing.assert_allclose(line(ax, "LSTM").get_ydata(), [300, 500])
    np.testing.assert_allclose(line(ax, "BPTT").get_ydata(), [6000])   # no point where no trial succeeded
    budget = line(ax, sweep_view.BUDGET_LABEL)
    assert list(budget.get_ydata()) == [lag_sweep.FAMILIES[FAMILY].budget] * 2


def test_a_fresh_run_is_drawn_apart_from_the_stored_cells():
    fresh = [row("lstm", LAGS[2], 5, [700, 800])]
    fig = sweep_view.success_figure(ROWS, families=[FAMILY], fresh=fresh)
    mine = line(fig.axes[0], "your run: LSTM")
    assert mine.get_marker() == "*" and mine.get_linestyle() == ":"
    np.testing.assert_allclose(mine.get_ydata(), [0.4])
    np.testing.assert_allclose(line(fig.axes[0], "LSTM").get_ydata(), [1.0, 0.85])


def test_cell_table_gives_the_numbers_and_names_cells_not_run_and_skipped():
    text = sweep_view.cell_table(ROWS, FAMILY, LAGS[0])
    assert "<td>17 of 20</td>" not in text and "<td>20 of 20</td>" in text and "<td>2 of 7</td>" in text
    assert "partial (7 trials so far)" in text and "1.00 (0.84-1.00)" in text and "6,000 (5,667)" in text
    assert text.count("not run") == len(lag_sweep.FAMILIES[FAMILY].methods) - 3
    assert "skipped (0 successes at two shorter lags)" in sweep_view.cell_table(ROWS, FAMILY, LAGS[3])


def test_cell_figure_has_a_bar_per_method_run_and_names_the_others():
    fig = sweep_view.cell_figure(ROWS, FAMILY, LAGS[0])
    left, right = fig.axes
    methods = [t.get_text() for t in left.get_yticklabels()]
    assert methods == [lag_sweep.METHODS[m] for m in lag_sweep.METHODS if m in lag_sweep.FAMILIES[FAMILY].methods]
    widths = {methods[::-1][round(p.get_y() + p.get_height() / 2)]: p.get_width() for p in left.patches}
    assert widths == {"LSTM": 1.0, "BPTT": 0.15, "RTRL": pytest.approx(2 / 7)}
    assert [t.get_text() for t in left.texts].count("not run") == len(methods) - 3
    medians = sorted(ln.get_xdata()[0] for ln in right.get_lines() if ln.get_marker() != "None")
    assert medians == [300, 6000, 10000]
    assert right.get_xscale() == "log" and right.get_lines()[-1].get_xdata()[0] == lag_sweep.FAMILIES[FAMILY].budget


def test_reach_is_the_longest_lag_with_half_the_trials_successful():
    assert sweep_view.reach(ROWS, FAMILY, "lstm") == {"reach": LAGS[1], "longest": LAGS[1], "skipped": []}
    assert sweep_view.reach(ROWS, FAMILY, "bptt") == {"reach": None, "longest": LAGS[2], "skipped": [LAGS[3]]}
    assert sweep_view.reach(ROWS, FAMILY, "bptt", at_least=0.1)["reach"] == LAGS[0]
    assert sweep_view.reach([], FAMILY, "elman") == {"reach": None, "longest": None, "skipped": []}


def test_the_widget_has_one_panel_per_family_and_lag_each_slider_linked_in_the_browser(monkeypatch):
    links, jslink = [], ipywidgets.jslink
    monkeypatch.setattr(ipywidgets, "jslink", lambda a, b: links.append((a, b)) or jslink(a, b))
    chosen = ["noise_free", "adding"]
    box = sweep_view.sweep_widget(ROWS, families=chosen, run=False, dpi=30)
    family_slider, outer = box.children
    families = [lag_sweep.FAMILIES[f] for f in chosen]
    assert list(family_slider.options) == [f.label for f in families]
    assert len(outer.children) == len(families)
    panels = 0
    for fam, inner in zip(families, outer.children):
        lag_slider, stack = inner.children
        assert list(lag_slider.options) == [str(lag) for lag in fam.lags]
        assert len(stack.children) == len(fam.lags)
        assert ((lag_slider, "index"), (stack, "selected_index")) in links
        panels += len(stack.children)
        for picture, numbers in (p.children for p in stack.children):
            assert picture.value[:4] == b"\x89PNG" and "<table" in numbers.value
    assert panels == sum(len(f.lags) for f in families)
    assert ((family_slider, "index"), (outer, "selected_index")) in links
    first = outer.children[0].children[1].children[0].children[1].value
    assert "20 of 20" in first and "not run" in first
    one = sweep_view.sweep_widget(ROWS, families=["latch"], dpi=30)  # one family: no task slider to move
    assert len(one.children) == 3 and list(one.children[0].options) == [str(lag) for lag in
                                                                         lag_sweep.FAMILIES["latch"].lags]
    assert len(one.children[1].children) == len(lag_sweep.FAMILIES["latch"].lags)  # then the run panel


def test_the_run_button_trains_a_real_small_sweep_and_adds_its_cell(tmp_path):
    """Random guessing on the latch at the shortest lag: a real lag_sweep.run of 2 trials. The panel's fresh
    cell is the row lag_sweep.run returns for the same call, and its figures are shown."""
    panel = sweep_view.RunPanel([], families=["latch"])
    lag = lag_sweep.FAMILIES["latch"].lags[0]
    panel.methods.value, panel.lag.value, panel.trials.value = ("guessing",), lag, 2
    panel.button.click()
    expected = lag_sweep.run("latch", ["guessing"], [lag], 2, out=tmp_path, progress=False)
    assert panel.fresh == expected and len(expected) == 1
    assert (expected[0]["family"], expected[0]["method"], expected[0]["lag"], expected[0]["n_trials"]) == \
        ("latch", "guessing", lag, 2)
    assert [p.value[:4] for p in panel.pictures.children] == [b"\x89PNG"] * 2


def test_the_run_button_says_why_it_did_not_run():
    panel = sweep_view.RunPanel([], families=[FAMILY])
    panel.methods.value = ()
    panel.button.click()
    assert "at least one method" in panel.output.outputs[-1]["text"] and panel.fresh == []


def test_the_run_button_shows_why_lag_sweep_refused(monkeypatch):
    def refuse(*args, **kwargs):
        raise ValueError("lags must be among [5, 10]")

    monkeypatch.setattr(lag_sweep, "run", refuse)
    panel = sweep_view.RunPanel([], families=[FAMILY])
    panel.button.click()
    assert panel.output.outputs[-1]["text"] == "Not run: lags must be among [5, 10]\n"
    assert panel.fresh == [] and panel.pictures.children == ()


@pytest.mark.parametrize("call, error, match", [
    (lambda: sweep_view.success_figure("rows"), TypeError, "rows must be a list"),
    (lambda: sweep_view.success_figure([{"family": FAMILY}]), ValueError, r"rows\[0\] lacks the keys"),
    (lambda: sweep_view.success_figure([dict(ROWS[0], status="done")]), ValueError, "status.*must be one of"),
    (lambda: sweep_view.cost_figure(ROWS, families=["nope"]), ValueError, "families must be one of"),
    (lambda: sweep_view.cost_figure(ROWS, families=[]), ValueError, "families must name at least one"),
    (lambda: sweep_view.success_figure(ROWS, fresh=[1]), TypeError, r"fresh\[0\] must be a dict"),
    (lambda: sweep_view.cell_figure(ROWS, "nope", 5), ValueError, "family must be one of"),
    (lambda: sweep_view.sweep_widget(ROWS, dpi=0), ValueError, "dpi"),
    (lambda: sweep_view.sweep_widget(ROWS, run="yes"), TypeError, "run"),
    (lambda: sweep_view.reach(ROWS, FAMILY, "lstm", at_least=1.5), ValueError, "at_least"),
    (lambda: sweep_view.reach(ROWS, FAMILY, "nope"), ValueError, "method must be one of"),
    (lambda: widgets.slider_panels([1, 2], [ipywidgets.Label()]), ValueError, "one widget per setting"),
    (lambda: sweep_view.RunPanel([]).run("nope", ["lstm"], 5, 1), ValueError, "family must be one of"),
])
def test_bad_arguments_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
