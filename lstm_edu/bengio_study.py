"""The study behind ``results/alternatives``: Bengio et al.'s (1994) benchmarks, every method of
:mod:`lstm_edu.alternatives` on them, and random guessing on Schmidhuber and Hochreiter's (1996) tasks,
as entries of the one runner (:mod:`lstm_edu.runner`).

Entries (:data:`ENTRIES`, study ``"alternatives"``)
--------------------------------------------------
- The comparison: ``<task>-T<T>-<method>``, e.g. ``latch-T5-simulated_annealing``: one method of
  :data:`~lstm_edu.alternatives.METHODS` (settings :data:`SETTINGS`) on one task of :data:`TASKS` at one
  length of :data:`LENGTHS`, :data:`N_SEEDS` trials, each with :data:`N_TRAIN` training and :data:`N_TEST`
  test sequences and at most :data:`EVALUATIONS` evaluations.
- Guessing: ``guessing-<variant>``, e.g. ``guessing-parity_A1``: random guessing on a variant of
  :data:`GUESSING`, 100 training (or as the variant says) and 100 test sequences of 500-600 steps (or
  500), in the synchronous or the sequential update order (:mod:`lstm_edu.recurrent`).

A trial *succeeds* when its method solved the training set and the result classifies every test
sequence correctly. The runner's budget counts training sequences: a comparison trial may spend
``budget // N_TRAIN`` evaluations; a guessing trial its variant's guesses (or ``budget // 100`` if more)
and ``budget`` sequences, counted as run (a guess is dropped at its first wrong sequence). The default
budget is the evaluations (:data:`EVALUATIONS`, or the variant's guesses) times the training-set size.

Seeds: trial ``s`` of the comparison cell (task, T) draws its training set, test set and random stream
from ``SeedSequence([TASKS.index(task), T, s, k])``, ``k`` = 0, 1, 2; trial ``s`` of guessing variant
``v`` from ``SeedSequence([100 + index of v in GUESSING, s, k])``. Nothing else enters a trial, so its
record does not depend on the trials that ran beside it.
"""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import _checks, recurrent, tasks
from .alternatives import METHODS, Outcome, Problem, TrainingData, evaluate
from .results import RESULTS_DIR, atomic_file, read_trials
from .tasks import SequenceBatch

STUDY = "alternatives"
#: Where the study's records live: one folder per entry, one JSON file per trial.
RESULTS = RESULTS_DIR / STUDY
TASKS = ("latch", "two_sequence", "parity")
LENGTHS = (5, 10, 20, 50, 100, 200)
N_SEEDS = 20
#: Evaluations (passes over the training set, or guesses) each method may spend per comparison trial.
EVALUATIONS = 1000
N_TRAIN, N_TEST = 20, 100
#: Read-out steps with zero input after the last parity element (the output of the nets of
#: :mod:`lstm_edu.recurrent` needs one to see the hidden units' response to the last element).
PARITY_READOUT_STEPS = 1
#: Settings of each method in the comparison (the step sizes from a scan over 0.3, 1, 3, 10 at T <= 20).
SETTINGS = {
    "gradient_descent": {"learning_rate": 10.0},
    "time_weighted_pseudo_newton": {"learning_rate": 1.0, "mu": 0.1, "time_weighted": True},
    "simulated_annealing": {"temperature": 0.1, "cooling": 0.85, "n_cycles": 20, "n_adjust": 5, "step": 1.0},
    "multigrid_random_search": {"n_samples": 20, "n_levels": 4, "radius": 10.0, "shrink": 0.3},
    "discrete_error_propagation": {"learning_rate": 0.1},
    "random_guessing": {"scale": 100.0, "block": 64},
}
#: The methods' names in words (a record's ``method``).
LABELS = {
    "gradient_descent": "gradient descent (BPTT)",
    "time_weighted_pseudo_newton": "time-weighted pseudo-Newton",
    "simulated_annealing": "simulated annealing",
    "multigrid_random_search": "multi-grid random search",
    "discrete_error_propagation": "discrete error propagation",
    "random_guessing": "random guessing",
}


