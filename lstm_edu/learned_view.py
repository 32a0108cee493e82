"""Our result beside the paper's, with the "learned" milestone, for the chapters of Experiments 4 to 6.

The stopping rules of these experiments read the training error (ST3: 2000 recent sequences correct and a
small mean error; Experiment 5: fewer than n_seq wrong of the last 2000). A net can have learned the task long
before such a rule holds, so the rows' records also carry the milestone ``learned``: the first curve point
(every 1000 sequences) at which a fresh test of 2560 sequences met the paper's own bound (at most 3 wrong in
Experiments 4 and 6, Section 5.4's "never more than 3"; fewer than n_seq * 2560/2000 in Experiment 5), and
``learned_1pct``, at most 1 % wrong (see ``criteria["learned"]`` in a record). Records made before the
milestone existed carry neither; this module says "not measured" for them.

:func:`variants_of` finds the stored variants of a chapter's rows (the alternative readings), :func:`entries`
puts each after its row, :func:`reading_line` says what one of them gives in a sentence, :func:`table`
puts rows and variants beside the paper's figures, :func:`figure` draws every trial's stop and milestone.
All read the stored records through :mod:`lstm_edu.reproduction`, so a variant whose records land later
appears by itself.
"""

from __future__ import annotations

import numpy as np

from . import experiments, plots, reproduction
from .results import RESULTS_DIR

#: The milestones shown, with their names in the table.
MILESTONES = {"learned": "learned (paper's bound)", "learned_1pct": "learned (1 % wrong)"}
#: How :func:`figure` draws each milestone: marker and colour.
_MARKS = {"learned": ("^", "tab:orange"), "learned_1pct": ("D", "tab:green")}


def variants_of(names, out=RESULTS_DIR) -> list[str]:
    """The registered variants of the rows ``names`` that have stored records, in registry order."""
    return [v for n in names for v in experiments.variants_of(experiments.experiment(n).name)
            if reproduction.records(v, out)]


def entries(names, out=RESULTS_DIR) -> list[str]:
    """The rows ``names``, each followed by its stored variants (:func:`variants_of`)."""
    return [entry for name in names for entry in [name, *variants_of([name], out)]]


def measured(name: str, out=RESULTS_DIR) -> bool:
    """Whether the stored records of ``name`` carry the learned milestones (made after they existed)."""
    recs = reproduction.records(name, out)
    return bool(recs) and all("learned" in r["criteria"] for r in recs)


def milestone(name: str, key: str = "learned", out=RESULTS_DIR) -> list[int]:
    """Milestone ``key`` (one of :data:`MILESTONES`) of every stored trial of ``name`` that reached it."""
    if key not in MILESTONES:
        raise ValueError(f"key must be one of {', '.join(MILESTONES)}, got {key!r}")
    return [int(r["milestones"][key]) for r in reproduction.records(name, out) if key in r["milestones"]]


def reading(name: str) -> str:
    """What entry ``name`` reads differently from its row: "as written" for a row, else the variant's change."""
    exp = experiments.experiment(name)
    if not exp.base:
        return "as written"
    return exp.description.split("; ", 1)[-1]


def reading_line(name: str, key: str = "learned", out=RESULTS_DIR) -> str:
    """One sentence on entry ``name``: its reading (:func:`reading`), how many trials met the row's stopping
    rule within the budget and after how many sequences on average against the paper's mean, and how many
    reached milestone ``key`` (:data:`MILESTONES`) and when."""
    values = milestone(name, key, out)                    # checks key
    exp, o = experiments.experiment(name), reproduction.row_summary(name, out)["ours"]
    paper = reproduction.paper_sequences(exp.base or exp.name)
    rule = {"st3": "ST3", "nseq": "the n_seq rule"}.get(exp.stop, "the row's stopping rule")
    met = f"{o['successes']} of {o['trials']} met {rule} within {max(o['budgets']):,} sequences" + (
        f", after {o['sequences_mean']:,.0f} on average ({o['sequences_mean'] / paper:.1f} times the paper's mean "
        f"of {paper:,})" if o["successes"] else "")
    if not measured(name, out):
        return f"{name} ({reading(name)}): {met}; {MILESTONES[key]}: not measured"
    return (f"{name} ({reading(name)}): {met}; {MILESTONES[key]} in {len(values)} of {o['trials']}"
            + (f", after {min(values):,} to {max(values):,}" if values else ""))


