"""What the lag sweep shows: success against the time lag, method by method (the book's central figure).

The rows drawn here are :func:`lstm_edu.lag_sweep.table`'s, one per cell (a task family, a method, a lag):
``n_trials``, ``n_success``, ``rate`` with its Wilson 95% interval ``ci``, the mean and median sequences of the
successful trials, the ``budget`` and a ``status``. A cell is drawn from what is stored and nothing else:

- ``"stored"`` and ``"partial"`` cells with at least one trial: their success rate (a partial cell's interval is
  wider, as it should be);
- ``"skipped"`` cells (0 successes at two shorter lags, so the sweep did not run this one): a hollow marker at 0;
- cells with no trial, or with no row at all: not drawn in the figures, "not run" in the widget's tables.

:func:`success_figure` and :func:`cost_figure` are the two static figures, :func:`sweep_widget` the interactive
one: a task slider and a lag slider over panels drawn in advance (so it works in the HTML book with no kernel),
and, with a kernel, :class:`RunPanel`'s button that trains a small fresh sweep (``lag_sweep.run``) and draws its
cells beside the stored ones as "your run".
"""

from __future__ import annotations

import html
import tempfile

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np

from . import _checks, lag_sweep, widgets

#: The keys every row must have (``lag_sweep.table``'s).
ROW_KEYS = ("family", "method", "lag", "n_trials", "n_success", "rate", "ci", "mean_sequences",
            "median_sequences", "budget", "status", "note")
STATUSES = ("stored", "partial", "skipped")
SKIPPED_LABEL = "skipped after two lags with 0 successes"
BUDGET_LABEL = "budget (sequences per trial)"
_MARKERS = "osD^v<>phXd8P"  # no star: stars mark the reader's own cells
#: Fourteen colours that differ (tab10's, then four of Dark2's).
_COLOURS = [plt.get_cmap("tab10")(k) for k in range(10)] + ["#1b1b1b", "#a6761d", "#66a61e", "#e7298a"]


def _rows(name: str, rows) -> list[dict]:
    """``rows`` as a list of dicts with every key of :data:`ROW_KEYS`; a clear error naming ``name`` if not."""
    if isinstance(rows, dict) or isinstance(rows, str):
        raise TypeError(f"{name} must be a list of lag_sweep.table rows (dicts), got one {type(rows).__name__}")
    rows = list(rows)
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise TypeError(f"{name}[{i}] must be a dict (a lag_sweep.table row), got {type(row).__name__}")
        missing = [k for k in ROW_KEYS if k not in row]
        if missing:
            raise ValueError(f"{name}[{i}] lacks the keys {missing} of a lag_sweep.table row")
        _checks.choice(f"{name}[{i}]['status']", row["status"], STATUSES)
        _checks.choice(f"{name}[{i}]['family']", row["family"], lag_sweep.FAMILIES)
    return rows


def _families(families) -> list[str]:
    """``families`` (keys of ``lag_sweep.FAMILIES``, or None for all of them) as a non-empty list."""
    if families is None:
        return list(lag_sweep.FAMILIES)
    if isinstance(families, str):
        raise TypeError(f"families must be a list of family keys, not one str; allowed: {list(lag_sweep.FAMILIES)}")
    families = [_checks.choice("families", f, lag_sweep.FAMILIES) for f in families]
    if not families:
        raise ValueError(f"families must name at least one of {list(lag_sweep.FAMILIES)}")
    return families


def ran(row: dict) -> bool:
    """Whether a row holds trials (a stored or partial cell with at least one trial)."""
    return row["status"] != "skipped" and row["n_trials"] > 0


def cell(rows, family: str, method: str, lag: int) -> dict | None:
    """The row of one cell, or None where ``rows`` has none."""
    return next((r for r in rows if (r["family"], r["method"], r["lag"]) == (family, method, lag)), None)


