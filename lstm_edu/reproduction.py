"""How far the stored results reproduce the 1997 paper's Tables 1-9 (the book's reproduction summary).

For every LSTM row of :data:`lstm_edu.experiments.EXPERIMENTS` this module reads the stored trial records
(``results/lstm1997/<row>/``, written by ``python -m lstm_edu run``), puts our figures beside the
paper's and gives the row a status:

- ``"reproduced"``: at least the paper's success rate, and mean sequences until success no more than twice
  the paper's (the book's target);
- ``"slower"``: the success rate is reached, the mean sequences are more than twice the paper's;
- ``"fewer successes"``: a lower success rate than the paper's;
- ``"not run"``: no records yet.

A row run with fewer trials than the paper's is *partial* (``"partial": true``); its status then speaks
of the trials run. A row whose trials ran under a budget below the row's default (five times the paper's
mean, :func:`lstm_edu.experiments.budget_for`) is *capped* (``"capped": true``): a failure there may be a
success the default budget would have seen. The paper's success rate is 100% where it gives means of
all trials without naming failures (Tables 2-9); Table 1 gives it per row.

``python -m lstm_edu summary [--json]`` prints the same table as text or JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from .experiments import EXPERIMENTS, experiment
from .results import RESULTS_DIR, read_trials

#: The statuses a row can have, best first.
STATUSES = ("reproduced", "slower", "fewer successes", "not run")


def paper_sequences(name: str) -> int:
    """The paper's mean training sequences until success (or until its stopping rule) for row ``name``."""
    paper = experiment(name).paper
    for key in ("success_after", "ST2", "stop"):
        if key in paper:
            return int(paper[key])
    raise KeyError(f"row {name} has no sequence count in its paper figures")


def paper_success_percent(name: str) -> float:
    """The paper's success rate for row ``name`` (100 where the paper reports means of all its trials)."""
    return float(experiment(name).paper.get("success_percent", 100))


def records(name: str, out=RESULTS_DIR) -> list[dict]:
    """The stored records of row ``name``, each checked against the record schema (an empty list if it has
    not been run)."""
    exp = experiment(name)
    folder = Path(out) / exp.study / exp.name
    return read_trials(folder) if folder.is_dir() else []


def _mean(values):
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else None


def _wall_seconds(recs: list[dict]) -> float:
    """Wall time the stored trials took: per chunk of trials trained together (``run.batch`` consecutive
    seeds), the time when its last stored trial finished, summed over chunks."""
    chunks = {}
    for r in recs:
        key = r["seed"] // r["run"]["batch"]
        chunks[key] = max(chunks.get(key, 0.0), r["run"]["seconds"])
    return float(sum(chunks.values()))


