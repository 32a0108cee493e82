"""The cells of the lag sweep (:mod:`lstm_edu.lag_sweep`) as entries of the one runner: the families, the
methods, and one runner entry per (family, method, lag).

Each cell reuses the trainer of its method's own study, with the family's task at the cell's lag:

- ``lstm``: a row of :mod:`lstm_edu.experiments` (Table 10's net of row 2a with ``p + 1`` inputs and outputs,
  of row 3a, of row 4-1; ``lstm_igb``: Task 2a's net under the variant 2a_igb_step; :data:`LSTM_ROWS`) trained
  by :class:`lstm_edu.lstm_trials.LSTMTrials`; on the families whose row stops on
  something else than the family's criterion (3a's ST2, 4-1's ST3) the trial stops at the criterion's milestone
  (ST1; ``learned_1pct``) instead (:class:`SweepLSTMTrials`).
- ``rtrl``, ``bptt``, ``bptt_h``, ``elman``: the compiled nets of :mod:`lstm_edu.competitor_engine` trained by
  :class:`lstm_edu.competitors.CompetitorTrials`, tested by the family's criterion (:meth:`SweepRow.test_net`).
- ``chunker``: :class:`lstm_edu.constructive_study.ChunkerTrainer` on Task 2a at p; ``rcc``: recurrent
  cascade-correlation (:mod:`lstm_edu.cascade`) on Task 2a's two sequences (:class:`SweepRCCTrainer`).
- ``guessing`` and Bengio et al.'s alternatives: :class:`lstm_edu.bengio_study.Cell` on Bengio's nets
  (``guessing`` is the study's ``random_guessing``).
"""

from __future__ import annotations

import dataclasses
import time
import zlib
from typing import ClassVar

import numpy as np

from . import bengio_study, cascade, competitor_engine, competitors, constructive_study, criteria, experiments, tasks
from .lstm_trials import LSTMTrials, trial_streams
from .tasks import adding as adding_task
from .tasks import long_lag, noise_signal

STUDY = "sweep"
#: Trials per cell.
N_TRIALS = 20
#: BPTT(h)'s truncation (method ``bptt_h``): the error of a step goes back this many steps.
H = 10
#: Bengio et al.'s alternatives in the sweep (random guessing is the method ``guessing``).
ALTERNATIVES = tuple(k for k in bengio_study.METHODS if k != "random_guessing")
#: Method key -> label for legends.
METHODS = {"lstm": "LSTM", "lstm_igb": "LSTM, gate bias and per step", "rtrl": "RTRL", "bptt": "BPTT",
           "bptt_h": f"BPTT({H}), truncated", "elman": "Elman net", "rcc": "RCC", "chunker": "chunker",
           "guessing": "random guessing",
           **{k: bengio_study.LABELS[k] for k in ALTERNATIVES}}
#: The sweep's competitor nets: method key -> (rule, truncation h, architecture for the families other than 2a's).
NET_RULES = {"rtrl": ("rtrl", None, "fully_recurrent"), "bptt": ("bptt", None, "fully_recurrent"),
             "bptt_h": ("bptt", H, "fully_recurrent"), "elman": ("bptt", 1, "elman")}


@dataclasses.dataclass(frozen=True)
class Family:
    """A task family of the sweep: ``label``; ``lags`` swept; ``budget`` in training sequences per trial, the
    same for every method; ``methods`` (keys of :data:`METHODS`); ``criterion``, the success rule in one
    sentence; ``lag_name`` ("p" or "T"); ``check_every``: sequences between success tests; ``test``: the
    fresh test of the nets of :class:`SweepRow` (size, bound, most wrong), None where the row's own applies."""

    label: str
    lags: tuple
    budget: int
    methods: tuple
    criterion: str
    lag_name: str
    check_every: int = 1000
    test: tuple | None = None