def reach(rows, family: str, method: str, *, at_least: float = 0.5) -> dict:
    """How far ``method`` got on ``family``: ``{"reach": the longest lag whose stored cell has a success rate of
    at least ``at_least`` (None if no such cell), "longest": the longest lag with trials (None if none),
    "skipped": the lags skipped}``."""
    rows = _rows("rows", rows)
    _checks.choice("family", family, lag_sweep.FAMILIES)
    _checks.choice("method", method, lag_sweep.METHODS)
    if not 0.0 < _checks.positive_float("at_least", at_least) <= 1.0:
        raise ValueError(f"at_least must be a success rate in (0, 1], got {at_least}")
    mine = [r for r in rows if (r["family"], r["method"]) == (family, method)]
    done = [r["lag"] for r in mine if ran(r)]
    return {"reach": max((r["lag"] for r in mine if ran(r) and r["rate"] >= at_least), default=None),
            "longest": max(done, default=None),
            "skipped": sorted(r["lag"] for r in mine if r["status"] == "skipped")}


def style(method: str) -> dict:
    """The colour and marker of ``method`` in every figure (the order of ``lag_sweep.METHODS``); LSTM's lines
    (both readings) drawn heavier."""
    k = list(lag_sweep.METHODS).index(_checks.choice("method", method, lag_sweep.METHODS))
    return {"color": _COLOURS[k % len(_COLOURS)], "marker": _MARKERS[k % len(_MARKERS)],
            "lw": 2.2 if method in lag_sweep.LSTM_METHODS else 1.2}


def _methods_of(family: str, rows) -> list[str]:
    """The family's methods, then any other method that ``rows`` holds for it, in ``lag_sweep.METHODS`` order."""
    present = {r["method"] for r in rows if r["family"] == family}
    planned = set(lag_sweep.FAMILIES[family].methods)
    return [m for m in lag_sweep.METHODS if m in planned or m in present]


def _lags_of(family: str, rows) -> list[int]:
    """The family's planned lags and any other lag ``rows`` holds for it, ascending."""
    return sorted(set(lag_sweep.FAMILIES[family].lags) | {r["lag"] for r in rows if r["family"] == family})


def _grid(n: int, height: float):
    """Panels for ``n`` families, two a row, laid out with room for a legend below them."""
    ncols = min(n, 2)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.4 * ncols, height * nrows), squeeze=False,
                             layout="constrained")
    for ax in axes.flat[n:]:
        ax.remove()
    return fig, list(axes.flat[:n])


def _lag_axis(ax, family: str, lags) -> None:
    fam = lag_sweep.FAMILIES[family]
    ax.set_xscale("log")
    ax.set_xticks(lags, [str(lag) for lag in lags])
    ax.minorticks_off()
    ax.set_xlim(lags[0] / 1.4, lags[-1] * 1.4)
    ax.set_xlabel(f"time lag {fam.lag_name}")
    ax.set_title(fam.label, fontsize=10)


def _legend(fig, axes) -> None:
    """One legend for all panels, below them (each label once)."""
    seen = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(label, handle)
    for last in (SKIPPED_LABEL, BUDGET_LABEL):  # the markings after the methods
        if last in seen:
            seen[last] = seen.pop(last)
    if seen:
        fig.legend(seen.values(), seen.keys(), loc="outside lower center", fontsize=8, frameon=False,
                   ncol=min(len(seen), 4 if len(axes) > 1 else 2))


def _dodge(method: str, lags) -> np.ndarray:
    """``lags`` moved a little to the side by method (log x), so that intervals at the same lag stay apart."""
    k = list(lag_sweep.METHODS).index(method) - len(lag_sweep.METHODS) / 2
    return np.asarray(lags, dtype=float) * 1.012 ** k


def _line_style(method: str, fresh: bool) -> dict:
    """How a method's line is drawn: its own colour and marker, or stars on a dotted line for a fresh run."""
    st = style(method)
    return {"ls": ":" if fresh else "-", "marker": "*" if fresh else st["marker"], "ms": 11 if fresh else 5,
            "color": st["color"], "lw": st["lw"], "label": ("your run: " if fresh else "") + lag_sweep.METHODS[method]}


def _rate_lines(ax, rows, method: str, *, fresh: bool) -> None:
    """One method's success rate against the lag with its 95% intervals, skipped cells hollow at 0."""
    st = style(method)
    done = sorted((r for r in rows if ran(r)), key=lambda r: r["lag"])
    if done:
        rate = np.array([r["rate"] for r in done])
        ci = np.array([r["ci"] for r in done], dtype=float).reshape(-1, 2)
        ax.errorbar(_dodge(method, [r["lag"] for r in done]), rate, yerr=[rate - ci[:, 0], ci[:, 1] - rate],
                    capsize=2, elinewidth=0.8, **_line_style(method, fresh))
    skipped = [r["lag"] for r in rows if r["status"] == "skipped"]
    if skipped:
        ax.plot(_dodge(method, skipped), [0.0] * len(skipped), ls="none", marker=st["marker"], mfc="none",
                color=st["color"])
        ax.plot([], [], ls="none", marker="o", mfc="none", color="0.3", label=SKIPPED_LABEL)


