"""The verdict per row of Tables 1-9: reproduced as written, reproduced under a stated reading, or not.

The verdict reads the stored records only (through :func:`lstm_edu.reproduction.row_summary`), so it
updates itself whenever a row's or a variant's records land. A result *agrees* with the paper when

- its success rate is one the paper's own trials cannot tell apart from the paper's: with our rate ``r`` as
  the true one, at least the paper's number of successes among the paper's trials (the paper's rate times
  its trial count, rounded) has a probability of at least :data:`TAIL` (the lower end of a two-sided 95%
  binomial interval around the paper's count); and
- its mean sequences until success are at most :data:`lstm_edu.reproduction.SPEED_FACTOR` times the
  paper's (the summary's rule).

A row gets :data:`VERDICTS`:

- ``"reproduced as written"``: the row itself (the paper's text read as the book reads it) agrees;
- ``"reproduced under a reading"``: a stored variant of the row (:data:`lstm_edu.experiments.VARIANTS`, one
  open choice changed) agrees; :func:`reading` names its change in a few words;
- ``"not reproduced"``: neither; ``closest`` is the row or variant nearest the paper (highest success rate,
  then fewest sequences);
- ``"not run"``: no records.

A variant's :func:`cause` names the chapter that measures why its change matters and, where a function of
:mod:`lstm_edu.diagnostics` measures it, the figure itself (:func:`measured`: computed when the verdict is
asked for, from the initial nets or the stored records, and kept for the life of the process).

Beside the strict stopping rule's sequences, a row whose records carry the "learned" milestone (the first
fresh test passing the paper's success bound, :func:`lstm_edu.trial_tests.learned_allowances`) reports how
many trials reached it and after how many sequences on average.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from . import _checks, diagnostics, diagnostics_456, experiments, learned_view, lstm1997, lstm_trials, reproduction
from .experiments import EXPERIMENTS, experiment, variants_of
from .results import RESULTS_DIR

#: The verdicts, best first.
VERDICTS = ("reproduced as written", "reproduced under a reading", "not reproduced", "not run")
#: A success rate agrees with the paper's when the paper's count (or more) has at least this probability
#: under it: the lower end of a two-sided 95% interval.
TAIL = 0.025
#: A few words per kind of change of a variant (:data:`lstm_edu.experiments.VARIANT_CHANGES`); changes not
#: listed here are named by the variant's own description.
_READINGS = {
    "squashing": "Table 10's caption's ranges of g and h",
    "schedule": "one weight update per sequence",
    "training strings": "distinct training strings",
    "targets": "every possible next symbol as target",
    "construction": "sequential network construction",
}
#: Where the book measures why a kind of change matters (chapter, section), by the rows' experiment, or by the
#: row where one experiment's variants of that kind change different things (1-4's output-gate biases, 1-5's
#: input-gate biases, which the Reber chapter measures as no cause).
_CAUSES = {
    ("squashing", "1"): ("the text's ranges leave more cells with drifted states where h' vanishes",
                         "/book/experiments/reber"),
    ("squashing", "2"): ("the caption's ranges take the cells' states at the trigger where h is less flat",
                         "/book/experiments/long_lags"),
    ("gate biases", "2"): ("negative input-gate biases hold the cell states against the gates' drift",
                           "/book/experiments/long_lags"),
    ("gate biases", "1-4"): ("the output-gate biases decide which cells are abused as bias units",
                             "/book/lstm/abuse_drift"),
    ("gate biases", "5"): ("inputs of one sign drift the untrained nets' states where h' is flat; Experiment 4's "
                           "input-gate biases hold them near 0", "/book/experiments/multiplication"),
    ("gate biases and learning rate", "5"): ("as the biases alone (they stop the drift), and the rate five times "
                                             "larger needs about five times fewer sequences",
                                             "/book/experiments/multiplication"),
    ("squashing", "5"): ("the caption's g, half as steep, halves the untrained nets' drift",
                         "/book/experiments/multiplication"),
    ("gate biases", "6"): ("the failed nets' input gates stand open and write every distractor into drifting "
                           "states; more negative biases keep them shut", "/book/experiments/temporal_order"),
}


def paper_count(name: str) -> tuple[int, int]:
    """The paper's (successful trials, trials) for row ``name``: its rate times its trial count, rounded."""
    exp = experiment(name)
    return round(reproduction.paper_success_percent(name) / 100 * exp.n_trials), exp.n_trials