FAMILIES = {
    "noise_free": Family(
        "noise-free sequences (Task 2a)", (5, 10, 20, 50, 100), 50_000,
        ("lstm", "lstm_igb", "rtrl", "bptt", "bptt_h", "elman", "rcc", "chunker"),
        "ABS(0.25) at every step of both sequences of Task 2a (Table 11), tested every 100 sequences.", "p",
        check_every=100),
    "two_sequence": Family(
        "2-sequence problem with noise (Task 3a, N = 1)", (5, 10, 20, 50, 100, 200, 500), 100_000,
        ("lstm", "rtrl", "bptt", "bptt_h", "elman", "guessing") + ALTERNATIVES,
        "ST1 (Section 5.3): no sequence of 256 fresh ones with an absolute end error of 0.2 or more, tested every "
        "1,000 sequences (Bengio's methods: their 20 training sequences solved, then 256 fresh test sequences, "
        "to 0.2).", "T", test=(256, 0.2, 0)),
    "adding": Family(
        "adding problem (Experiment 4)", (50, 100, 200), 200_000, ("lstm", "rtrl", "bptt", "bptt_h", "elman"),
        "Learned: at most 25 of 2,560 fresh sequences (1 %) with an absolute end error of 0.04 or more "
        "(the milestone learned_1pct of lstm_edu.trial_tests), tested every 1,000 sequences; not the paper's ST3, "
        "which waits for 2,000 successive training sequences within 0.04 and so measures precision on the rare "
        "extreme sums rather than memory.", "T", test=(2560, 0.04, 25)),
    "latch": Family(
        "Bengio et al.'s latch (variant I)", (5, 10, 20, 50, 100, 200, 500, 1000), 20_000,
        ("guessing",) + ALTERNATIVES,
        "The sign of the final output right (tolerance 0.8) on all 20 training sequences, then on all 100 fresh "
        "test sequences (Bengio et al.'s rule, as in lstm_edu.bengio_study).", "T"),
}
#: The LSTM milestone that is the family's success (None: the row's own stopping rule).
LSTM_MILESTONE = {"noise_free": None, "two_sequence": "ST1", "adding": "learned_1pct"}
#: The row of :mod:`lstm_edu.experiments` whose net and training an LSTM method of a family uses: ``lstm`` the
#: family's row as the paper writes it, ``lstm_igb`` (Task 2a only) the variant 2a_igb_step, the reading that
#: solves row 2a in 18 of 18 trials (an input-gate bias starting at -2, weights changed after every step).
LSTM_ROWS = {("noise_free", "lstm"): "2a", ("noise_free", "lstm_igb"): "2a_igb_step",
             ("two_sequence", "lstm"): "3a-T100-N1", ("adding", "lstm"): "4-1"}
#: The methods that train an LSTM (the keys of :data:`LSTM_ROWS`), in order.
LSTM_METHODS = tuple(dict.fromkeys(method for _, method in LSTM_ROWS))
#: The competitor nets' hidden units (other than Task 2a's, which are competitors.py's: one self-recurrent unit).
HIDDEN = {"two_sequence": 8, "adding": 7}


def cell_name(family: str, method: str, lag: int) -> str:
    """The entry (and records' folder) name of a cell, e.g. ``sweep-noise_free-lstm-L100``."""
    return f"sweep-{family}-{method}-L{int(lag)}"


def family_data(family: str, n: int, lag: int, gen):
    """``n`` training sequences of ``family`` at ``lag`` (a :class:`~lstm_edu.tasks.SequenceBatch`)."""
    if family == "noise_free":
        return long_lag.noise_free(n, lag, gen)
    if family == "two_sequence":
        return noise_signal.task_3a(n, lag, 1, gen)
    if family == "adding":
        return adding_task.adding(n, lag, gen)
    return tasks.latch(n, lag, gen)


def _note(family: str, lag: int) -> str:
    f = FAMILIES[family]
    return (f"Lag sweep (lstm_edu.lag_sweep), {f.label} at {f.lag_name} = {lag}; budget {f.budget:,} sequences per "
            f"trial for every method of the family. Success: {f.criterion}")


# ----------------------------------------------------------------------------------------------------- LSTM
@dataclasses.dataclass(frozen=True)
class SweepExperiment(experiments.Experiment):
    """An LSTM cell: an :class:`~lstm_edu.experiments.Experiment` of study ``"sweep"`` whose trials stop at the
    family's milestone (:data:`LSTM_MILESTONE`)."""

    family: str = ""
    study: ClassVar[str] = STUDY

    def criteria_record(self) -> dict:
        return {**super().criteria_record(), "sweep": FAMILIES[self.family].criterion,
                "success_milestone": LSTM_MILESTONE[self.family]}

    def start(self, seeds, budget: int, version: str) -> "SweepLSTMTrials":
        return SweepLSTMTrials(self, seeds, budget, version)

    def resume(self, path, version: str, budget: int) -> "SweepLSTMTrials":
        return SweepLSTMTrials.load(self, path, version, budget)


