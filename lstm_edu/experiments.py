"""The 1997 paper's LSTM experiments (Section 5, Tables 1-9), run as resumable many-trial jobs.

``python -m lstm_edu run EXPERIMENT [--trials N] [--budget SEQUENCES] [--seed S] [--out DIR] [--batch P]
[--check SEQUENCES]``

:data:`EXPERIMENTS` holds one :class:`Experiment` per LSTM row of Tables 1-9: its task (``lstm_edu.tasks``),
its architecture (a row of Table 10, :func:`lstm_edu.lstm1997.config`), its stopping and success rules
(:mod:`lstm_edu.criteria`, Table 11), the paper's trial count and the paper's figures for comparison.
:data:`VARIANTS` holds rows run once more with one thing changed where the paper is silent or contradicts
itself (row 1-5: update schedule, ranges of g and h, distinct training strings, target coding; rows 1-1
to 1-4 and 2c-1: ranges of g and h).

How a run works
---------------
- Trial ``i`` has the seed ``S + i``. Its randomness depends only on (experiment, trial seed): three
  independent streams (initial weights, training sequences, test sequences) are spawned from
  ``SeedSequence([trial seed, crc32(experiment)])`` (a variant uses its base row's name); the initial
  weights of every trial are drawn for that trial alone. Training sequences are drawn in blocks of
  :attr:`Experiment.block` per trial.
- Trials are trained together in *chunks* of ``--batch`` trials (the trial axis P of
  :class:`~lstm_edu.lstm1997.LSTM1997`), each network on its own sequence, one weight update per sequence
  (``schedule="sequence"``, Appendix A.1) or after every step where the row says so (Experiment 1,
  ``schedule="step"``). A trial that stops (criterion met or budget spent) is tested,
  its record is written at once (:func:`lstm_edu.results.write_record`) and it leaves the chunk.
- Resuming: a trial whose record exists is never run again. A chunk in progress is checkpointed
  atomically (``<out>/.partial/lstm1997/<experiment>/``) every ``--checkpoint-seconds`` and whenever a trial
  leaves it; an interrupted run continues from the checkpoint. A chunk without a checkpoint restarts
  from scratch with its full original composition (trials already recorded are recomputed, not
  rewritten). A trial's training is bitwise the same in any chunk: the compiled time loop computes each
  network on its own, in the same order whatever the other trials are. Resume with the same ``--batch``
  (checkpoints are found by their chunk's trial range). A run with another ``--budget`` continues the
  checkpoint of a larger or smaller budget while none of the chunk's trials has ended and it has trained
  fewer sequences than the new budget (the heaviest rows can so be stopped at a capped budget and
  continued later); that checkpoint is kept for its own budget.
- Checking: ``--check SEQUENCES`` runs the stored trials again, in a scratch folder, for at most
  SEQUENCES sequences each, and compares them with their records (:func:`check`): the whole outcome
  of a trial that ended within them, the learning curve so far of one that went on.

Records: ``<out>/lstm1997/<experiment>/trial-<seed>.json`` (default ``<out>`` = ``results/``), fields
documented in :func:`_record`. Timing lives under ``"run"`` only.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Callable

import numpy as np
from tqdm import tqdm

from . import _checks, criteria
from .abuse import PLATEAU_DROP
from .lstm1997 import SCHEDULES, LSTM1997, LSTMConfig, config
from .results import RESULTS_DIR, atomic_file, code_version, write_record
from .tasks import SequenceBatch
from .tasks import adding as adding_task
from .tasks import long_lag, noise_signal, reber, temporal_order

#: Stopping rules: Experiment 1 ("reber"), Experiment 2 ("abs_test": periodic test of ABS on fresh
#: sequences), Experiment 3 ("exp3": ST1/ST2), Experiments 4 and 6 ("st3") and Experiment 5 ("nseq").
STOP_RULES = ("reber", "abs_test", "exp3", "st3", "nseq")
#: What a variant of :data:`VARIANTS` changes against its row (:attr:`Experiment.changes`): one of the
#: paper's open choices, or ``"budget"`` (the same trials trained longer).
VARIANT_CHANGES = ("schedule", "squashing", "training strings", "targets", "gate biases", "budget")


@dataclasses.dataclass(frozen=True)
class Experiment:
    """One LSTM row of Tables 1-9 of the paper and how it is run.

    name: the row's name on the command line; table: the paper's table; row: the Table 10 architecture.
    description: the task in words. make: ``make(trial_seed) -> Task`` (per-trial data, see :class:`Task`).
    stop: one of :data:`STOP_RULES`; stop_bound: b of ST3(b); n_seq: Experiment 5's n_seq.
    success_bound: b of ABS(b) (Table 11; None for Experiment 1); judge: ``"end"`` (ABS at the sequence
    end) or ``"all"`` (every step with a target, Experiment 2a). exp3_variant: "3a", "3b" or "3c".
    n_trials: the paper's trial count; budget: default cap on training sequences per trial.
    check_every: sequences between periodic tests (rules "reber", "abs_test", "exp3"); check_size:
    sequences per periodic test; test_size: sequences of the final test. block: training sequences
    drawn per trial at a time; eval_chunk: test sequences generated and evaluated at a time.
    max_batch: most trials per chunk (memory). curve_every: sequences per point of the learning curve
    stored in every record (the mean training error E of those sequences). construction_window: 0, or
    sequential network construction (Section 4's remedy (1), Experiment 2a/2b): the memory cell is absent
    until the mean training error of a window of this many sequences falls by less than
    :data:`lstm_edu.abuse.PLATEAU_DROP` against the previous window (see :class:`_Chunk`). schedule: when weights change (``"sequence"``: once per
    sequence, the sum of all steps' contributions, Appendix A.1; ``"step"``: after every step; see
    :meth:`~lstm_edu.lstm1997.LSTM1997.train`; the two coincide where the error is given only at the end).
    params: task parameters for the record. paper: the paper's figures for this row. note: deviations
    from the paper and choices where it is silent. overrides: changes to the Table 10 architecture
    (:func:`~lstm_edu.lstm1997.config`), for the variants of :data:`VARIANTS`. base: for a variant, the row
    whose trial streams it shares (same initial weights and training draws per trial seed). changes: for a
    variant, the one thing it changes, one of :data:`VARIANT_CHANGES` (``"budget"`` for a run longer than the
    row's, every other entry for a choice the paper leaves open).
    """

    name: str
    table: int
    row: str
    description: str
    make: Callable
    stop: str
    n_trials: int
    budget: int
    success_bound: float | None
    judge: str = "end"
    stop_bound: float | None = None
    n_seq: int | None = None
    exp3_variant: str | None = None
    check_every: int = 0
    check_size: int = 0
    test_size: int = 2560
    block: int = 32
    eval_chunk: int = 512
    max_batch: int = 1024
    curve_every: int = 1000
    construction_window: int = 0
    schedule: str = "sequence"
    params: dict = dataclasses.field(default_factory=dict)
    paper: dict = dataclasses.field(default_factory=dict)
    note: str = ""
    overrides: dict = dataclasses.field(default_factory=dict)
    base: str = ""
    changes: str = ""

    def __post_init__(self):
        _checks.choice("stop", self.stop, STOP_RULES)
        _checks.choice("judge", self.judge, ("end", "all"))
        _checks.choice("schedule", self.schedule, SCHEDULES)
        if self.base or self.changes:
            _checks.choice("changes", self.changes, VARIANT_CHANGES)

    @property
    def architecture(self) -> LSTMConfig:
        """The row's Table 10 architecture with this experiment's :attr:`overrides`."""
        return config(self.row, **self.overrides)

    def criteria_record(self) -> dict:
        """The rules this row applies, for its records."""
        if self.stop == "reber":
            return {"stop": "reber", "check_every": self.check_every,
                    "rule": "every symbol of every distinct training and test string predicted correctly"}
        keys = ("stop", "stop_bound", "n_seq", "exp3_variant", "success_bound", "judge", "check_every",
                "check_size", "test_size")
        out = {k: getattr(self, k) for k in keys}
        if self.stop in ("st3", "nseq"):
            out["window"] = criteria.WINDOW
        return out


class Task:
    """A trial's task: ``train(n, gen)`` and ``test(n, gen)`` draw ``n`` sequences from the stream ``gen``.

    For Experiment 1, ``fixed_test`` is the trial's whole training and test set (encoded once) and
    ``possible`` the symbols allowed at every step of it.
    """

    def __init__(self, train, test=None, fixed_test=None, possible=None):
        self.train, self.test, self.fixed_test, self.possible = train, test, fixed_test, possible


# ------------------------------------------------------------------------------------------- registry
def reber_task(trial_seed: int, distinct: bool = False, targets: str = "next") -> Task:
    # Section 5.1: 3 random training/test-set pairs, 10 trials each; trial seeds 10k .. 10k+9 share pair k.
    strings_train, strings_test = reber.training_and_test_strings(
        np.random.SeedSequence([trial_seed // 10, zlib.crc32(b"reber-sets")]), distinct=distinct)
    train_set, _ = reber.encode(strings_train, targets=targets)
    evaluation = sorted(set(strings_train) | set(strings_test))
    fixed, possible = reber.encode(evaluation)

    def train(n, gen):
        pick = gen.integers(0, len(strings_train), size=n)
        T = int(train_set.lengths[pick].max())
        return SequenceBatch(*(a[pick, :T] if a.ndim > 1 else a[pick] for a in train_set))

    return Task(train, fixed_test=fixed, possible=possible)


def budget_for(paper_sequences: int) -> int:
    """Default cap on training sequences of a row: five times the paper's mean sequences until success,
    rounded up to two significant digits, and at least 50,000 (our choice; the paper's own cap, where it
    names one, is in ``paper``). A trial that needs more than five times the paper's mean counts as a
    failure; ``--budget`` changes the cap and every record stores the one it ran under."""
    want = 5 * int(paper_sequences)
    unit = 10 ** max(0, len(str(want)) - 2)
    return max(50_000, -(-want // unit) * unit)


def _same(fn) -> Callable:
    return lambda trial_seed: Task(fn, fn)


def _registry() -> dict:
    ex = {}
    table1 = {"1-1": (39740, 100), "1-2": (21730, 100), "1-3": (14060, 97), "1-4": (9500, 97), "1-5": (8440, 100)}
    for name, (after, pct) in table1.items():
        ex[name] = Experiment(
            name, 1, name, "embedded Reber grammar, next-symbol prediction (Experiment 1)", reber_task,
            "reber", 30, budget_for(after), success_bound=None, check_every=500, test_size=0, block=64, curve_every=500,
            schedule="step", params={"n_train": 256, "n_test": 256, "pairs": 3},
            paper={"success_percent": pct, "success_after": after},
            note="Success is tested every check_every sequences on all distinct training and test strings "
                 "(test: n distinct strings, wrong = strings with a wrong prediction); each pair of sets "
                 "serves 10 consecutive trial seeds. Weights change after every step (schedule 'step'): "
                 "Appendix A.1 speaks of how 'to efficiently update the system at time t' and of the "
                 "'update complexity per time step', and Section 5 of on-line learning; with an error at "
                 "every step the two schedules differ, and per-step updates succeed markedly more often here.")
    p = 100
    ex["2a"] = Experiment(
        "2a", 2, "2a", "noise-free sequences with long time lags, p = 100 (Task 2a)",
        lambda s: Task(lambda n, g: long_lag.noise_free(n, p, g), lambda n, g: long_lag.noise_free_both(p)),
        "abs_test", 18, budget_for(5040), success_bound=0.25, judge="all", check_every=100, check_size=2,
        test_size=2, block=16, curve_every=100, params={"p": p},
        paper={"success_percent": 100, "success_after": 5040, "budget": 5_000_000},
        construction_window=100,
        note="Success: ABS(0.25) at every step; the paper's 10,000 random test sequences are draws from the "
             "two sequences of the task, so both are tested. As in the paper, the memory cell and its input "
             "gate are added once the error stops decreasing (sequential construction; milestone cell_added).")
    ex["2b"] = Experiment(
        "2b", 2, "2b", "no local regularities, p = 100 (Task 2b)",
        _same(lambda n, g: long_lag.no_local_regularities(n, p, g)),
        "abs_test", 18, budget_for(5680), success_bound=0.25, check_every=100, check_size=10_000, test_size=10_000,
        block=16, curve_every=100, construction_window=100, params={"p": p},
        paper={"success_percent": 100, "success_after": 5680, "budget": 5_000_000},
        note="As in the paper, the memory cell and its input gate are added once the error stops decreasing "
             "(sequential construction; milestone cell_added).")
    table3 = ((50, 50, 30000), (100, 100, 31000), (200, 200, 33000), (500, 500, 38000), (1000, 1000, 49000),
              (1000, 500, 49000), (1000, 200, 75000), (1000, 100, 135000), (1000, 50, 203000))
    for k, (q, pp, after) in enumerate(table3, start=1):
        steps = q + 13
        ex[f"2c-{k}"] = Experiment(
            f"2c-{k}", 3, f"2c-{k}", f"very long time lags, q = {q}, p = {pp} (Task 2c)",
            _same(lambda n, g, pp=pp, q=q: long_lag.very_long_lag(n, pp, q, g)),
            "abs_test", 20, budget_for(after), success_bound=0.2, check_every=1000, check_size=10_000,
            test_size=10_000, block=max(1, min(16, 2 ** 21 // (steps * (pp + 4)))),
            eval_chunk=max(1, min(512, 2 ** 24 // (steps * (pp + 4) * 8))),
            max_batch=max(1, 2 ** 26 // (steps * (pp + 4) * 8)), params={"q": q, "p": pp},
            paper={"success_after": after, "budget": 5_000_000},
            note="Tested every check_every sequences when all of the last check_every training sequences "
                 "were correct; success when all 10,000 fresh test sequences are.")
    table456 = (("3a", 100, 3, 27380, 39850, 0.000195), ("3a", 100, 1, 58370, 64330, 0.000117),
                ("3a", 1000, 3, 446850, 452460, 0.000078), ("3b", 100, 3, 41740, 43250, 0.00828),
                ("3b", 100, 1, 74950, 78430, 0.01500), ("3b", 1000, 1, 481060, 485080, 0.01207),
                ("3c", 100, 3, None, 269650, 0.00558), ("3c", 100, 1, None, 565640, 0.00441))
    makers = {"3a": noise_signal.task_3a, "3b": noise_signal.task_3b, "3c": noise_signal.task_3c}
    for variant, T, N, st1, st2, miss in table456:
        name = f"{variant}-T{T}-N{N}"
        paper = {"ST1": st1, "ST2": st2, "fraction_misclassified": miss} if st1 else \
            {"stop": st2, "fraction_misclassified": miss,
             "mean_difference_to_clean_target": {1: 0.012, 3: 0.014}[N]}
        ex[name] = Experiment(
            name, {"3a": 4, "3b": 5, "3c": 6}[variant], variant,
            f"noise and signal on one input line, T = {T}, N = {N} (Task {variant})",
            _same(lambda n, g, fn=makers[variant], T=T, N=N: fn(n, T, N, g)),
            "exp3", 10, budget_for(st2), success_bound=0.2, exp3_variant=variant,
            check_every=1000 if T == 100 else 5000, check_size=256, test_size=2560,
            eval_chunk=512 if T == 100 else 128, params={"T": T, "N": N}, paper=paper,
            note="ST1/ST2 are tested every check_every sequences on 256 fresh sequences.")
    for k, (T, wrong, after) in enumerate(((100, 1, 74000), (500, 0, 209000), (1000, 1, 853000)), start=1):
        ex[f"4-{k}"] = Experiment(
            f"4-{k}", 7, f"4-{k}", f"adding problem, T = {T} (Experiment 4)",
            _same(lambda n, g, T=T: adding_task.adding(n, T, g)), "st3", 10,
            budget_for(after), success_bound=0.04, stop_bound=0.01,
            eval_chunk=512 if T == 100 else 128, params={"T": T},
            paper={"wrong_of_2560": wrong, "success_after": after})
    for n_seq, wrong, mse, after in ((140, 139, 0.0223, 482000), (13, 14, 0.0139, 1273000)):
        ex[f"5-{n_seq}"] = Experiment(
            f"5-{n_seq}", 8, "5", f"multiplication problem, T = 100, n_seq = {n_seq} (Experiment 5)",
            _same(lambda n, g: adding_task.multiplication(n, 100, g)), "nseq", 10, budget_for(after),
            success_bound=0.04, n_seq=n_seq, params={"T": 100},
            paper={"wrong_of_2560": wrong, "test_mse": mse, "success_after": after})
    for task, trials, wrong, after in (("6a", 20, 1, 31390), ("6b", 10, 2, 571100)):
        ex[task] = Experiment(
            task, 9, task, f"temporal order, {2 if task == '6a' else 3} relevant symbols (Task {task})",
            _same(lambda n, g, task=task: temporal_order.temporal_order(n, task, g)), "st3", trials, budget_for(after),
            success_bound=0.3, stop_bound=0.1, params={"positions": temporal_order.POSITIONS[task]},
            paper={"wrong_of_2560": wrong, "success_after": after})
    return ex


#: Every LSTM row of Tables 1-9, keyed by its command-line name.
EXPERIMENTS = _registry()


def _variants() -> dict:
    """Row 1-5 (Experiment 1) once more for each place where the paper leaves room or contradicts itself,
    one change at a time, with the row's trial seeds (the Reber chapter's discussion); rows 1-1 to 1-4
    and 2c-1 (Experiment 2's fastest row) with the ranges of g and h of Table 10's caption; row 2c-3
    with a negative initial input-gate bias, the test of the drift explanation of the long_lags chapter;
    row 4-1 with row 4-2's larger budget (the adding chapter) and row 1-5 with row 1-1's (the Reber
    chapter)."""
    base = EXPERIMENTS["1-5"]
    changes = {
        "1-5_sequence": ("weights change once per string (the sum of all steps' contributions) instead of "
                         "after every step", {"schedule": "sequence", "changes": "schedule"}),
        "1-5_caption": ("the ranges of Table 10's caption, g in [-1, 1] and h in [-2, 2], instead of the "
                        "text's g in [-2, 2] and h in [-1, 1]",
                        {"overrides": {"squashing": "caption"}, "changes": "squashing"}),
        "1-5_distinct": ("256 distinct training strings (the test set excludes all of them)",
                         {"make": functools.partial(reber_task, distinct=True), "changes": "training strings"}),
        "1-5_possible": ("targets 1 for every possible next symbol instead of the one-hot next symbol (not the "
                         "paper's task)",
                         {"make": functools.partial(reber_task, targets="possible"), "changes": "targets"}),
    }
    variants = {name: dataclasses.replace(base, name=name, base="1-5", description=f"{base.description}; {what}",
                                          note=f"Variant of row 1-5: {what}. {base.note}", **fields)
                for name, (what, fields) in changes.items()}
    what, fields = changes["1-5_caption"]
    for row in ("1-1", "1-2", "1-3", "1-4", "2c-1"):  # the caption's ranges on other rows too
        exp = EXPERIMENTS[row]
        variants[f"{row}_caption"] = dataclasses.replace(
            exp, name=f"{row}_caption", base=row, description=f"{exp.description}; {what}",
            note=f"Variant of row {row}: {what}. {exp.note}", **fields)
    # Experiment 2c's drift through the gates (long_lags chapter): Section 4's own remedy for state drift
    exp, budget = EXPERIMENTS["2c-3"], 100_000
    what = ("bias weights on the gates, the input gates' starting at -2 (Section 4's remedy for internal "
            "state drift), although the 2c text says no bias weights are used; budget 100,000 sequences")
    variants["2c-3_igb"] = dataclasses.replace(
        exp, name="2c-3_igb", base="2c-3", changes="gate biases", description=f"{exp.description}; {what}",
        budget=budget,
        overrides={"bias": "ga", "input_gate_bias": (-2.0, -2.0)},
        note=f"Variant of row 2c-3: {what}. {exp.note}")
    # Are a row's failures a matter of the budget? The same trials (same seeds, so the same nets and
    # sequences up to the row's budget), trained as long as a larger budget allows: row 4-1 with row 4-2's
    # (adding chapter), row 1-5 with row 1-1's, the largest of Experiment 1 (Reber chapter)
    for row, donor, usual in (("4-1", "4-2", "5 times the paper's mean"),
                              ("1-5", "1-1", "5 times the paper's mean, at least 50,000")):
        exp, budget = EXPERIMENTS[row], EXPERIMENTS[donor].budget
        what = f"budget {budget:,} sequences (row {donor}'s) instead of {usual}"
        variants[f"{row}_long"] = dataclasses.replace(
            exp, name=f"{row}_long", base=row, changes="budget", description=f"{exp.description}; {what}",
            budget=budget,
            note=f"Variant of row {row}: {what}. {exp.note}")
    return variants


#: Variants of LSTM rows (``python -m lstm_edu run NAME`` runs them too; records under results/lstm1997/NAME).
VARIANTS = _variants()


def experiment(name: str) -> Experiment:
    """The registered experiment ``name``: a row of :data:`EXPERIMENTS` or a variant of :data:`VARIANTS`."""
    known = {**EXPERIMENTS, **VARIANTS}
    return known[_checks.choice("experiment", name, tuple(known))]


# ------------------------------------------------------------------------------------- per-trial state
def trial_streams(exp: Experiment, trial_seed: int) -> tuple:
    """Independent Generators (initial weights, training data, test data) of one trial."""
    root = np.random.SeedSequence([int(trial_seed), zlib.crc32((exp.base or exp.name).encode())])
    return tuple(np.random.default_rng(s) for s in root.spawn(3))


def _initial_net(exp: Experiment, weight_gens) -> LSTM1997:
    """One network per trial, each drawn from its own weight stream, stacked along the trial axis."""
    cfg = exp.architecture
    nets = [LSTM1997(cfg, 1, seed=gen) for gen in weight_gens]
    return LSTM1997.from_weights(cfg, np.concatenate([n.w_hidden for n in nets]),
                                 np.concatenate([n.w_output for n in nets]))


def initial_net(name: str, seeds) -> LSTM1997:
    """The networks the trials ``seeds`` of experiment ``name`` start from (P = len(seeds)), before any
    training: the same initial weights the runner draws, so that a chapter can look at a row's nets as
    they were at sequence 0 (for example, how far their cell states drift before learning begins)."""
    exp = experiment(name)
    seeds = [_checks.positive_int("seeds", s, minimum=0) for s in np.atleast_1d(seeds).tolist()]
    if not seeds:
        raise ValueError("seeds must name at least one trial seed (integers >= 0)")
    return _initial_net(exp, [trial_streams(exp, s)[0] for s in seeds])


class _TrainStream:
    """A trial's training sequences, drawn ``block`` at a time; restorable from (state at block start, position)."""

    def __init__(self, task: Task, gen: np.random.Generator, block: int, state=None):
        self.task, self.gen, self.block = task, gen, block
        self.batch, self.pos, self.block_state = None, block, None
        if state is not None:
            self.gen.bit_generator.state = state["block_state"]
            self._refill()
            self.pos = state["pos"]

    def _refill(self):
        self.block_state = self.gen.bit_generator.state
        self.batch, self.pos = self.task.train(self.block, self.gen), 0

    def next(self):
        if self.pos >= self.block:
            self._refill()
        b, i = self.batch, self.pos
        self.pos += 1
        n = int(b.lengths[i])
        return b.x[i, :n], b.targets[i, :n], b.target_mask[i, :n]

    def state(self) -> dict:
        return {"block_state": self.block_state, "pos": self.pos}


def _assemble(streams, store: dict):
    """One sequence per trial, padded to the longest: x (P, T, n_in), targets (P, T, K), mask (P, T, K), lengths.

    ``store``: a dict kept between calls (start with ``{}``); its flat arrays are reused for the returned
    ones (C-contiguous views, valid until the next call). On this machine writing fresh memory costs page
    faults: for row 2c-5 (20 trials x 1001 steps x 1004 inputs) a fresh x cost about a third of a training
    step.
    """
    rows = [s.next() for s in streams]
    lengths = np.array([r[0].shape[0] for r in rows])
    P, T = len(rows), int(lengths.max())
    out = []
    for i, (dtype, width) in enumerate(((float, rows[0][0].shape[1]), (float, rows[0][1].shape[1]),
                                        (bool, rows[0][1].shape[1]))):
        size = P * T * width
        if i not in store or store[i].size < size:
            store[i] = np.zeros(size, dtype=dtype)
        out.append(store[i][:size].reshape(P, T, width))
    for p, row in enumerate(rows):
        n = row[0].shape[0]
        for arr, part in zip(out, row):
            arr[p, :n] = part
            arr[p, n:] = 0
    return (*out, lengths)


def _judge_mask(exp: Experiment, batch: SequenceBatch) -> np.ndarray:
    """Where ABS(b) is judged: every target (judge "all") or the sequence end only."""
    if exp.judge == "all":
        return batch.target_mask
    mask = np.zeros_like(batch.target_mask)
    mask[np.arange(len(batch.lengths)), batch.lengths - 1] = True
    return mask


def _evaluate(exp: Experiment, net: LSTM1997, row: int, task: Task, gen, n: int) -> dict:
    """Test network ``row`` on ``n`` fresh sequences from ``gen`` (Experiment 1: on its fixed sets)."""
    if exp.stop == "reber":
        f, k = task.fixed_test, exp.eval_chunk
        ok = np.concatenate([criteria.reber_correct(net.forward_one(f.x[i:i + k], row).outputs,
                                                    task.possible[i:i + k], f.lengths[i:i + k])
                             for i in range(0, len(f.lengths), k)])
        return {"n": int(ok.size), "wrong": int(np.count_nonzero(~ok))}
    correct, end_out, end_tgt = [], [], []
    done = 0
    while done < n:
        b = task.test(min(exp.eval_chunk, n - done), gen)
        out = net.forward_one(b.x, row).outputs
        correct.append(criteria.abs_correct(out, b.targets, _judge_mask(exp, b), exp.success_bound))
        end_out.append(criteria.end_values(out, b.lengths))
        clean = (noise_signal.clean_targets_3c(b.labels)[:, None] if exp.exp3_variant == "3c"
                 else criteria.end_values(b.targets, b.lengths))
        end_tgt.append(clean)
        done += len(b.lengths)
    correct = np.concatenate(correct)
    y, t = np.concatenate(end_out), np.concatenate(end_tgt)
    finite = np.isfinite(y)
    err = np.where(finite, y - t, np.inf)
    result = {"n": int(correct.size), "wrong": int(np.count_nonzero(~correct)),
              "mean_abs_error": float(np.abs(err).mean()), "mse": float((err ** 2).mean()),
              "max_abs_error": float(np.abs(err).max())}
    if exp.stop == "exp3":  # misclassified as Section 5.3 defines it (3c: against the noise-free target)
        result["_end"] = (y[:, 0], t[:, 0])
        result["wrong"] = int(criteria.exp3_criteria(exp.exp3_variant, y.T, t.T)["wrong"][0])
        result["fraction_misclassified"] = result["wrong"] / result["n"]
    return result


def _public(test: dict) -> dict:
    return {k: v for k, v in test.items() if not k.startswith("_")}


# --------------------------------------------------------------------------------------------- chunks
class _Chunk:
    """The trials of one chunk while they train together (one network each on the trial axis)."""

    def __init__(self, exp: Experiment, seeds: list[int], budget: int, version: str):
        """A new chunk, trained by code ``version`` (see :meth:`load` for one resumed)."""
        self.exp, self.budget = exp, budget
        self.seeds, self.chunk_seeds = list(seeds), list(seeds)
        self.tasks = [exp.make(s) for s in seeds]
        streams = [trial_streams(exp, s) for s in seeds]
        self.net = _initial_net(exp, [st[0] for st in streams])
        self.train = [_TrainStream(t, st[1], exp.block) for t, st in zip(self.tasks, streams)]
        self._buffers = {}
        self.test_gens = [st[2] for st in streams]
        self.window = (criteria.RollingWindow(len(seeds), exp.check_every if exp.stop == "abs_test"
                                              else criteria.WINDOW)
                       if exp.stop in ("abs_test", "st3", "nseq") else None)
        self.milestones = [{} for _ in seeds]
        self.curves = [[] for _ in seeds]
        self.curve_sum = np.zeros(len(seeds))
        self.n_seen = 0
        self.versions = [version]
        self.seconds = 0.0
        if exp.construction_window:  # sequential construction: every net starts without its cell
            P = len(seeds)
            self.construction = {"added": np.zeros(P, dtype=bool), "window_sum": np.zeros(P),
                                 "previous": np.full(P, np.inf), "w_hidden": self.net.w_hidden.copy(),
                                 "w_output": self.net.w_output.copy()}
            self._silence_cells()
        else:
            self.construction = None

    def _absent(self) -> tuple[np.ndarray, np.ndarray]:
        """Sequential construction: the weights of the cells not added yet, as (P, H, M) and (P, n_out, M_out)
        bool arrays: every hidden weight (the cell's and its gate's) and the weights from the cell to the
        outputs of the nets whose cell is absent."""
        absent = ~self.construction["added"]
        hidden = np.broadcast_to(absent[:, None, None], self.net.w_hidden.shape)
        output = np.zeros(self.net.w_output.shape, dtype=bool)
        output[:, :, self.net._out_cells] = absent[:, None, None]
        return hidden, output

    def _silence_cells(self) -> None:
        """A net whose cell has not been added yet has the cell's weights (:meth:`_absent`) at 0, and
        :meth:`LSTM1997.train` keeps them there (``frozen``), within a sequence too. Its outputs then depend
        on the inputs alone, exactly as without a cell, in either weight-update schedule."""
        hidden, output = self._absent()
        self.net.w_hidden[hidden] = 0.0
        self.net.w_output[output] = 0.0

    def _construct(self, loss: np.ndarray) -> None:
        """Add the cell (with the weights drawn for it at the start) where the error stopped falling."""
        c, window = self.construction, self.exp.construction_window
        c["window_sum"] += loss
        if self.n_seen % window == 0:
            mean = c["window_sum"] / window
            grow = ~c["added"] & (mean > (1 - PLATEAU_DROP) * c["previous"])
            for p in np.flatnonzero(grow):
                self.net.w_hidden[p] = c["w_hidden"][p]
                cells = self.net._out_cells
                self.net.w_output[p][:, cells] = c["w_output"][p][:, cells]
                self.milestones[p]["cell_added"] = self.n_seen
            c["added"] |= grow
            c["previous"], c["window_sum"] = mean, np.zeros_like(mean)

    # checkpoints ------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        meta = {"experiment": self.exp.name, "budget": self.budget, "seeds": self.seeds, "n_seen": self.n_seen,
                "milestones": self.milestones, "curves": self.curves, "train": [s.state() for s in self.train],
                "test": [g.bit_generator.state for g in self.test_gens], "seconds": self.seconds,
                "chunk": self.chunk_seeds, "code_versions": self.versions}
        arrays = {"w_hidden": self.net.w_hidden, "w_output": self.net.w_output, "curve_sum": self.curve_sum}
        if self.window is not None:
            arrays.update({f"window_{k}": v for k, v in self.window.state().items()})
        if self.construction is not None:
            arrays.update({f"construction_{k}": v for k, v in self.construction.items()})
        with atomic_file(path) as fh:
            np.savez(fh, meta=np.array(json.dumps(meta)), **arrays)

    @classmethod
    def load(cls, exp: Experiment, path: Path, version: str, budget: int | None = None) -> "_Chunk":
        """The chunk checkpointed at ``path``, now trained by code ``version`` (kept after the versions
        that trained it before, unless it is the last of them), to ``budget`` (default: its own)."""
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            arrays = {k: data[k] for k in data.files if k != "meta"}
        self = cls.__new__(cls)
        self.exp, self.budget, self.seeds = exp, meta["budget"] if budget is None else budget, meta["seeds"]
        self.chunk_seeds, self.n_seen, self.seconds = meta["chunk"], meta["n_seen"], meta["seconds"]
        # checkpoints written before the code versions were kept name none: say so in the records
        self.versions = meta.get("code_versions", ["unrecorded"])
        if self.versions[-1] != version:
            self.versions.append(version)
        self.milestones, self.curves, self.curve_sum = meta["milestones"], meta["curves"], arrays["curve_sum"]
        self.construction = ({k[13:]: v for k, v in arrays.items() if k.startswith("construction_")}
                             if exp.construction_window else None)
        self.tasks = [exp.make(s) for s in self.seeds]
        self.net = LSTM1997.from_weights(exp.architecture, arrays["w_hidden"], arrays["w_output"])
        self.train, self.test_gens, self._buffers = [], [], {}
        for task, s, tr, te in zip(self.tasks, self.seeds, meta["train"], meta["test"]):
            _, train_gen, test_gen = trial_streams(exp, s)
            self.train.append(_TrainStream(task, train_gen, exp.block, state=tr))
            test_gen.bit_generator.state = te
            self.test_gens.append(test_gen)
        self.window = (criteria.RollingWindow.from_state({k[7:]: v for k, v in arrays.items()
                                                          if k.startswith("window_")})
                       if exp.stop in ("abs_test", "st3", "nseq") else None)
        return self

    # training ---------------------------------------------------------------------------------
    def step(self) -> tuple[np.ndarray, np.ndarray]:
        """Train every trial on one sequence; return two (P,) bool arrays: the trials whose stopping rule now
        holds, and the trials whose weights have blown up to non-finite values (they end as failures)."""
        exp = self.exp
        x, y, m, lengths = _assemble(self.train, self._buffers)
        result = self.net.train(x, y, m, schedule=exp.schedule, keep_outputs=exp.judge == "all",
                                on_divergence="report",
                                frozen=self._absent() if self.construction is not None else None)
        self.n_seen += 1
        self.curve_sum += result.loss
        if self.construction is not None:
            self._construct(result.loss)
        if self.n_seen % exp.curve_every == 0:
            for curve, total in zip(self.curves, self.curve_sum):
                curve.append(float(total) / exp.curve_every)
            self.curve_sum[:] = 0.0
        P = len(self.seeds)
        stop = np.zeros(P, dtype=bool)
        if self.window is not None:
            end_t = criteria.end_values(y, lengths)
            if exp.judge == "all":
                ok = criteria.abs_correct(result.outputs, y, m, exp.success_bound)
            else:
                ok = np.all(np.abs(end_t - result.last_output) < exp.success_bound, axis=1)
            self.window.push(ok, criteria.end_error(result.last_output, end_t))
        if exp.stop == "st3":
            stop = self.window.st3(exp.stop_bound)
        elif exp.stop == "nseq":
            stop = self.window.fewer_wrong_than(exp.n_seq)
        elif exp.check_every and self.n_seen % exp.check_every == 0:
            stop = self._periodic_check()
        return stop & ~result.diverged, result.diverged

    def _periodic_check(self) -> np.ndarray:
        exp, P = self.exp, len(self.seeds)
        stop = np.zeros(P, dtype=bool)
        if exp.stop == "reber":
            for p in range(P):
                stop[p] = _evaluate(exp, self.net, p, self.tasks[p], None, 0)["wrong"] == 0
        elif exp.stop == "abs_test":
            screened = self.window.full & (self.window.n_wrong() == 0)
            for p in np.flatnonzero(screened):
                test = _evaluate(exp, self.net, p, self.tasks[p], self.test_gens[p], exp.check_size)
                self.milestones[p]["tests"] = self.milestones[p].get("tests", 0) + 1
                stop[p] = test["wrong"] == 0
        else:  # exp3: ST1 and ST2 on fresh test sequences
            ends = [_evaluate(exp, self.net, p, self.tasks[p], self.test_gens[p], exp.check_size)["_end"]
                    for p in range(P)]
            crit = criteria.exp3_criteria(exp.exp3_variant, np.stack([e[0] for e in ends]),
                                          np.stack([e[1] for e in ends]))
            for p in range(P):
                if crit["st1"][p] and "ST1" not in self.milestones[p]:
                    self.milestones[p]["ST1"] = self.n_seen
            stop = crit["st2"]
        return stop

    def finish(self, p: int, success: bool, diverged: bool = False) -> dict:
        """The record of trial ``p`` after its final test (none if its weights have blown up); its code
        versions are those of the runs that trained the chunk, the last one now training it."""
        exp = self.exp
        test = None
        if diverged:
            self.milestones[p]["diverged"] = self.n_seen
        elif exp.stop == "reber":
            test = _evaluate(exp, self.net, p, self.tasks[p], None, 0)
        elif exp.test_size:
            test = _public(_evaluate(exp, self.net, p, self.tasks[p], self.test_gens[p], exp.test_size))
        curve = {"every": exp.curve_every, "mean_loss": self.curves[p],
                 "measure": "mean over each interval of the training error E of a sequence (1/2 sum of "
                            "squared errors of all error steps and outputs)"}
        weights = None
        if self.net.n_weights <= MAX_STORED_WEIGHTS and not diverged:
            weights = {"w_hidden": self.net.w_hidden[p].tolist(), "w_output": self.net.w_output[p].tolist()}
        return _record(exp, self.seeds[p], self.budget, self.n_seen, success, self.milestones[p], test,
                       curve, weights, len(self.chunk_seeds), self.seconds,
                       self.versions)

    def keep(self, rows: np.ndarray) -> None:
        """Keep only the trials ``rows`` (the others have finished)."""
        self.seeds = [self.seeds[i] for i in rows]
        self.tasks = [self.tasks[i] for i in rows]
        self.train = [self.train[i] for i in rows]
        self.test_gens = [self.test_gens[i] for i in rows]
        self.milestones = [self.milestones[i] for i in rows]
        self.curves = [self.curves[i] for i in rows]
        self.curve_sum = self.curve_sum[rows]
        if self.construction is not None:
            self.construction = {k: v[rows] for k, v in self.construction.items()}
        if len(rows):
            self.net = self.net.select(rows)
            if self.window is not None:
                self.window = self.window.select(rows)


#: Records keep the trained weights of nets with at most this many weights (all but Experiment 2's large
#: nets), so that a chapter can rebuild a trained net (:func:`trained_net`) and look inside it.
MAX_STORED_WEIGHTS = 1000


def trained_net(record: dict) -> LSTM1997:
    """The trained network of a record (one network, P = 1), rebuilt from its stored final weights."""
    if not record.get("weights"):
        raise ValueError(f"record of {record['experiment']} trial {record['seed']} holds no weights (nets with "
                         f"more than {MAX_STORED_WEIGHTS} weights, or diverged trials, are stored without)")
    cfg = config(record["row"], **record.get("overrides", {}))
    return LSTM1997.from_weights(cfg, np.array([record["weights"]["w_hidden"]]),
                                 np.array([record["weights"]["w_output"]]))


def _record(exp, seed, budget, sequences, success, milestones, test, curve, weights, batch, seconds,
            versions) -> dict:
    """One trial's record.

    seed: the trial seed; experiment/table/row/description; configuration: the Table 10 architecture;
    task: task parameters; criteria: the rules applied; budget: cap on training sequences;
    sequences: training sequences until the stopping rule held (or the budget); success: whether it held
    within the budget; milestones: e.g. ST1's sequence count (Experiment 3), how many full tests
    Experiment 2 ran, or ``diverged``: the sequence at which the weights blew up (the trial then failed);
    curve: the learning curve (mean training error per ``every`` sequences); weights: the final weights
    (``w_hidden``, ``w_output`` of :class:`~lstm_edu.lstm1997.LSTM1997`; None for nets with more than
    :data:`MAX_STORED_WEIGHTS` weights); test: the final test (``n``, ``wrong``, ``mean_abs_error``, ``mse``,
    ``max_abs_error``; Experiment 1: wrong strings of all training and test strings); paper: the paper's
    figures for the row; code_version: that of the run that finished the trial, taken at the run's start;
    run: timing (``seconds`` of the whole chunk so far, ``batch``, ``finished``) and, for a chunk resumed
    from a checkpoint by another version of the code, ``code_versions``: every version that trained it, in
    order (``"unrecorded"`` for a checkpoint older than this field); the only fields that differ between
    identical runs.
    """
    return {
        "experiment": exp.name, "table": exp.table, "row": exp.row, "description": exp.description,
        "method": "LSTM (1997), truncated gradient", "schedule": exp.schedule,
        "seed": int(seed), "configuration": dataclasses.asdict(exp.architecture),
        **({"overrides": exp.overrides} if exp.overrides else {}), "task": exp.params,
        "criteria": exp.criteria_record(), "budget": int(budget), "sequences": int(sequences),
        "success": bool(success), "milestones": milestones, "test": test, "curve": curve, "weights": weights,
        "paper": exp.paper,
        "note": exp.note, "code_version": versions[-1],
        "run": {"seconds": round(seconds, 3), "batch": batch,
                "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                **({"code_versions": versions} if len(versions) > 1 else {})},
    }


# ------------------------------------------------------------------------------------------------ run
def record_path(out: Path, name: str, seed: int) -> Path:
    return Path(out) / "lstm1997" / name / f"trial-{int(seed):06d}.json"


def partial_dir(out: Path, name: str) -> Path:
    return Path(out) / ".partial" / "lstm1997" / name


def _other_budget(partial: Path, chunk_seeds: list[int], budget: int) -> Path | None:
    """A checkpoint of the same chunk made under another budget that can serve ``budget``, or None.

    A trial's training does not depend on its budget, so a chunk's state after n sequences is the same
    under any budget above n. The checkpoint serves when it holds every trial of the chunk (none has
    ended yet, so no record carries the other budget) and has trained fewer than ``budget`` sequences;
    of several, the one furthest on. It is left in place: its own budget can still be resumed from it.
    """
    best, best_seen = None, -1
    for path in partial.glob(f"chunk-{chunk_seeds[0]:06d}-{chunk_seeds[-1]:06d}-budget*.npz"):
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
        if meta["seeds"] == list(chunk_seeds) and best_seen < meta["n_seen"] < budget:
            best, best_seen = path, meta["n_seen"]
    return best


def run(name: str, n_trials: int | None = None, budget: int | None = None, seed: int = 0, out=RESULTS_DIR,
        batch: int = 64, checkpoint_seconds: float = 60.0, progress: bool = True) -> list[Path]:
    """Run (or resume) ``n_trials`` trials of experiment ``name``; return the paths of all their records.

    ``budget`` caps training sequences per trial (default: the experiment's); ``batch`` trials train
    together (capped by :attr:`Experiment.max_batch`). See the module docstring for resuming. Every record
    names the code version of the working tree when the run *started*: the code this process runs, even
    if the tree changes while it trains.
    """
    version = code_version()
    exp = experiment(name)
    n_trials = exp.n_trials if n_trials is None else _checks.positive_int("trials", n_trials)
    budget = exp.budget if budget is None else _checks.positive_int("budget", budget)
    seed = _checks.positive_int("seed", seed, minimum=0)
    batch = min(_checks.positive_int("batch", batch), exp.max_batch)
    checkpoint_seconds = _checks.positive_float("checkpoint_seconds", checkpoint_seconds, allow_zero=True)
    out = Path(out)
    seeds = [seed + i for i in range(n_trials)]
    paths = {s: record_path(out, name, s) for s in seeds}
    for s, path in paths.items():
        if path.exists():
            old = json.loads(path.read_text())
            if old["budget"] != budget:
                raise ValueError(f"budget must match the stored records: {path} was made with budget "
                                 f"{old['budget']}, got budget={budget}; use --budget {old['budget']} or "
                                 f"another --out")
    partial = partial_dir(out, name)
    chunks = [seeds[k:k + batch] for k in range(0, n_trials, batch)]
    for chunk_seeds in chunks:
        ckpt = partial / f"chunk-{chunk_seeds[0]:06d}-{chunk_seeds[-1]:06d}-budget{budget}.npz"
        if all(paths[s].exists() for s in chunk_seeds):
            if ckpt.exists():  # finished after its last checkpoint
                ckpt.unlink()
            continue
        source = ckpt if ckpt.exists() else _other_budget(partial, chunk_seeds, budget)
        if source is not None:
            chunk = _Chunk.load(exp, source, version, budget)
        else:
            chunk = _Chunk(exp, chunk_seeds, budget, version)
        bar = tqdm(total=budget, initial=chunk.n_seen, disable=not progress, mininterval=1.0,
                   desc=f"{name} trials {chunk_seeds[0]}-{chunk_seeds[-1]}", unit="seq", file=sys.stderr)
        last_save, started = time.monotonic(), time.monotonic() - chunk.seconds
        while chunk.seeds:
            stop, diverged = chunk.step()
            chunk.seconds = time.monotonic() - started
            bar.update(1)
            ended = stop | diverged | (chunk.n_seen >= budget)
            done = np.flatnonzero(ended)
            for p in done:
                s = chunk.seeds[p]
                if not paths[s].exists():
                    write_record(paths[s], chunk.finish(p, bool(stop[p]), bool(diverged[p])))
            if done.size:
                chunk.keep(np.flatnonzero(~ended))
                bar.set_postfix(active=len(chunk.seeds))
            if chunk.seeds and (done.size or time.monotonic() - last_save >= checkpoint_seconds):
                chunk.save(ckpt)
                last_save = time.monotonic()
        bar.close()
        if ckpt.exists():
            ckpt.unlink()
    return [paths[s] for s in seeds]


#: The fields of a record that training computes (the rest describes the experiment, or the run's timing).
OUTCOME_FIELDS = ("sequences", "success", "milestones", "test", "curve", "weights")


def check(name: str, sequences: int, n_trials: int | None = None, seed: int = 0, out=RESULTS_DIR,
          batch: int = 64, progress: bool = True) -> list[dict]:
    """Run the stored trials of ``name`` again for at most ``sequences`` sequences each and compare.

    The trials ``seed`` .. ``seed + n_trials - 1`` (default: the experiment's count) must have records in
    ``out``. They are run again by this code in a temporary folder with the budget ``min(sequences, stored
    budget)``; a trial's training does not depend on its budget, so up to that budget the rerun must
    follow the stored trial exactly. A trial that ended within the budget is compared on all of
    :data:`OUTCOME_FIELDS`; one that went on must not have ended earlier, and the points of its learning
    curve so far (mean training error per ``curve_every`` sequences, a fingerprint of the weights' path)
    must equal the stored ones. Returns one dict per trial: ``seed``, ``compared`` (what), ``equal`` and
    ``difference`` (the first one found, ``""`` if none).
    """
    exp = experiment(name)
    n_trials = exp.n_trials if n_trials is None else _checks.positive_int("trials", n_trials)
    sequences = _checks.positive_int("sequences", sequences)
    seeds = [_checks.positive_int("seed", seed, minimum=0) + i for i in range(n_trials)]
    missing = [s for s in seeds if not record_path(out, name, s).exists()]
    if missing:
        raise ValueError(f"trials {missing} of {name} have no record in {out} to check; run them first "
                         f"(python -m lstm_edu run {name}) or pass --trials and --seed of stored trials")
    stored = {s: json.loads(record_path(out, name, s).read_text()) for s in seeds}
    budget = min(sequences, *(r["budget"] for r in stored.values()))
    with tempfile.TemporaryDirectory() as scratch:
        fresh = {s: json.loads(p.read_text())
                 for s, p in zip(seeds, run(name, n_trials, budget, seeds[0], scratch, batch, progress=progress))}
    report = []
    for s in seeds:
        old, new = stored[s], fresh[s]
        if old["sequences"] <= budget:
            compared = "the whole outcome"
            difference = next((f"{key}: stored {old[key]!r:.200}, now {new[key]!r:.200}"
                               for key in OUTCOME_FIELDS if old[key] != new[key]), "")
        else:
            points = len(new["curve"]["mean_loss"])
            compared = f"the first {points} curve points (stored trial: {old['sequences']:,} sequences)"
            before = old["curve"]["mean_loss"][:points]
            first = next((i for i, (a, b) in enumerate(zip(before, new["curve"]["mean_loss"])) if a != b), None)
            if new["sequences"] < budget:
                difference = (f"ended after {new['sequences']:,} sequences (success {new['success']}), before the "
                              f"stored trial")
            elif first is not None:
                difference = (f"curve point {first} (sequences {first * exp.curve_every:,}-"
                              f"{(first + 1) * exp.curve_every:,}): stored {before[first]!r}, now "
                              f"{new['curve']['mean_loss'][first]!r}")
            else:
                difference = ""
        report.append({"seed": s, "compared": compared, "equal": not difference, "difference": difference})
    return report


# ------------------------------------------------------------------------------------- command line
def add_arguments(parser) -> None:
    parser.add_argument("experiment", help="a row of Tables 1-9 (" + ", ".join(EXPERIMENTS)
                        + "), a variant of a row (" + ", ".join(VARIANTS)
                        + "), or 'all': every row (not the variants) in this order, each with its defaults")
    parser.add_argument("--trials", type=int, default=None, help="number of trials (default: the paper's)")
    parser.add_argument("--budget", type=int, default=None,
                        help="most training sequences per trial (default: the experiment's; stored in every record)")
    parser.add_argument("--seed", type=int, default=0, help="trial i gets seed SEED + i (default 0)")
    parser.add_argument("--out", default=str(RESULTS_DIR), help=f"results folder (default {RESULTS_DIR})")
    parser.add_argument("--batch", type=int, default=64, help="trials trained together (default 64)")
    parser.add_argument("--checkpoint-seconds", type=float, default=60.0,
                        help="seconds between checkpoints of a chunk in progress (default 60)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--check", type=int, default=None, metavar="SEQUENCES",
                        help="instead of running, check the stored trials: run them again for at most SEQUENCES "
                             "sequences each in a scratch folder and compare with their records")


def main(args) -> int:
    names = list(EXPERIMENTS) if args.experiment == "all" else [args.experiment]
    if args.check is not None and args.budget is not None:
        print("error: --budget and --check exclude each other (a check uses the stored records' budget, "
              "capped at --check)", file=sys.stderr)
        return 2
    all_equal = True
    for name in names:
        try:
            exp = experiment(name)
            if args.check is not None:
                report = check(name, args.check, args.trials, args.seed, args.out, args.batch,
                               progress=not args.no_progress)
            else:
                paths = run(name, args.trials, args.budget, args.seed, args.out, args.batch,
                            args.checkpoint_seconds, progress=not args.no_progress)
        except (ValueError, TypeError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.check is not None:
            for r in report:
                print(f"{name} trial {r['seed']}: {'same' if r['equal'] else 'DIFFERENT'} ({r['compared']})"
                      + (f"; {r['difference']}" if r["difference"] else ""))
            all_equal &= all(r["equal"] for r in report)
            continue
        records = [json.loads(p.read_text()) for p in paths]
        ok = [r for r in records if r["success"]]
        mean = np.mean([r["sequences"] for r in ok]) if ok else float("nan")
        print(f"{exp.name}: {len(ok)} of {len(records)} trials successful; mean sequences until success "
              f"{mean:,.0f} (paper: {exp.paper}); records in {paths[0].parent}")
    return 0 if all_equal else 1