def tail_probability(rate: float, k: int, n: int) -> float:
    """P(at least ``k`` successes of ``n`` trials) when each succeeds with probability ``rate``."""
    return float(sum(math.comb(n, j) * rate ** j * (1 - rate) ** (n - j) for j in range(k, n + 1)))


def agrees(summary_row: dict) -> bool:
    """Whether a :func:`~lstm_edu.reproduction.row_summary` result agrees with its paper figures (module
    docstring): the success rate within the paper's binomial interval, the mean sequences within the
    summary's factor."""
    ours = summary_row["ours"]
    if not ours["trials"] or not ours["successes"]:
        return False
    k, n = paper_count(summary_row["experiment"])
    rate_ok = tail_probability(ours["successes"] / ours["trials"], k, n) >= TAIL
    return rate_ok and ours["sequences_mean"] <= reproduction.SPEED_FACTOR * summary_row["paper"]["sequences_mean"]


def reading(name: str) -> str:
    """The change of variant ``name`` against its row, in a few words (from its registry entry)."""
    exp = experiment(name)
    if not exp.base:
        raise ValueError(f"name must be a variant of experiments.VARIANTS, got the row {name!r}")
    base = experiment(exp.base)
    if exp.changes == "budget":
        return f"a budget of {exp.budget:,} sequences instead of {base.budget:,}"
    if exp.changes == "gate biases":
        biases = [f"{gate} gates' biases {_values(value)}" for gate, key in (("input", "input_gate_bias"),
                                                                            ("output", "output_gate_bias"))
                  if (value := exp.overrides.get(key)) is not None]
        return "; ".join(biases) or exp.description[len(base.description) + 2:]
    if exp.changes == "schedule" and exp.schedule == "step":  # row 2a's variant: the other way round
        return "a weight update after every step"
    return _READINGS.get(exp.changes) or exp.description[len(base.description) + 2:]


def _values(value) -> str:
    """A bias setting of :func:`lstm_edu.lstm1997.config` in words: one value, or a range from block to block."""
    if isinstance(value, tuple) and len(set(value)) > 1:
        return f"{value[0]:g} to {value[-1]:g}"
    return f"{value[0] if isinstance(value, tuple) else value:g}"


def cause(name: str, out=RESULTS_DIR) -> dict | None:
    """Where the book measures why variant ``name``'s change matters: ``{"text", "where", "measured"}`` (a
    chapter, and :func:`measured`'s figure or None), or None where it measures none."""
    exp = experiment(name)
    found = _CAUSES.get((exp.changes, exp.base)) or _CAUSES.get((exp.changes, exp.base[:1]))  # "2c-1" -> "2"
    return None if found is None else {"text": found[0], "where": found[1], "measured": measured(name, out)}