class SweepLSTMTrials(LSTMTrials):
    """LSTM trials that stop when the family's milestone is reached (or their row's rule, if it has none)."""

    def step(self):
        stop, trouble = super().step()
        milestone = LSTM_MILESTONE[self.exp.family]
        if milestone is None:
            return stop, trouble
        reached = np.array([milestone in m for m in self.milestones], dtype=bool)
        return reached & ~trouble, trouble


def _lstm(family: str, method: str, lag: int, name: str) -> SweepExperiment:
    base = experiments.experiment(LSTM_ROWS[family, method])
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
    f = FAMILIES[family]
    make = (lambda s: experiments.Task(lambda n, g: long_lag.noise_free(n, lag, g),
                                       lambda n, g: long_lag.noise_free_both(lag))) if family == "noise_free" else \
        (lambda s: experiments.Task(lambda n, g: family_data(family, n, lag, g),
                                    lambda n, g: family_data(family, n, lag, g)))
    fields.update(name=name, make=make, n_trials=N_TRIALS, budget=f.budget, family=family,
                  params={f.lag_name: lag, **({"N": 1} if family == "two_sequence" else {})},
                  description=f"{f.label}, {f.lag_name} = {lag}", paper={}, note=_note(family, lag) + " " + base.note,
                  eval_chunk=512 if lag <= 200 else 128, base="", changes="")  # a cell, not a variant of a row:
    # its trials draw from streams named by the cell (lstm_trials.trial_streams)
    if family == "noise_free":
        fields.update(overrides={**base.overrides, "n_in": lag + 1, "n_out": lag + 1}, check_every=100)
    else:
        fields.update(check_every=f.check_every, curve_every=f.check_every)
    return SweepExperiment(**fields)


# ----------------------------------------------------------------------------------- RTRL, BPTT, Elman
@dataclasses.dataclass(frozen=True)
class SweepRow(competitors.Row):
    """A competitor cell: the net and rule of :data:`NET_RULES` on the family's task. Task 2a's cells are this
    class, with competitors.py's nets (one self-recurrent hidden unit, ``p + 1`` inputs and outputs, rate 1.0)
    and the row's test; the other families' are :class:`SweepFamilyRow`."""

    family: str = ""
    lag: int = 0
    study: ClassVar[str] = STUDY

    @property
    def table(self) -> None:
        return None

    @property
    def lstm_rows(self) -> tuple:
        return (cell_name(self.family, "lstm", self.lag),)

    def draw(self, n: int, gen, task):
        return family_data(self.family, n, self.lag, gen)

    def record_fields(self) -> dict:
        cfg = self.config
        configuration = {**{f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg)},
                         "n_weights": cfg.n_weights, "learning_rate": self.learning_rate, "rule": self.method,
                         "h": self.h, "initial_weights": [-self.scale, self.scale], "architecture": self.architecture}
        f = FAMILIES[self.family]
        return {"table": None, "row": self.name, "label": self.label, "method": self.label,
                "configuration": configuration, "task": {"family": self.family, f.lag_name: self.lag},
                "lstm_rows": list(self.lstm_rows), "criteria": {"rule": f.criterion, "check_every": self.check_every},
                "paper": self.paper, "note": self.note}

    def start(self, seeds, budget: int, version: str) -> "SweepNetTrials":
        return SweepNetTrials(self, seeds, budget, version)

    def resume(self, path, version: str, budget: int) -> "SweepNetTrials":
        return SweepNetTrials.load(self, path, version, budget)


