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

The competitors' rows (study ``"competitors"``: RTRL, BPTT, Elman nets and whatever else is registered
there, :mod:`lstm_edu.competitors`) are summed up by :func:`competitor_summary` beside the paper's figures
and the LSTM rows they are compared with, with a status of :data:`COMPETITOR_STATUSES`: ``"as in the
paper"`` when our success rate lies within :data:`AGREEMENT` percentage points of the paper's (where the
paper says "some fraction": strictly between 0 and 100%), ``"more successes"``, ``"fewer successes"`` or
``"not run"``.

``python -m lstm_edu summary [--json]`` prints both tables and the verdict per row
(:mod:`lstm_edu.verdict`) as text, or one JSON list: the LSTM rows, each with its verdict's fields
(``verdict``, ``reading``, ``cause``, ``closest``, ``learned_mean``, ...), then the competitors' rows (each
with its ``study``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from . import registry
from .experiments import EXPERIMENTS, experiment
from .results import RESULTS_DIR, read_trials

#: The statuses a row can have, best first.
STATUSES = ("reproduced", "slower", "fewer successes", "not run")
#: The statuses of a competitor's row.
COMPETITOR_STATUSES = ("as in the paper", "more successes", "fewer successes", "not run")
#: A competitor's success rate agrees with the paper's within this many percentage points (about 1.7 binomial
#: standard deviations at 50% and 18 trials: our trials and the paper's are both small samples).
AGREEMENT = 20.0
#: A row's mean sequences until success may be at most this many times the paper's (the book's target).
SPEED_FACTOR = 2


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
    """The stored records of row ``name`` (or of any entry of :mod:`lstm_edu.registry`, e.g. a competitor's),
    each checked against the record schema (an empty list if it has not been run)."""
    exp = registry.entry(name)
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
    elif ours["sequences_mean"] > SPEED_FACTOR * paper_seq:
        status = "slower"
    else:
        status = "reproduced"
    return {"study": exp.study, "experiment": exp.name, "table": exp.table, "row": exp.row,
            "description": exp.description,
            "paper": {**exp.paper, "trials": exp.n_trials, "success_percent": paper_pct,
                      "sequences_mean": paper_seq},
            "ours": ours, "partial": 0 < len(recs) < exp.n_trials, "default_budget": exp.budget,
            "capped": bool(recs) and max(ours["budgets"]) < exp.budget,
            "status": status, "note": exp.note}


def summary(out=RESULTS_DIR, names=None) -> list[dict]:
    """:func:`row_summary` of every row (or of ``names``), in the paper's order."""
    return [row_summary(n, out) for n in (EXPERIMENTS if names is None else names)]


def _outcome(recs: list[dict]) -> dict:
    """Success rate and sequences of a row's records (see :func:`row_summary`'s ``ours``)."""
    ok = [r for r in recs if r["success"]]
    seqs = [r["sequences"] for r in ok]
    return {"trials": len(recs), "successes": len(ok),
            "success_percent": 100.0 * len(ok) / len(recs) if recs else None,
            "sequences_mean": _mean(seqs), "sequences_min": min(seqs) if seqs else None,
            "sequences_max": max(seqs) if seqs else None, "budgets": sorted({r["budget"] for r in recs}),
            "diverged": sum(bool({"diverged", "saturated"} & set(r["milestones"])) for r in recs),
            "wall_seconds": _wall_seconds(recs)}


def _competitor_status(ours: float | None, paper: float | None) -> str:
    if ours is None:
        return "not run"
    if paper is None:  # "some fraction"
        return "as in the paper" if 0 < ours < 100 else "more successes" if ours == 100 else "fewer successes"
    if abs(ours - paper) <= AGREEMENT:
        return "as in the paper"
    return "more successes" if ours > paper else "fewer successes"