def _method_panels(rows, families, fresh, lines):
    """A figure with one panel per family, on a lag axis, in which ``lines(ax, cells, method, fresh=...)`` has
    drawn each method's stored cells (``rows``) and ``fresh`` ones. Returns it and ``(ax, family, cells)``
    for each panel."""
    rows, fresh, families = _rows("rows", rows), _rows("fresh", fresh), _families(families)
    fig, axes = _grid(len(families), 3.0)
    panels = []
    for ax, family in zip(axes, families):
        mine = [r for r in rows if r["family"] == family]
        new = [r for r in fresh if r["family"] == family]
        for method in _methods_of(family, mine + new):
            lines(ax, [r for r in mine if r["method"] == method], method, fresh=False)
            lines(ax, [r for r in new if r["method"] == method], method, fresh=True)
        _lag_axis(ax, family, _lags_of(family, mine + new))
        panels.append((ax, family, mine + new))
    return fig, panels


def success_figure(rows, *, families=None, fresh=()):
    """Success rate against the time lag (log x), one panel per family, one line per method.

    Each point has its Wilson 95% interval as an error bar; skipped cells are hollow markers at 0; cells with no
    trial are not drawn. ``fresh`` rows (a run of the reader's) are drawn as stars on dotted lines. Returns
    the figure.
    """
    fig, panels = _method_panels(rows, families, fresh, _rate_lines)
    for ax, _, cells in panels:
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel("success rate (95% interval)")
        if not any(ran(r) or r["status"] == "skipped" for r in cells):
            ax.text(0.5, 0.5, "no cell stored yet", transform=ax.transAxes, ha="center", color="0.4")
    _legend(fig, fig.axes)
    return fig


def _cost_lines(ax, rows, method: str, *, fresh: bool) -> None:
    """One method's median sequences until success against the lag (cells with a success only)."""
    done = sorted((r for r in rows if ran(r) and r["median_sequences"] is not None), key=lambda r: r["lag"])
    if done:
        ax.plot([r["lag"] for r in done], [r["median_sequences"] for r in done], **_line_style(method, fresh))


def cost_figure(rows, *, families=None, fresh=()):
    """Median training sequences until success of the successful trials against the lag (log-log).

    One panel per family, one line per method; the family's budget is a dashed line (no trial can succeed
    above it). A cell without a success has no point. ``fresh`` rows are stars on dotted lines. Returns the
    figure.
    """
    fig, panels = _method_panels(rows, families, fresh, _cost_lines)
    for ax, family, cells in panels:
        budgets = [lag_sweep.FAMILIES[family].budget] + [r["budget"] for r in cells]
        for budget in sorted(set(budgets)):
            ax.axhline(budget, color="k", ls="--", lw=1, label=BUDGET_LABEL)
        medians = [r["median_sequences"] for r in cells if ran(r) and r["median_sequences"] is not None]
        ax.set_yscale("log")
        ax.set_ylim(min(medians + [budgets[0] / 1e3]) / 2, 2 * max(budgets))
        ax.set_ylabel("median sequences until success")
        if not medians:
            ax.text(0.5, 0.5, "no successful trial stored yet", transform=ax.transAxes, ha="center", color="0.4")
    _legend(fig, fig.axes)
    return fig


def cell_status(row: dict | None) -> str:
    """A cell's state in words: "not run", "skipped (...)", "partial (n trials)" or "stored"."""
    if row is None or (row["status"] != "skipped" and row["n_trials"] == 0):
        return "not run"
    if row["status"] == "skipped":
        return "skipped (0 successes at two shorter lags)"
    return f"partial ({row['n_trials']} trials so far)" if row["status"] == "partial" else "stored"


def _number(value) -> str:
    return "-" if value is None else f"{value:,.0f}"