# ----------------------------------------------------------------------------------------------------
# The benchmarks: nets and data
# ----------------------------------------------------------------------------------------------------

def latch_problem() -> Problem:
    """Latch variant I (Bengio et al. 1994; Schmidhuber and Hochreiter 1996): 3 free parameters.

    One tanh unit ``y_t = tanh(a_t)``, ``a_t = w y_{t-1} + h_t``: the free weights are the recurrent
    weight ``w`` and the weights of input lines 0 and 1 of :func:`lstm_edu.tasks.latch`, which are the two
    free initial inputs (one per class); the noise line has fixed weight 1. Targets +-0.8; tolerance 0.8
    means *the sign of the final output is right* (``|y - 0.8| < 0.8`` iff ``y > 0`` for ``y < 1``).
    """
    config = recurrent.RecurrentConfig(n_in=3, n_hidden=0, n_out=1, activation="tanh", bias=False)
    free = np.array([[True, True, False, True]])
    fixed = np.array([[0.0, 0.0, 1.0, 0.0]])
    return Problem(config, free, fixed, tolerance=0.8)


def small_net_problem(tolerance: float = 0.5) -> Problem:
    """Bengio et al.'s parity net: 1 input, 1 biased hidden unit, 1 output, fully recurrent, logistic.

    All 8 weights are free. Tolerance 0.5 is a correct classification (output on the right side of 0.5).
    """
    config = recurrent.RecurrentConfig(n_in=1, n_hidden=1, n_out=1, activation="logistic")
    shape = (config.n_units, config.n_sources)
    return Problem(config, np.ones(shape, dtype=bool), np.zeros(shape), tolerance=tolerance)