def competitor_row_summary(name: str, out=RESULTS_DIR) -> dict:
    """A competitor's row (an entry of study ``"competitors"``): our figures (as :func:`row_summary`'s
    ``ours``, plus ``weights``) beside the paper's, its status (module docstring) and ``lstm``: the LSTM
    rows it is compared with, each with our and the paper's success rate and mean sequences."""
    entry = registry.entry(name)
    if entry.study != "competitors":
        raise ValueError(f"name must be an entry of the study 'competitors', got {name!r} (study {entry.study!r})")
    folder = Path(out) / entry.study / entry.name
    recs = read_trials(folder) if folder.is_dir() else []
    ours = {**_outcome(recs), "weights": recs[0]["configuration"].get("n_weights") if recs else None}
    lstm = []
    for row in entry.lstm_rows:
        summary_row = row_summary(row, out)
        lstm.append({"experiment": row, "success_percent": summary_row["ours"]["success_percent"],
                     "sequences_mean": summary_row["ours"]["sequences_mean"],
                     "paper_success_percent": summary_row["paper"]["success_percent"],
                     "paper_sequences_mean": summary_row["paper"]["sequences_mean"]})
    return {"study": entry.study, "experiment": entry.name, "table": entry.table, "label": entry.label,
            "paper": {**entry.paper, "trials": entry.n_trials}, "ours": ours,
            "partial": 0 < len(recs) < entry.n_trials, "default_budget": entry.budget,
            "capped": bool(recs) and max(ours["budgets"]) < entry.budget,
            "status": _competitor_status(ours["success_percent"], entry.paper.get("success_percent")),
            "lstm": lstm, "note": entry.note}


def competitor_summary(out=RESULTS_DIR) -> list[dict]:
    """:func:`competitor_row_summary` of every entry of the study ``"competitors"``, in registry order."""
    return [competitor_row_summary(n, out) for n in registry.study_names("competitors")]


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


def _paper_sequences(paper: dict) -> str:
    if "success_after" in paper:
        return _fmt(paper["success_after"])
    return f">{_fmt(paper['success_after_more_than'])}" if "success_after_more_than" in paper else "-"


def competitor_table_rows(rows: list[dict]) -> list[list[str]]:
    """Display rows (header first) for :func:`competitor_summary` output: the entry, the paper's method,
    trials, budget, success and mean sequences (the paper's in brackets; "some" where the paper says "some
    fraction"), LSTM's (our mean over the rows it is compared with; the paper's in brackets), status."""
    out = [["row", "method", "trials (paper)", "budget", "success % (paper)", "mean sequences (paper)",
            "LSTM success % (paper)", "status"]]
    for r in rows:
        o, p = r["ours"], r["paper"]
        pct = "some" if p.get("success_percent", 0) is None else _fmt(p.get("success_percent"))
        lstm_ours = [x["success_percent"] for x in r["lstm"] if x["success_percent"] is not None]
        lstm_paper = np.mean([x["paper_success_percent"] for x in r["lstm"]])
        budget = "/".join(_fmt(x) for x in o["budgets"]) or _fmt(r["default_budget"])
        out.append([r["experiment"], r["label"], f"{o['trials']} ({p['trials']})", budget,
                    f"{_fmt(o['success_percent'])} ({pct})", f"{_fmt(o['sequences_mean'])} ({_paper_sequences(p)})",
                    f"{_fmt(np.mean(lstm_ours) if lstm_ours else None)} ({_fmt(lstm_paper)})",
                    r["status"] + (" (partial)" if r["partial"] else "") + (" (capped budget)" if r["capped"] else "")])
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
        rows, competitors = summary(args.out), competitor_summary(args.out)
    except ValueError as exc:  # a record that is not valid or not in its place (RecordError), named
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from . import verdict  # the verdict reads this module's row summaries
    judged = verdict.verdicts(args.out)
    if args.json:
        rows = [{**row, **{k: v for k, v in found_row.items() if k != "experiment"}}
                for row, found_row in zip(rows, judged)]
        json.dump(rows + competitors, sys.stdout, indent=1)
        print()
        return 0
    for table, statuses, found in ((table_rows(rows), STATUSES, rows),
                                   (competitor_table_rows(competitors), COMPETITOR_STATUSES, competitors)):
        counts = {s: sum(r["status"] == s for r in found) for s in statuses}
        _print_table(table, counts)
        print()
    _print_table(verdict.table_rows(judged, args.out), verdict.counts(judged))
    return 0


def _print_table(table: list[list[str]], counts: dict) -> None:
    """Display rows (header first) as aligned text, then a line of ``counts`` (label -> number)."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    print("; ".join(f"{n} {s}" for s, n in counts.items()))