@dataclasses.dataclass(frozen=True)
class SweepFamilyRow(SweepRow):
    """A competitor cell of the 2-sequence problem or the adding problem: a fully recurrent net (Elman: a hidden
    layer with context) with :data:`HIDDEN` hidden units and a bias, about as many weights as the family's LSTM
    net, rate 1.0 (at T = 5 of the 2-sequence problem, 4 trials of 20,000 sequences: rate 0.1 learned in none,
    0.3 in all after 7,000-11,000, 1.0 in all after 2,000-4,000), judged by the family's fresh test."""

    @property
    def config(self):
        n_in = {"two_sequence": 1, "adding": 2}[self.family]
        return competitors.ARCHITECTURES[self.architecture](n_in, self.n_hidden, 1, bias=True)

    def test_net(self, W, task, gen, cap: int | None = None) -> dict:
        """The family's fresh test of one net ``W``: ``n`` sequences, ``wrong`` (absolute end error at least the
        bound), ``max_abs_error``; drawn 64 at a time, stopping once more than ``cap`` are wrong."""
        size, bound, _ = FAMILIES[self.family].test
        wrong, worst, n = 0, 0.0, 0
        while n < size and (cap is None or wrong <= cap):
            b = self.draw(min(64, size - n), gen, None)
            end = competitor_engine.end_outputs(self.config, W[None], b.x[None], b.lengths[None])[0]
            err = np.abs(end - criteria.end_values(b.targets, b.lengths)).max(axis=1)
            err = np.where(np.isfinite(err), err, 1e300)
            wrong, worst, n = wrong + int(np.count_nonzero(err >= bound)), max(worst, float(err.max())), n + err.size
        return {"n": n, "wrong": wrong, "max_abs_error": worst}

    def passes(self, W, task, gen) -> bool:
        """At most the family's allowed number of test sequences wrong (the test stops once more are)."""
        allowed = FAMILIES[self.family].test[2]
        return self.test_net(W, task, gen, cap=allowed)["wrong"] <= allowed


class SweepNetTrials(competitors.CompetitorTrials):
    """:class:`~lstm_edu.competitors.CompetitorTrials` whose records are of study ``"sweep"``."""

    def finish(self, p: int, success: bool, diverged: bool) -> dict:
        """The record of :meth:`CompetitorTrials.finish`, of study ``"sweep"``."""
        return {**super().finish(p, success, diverged), "study": STUDY}


def _net(family: str, method: str, lag: int, name: str) -> SweepRow:
    rule, h, architecture = NET_RULES[method]
    f = FAMILIES[family]
    if family == "noise_free":
        architecture, hidden = ("elman" if method == "elman" else "self_recurrent"), 1
    else:
        hidden = HIDDEN[family]
    kind = SweepRow if family == "noise_free" else SweepFamilyRow
    return kind(name, "2a" if family == "noise_free" else family, METHODS[method], architecture, hidden, rule,
                1.0, f.budget, {}, _note(family, lag), p=lag if family == "noise_free" else None, h=h,
                n_trials=N_TRIALS, check_every=f.check_every, curve_every=f.check_every, family=family, lag=lag)


# ------------------------------------------------------------------------------- Bengio's nets and methods
@dataclasses.dataclass(frozen=True)
class SweepCell(bengio_study.Cell):
    """A cell of Bengio's methods: his latch (variant I, length T) or, for the 2-sequence family, his 1-1-1
    logistic net on Task 3a's sequences (lengths in [T, T + T/10], one informative element) judged to 0.2."""

    family: str = ""

    def make(self, seed, n_sequences: int):
        T = self.task["T"]
        if self.family == "latch":
            return bengio_study.latch_problem(), tasks.latch(n_sequences, T, seed)
        return bengio_study.small_net_problem(tolerance=0.2), noise_signal.task_3a(n_sequences, T, 1, seed)