def comparison_task(task: str, T: int, seed, n_sequences: int):
    """The :class:`~lstm_edu.alternatives.Problem` and ``n_sequences`` sequences of ``task`` at length ``T``.

    latch: variant I, length ``T``; two_sequence: one informative element, lengths uniform in
    ``[T/2, T]`` (Bengio et al.'s range); parity: ``[T/2, T]`` elements with input noise uniform in
    [-0.2, 0.2] (Bengio et al.'s parity with lengths scaled to ``T``), then ``PARITY_READOUT_STEPS``
    read-out steps with zero input (see :func:`lstm_edu.tasks.parity`). The two latter run on the 1-input,
    1-hidden, 1-output logistic net; success means zero classification errors.
    """
    _checks.choice("task", task, TASKS)
    if task == "latch":
        return latch_problem(), tasks.latch(n_sequences, T, seed)
    if task == "two_sequence":
        return small_net_problem(), tasks.two_sequence(n_sequences, max(2, T // 2), T, seed)
    return small_net_problem(), tasks.parity(n_sequences, max(1, T // 2), T, seed, input_noise=0.2,
                                             readout_steps=PARITY_READOUT_STEPS)


def _with_pm1_targets(batch: SequenceBatch) -> SequenceBatch:
    """Targets 1/0 turned into +1/-1 (latch variant II)."""
    return batch._replace(targets=np.where(batch.target_mask, 2.0 * batch.targets - 1.0, 0.0))


def _a2_mask(self_connections: bool, output_self: bool = True) -> np.ndarray:
    """Architecture A2 (Schmidhuber and Hochreiter 1996): 10 hidden units, each seeing the bias, the
    input, the output unit and (optionally) itself; the output unit sees everything (without its own
    previous value if not ``output_self``)."""
    config = recurrent.RecurrentConfig(n_in=1, n_hidden=10, n_out=1)
    mask = np.zeros((config.n_units, config.n_sources))
    mask[:, :2] = 1.0  # bias and input
    mask[:10, config.recurrent.start + 10] = 1.0  # hidden <- output
    if self_connections:
        mask[np.arange(10), config.recurrent.start + np.arange(10)] = 1.0
    mask[10] = 1.0
    mask[10, config.recurrent.start + 10] = float(output_self)
    return mask


def _parity_net(net: str, order: str) -> Problem:
    """The guessing nets for parity: A1 with n = 1 (``"A1"``; ``"A1_unbiased"``: the output without bias),
    A2 (``"A2"``, ``"A2_no_self"``: no hidden self-connections, ``"A2_no_output_self"``: no output
    self-connection, ``"A2_no_self_no_output_self"``: neither), logistic, tolerance 0.1, in update order ``order``."""
    n_hidden = 1 if net.startswith("A1") else 10
    mask = None if net.startswith("A1") else _a2_mask(not net.startswith("A2_no_self"), "no_output_self" not in net)
    config = recurrent.RecurrentConfig(n_in=1, n_hidden=n_hidden, n_out=1, mask=mask, order=order)
    free = np.ones((config.n_units, config.n_sources), dtype=bool) if mask is None else mask.astype(bool)
    if net == "A1_unbiased":
        free[config.outputs, 0] = False
    return Problem(config, free, np.zeros(free.shape), tolerance=0.1)


def guessing_variant(name: str, seed, n_sequences: int):
    """Problem and data of the random-guessing experiments (Schmidhuber and Hochreiter 1996).

    The variant :data:`GUESSING` ``[name]`` fixes the net (``net``), the update order (``order``), and the
    lengths: 500-600 steps, or 500 for all (``equal_lengths``). Parity: 500-600 elements without noise,
    logistic units (targets 1/0), then ``PARITY_READOUT_STEPS`` read-out steps in the synchronous order
    and none in the sequential one (:func:`lstm_edu.recurrent.sequential_pass`). Inputs +-1, a sequence
    is correct when the final absolute error is below 0.1, except latch variant I, whose targets +-0.8
    are unreachable within 0.1 by a saturated unit: there we count the sign (tolerance 0.8).
    """
    _checks.choice("name", name, GUESSING)
    g = GUESSING[name]
    high = 500 if g.equal_lengths else 600
    if g.net == "latch_I":
        return latch_problem(), tasks.latch(n_sequences, 500, seed, max_length=high)
    if g.net == "latch_II":
        config = recurrent.RecurrentConfig(n_in=1, n_hidden=0, n_out=1, activation="tanh")
        problem = Problem(config, np.ones((1, 3), dtype=bool), np.zeros((1, 3)), tolerance=0.1)
        return problem, _with_pm1_targets(tasks.two_sequence(n_sequences, 500, high, seed))
    readout = PARITY_READOUT_STEPS if g.order == "synchronous" else 0
    return _parity_net(g.net, g.order), tasks.parity(n_sequences, 500, high, seed, readout_steps=readout)


class Guessing(NamedTuple):
    """A guessing experiment: the mean number of guesses reported by Schmidhuber and Hochreiter (1996)
    for its task, the task and our reading in words (the records' note), our number of runs and our cap
    on guesses per run; the net (``"latch_I"``, ``"latch_II"`` or a parity net of :func:`_parity_net`), the
    update order, the training sequences per run and whether all sequences are 500 steps long."""

    paper_mean: int
    description: str
    runs: int
    guesses: int
    net: str
    order: str = "synchronous"
    n_train: int = 100
    equal_lengths: bool = False


_SEQUENTIAL = ("sequential order (hidden units first, then the output, reading their current values): the output "
               "is read at the last element, no read-out step")
#: Guessing experiments: the 1996 setup as the book first read it (synchronous order, a read-out step for
#: parity, 100 training sequences of 500-600 steps), then the other readings of what the paper leaves open:
#: the update order, the output's bias, and the training set (size, equal lengths). The first parity runs
#: have a budget of 20,000 guesses (about 7 times the paper's largest mean, 2,906) to keep them within minutes.
GUESSING = {
    "latch_I": Guessing(6, "latch variant I (3 free parameters)", 400, 100_000, "latch_I"),
    "latch_II": Guessing(22, "latch variant II (1 tanh unit: self, input, bias)", 400, 100_000, "latch_II"),
    "parity_A1": Guessing(2906, "parity, A1 with n = 1", 10, 20_000, "A1"),
    "parity_A2": Guessing(2797, "parity, A2", 10, 20_000, "A2"),
    "parity_A2_no_self": Guessing(250, "parity, A2 without hidden self-connections", 10, 20_000, "A2_no_self"),
    "latch_I_equal": Guessing(6, "latch variant I, 100 training sequences all 500 steps long", 400, 1_000,
                              "latch_I", equal_lengths=True),
    "latch_II_equal": Guessing(22, "latch variant II, 100 training sequences all 500 steps long", 400, 10_000,
                               "latch_II", equal_lengths=True),
    **{f"latch_II_train{n}": Guessing(22, f"latch variant II, {n} training sequences of 500-600 steps", 400,
                                      10_000, "latch_II", n_train=n) for n in (2, 3, 4, 5, 10)},
    "parity_A1_sequential": Guessing(2906, f"parity, A1 with n = 1, {_SEQUENTIAL}", 200, 100_000, "A1",
                                     "sequential"),
    "parity_A1_sequential_unbiased": Guessing(2906, f"parity, A1 with n = 1 and no output bias, {_SEQUENTIAL}",
                                              100, 100_000, "A1_unbiased", "sequential"),
    "parity_A2_sequential": Guessing(2797, f"parity, A2 (the output sees itself too), {_SEQUENTIAL}", 100, 40_000,
                                     "A2", "sequential"),
    "parity_A2_sequential_no_output_self": Guessing(
        2797, f"parity, A2 without the output's self-connection, {_SEQUENTIAL}", 150, 40_000, "A2_no_output_self",
        "sequential"),
    "parity_A2_no_self_sequential": Guessing(250, f"parity, A2 without hidden self-connections, {_SEQUENTIAL}",
                                             400, 10_000, "A2_no_self", "sequential"),
    "parity_A2_no_self_sequential_no_output_self": Guessing(
        250, f"parity, A2 without hidden self-connections and without the output's, {_SEQUENTIAL}", 400, 10_000,
        "A2_no_self_no_output_self", "sequential"),
}


# ----------------------------------------------------------------------------------------------------
# Entries of the runner
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One entry of the study: ``method`` on one task, ``n_trials`` trials of at most ``evaluations``.

    ``task``: the record's task description (``name``, ``T`` for the comparison, ``lengths``, set sizes);
    ``variant``: the guessing variant (None for the comparison); ``seed_prefix``: see the module docstring.
    """

    name: str
    method: str
    task: dict
    n_trials: int
    evaluations: int
    n_train: int
    n_test: int
    seed_prefix: tuple
    variant: str | None = None
    paper: dict = field(default_factory=dict)
    note: str = ""
    study: str = STUDY
    max_batch: int = 64

    @property
    def budget(self) -> int:
        """The default budget in training sequences: the evaluations times the training-set size."""
        return self.evaluations * self.n_train

    def make(self, seed, n_sequences: int):
        """The problem and ``n_sequences`` sequences drawn from ``seed``."""
        if self.variant is not None:
            return guessing_variant(self.variant, seed, n_sequences)
        return comparison_task(self.task["name"], self.task["T"], seed, n_sequences)

    def limits(self, budget: int) -> tuple[int, dict]:
        """The evaluations a trial may spend under ``budget`` sequences, and the method's settings.

        A comparison trial: ``budget // n_train`` passes over its training set. A guessing trial: at least
        :attr:`evaluations` guesses (more under a larger budget), whose sequences must fit in ``budget``.
        """
        budget = _checks.positive_int("budget", budget)
        if self.method == "random_guessing":
            return max(self.evaluations, budget // self.n_train), {**SETTINGS[self.method], "max_sequences": budget}
        if budget < self.n_train:
            raise ValueError(f"budget must be at least one pass over the training set ({self.n_train} "
                             f"sequences) for {self.name}, got {budget}")
        return budget // self.n_train, SETTINGS[self.method]

    def run_trials(self, seeds, budget: int | None = None):
        """Run the trials ``seeds`` under ``budget`` sequences (default :attr:`budget`).

        Returns the method's :class:`~lstm_edu.alternatives.Outcome` and each trial's test accuracy
        (the fraction of its test sequences classified correctly by the final weights).
        """
        seeds = [_checks.positive_int("seed", int(s), minimum=0) for s in seeds]
        evaluations, settings = self.limits(self.budget if budget is None else budget)
        problem = self.make(0, 2)[0]
        train = TrainingData.stack([self.make(self.seed(s, 0), self.n_train)[1] for s in seeds])
        test = TrainingData.stack([self.make(self.seed(s, 1), self.n_test)[1] for s in seeds])
        outcome = METHODS[self.method](problem, train, [self.seed(s, 2) for s in seeds], evaluations, **settings)
        hard = self.method == "discrete_error_propagation"
        out = evaluate(problem, outcome.theta, np.arange(len(seeds)), test, hard=hard)
        return outcome, (np.abs(out - test.targets) < problem.tolerance).mean(axis=1)

    def seed(self, trial_seed: int, stream: int) -> np.random.SeedSequence:
        """The seed of stream ``stream`` (0 training set, 1 test set, 2 the method) of trial ``trial_seed``."""
        return np.random.SeedSequence([*self.seed_prefix, int(trial_seed), stream])

    def record(self, seed: int, budget: int, result: dict, version: str, run: dict) -> dict:
        """A trial's schema-1 record.

        ``result``: ``success``, ``sequences``, ``evaluations``, ``solved_training``, ``test_accuracy`` and
        ``theta`` (the final free weights). Outcome fields: ``success``, ``sequences``, ``milestones``
        (``evaluations`` spent, ``solved_training``), ``test`` (``n``, ``wrong``, ``accuracy``) and
        ``weights`` (``theta``); ``curve`` is None.
        """
        accuracy = float(result["test_accuracy"])
        return {
            "schema": 1, "study": self.study, "experiment": self.name, "seed": int(seed),
            "method": LABELS[self.method], "budget": int(budget), "success": bool(result["success"]),
            "sequences": int(result["sequences"]),
            "milestones": {"evaluations": int(result["evaluations"]),
                           "solved_training": bool(result["solved_training"])},
            "test": {"n": self.n_test, "wrong": self.n_test - round(accuracy * self.n_test), "accuracy": accuracy},
            "curve": None, "weights": {"theta": [float(v) for v in result["theta"]]},
            "configuration": {"method": self.method, "settings": SETTINGS[self.method]},
            "task": self.task,
            "criteria": {"tolerance": self.make(0, 2)[0].tolerance, "evaluations": self.limits(budget)[0],
                         "success": "training set solved, then every test sequence classified correctly"},
            "paper": self.paper, "note": self.note, "code_version": version, "run": run,
        }

    def went_on(self, old: dict, new: dict, budget: int) -> tuple[str, str]:
        """The runner's check of a stored trial that went on beyond ``budget`` (:func:`lstm_edu.runner.compare`).

        The methods keep no learning curve, so a rerun cut at ``budget`` shows only that the trial had not
        solved its training set by then, having spent no more evaluations than the stored trial.
        """
        compared = (f"that it had not solved its training set within {budget:,} sequences (stored trial: "
                    f"{old['sequences']:,} sequences)")
        now = new["milestones"]
        if new["success"] or now["solved_training"] or now["evaluations"] > old["milestones"]["evaluations"]:
            return compared, (f"solved training {now['solved_training']} after {now['evaluations']} evaluations "
                              f"({new['sequences']:,} sequences), stored: {old['milestones']['evaluations']}")
        return compared, ""

    def start(self, seeds, budget: int, version: str) -> "Trainer":
        """A trainer of the trials ``seeds`` (the runner's protocol)."""
        return Trainer(self, seeds, budget, version)

    def resume(self, path, version: str, budget: int) -> "Trainer":
        """The trainer of a checkpoint written by :meth:`Trainer.save`: its trials start again (a trainer
        checkpoints only before its one step)."""
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
        trainer = Trainer(self, meta["seeds"], budget, version, meta["chunk_seeds"])
        trainer.seconds = meta["seconds"]
        return trainer


class Trainer:
    """The runner's trainer of a chunk of trials of one :class:`Cell`.

    Its one :meth:`step` runs the trials' whole budget (the methods loop over their evaluations
    themselves) and sets :attr:`n_seen` to the budget; ``stop`` then marks the successful trials.
    """

    def __init__(self, cell: Cell, seeds, budget: int, version: str, chunk_seeds=None):
        self.cell = cell
        self.seeds = [int(s) for s in seeds]
        self.chunk_seeds = list(self.seeds if chunk_seeds is None else chunk_seeds)
        self.budget = _checks.positive_int("budget", budget)
        self.version = version
        self.n_seen = 0
        self.seconds = 0.0
        self._result = None

    def step(self):
        start = time.perf_counter()
        outcome, accuracy = self.cell.run_trials(self.seeds, self.budget)
        self._result = outcome, accuracy
        self.n_seen = self.budget
        self.seconds += time.perf_counter() - start
        return outcome.solved & (accuracy == 1.0), np.zeros(len(self.seeds), dtype=bool)

    def finish(self, p: int, success: bool, diverged: bool) -> dict:
        outcome, accuracy = self._result
        result = {"success": success and not diverged, "sequences": outcome.sequences[p],
                  "evaluations": outcome.evaluations[p], "solved_training": outcome.solved[p],
                  "test_accuracy": accuracy[p], "theta": outcome.theta[p]}
        run = {"seconds": round(self.seconds, 3), "batch": len(self.chunk_seeds),
               "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
        return self.cell.record(self.seeds[p], self.budget, result, self.version, run)

    def keep(self, rows) -> None:
        rows = np.asarray(rows, dtype=int)
        self.seeds = [self.seeds[r] for r in rows]
        if self._result is not None:
            outcome, accuracy = self._result
            self._result = Outcome(*(a[rows] for a in outcome)), accuracy[rows]

    def save(self, path) -> None:
        meta = {"seeds": self.seeds, "chunk_seeds": self.chunk_seeds, "n_seen": self.n_seen,
                "seconds": self.seconds, "budget": self.budget}
        with atomic_file(path) as fh:
            np.savez(fh, meta=json.dumps(meta))


def cell_name(task: str, T: int, method: str) -> str:
    """The entry name of a comparison cell, e.g. ``latch-T5-simulated_annealing``."""
    return f"{task}-T{T}-{method}"


def guessing_name(variant: str) -> str:
    """The entry name of a guessing variant, e.g. ``guessing-parity_A1``."""
    return f"guessing-{variant}"


def _task(task: str, T: int) -> dict:
    low = T if task == "latch" else max(2 if task == "two_sequence" else 1, T // 2)
    extra = {"readout_steps": PARITY_READOUT_STEPS} if task == "parity" else {}
    return {"name": task, "T": T, "lengths": [low, T], **extra, "n_train": N_TRAIN, "n_test": N_TEST}


def _guessing_task(variant: str, g: Guessing) -> dict:
    """A guessing record's ``task`` (with ``order`` where it is not the synchronous one)."""
    parity = g.net not in ("latch_I", "latch_II")
    readout = {"readout_steps": PARITY_READOUT_STEPS if g.order == "synchronous" else 0} if parity else {}
    reading = {"order": g.order} if g.order != "synchronous" else {}
    return {"name": variant, "lengths": [500, 500 if g.equal_lengths else 600], **readout, **reading,
            "n_train": g.n_train, "n_test": 100}


def _entries() -> dict:
    cells = [Cell(cell_name(task, T, m), m, _task(task, T), N_SEEDS, EVALUATIONS, N_TRAIN, N_TEST, (t_id, T))
             for t_id, task in enumerate(TASKS) for T in LENGTHS for m in METHODS]
    for v_id, (variant, g) in enumerate(GUESSING.items()):
        cells.append(Cell(guessing_name(variant), "random_guessing", _guessing_task(variant, g), g.runs, g.guesses,
                          g.n_train, 100, (100 + v_id,), variant, {"mean_guesses": g.paper_mean}, g.description))
    return {c.name: c for c in cells}


#: Every entry of the study, by name.
ENTRIES = _entries()


def records(name: str, out=RESULTS_DIR) -> list[dict]:
    """The stored records of entry ``name`` (sorted by seed), each checked against the schema and its path."""
    _checks.choice("name", name, ENTRIES)
    return read_trials(Path(out) / STUDY / name)


def summarise(recs: list[dict]) -> dict:
    """The figures of one entry's records: ``n`` trials, ``solved_rate`` (fraction that solved their
    training set), ``success_rate``, the mean evaluations and sequences of the successful trials (NaN if
    none), ``evaluations_all`` (mean over all trials), ``n_solved``, the mean and median evaluations of
    the trials that solved their training set, ``evaluations_per_solution`` (all evaluations of all
    trials over the number that solved: for a geometric count cut off at a budget, the maximum-likelihood
    mean; inf if none solved) and ``test_ok`` (fraction of the solved trials that got every test sequence
    right; NaN if none)."""
    evals = np.array([r["milestones"]["evaluations"] for r in recs])
    solved = np.array([r["milestones"]["solved_training"] for r in recs])
    success = np.array([r["success"] for r in recs])
    seqs = np.array([r["sequences"] for r in recs])
    wrong = np.array([r["test"]["wrong"] for r in recs])

    def mean(values):
        return float(np.mean(values)) if len(values) else float("nan")

    return {
        "n": len(recs), "solved_rate": mean(solved), "success_rate": mean(success),
        "evaluations_successful": mean(evals[success]), "sequences_successful": mean(seqs[success]),
        "evaluations_all": mean(evals), "n_solved": int(solved.sum()),
        "evaluations_solved": mean(evals[solved]),
        "median_evaluations_solved": float(np.median(evals[solved])) if solved.any() else float("nan"),
        "evaluations_per_solution": float(evals.sum() / solved.sum()) if solved.any() else float("inf"),
        "test_ok": mean(wrong[solved] == 0),
    }


def per_solution_interval(recs: list[dict], level: float = 0.95, n_resamples: int = 10_000,
                          seed: int = 0) -> tuple[float, float]:
    """A bootstrap interval of :func:`summarise`'s ``evaluations_per_solution``: the trials resampled with
    replacement ``n_resamples`` times (seeded), the central ``level`` of the resampled ratios (all
    evaluations over the solutions; inf for a resample without one). It assumes nothing about how the
    counts are distributed, which matters where trials differ (latch II's training sets)."""
    level = _checks.positive_float("level", level)
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    if not recs:
        raise ValueError("recs must hold at least one record")
    evals = np.array([r["milestones"]["evaluations"] for r in recs], dtype=float)
    solved = np.array([r["milestones"]["solved_training"] for r in recs], dtype=float)
    pick = np.random.default_rng(seed).integers(0, len(recs), size=(_checks.positive_int("n_resamples", n_resamples),
                                                                      len(recs)))
    with np.errstate(divide="ignore"):
        ratios = evals[pick].sum(axis=1) / solved[pick].sum(axis=1)
    return (float(np.quantile(ratios, (1 - level) / 2, method="lower")),
            float(np.quantile(ratios, (1 + level) / 2, method="higher")))


def summary(out=RESULTS_DIR) -> dict:
    """:func:`summarise` of every entry's stored records, by entry name."""
    return {name: summarise(records(name, out)) for name in ENTRIES}
