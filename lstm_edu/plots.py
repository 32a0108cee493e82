"""What the chapters show: the package's code, tables of results, and the experiment chapters' figures.

:func:`source` (:func:`lstm_edu.widgets.source`, re-exported) shows functions of the package as highlighted
Python that wraps at the page's column; :func:`table` turns rows of a computation into one table. The figures
of the experiment chapters are drawn from the stored trial records (:mod:`lstm_edu.reproduction`): every such
function draws into a matplotlib ``Axes`` it is given and returns it, so a chapter composes its figures and a
reader finds here the code behind each one.
"""

from __future__ import annotations

import html

import numpy as np
from IPython.display import Markdown

from . import reproduction
from .results import RESULTS_DIR
from .widgets import source  # noqa: F401 (re-exported: one implementation, used as plots.source by the chapters)


def table(header, rows) -> Markdown:
    """One table for the page: ``header`` (column names) and ``rows`` (one sequence of cells per row, cells
    already formatted as text). Rendered by the book as a real table (Markdown), readable as text elsewhere."""
    header = [str(h) for h in header]
    rows = [[html.escape(str(c), quote=False) for c in row] for row in rows]
    for i, row in enumerate(rows):
        if len(row) != len(header):
            raise ValueError(f"rows must have one cell per column of header ({len(header)}), row {i} has {len(row)}")
    return Markdown(reproduction.markdown_table([header] + rows))


def learning_curves(ax, name: str, out=RESULTS_DIR, *, max_trials: int | None = None, log: bool = True):
    """The learning curve of every stored trial of row ``name``: mean training error E per interval.

    Successful trials are drawn in blue and end where their stopping rule held, failed ones in red; a
    dashed line marks the paper's mean sequences until success. Returns ``ax``.
    """
    recs = reproduction.records(name, out)
    if not recs:
        raise FileNotFoundError(f"no stored results for row {name}: run python -m lstm_edu run {name}")
    for r in recs[:max_trials]:
        curve = np.asarray(r["curve"]["mean_loss"], dtype=float)
        x = r["curve"]["every"] * np.arange(1, curve.size + 1)
        ax.plot(x, curve, lw=0.8, alpha=0.6, color="tab:blue" if r["success"] else "tab:red")
    ax.axvline(reproduction.paper_sequences(name), color="k", ls="--", lw=1, label="paper's mean until success")
    if any(r["success"] for r in recs):
        ax.plot([], [], color="tab:blue", label="successful trial")
    if not all(r["success"] for r in recs):
        ax.plot([], [], color="tab:red", label="failed trial")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("training sequences")
    ax.set_ylabel("mean training error E per sequence")
    ax.set_title(f"row {name}: {len(recs)} trials")
    ax.legend(fontsize="small")
    return ax


def sequences_until_success(ax, names, out=RESULTS_DIR, *, labels=None):
    """Per row, every successful trial's training sequences (dots), our mean (bar) and the paper's (cross).

    Failed trials are counted in the tick label. Returns ``ax``.
    """
    names = list(names)
    labels = names if labels is None else list(labels)
    labelled = False  # the legend entries go with the first row that has a successful trial
    for i, name in enumerate(names):
        recs = reproduction.records(name, out)
        seqs = np.array([r["sequences"] for r in recs if r["success"]], dtype=float)
        if seqs.size:
            jitter = np.linspace(-0.15, 0.15, seqs.size)
            ax.scatter(i + jitter, seqs, s=12, color="tab:blue", alpha=0.7,
                       label=None if labelled else "one successful trial")
            ax.hlines(seqs.mean(), i - 0.3, i + 0.3, color="tab:blue", lw=2, label=None if labelled else "our mean")
            labelled = True
        ax.scatter([i], [reproduction.paper_sequences(name)], marker="x", s=60, color="k", zorder=3,
                   label="paper's mean" if i == 0 else None)
        failed = sum(not r["success"] for r in recs)
        labels[i] = f"{labels[i]}\n{seqs.size}/{len(recs)} solved" + (f"\n{failed} failed" if failed else "")
    ax.set_xticks(range(len(names)), labels)
    ax.set_yscale("log")
    ax.set_ylabel("training sequences until success")
    ax.legend(fontsize="small")
    return ax


def comparison_table(names, out=RESULTS_DIR) -> Markdown:
    """Our figures beside the paper's for the rows ``names``, as a Markdown table for the page."""
    return Markdown(reproduction.markdown_table(reproduction.table_rows(reproduction.summary(out, names))))


def sequences_against(ax, names, values, out=RESULTS_DIR, *, label=None):
    """Sequences until success of the rows ``names`` against a task parameter ``values`` (one per row).

    Every successful trial is a dot, our mean per row a line with squares, the paper's mean a dashed
    line with crosses; rows without successful trials are left out of our line (and named in the
    legend's note). For scaling claims such as Table 3's ("learning time grows slowly with the lag").
    Returns ``ax``.
    """
    names, values = list(names), np.asarray(values, dtype=float)
    if len(names) != values.size:
        raise ValueError(f"values must hold one value per row ({len(names)}), got {values.size}")
    means, missing = [], []
    for i, (name, x) in enumerate(zip(names, values)):
        seqs = np.array([r["sequences"] for r in reproduction.records(name, out) if r["success"]], dtype=float)
        if seqs.size:
            ax.scatter(np.full(seqs.size, x), seqs, s=10, color="tab:blue", alpha=0.4,
                       label="one successful trial" if not means else None)
            means.append((x, seqs.mean()))
        else:
            missing.append(name)
    if means:
        ax.plot(*np.array(means).T, "s-", color="tab:blue", label="our mean")
    ax.plot(values, [reproduction.paper_sequences(n) for n in names], "x--", color="k", label="paper's mean")
    if missing:
        ax.plot([], [], " ", label="no successful trial yet: " + ", ".join(missing))
    ax.set_yscale("log")
    ax.set_xlabel(label or "task parameter")
    ax.set_ylabel("training sequences until success")
    ax.legend(fontsize="small")
    return ax