def cell_table(rows, family: str, lag: int) -> str:
    """The numbers of one (family, lag): an HTML table, a row per method (the widget's table)."""
    rows = _rows("rows", rows)
    head = ["method", "successes", "rate (95% interval)", "median (mean) sequences", "cell"]
    body = []
    for method in _methods_of(_checks.choice("family", family, lag_sweep.FAMILIES), rows):
        row = cell(rows, family, method, lag)
        if row is not None and ran(row):
            cells = [f"{row['n_success']} of {row['n_trials']}",
                     f"{row['rate']:.2f} ({row['ci'][0]:.2f}-{row['ci'][1]:.2f})",
                     f"{_number(row['median_sequences'])} ({_number(row['mean_sequences'])})"]
        else:
            cells = ["-", "-", "-"]
        body.append([lag_sweep.METHODS[method], *cells, cell_status(row)])
    text = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in line) + "</tr>" for line in body)
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    fam = lag_sweep.FAMILIES[family]
    return (f'<table class="sweep-cell" style="font-size:0.8em;border-collapse:collapse">'
            f"<caption>{html.escape(fam.label)}, {fam.lag_name} = {lag}</caption>"
            f"<thead><tr>{header}</tr></thead><tbody>{text}</tbody></table>")


def cell_figure(rows, family: str, lag: int, *, fresh=()):
    """One (family, lag): each method's success rate with its 95% interval (left) and median sequences until
    success (right, log x, the budget dashed). ``fresh`` rows of this cell are drawn as stars. Returns the figure."""
    rows, fresh = _rows("rows", rows), _rows("fresh", fresh)
    fam = lag_sweep.FAMILIES[_checks.choice("family", family, lag_sweep.FAMILIES)]
    methods = _methods_of(family, rows + fresh)
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 1.2 + 0.32 * len(methods)), sharey=True)
    left.set_xlim(0, 1.05)
    right.set_xlim(1.0, fam.budget * 2)
    right.set_xscale("log")
    y = np.arange(len(methods))[::-1]
    for k, method in zip(y, methods):
        for row, shift, fresh_row in [(cell(rows, family, method, lag), 0.0, False),
                                      (cell(fresh, family, method, lag), -0.3, True)]:
            if row is None or not ran(row):
                if not fresh_row:
                    left.text(0.02, k, cell_status(row), va="center", fontsize=7, color="0.4")
                continue
            st = style(method)
            left.barh(k + shift, row["rate"], height=0.3 if fresh_row else 0.6, color=st["color"],
                      alpha=0.5 if fresh_row else 0.9, hatch="//" if fresh_row else None,
                      xerr=[[row["rate"] - row["ci"][0]], [row["ci"][1] - row["rate"]]], capsize=2)
            if row["median_sequences"] is not None:
                right.plot(row["median_sequences"], k + shift, marker="*" if fresh_row else st["marker"],
                           color=st["color"], ms=10 if fresh_row else 6)
    left.set_yticks(y, [lag_sweep.METHODS[m] for m in methods], fontsize=8)
    left.set_ylim(-0.7, len(methods) - 0.3)
    left.set_xlabel("success rate (95% interval)")
    right.axvline(fam.budget, color="k", ls="--", lw=1)
    right.set_xlabel("median sequences until success (budget dashed)")
    fig.suptitle(f"{fam.label}, {fam.lag_name} = {lag}" + (" (hatched: your run)" if fresh else ""), fontsize=10)
    fig.tight_layout()
    return fig


def _panel(rows, family: str, lag: int, dpi: int) -> ipywidgets.VBox:
    picture = widgets.figure_to_image(cell_figure(rows, family, lag), dpi=dpi)
    return ipywidgets.VBox([picture, ipywidgets.HTML(cell_table(rows, family, lag))])


def sweep_widget(rows, *, families=None, run: bool = True, dpi: int = 80) -> ipywidgets.VBox:
    """The lag sweep to explore: a task slider, a lag slider, and for the chosen cell each method's success
    rate and sequences until success, as a picture and a table of the numbers.

    Every (family, lag) panel is drawn in advance (one per planned lag of each family of ``families``) and the
    sliders are ``jslink``-ed to their stacks (:func:`lstm_edu.widgets.slider_panels`), so it works in the HTML
    book with no kernel. With ``run`` a :class:`RunPanel` follows: with a kernel, its button trains a small fresh
    sweep. Returns ``VBox([task slider, stack of (lag slider, panels) per family][, run panel])``, or for one
    family ``VBox([lag slider, stack of panels][, run panel])``.
    """
    rows, families = _rows("rows", rows), _families(families)
    _checks.boolean("run", run)
    _checks.positive_int("dpi", dpi)
    per_family = [widgets.slider_panels([str(lag) for lag in _lags_of(f, rows)],
                                        [_panel(rows, f, lag, dpi) for lag in _lags_of(f, rows)],
                                        description=f"time lag {lag_sweep.FAMILIES[f].lag_name}")
                  for f in families]
    box = (per_family[0] if len(families) == 1 else  # a task slider of one position could not move
           widgets.slider_panels([lag_sweep.FAMILIES[f].label for f in families], per_family, description="task"))
    return ipywidgets.VBox(list(box.children) + ([RunPanel(rows, families=families).widget] if run else []))