def measured(name: str, out=RESULTS_DIR) -> dict | None:
    """The figure behind variant ``name``'s cause, measured now by :mod:`lstm_edu.diagnostics` on the row
    and on the variant, or None where no function measures it (or the records it needs are missing).

    - Experiment 2c, Table 10's caption ranges or gate biases: on the initial nets of trials 0-19 of the row
      and of the variant (the same weights), the median ``|s_c|`` at the trigger, h's slope there relative
      to its slope at 0, and the share of cells within reach (:func:`~lstm_edu.diagnostics.reach_at_the_trigger`;
      about 1 s per row).
    - Experiment 5, Table 10's caption ranges or Experiment 4's input-gate biases (and rate): on the initial
      nets of trials 0-9 of the row and of the variant, the median ``|s_c|`` at the end of a sequence and the
      share of cells where h' lost half its slope (:func:`~lstm_edu.diagnostics_456.drift_at_the_end`; well
      under a second).
    - Experiment 1, Table 10's caption ranges: the share of cells with ``|s_c| > 10`` at the memory step, mean
      over the stored trials' final nets (:func:`~lstm_edu.diagnostics.saturated_share`; about 0.5 s per
      entry of 30 trials once the trials' tasks are drawn, about 2 s for all).

    Returns ``{"text", "row", "variant"}``: a sentence, and the figures of the row and of the variant. Kept
    for the life of the process, per variant and stored records."""
    exp = experiment(name)
    if not exp.base:
        raise ValueError(f"name must be a variant of experiments.VARIANTS, got the row {name!r}")
    if exp.base.startswith("2c") and exp.changes in ("squashing", "gate biases"):
        return _measured_drift(name)
    if exp.row == "5" and exp.changes in ("squashing", "gate biases", "gate biases and learning rate"):
        return _measured_drift_5(name)
    if exp.base.startswith("1-") and exp.changes == "squashing":
        stored = [reproduction.records(n, out) for n in (exp.base, name)]
        if all(stored):
            keys = tuple(tuple((r["seed"], r["sequences"], r["code_version"]) for r in recs) for recs in stored)
            return _measured_saturation(name, str(out), keys)
    return None


# the measurements below, once per entry and process (a row's is shared by its variants)
_reach_at_the_trigger = functools.lru_cache(maxsize=None)(diagnostics.reach_at_the_trigger)
_drift_at_the_end = functools.lru_cache(maxsize=None)(diagnostics_456.drift_at_the_end)


@functools.lru_cache(maxsize=None)
def _measured_drift(name: str) -> dict:
    row, variant = (_reach_at_the_trigger(n) for n in (experiment(name).base, name))
    text = (f"at the trigger of the initial nets, median |s_c| {row['median_state']:.1f} as written against "
            f"{variant['median_state']:.1f}, h's slope there relative to its slope at 0 {row['h_slope']:.3f} "
            f"against {variant['h_slope']:.3f}, cells within reach {row['within_reach']:.0%} against "
            f"{variant['within_reach']:.0%}")
    return {"text": text, "row": row, "variant": variant}


@functools.lru_cache(maxsize=None)
def _measured_drift_5(name: str) -> dict:
    row, variant = (_drift_at_the_end(n) for n in (experiment(name).base, name))
    text = (f"at the end of a sequence, on the untrained nets, median |s_c| {row['median_state']:.2f} as written "
            f"against {variant['median_state']:.2f}, cells where h' lost half its slope {row['flat_share']:.0%} "
            f"against {variant['flat_share']:.0%}")
    return {"text": text, "row": row, "variant": variant}


@functools.lru_cache(maxsize=None)
def _measured_saturation(name: str, out: str, keys) -> dict:
    figures = [float(np.mean([diagnostics.saturated_share(r) for r in reproduction.records(n, out)]))
               for n in (experiment(name).base, name)]
    text = (f"cells with |s_c| > 10 at the memory step (mean over the stored trials' final nets) "
            f"{figures[0]:.0%} as written against {figures[1]:.0%}")
    return {"text": text, "row": {"saturated": figures[0]}, "variant": {"saturated": figures[1]}}


def _outcome(summary_row: dict) -> dict:
    o = summary_row["ours"]
    return {"experiment": summary_row["experiment"], "trials": o["trials"], "successes": o["successes"],
            "success_percent": o["success_percent"], "sequences_mean": o["sequences_mean"],
            "agrees": agrees(summary_row)}


def _learned(name: str, out) -> tuple[int | None, float | None]:
    """(trials that reached the "learned" milestone, their mean sequences); (None, None) where the records
    do not carry the milestone (:func:`lstm_edu.learned_view.measured`)."""
    if not learned_view.measured(name, out):
        return None, None
    hits = learned_view.milestone(name, "learned", out)
    return len(hits), float(np.mean(hits)) if hits else None