def ours_vs_paper(name: str, out=RESULTS_DIR) -> str:
    """One sentence comparing row ``name``'s stored trials with the paper (for computed prose)."""
    s = reproduction.row_summary(name, out)
    o, p = s["ours"], s["paper"]
    if not o["trials"]:
        return f"row {name}: no stored trials yet (the paper's mean: {p['sequences_mean']:,} sequences)."
    text = f"row {name}: {o['successes']} of {o['trials']} trials successful (paper: {p['success_percent']:.0f}%)"
    if o["successes"]:
        text += (f", mean {o['sequences_mean']:,.0f} sequences until success, "
                 f"{o['sequences_mean'] / p['sequences_mean']:.2f} times the paper's {p['sequences_mean']:,} "
                 f"(range {o['sequences_min']:,} to {o['sequences_max']:,})")
    budgets = "/".join(f"{b:,}" for b in o["budgets"])
    partial = f", {o['trials']} of the paper's {p['trials']} trials" if s["partial"] else ""
    return f"{text}; budget {budgets} sequences per trial{partial}; status: {s['status']}."


def test_errors_table(names, out=RESULTS_DIR) -> Markdown:
    """The final tests of the rows ``names`` beside the paper's, as a Markdown table for the page.

    Over the successful trials of each row (the paper reports tests after success): sequences tested per
    trial, wrong sequences (mean and largest), mean squared error and mean absolute error at the sequence
    end (mean over trials, and the largest mean absolute error of a trial). The paper's figure is in
    brackets where it gives one (``wrong_of_2560``, ``test_mse`` of the row's ``paper`` figures).
    """
    rows = [["row", "tested trials", "sequences per test", "wrong: mean (paper)", "wrong: most",
             "MSE: mean (paper)", "mean abs. error: mean", "mean abs. error: largest"]]
    for name in names:
        paper = reproduction.row_summary(name, out)["paper"]
        tests = [r["test"] for r in reproduction.records(name, out) if r["success"] and r.get("test")]

        def stat(key, fn):
            values = [t[key] for t in tests if t.get(key) is not None]
            return fn(values) if values else None

        def with_paper(value, key, digits):
            text = reproduction._fmt(value, digits)
            return text + (f" ({paper[key]:,})" if key in paper else "")

        rows.append([name, str(len(tests)), reproduction._fmt(stat("n", max)),
                     with_paper(stat("wrong", np.mean), "wrong_of_2560", 1), reproduction._fmt(stat("wrong", max)),
                     with_paper(stat("mse", np.mean), "test_mse", 4),
                     reproduction._fmt(stat("mean_abs_error", np.mean), 4),
                     reproduction._fmt(stat("mean_abs_error", max), 4)])
    return Markdown(reproduction.markdown_table(rows))


def cell_activity(axes, net, batch, rows, names):
    """What a trained net (P = 1) does on a few sequences: four panels, given as ``axes``.

    Input gates, cell states s_c (the constant error carousels), output gates and outputs over time
    (:meth:`~lstm_edu.lstm1997.LSTM1997.forward`) for the sequences ``rows`` of ``batch`` (a
    :class:`~lstm_edu.tasks.SequenceBatch`), one line style per sequence (labelled by ``names``), one
    colour per unit; stars mark the targets at the steps that have one. Returns the
    :class:`~lstm_edu.lstm1997.Trace` (sequences in the order of ``rows``).
    """
    rows, names = [int(r) for r in rows], list(names)
    if net.P != 1 or len(axes) != 4 or len(names) != len(rows):
        raise ValueError(f"need one net (P = 1, got {net.P}), 4 axes (got {len(axes)}) and one name per row "
                         f"({len(rows)} rows, {len(names)} names)")
    trace = net.forward_one(batch.x[rows])
    styles = ("-", "--", ":", "-.")
    panels = (("input_gate", "input gates"), ("cell_state", "cell states $s_c$"),
              ("output_gate", "output gates"), ("outputs", "outputs"))
    for ax, (field, title) in zip(axes, panels):
        values = getattr(trace, field)
        for k, (i, name) in enumerate(zip(rows, names)):
            n = int(batch.lengths[i])
            for u in range(values.shape[2]):
                ax.plot(values[k, :n, u], ls=styles[k % len(styles)], color=f"C{u}", lw=1,
                        label=name + (f", unit {u + 1}" if values.shape[2] > 1 else ""))
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("time step")
    for k, i in enumerate(rows):
        steps, units = np.nonzero(batch.target_mask[i])
        axes[3].scatter(steps, batch.targets[i, steps, units], marker="*", s=90, color=[f"C{u}" for u in units],
                        edgecolors="k", zorder=3, label="targets" if k == 0 else None)
    axes[1].legend(fontsize=6)
    axes[3].legend(fontsize=6)
    return trace