def _milestone_cell(name, key, out) -> str:
    if not measured(name, out):
        return "not measured"
    values = milestone(name, key, out)
    trials = len(reproduction.records(name, out))
    return f"{len(values)} of {trials}" + (f", mean {np.mean(values):,.0f}" if values else "")


def table(names, out=RESULTS_DIR):
    """One table for the entries ``names`` (rows and variants): what each reads, the paper's success rate and
    mean sequences, ours (successful trials of all, mean sequences until the stopping rule, range), the
    learned milestones (trials that reached them, mean sequences) and the budget per trial."""
    rows = []
    for name in names:
        s = reproduction.row_summary(name, out)
        o, p = s["ours"], s["paper"]
        ours = f"{o['successes']} of {o['trials']}" if o["trials"] else "not run"
        if o["successes"]:
            ours += f", mean {o['sequences_mean']:,.0f} ({o['sequences_min']:,} to {o['sequences_max']:,})"
        rows.append([name, reading(name), f"{p['success_percent']:.0f} %, {p['sequences_mean']:,}", ours]
                    + [_milestone_cell(name, key, out) for key in MILESTONES]
                    + ["/".join(f"{b:,}" for b in o["budgets"]) or f"{s['default_budget']:,}"])
    header = ["entry", "reading", "paper: success, mean sequences", "ours: successful, mean sequences (range)",
              *MILESTONES.values(), "budget"]
    return plots.table(header, rows)


def figure(ax, names, out=RESULTS_DIR, *, labels=None):
    """Per entry of ``names``: every trial's sequences until its stopping rule held (blue dots; failed trials
    as red crosses at the sequences they ran), its learned milestones (open markers) and the paper's mean
    (black bar). Returns ``ax``."""
    names = list(names)
    labels = names if labels is None else list(labels)
    if len(labels) != len(names):
        raise ValueError(f"labels must hold one label per entry ({len(names)}), got {len(labels)}")
    drawn = set()  # the milestones some trial reached: only these get a legend entry
    for i, name in enumerate(names):
        recs = reproduction.records(name, out)
        jitter = np.linspace(-0.2, 0.2, max(len(recs), 1))
        for k, r in enumerate(recs):
            x = i + jitter[k]
            if r["success"]:
                ax.scatter([x], [r["sequences"]], s=16, color="tab:blue", zorder=2)
            else:
                ax.scatter([x], [r["sequences"]], s=24, marker="x", color="tab:red", zorder=2)
            for key, (marker, colour) in _MARKS.items():
                if key in r["milestones"]:
                    drawn.add(key)
                    ax.scatter([x], [r["milestones"][key]], s=22, marker=marker, facecolors="none",
                               edgecolors=colour, zorder=3)
        ax.hlines(reproduction.paper_sequences(name), i - 0.3, i + 0.3, color="k", lw=2, zorder=4)
    for style, text in (({"color": "tab:blue", "s": 16}, "stopping rule held"),
                        ({"color": "tab:red", "marker": "x", "s": 24}, "failed (budget spent)"),
                        *(({"marker": m, "facecolors": "none", "edgecolors": c, "s": 22}, MILESTONES[key])
                          for key, (m, c) in _MARKS.items() if key in drawn)):
        ax.scatter([], [], label=text, **style)
    ax.plot([], [], color="k", lw=2, label="paper's mean")
    ax.set_xticks(range(len(names)), labels)
    ax.set_yscale("log")
    ax.set_ylabel("training sequences")
    ax.legend(fontsize="small", loc="upper left")
    return ax