def row_verdict(name: str, out=RESULTS_DIR) -> dict:
    """The verdict of row ``name`` of :data:`~lstm_edu.experiments.EXPERIMENTS` (module docstring).

    Keys: ``experiment``; ``verdict`` (one of :data:`VERDICTS`); ``reading`` (the agreeing variant's change,
    or None); ``capped`` and ``partial`` (as :func:`~lstm_edu.reproduction.row_summary`'s); ``cause``
    (:func:`cause` of that variant, or None); ``closest`` (the row's or a variant's outcome nearest the
    paper: ``experiment``, ``trials``, ``successes``, ``success_percent``, ``sequences_mean``, ``agrees``,
    ``reading``: None for the row itself); ``paper_successes`` and ``paper_trials`` (:func:`paper_count`);
    ``strict_mean`` (the stopping rule's mean sequences of successful trials); ``learned_trials`` and
    ``learned_mean`` (the "learned" milestone, None where the records lack it); ``variants``: each stored
    variant's outcome with its ``reading`` and ``cause`` (:func:`cause`, with the measured figure).
    """
    if name not in EXPERIMENTS:
        raise ValueError(f"name must be a row of experiments.EXPERIMENTS (1-1 ... 6b), got {name!r}")
    summary_row = reproduction.row_summary(name, out)
    row = {**_outcome(summary_row), "reading": None}
    variants = [{**_outcome(reproduction.row_summary(v, out)), "reading": reading(v)} for v in variants_of(name)]
    variants = [v for v in variants if v["trials"]]
    agreeing = [v for v in variants if v["agrees"]]
    candidates = [row] + variants if row["trials"] else variants
    closest = max(candidates, key=lambda o: (o["agrees"], o["success_percent"], -(o["sequences_mean"] or np.inf)),
                  default=None)
    if not row["trials"]:
        verdict, chosen = "not run", None
    elif row["agrees"]:
        verdict, chosen = "reproduced as written", None
    elif agreeing:
        verdict, chosen = "reproduced under a reading", closest
    else:
        verdict, chosen = "not reproduced", None
    learned_trials, learned_mean = _learned(name, out)
    k, n = paper_count(name)
    return {"experiment": name, "verdict": verdict, "reading": chosen and chosen["reading"],
            "capped": summary_row["capped"], "partial": summary_row["partial"],
            "cause": chosen and cause(chosen["experiment"], out), "closest": closest,
            "paper_successes": k, "paper_trials": n, "strict_mean": row["sequences_mean"],
            "learned_trials": learned_trials, "learned_mean": learned_mean,
            "variants": [{**v, "cause": cause(v["experiment"], out)} for v in variants]}


def verdicts(out=RESULTS_DIR, names=None) -> list[dict]:
    """:func:`row_verdict` of every row of Tables 1-9 (or of ``names``), in the paper's order."""
    return [row_verdict(n, out) for n in (EXPERIMENTS if names is None else names)]


def counts(found: list[dict]) -> dict:
    """How many of ``found`` (:func:`verdicts`) have each verdict, in the order of :data:`VERDICTS`."""
    return {v: sum(r["verdict"] == v for r in found) for v in VERDICTS}


# ------------------------------------------------------------------------ evidence for the implementation
def _row_sequences(name: str, seeds: list[int], n: int):
    """Row ``name``'s initial nets of trials ``seeds`` and ``n`` training sequences per trial from each
    trial's training stream (one (P, T, ...) batch per draw, padded to the longest)."""
    exp = experiment(name)
    net = experiments.initial_net(name, seeds)
    tasks = [(exp.make(s), lstm_trials.trial_streams(exp, s)[1]) for s in seeds]
    draws = [[task.train(1, gen) for task, gen in tasks] for _ in range(n)]
    batches = []
    for draw in draws:
        T = max(b.x.shape[1] for b in draw)
        batches.append([np.concatenate([np.pad(getattr(b, key), [(0, 0), (0, T - b.x.shape[1]), (0, 0)])
                                        for b in draw]) for key in ("x", "targets", "target_mask")])
    return net, batches