def row_summary(name: str, out=RESULTS_DIR) -> dict:
    """Our figures for row ``name`` beside the paper's, and the row's status (see the module docstring).

    ``ours``: ``trials``, ``successes``, ``success_percent``, ``sequences_mean`` / ``_min`` / ``_max``
    (successful trials only), ``budgets`` (the caps the trials ran under), ``diverged`` (trials whose
    weights blew up or whose units all saturated: milestone ``diverged`` or ``saturated``), and the final
    test averaged over successful trials: ``test_wrong_mean`` (of
    ``test_n`` sequences; Experiment 1: of all training and test strings), ``test_mse_mean``,
    ``test_mean_abs_error_mean``, ``fraction_misclassified_mean`` (Experiment 3), ``st1_mean``
    (Experiment 3's ST1), ``wall_seconds`` (the run's wall time on the machine that made the records).
    """
    exp = experiment(name)
    recs = records(name, out)
    ok = [r for r in recs if r["success"]]
    seqs = [r["sequences"] for r in ok]
    tests = [r["test"] for r in ok if r.get("test")]
    ours = {
        "trials": len(recs), "successes": len(ok),
        "success_percent": 100.0 * len(ok) / len(recs) if recs else None,
        "sequences_mean": _mean(seqs), "sequences_min": min(seqs) if seqs else None,
        "sequences_max": max(seqs) if seqs else None,
        "budgets": sorted({r["budget"] for r in recs}),
        "diverged": sum(bool({"diverged", "saturated"} & set(r["milestones"])) for r in recs),
        "test_n": tests[0]["n"] if tests else None,
        "test_wrong_mean": _mean([t["wrong"] for t in tests]),
        "test_mse_mean": _mean([t.get("mse") for t in tests]),
        "test_mean_abs_error_mean": _mean([t.get("mean_abs_error") for t in tests]),
        "fraction_misclassified_mean": _mean([t.get("fraction_misclassified") for t in tests]),
        "st1_mean": _mean([r["milestones"].get("ST1") for r in ok]),
        "code_versions": sorted({r["code_version"] for r in recs}),
        "wall_seconds": _wall_seconds(recs),
    }
    paper_seq, paper_pct = paper_sequences(name), paper_success_percent(name)
    if not recs:
        status = "not run"
    elif ours["success_percent"] < paper_pct:
        status = "fewer successes"
    elif ours["sequences_mean"] > 2 * paper_seq:
        status = "slower"
    else:
        status = "reproduced"
    return {"experiment": exp.name, "table": exp.table, "row": exp.row, "description": exp.description,
            "paper": {**exp.paper, "trials": exp.n_trials, "success_percent": paper_pct,
                      "sequences_mean": paper_seq},
            "ours": ours, "partial": 0 < len(recs) < exp.n_trials, "default_budget": exp.budget,
            "capped": bool(recs) and max(ours["budgets"]) < exp.budget,
            "status": status, "note": exp.note}


def summary(out=RESULTS_DIR, names=None) -> list[dict]:
    """:func:`row_summary` of every row (or of ``names``), in the paper's order."""
    return [row_summary(n, out) for n in (EXPERIMENTS if names is None else names)]


def _fmt(value, digits=0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def table_rows(rows: list[dict]) -> list[list[str]]:
    """Display rows (header first) for :func:`summary` output: row, trials, budget (the cap per trial; the
    default for rows not run), success, sequences, status."""
    out = [["row", "trials (paper)", "budget", "success % (paper)", "mean sequences (paper)",
            "range of sequences", "status"]]
    for r in rows:
        o, p = r["ours"], r["paper"]
        status = (r["status"] + (" (partial)" if r["partial"] else "")
                  + (" (capped budget)" if r["capped"] else ""))
        budget = "/".join(_fmt(x) for x in o["budgets"]) or _fmt(r["default_budget"])
        out.append([r["experiment"], f"{o['trials']} ({p['trials']})", budget,
                    f"{_fmt(o['success_percent'])} ({_fmt(p['success_percent'])})",
                    f"{_fmt(o['sequences_mean'])} ({_fmt(p['sequences_mean'])})",
                    f"{_fmt(o['sequences_min'])}-{_fmt(o['sequences_max'])}" if o["successes"] else "-",
                    status])
    return out


def markdown_table(rows: list[list[str]]) -> str:
    """A Markdown table from display rows (header first); ``|`` in cells is escaped."""
    esc = [[str(c).replace("|", "\\|") for c in row] for row in rows]
    lines = ["| " + " | ".join(esc[0]) + " |", "|" + "---|" * len(esc[0])]
    lines += ["| " + " | ".join(row) + " |" for row in esc[1:]]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------- command line
def add_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON (a list, one object per row)")
    parser.add_argument("--out", default=str(RESULTS_DIR), help=f"results folder (default {RESULTS_DIR})")


def main(args) -> int:
    rows_folder = Path(args.out) / EXPERIMENTS["1-1"].study
    if not Path(args.out).is_dir() or not rows_folder.is_dir():
        print(f"error: --out {args.out} is not a results folder (no folder {rows_folder} of the rows' records); "
              f"name the folder that `python -m lstm_edu run` wrote to (default {RESULTS_DIR})", file=sys.stderr)
        return 2
    try:
        rows = summary(args.out)
    except ValueError as exc:  # a record that is not valid or not in its place (RecordError), named
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(rows, sys.stdout, indent=1)
        print()
        return 0
    table = table_rows(rows)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
    print("; ".join(f"{n} {s}" for s, n in counts.items()))
    return 0
