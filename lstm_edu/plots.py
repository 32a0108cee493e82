"""Figures of the experiment chapters, drawn from the stored trial records (:mod:`lstm_edu.reproduction`).

Every function draws into a matplotlib ``Axes`` it is given and returns it, so a chapter composes its
figures and a reader finds here the code behind each one.
"""

from __future__ import annotations

import numpy as np
from IPython.display import Markdown

from . import reproduction
from .results import RESULTS_DIR


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
    for i, name in enumerate(names):
        recs = reproduction.records(name, out)
        seqs = np.array([r["sequences"] for r in recs if r["success"]], dtype=float)
        if seqs.size:
            jitter = np.linspace(-0.15, 0.15, seqs.size)
            ax.scatter(i + jitter, seqs, s=12, color="tab:blue", alpha=0.7,
                       label="one successful trial" if i == 0 else None)
            ax.hlines(seqs.mean(), i - 0.3, i + 0.3, color="tab:blue", lw=2, label="our mean" if i == 0 else None)
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