def _cell(family: str, method: str, lag: int, name: str) -> SweepCell:
    f = FAMILIES[family]
    key = "random_guessing" if method == "guessing" else method
    n_test = 256 if family == "two_sequence" else bengio_study.N_TEST
    lengths = [lag, lag] if family == "latch" else [lag, lag + lag // 10]
    task = {"name": family, "T": lag, "lengths": lengths, "n_train": bengio_study.N_TRAIN, "n_test": n_test}
    return SweepCell(name, key, task, N_TRIALS, f.budget // bengio_study.N_TRAIN, bengio_study.N_TRAIN, n_test,
                     (zlib.crc32(name.encode()),), note=_note(family, lag), study=STUDY, family=family)


# ------------------------------------------------------------------------------------------------- RCC
class SweepRCCTrainer(constructive_study.RCCTrainer):
    """Recurrent cascade-correlation on Task 2a at p: the training set is the task's two sequences, and a net
    succeeds when it meets ABS(0.25) at every step of both (checked after every output pass)."""

    def step(self):
        clock = time.perf_counter()
        both, P = long_lag.noise_free_both(self.entry.task["p"]), len(self.seeds)
        data = cascade.Data(*(np.repeat(a[None], P, axis=0) for a in (both.x, both.targets,
                                                                        both.target_mask.any(axis=2))))
        gens = [trial_streams(self.entry, s) for s in self.seeds]
        net = cascade.CascadeNet.initial(both.x.shape[2], both.targets.shape[2], [g[0] for g in gens])

        def solved(net, y):
            return np.all(np.abs(y - data.targets) < competitors.BOUND, axis=(1, 2, 3))

        grown = cascade.grow(net, data, [g[1] for g in gens], solved, constructive_study.MAX_UNITS, self.budget,
                             **self.entry.settings)
        right = np.all(np.abs(net.outputs(data.x) - data.targets) < competitors.BOUND, axis=(2, 3))
        self._out, self.n_seen = (net, grown, (~right).sum(axis=1), np.full(P, 2)), self.budget
        self.seconds += time.perf_counter() - clock
        return grown["success"], np.zeros(P, dtype=bool)

    def finish(self, p: int, success: bool, diverged: bool) -> dict:
        """The record of :meth:`RCCTrainer.finish` with all the output weights and Task 2a's rule."""
        net = self._out[0]
        record = super().finish(p, success, diverged)
        record["weights"]["w_out"] = np.asarray(net.w_out[p, :, :1 + net.n_in + int(net.n_units[p])]).tolist()
        record["criteria"] = {"rule": "ABS(0.25) at every step of both sequences of Task 2a (the training set), "
                                      "checked after every output pass"}
        return record


@dataclasses.dataclass(frozen=True)
class SweepRCCEntry(constructive_study.Entry):
    """An RCC cell of Task 2a (:class:`SweepRCCTrainer`)."""

    def start(self, seeds, budget: int, version: str) -> SweepRCCTrainer:
        return SweepRCCTrainer(self, [int(s) for s in seeds], budget, version)

    def resume(self, path, version: str, budget: int) -> SweepRCCTrainer:
        return SweepRCCTrainer.load(self, path, version, budget)


# --------------------------------------------------------------------------------------------- entries
def _rcc(family: str, lag: int, name: str) -> SweepRCCEntry:
    return SweepRCCEntry(name, "rcc", "2a", "RCC", N_TRIALS, FAMILIES[family].budget,
                         {"name": "Task 2a", "p": lag}, {},
                         _note(family, lag) + f" At most {constructive_study.MAX_UNITS} units (Table 1's RCC row), "
                         "Fahlman's settings (cascade.SETTINGS); a pass over the two sequences counts two.",
                         max_batch=N_TRIALS, study=STUDY)


def _chunker(family: str, lag: int, name: str):
    f = FAMILIES[family]
    return constructive_study.Entry(
        name, "chunker", "2a", "CH", N_TRIALS, f.budget, {"name": "Task 2a", "p": lag, "alpha": 1.0}, {},
        _note(family, lag) + " The two nets of the chunker row 2a-chunker-p100 (one self-recurrent hidden unit "
        "each), learning rate 1.0.", max_batch=N_TRIALS, study=STUDY)


def make_entry(family: str, method: str, lag: int):
    """The runner entry of one cell (no checks: see :func:`lstm_edu.lag_sweep.entry`)."""
    name = cell_name(family, method, lag)
    if method in LSTM_METHODS:
        return _lstm(family, method, lag, name)
    if method in NET_RULES:
        return _net(family, method, lag, name)
    if method == "chunker":
        return _chunker(family, lag, name)
    if method == "rcc":
        return _rcc(family, lag, name)
    return _cell(family, method, lag, name)


def entries() -> dict:
    """Every cell of every family, by entry name, families in order, then methods, then lags."""
    return {cell_name(fam, m, lag): make_entry(fam, m, lag)
            for fam, f in FAMILIES.items() for m in f.methods for lag in f.lags}