def gradient_check(name: str = "4-1", seeds=(0, 1, 2)) -> dict:
    """The largest relative difference of the truncated gradient of the NumPy reference and of the compiled
    engine from autograd's (:func:`lstm_edu.lstm1997.reference_loss`, written from Appendix A alone), on
    row ``name``'s initial nets of trials ``seeds`` and one training sequence each: ``{"numpy", "compiled"}``."""
    net, ((x, y, m),) = _row_sequences(name, list(seeds), 1)
    _, ref_hidden, ref_output = lstm1997.reference_loss(net, x, y, m[:, :, 0])
    out = {}
    for engine in lstm1997.ENGINES:
        _, grad = net.gradient(x, y, m, engine=engine)
        out[engine] = max(diagnostics.relative_difference(grad.hidden, ref_hidden),
                          diagnostics.relative_difference(grad.output, ref_output))
    return out


def twin_check(name: str = "4-1", sequences: int = 20, seeds=(0, 1, 2)) -> float:
    """The largest relative difference of the weights of the NumPy reference and the compiled engine after
    both trained row ``name``'s initial nets of trials ``seeds`` on the same ``sequences`` training
    sequences, once per sequence (the same computation, rounded in a different order)."""
    _checks.positive_int("sequences", sequences)
    return twin_difference(*_row_sequences(name, list(seeds), sequences), schedule="sequence")


def twin_difference(net, batches, schedule: str = "sequence") -> float:
    """The largest relative difference of the weights of the NumPy reference and the compiled engine after
    each trained its own copy of the nets ``net`` on ``batches`` ((inputs, targets, target_mask) each, in
    order) under ``schedule`` (:meth:`lstm_edu.lstm1997.LSTM1997.train`); ``net`` itself is left as it was."""
    _checks.choice("schedule", schedule, ("sequence", "step"))
    nets = {}
    for engine in lstm1997.ENGINES:
        twin = net.select(np.arange(net.P))                      # a copy
        for x, y, m in batches:
            twin.train(x, y, m, schedule=schedule, engine=engine)
        nets[engine] = twin
    reference, compiled = nets["numpy"], nets["compiled"]
    return max(diagnostics.relative_difference(reference.w_hidden, compiled.w_hidden),
               diagnostics.relative_difference(reference.w_output, compiled.w_output))


def _fmt_measured(found: dict | None) -> str:
    """A cause's measured figure for the verdict table ("" where none is measured)."""
    return f"; measured: {found['measured']['text']}" if found and found["measured"] else ""


def _fmt_outcome(o: dict | None) -> str:
    if o is None:
        return "-"
    mean = "" if o["sequences_mean"] is None else f", mean {o['sequences_mean']:,.0f}"
    return f"{o['successes']} of {o['trials']}{mean}"


def table_rows(found: list[dict], out=RESULTS_DIR) -> list[list[str]]:
    """Display rows (header first) of :func:`verdicts`: row, the paper's (successes of trials, mean sequences),
    ours (the same; "learned" where the records carry the milestone), the verdict, and the reading with
    its cause, or the closest result."""
    table = [["row", "paper", "ours", "verdict", "reading (cause), or the closest result"]]
    for v in found:
        name = v["experiment"]
        summary_row = reproduction.row_summary(name, out)
        paper = f"{v['paper_successes']} of {v['paper_trials']}, mean {summary_row['paper']['sequences_mean']:,}"
        ours = _fmt_outcome(_outcome(summary_row)) if summary_row["ours"]["trials"] else "-"
        ours += " (capped budget)" * v["capped"] + " (partial)" * v["partial"]
        if v["learned_trials"] is not None:
            mean = "" if v["learned_mean"] is None else f", mean {v['learned_mean']:,.0f}"
            ours += f"; learned: {v['learned_trials']} of {summary_row['ours']['trials']}{mean}"
        if v["verdict"] == "reproduced under a reading":
            note = v["reading"] + (f" ({v['cause']['text']})" if v["cause"] else "")
            note += f": {_fmt_outcome(v['closest'])}" + _fmt_measured(v["cause"])
        elif v["verdict"] == "not reproduced":
            c = v["closest"]
            label = c["reading"] or "the row"
            note = f"closest: {label}, {_fmt_outcome(c)}"
            note += _fmt_measured(next((w["cause"] for w in v["variants"] if w["experiment"] == c["experiment"]),
                                       None))
        else:
            note = ""
        table.append([name, paper, ours, v["verdict"], note])
    return table