class RunPanel:
    """A small fresh sweep of the reader's: a task, methods, a lag, a number of trials and a budget, trained with
    ``lag_sweep.run`` into a temporary folder (a progress bar shows while it runs) and drawn beside the stored
    ``rows`` (needs a running kernel). ``fresh`` holds the rows of every run so far, ``pictures`` their figures
    (the cell's panel and the family's success against lag); ``widget`` is the whole panel."""

    def __init__(self, rows, *, families=None):
        self.rows, self.fresh = _rows("rows", rows), []
        families = _families(families)
        wide = ipywidgets.Layout(width="30em", max_width="100%")
        self.family = ipywidgets.Dropdown(options=[(lag_sweep.FAMILIES[f].label, f) for f in families],
                                          description="task", layout=wide)
        self.methods = ipywidgets.SelectMultiple(description="methods", rows=6, layout=wide)
        self.lag = ipywidgets.Dropdown(description="time lag")
        self.trials = ipywidgets.BoundedIntText(value=5, min=1, max=100, description="trials")
        self.budget = ipywidgets.BoundedIntText(min=1, max=10_000_000, step=1000, description="budget")
        self.button = ipywidgets.Button(description="run", button_style="primary", icon="play")
        self.output, self.pictures = ipywidgets.Output(), ipywidgets.VBox()
        self.family.observe(lambda change: self._choose(change["new"]), names="value")
        self._choose(self.family.value)
        self.button.on_click(lambda _: self._clicked())
        note = ipywidgets.HTML("<b>Your own sweep</b> (needs a running kernel: Jupyter, Binder): train fresh "
                               "trials of the chosen methods at one lag and add them to the figure.")
        self.widget = ipywidgets.VBox([note, self.family, self.methods, self.lag, self.trials, self.budget,
                                       self.button, self.output, self.pictures])

    def _choose(self, family: str) -> None:
        fam = lag_sweep.FAMILIES[family]
        self.methods.options = [(lag_sweep.METHODS[m], m) for m in fam.methods]
        self.methods.value = tuple(fam.methods[:2])
        self.lag.options = list(fam.lags)
        self.lag.value = fam.lags[0]
        self.budget.value = fam.budget

    def run(self, family: str, methods, lag: int, n_trials: int, budget: int | None = None) -> list[dict]:
        """Train ``n_trials`` fresh trials of each of ``methods`` on ``family`` at ``lag`` under ``budget``
        sequences a trial (None: the family's) in a temporary folder; their rows are added to ``fresh`` and
        returned."""
        _checks.choice("family", family, lag_sweep.FAMILIES)
        with tempfile.TemporaryDirectory() as folder:
            new = lag_sweep.run(family, list(methods), [lag], n_trials, budget=budget, out=folder, progress=True)
        self.fresh.extend(_rows("lag_sweep.run's rows", new))
        return new

    def _clicked(self) -> None:
        family, methods, lag, n = self.family.value, self.methods.value, self.lag.value, self.trials.value
        budget, failed = self.budget.value, None
        self.output.clear_output()
        if not methods:
            self.output.append_stdout("Choose at least one method.\n")
            return
        with self.output:  # the progress bar shows here
            try:
                self.run(family, methods, lag, n, budget)
            except (ValueError, TypeError) as error:
                failed = error
        if failed is not None:
            self.output.append_stdout(f"Not run: {failed}\n")
            return
        self.pictures.children = [widgets.figure_to_image(fig) for fig in (
            cell_figure(self.rows, family, lag, fresh=self.fresh),
            success_figure(self.rows, families=[family], fresh=self.fresh))]
