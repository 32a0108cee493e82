"""Recurrent cascade-correlation and the neural sequence chunker as entries of the one runner (study
``"competitors"``, beside :mod:`lstm_edu.competitors`' RTRL, BPTT and Elman rows; :mod:`lstm_edu.runner`
gives the protocol). Each entry has the fields :mod:`lstm_edu.competitors` describes for the comparison
(``experiment``, ``table``, ``label``, ``paper``, ``lstm_rows``) and its records the same descriptive fields.

Entries (:data:`ENTRIES`)
-------------------------
- ``1-rcc``: Table 1's RCC row (Fahlman 1991): recurrent cascade-correlation (:mod:`lstm_edu.cascade`) with
  at most :data:`MAX_UNITS` units on the embedded Reber grammar, the same three training/test pairs times
  10 trials as LSTM's Experiment 1 (:func:`lstm_edu.experiments.reber_sets`), judged by the same rule:
  every symbol of every distinct training and test string predicted (:func:`lstm_edu.criteria.reber_correct`).
- ``2a-chunker-p100`` and ``2b-chunker-p100``: the two-net chunker (:mod:`lstm_edu.chunker`) on Tasks 2a
  and 2b at p = 100, 18 trials, learning rate 1.0 (Table 2), judged on the automatiser ``A``'s outputs by
  the rules of the RTRL and BPTT rows: 2a, ABS(0.25) at every step of both sequences of the task (the
  paper's 10,000 test sequences are draws of those two); 2b, ABS(0.25) at the end of 10,000 fresh
  sequences, tested once every training sequence since the last check ended within 0.25.

Budgets (every record stores its own), as for the other competitor rows: Table 1's
(:data:`lstm_edu.competitors.TABLE1_BUDGET`; the cap of 9 units ends every RCC trial long before it), and
20 times LSTM's mean in the paper at p = 100 (100,800 for 2a, 113,600 for 2b), not the paper's 5 million,
which would take about two CPU-days per row even with the chunker's compiled twin (the chapter measures it).

Seeds: trial ``s`` draws from :func:`lstm_edu.lstm_trials.trial_streams` of its entry (RCC: initial output
weights, candidates; chunker: initial weights, training sequences, test sequences); the Reber sets come
from the trial seed as for every row of Table 1 (seeds 10k .. 10k+9 share pair k).
"""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import dataclass, field

import numpy as np

from . import _checks, cascade, chunker, chunker_engine, criteria
from .competitors import BOUND, LSTM_ROWS, STUDY, TABLE1_BUDGET, TEST_2B
from .experiments import reber_sets
from .lstm_trials import trial_streams
from .results import SCHEMA, atomic_file
from .tasks import long_lag, reber

#: RCC's cap on installed units (Table 1: 7-9 units).
MAX_UNITS = 9
#: Sequences between the chunker's success tests, and the size of its curve's points.
CHECK_EVERY = 100


def _run_info(seconds: float, batch: int) -> dict:
    return {"seconds": round(float(seconds), 3), "batch": int(batch),
            "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


@dataclass(frozen=True)
class Entry:
    """One entry: ``kind`` "rcc" or "chunker", ``experiment`` "1", "2a" or "2b", ``label`` the paper's name
    of the method, ``task`` its description in the records, ``settings`` the method's (default: its own)."""

    name: str
    kind: str
    experiment: str
    label: str
    n_trials: int
    budget: int
    task: dict
    paper: dict
    note: str
    max_batch: int = 32
    study: str = STUDY
    settings: dict = field(default_factory=dict)
    base: str | None = None
    table: int | None = field(init=False)
    lstm_rows: tuple = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "table", {"1": 1, "2a": 2, "2b": None}[self.experiment])
        object.__setattr__(self, "lstm_rows", LSTM_ROWS[self.experiment])

    def start(self, seeds, budget: int, version: str):
        trainer = RCCTrainer if self.kind == "rcc" else ChunkerTrainer
        return trainer(self, [int(s) for s in seeds], _checks.positive_int("budget", budget), version)

    def resume(self, path, version: str, budget: int):
        trainer = RCCTrainer if self.kind == "rcc" else ChunkerTrainer
        return trainer.load(self, path, version, budget)

    def went_on(self, old: dict, new: dict, budget: int) -> tuple[str, str]:
        """The runner's check of a stored trial that went on beyond ``budget`` (:func:`lstm_edu.runner.compare`):
        the rerun must not have succeeded, and must agree with the stored trial so far: RCC, in the covariance
        of every unit but the last (whose candidate phase the budget may cut short); the chunker, in every
        point of its curve."""
        if new["success"]:
            return "", f"succeeded after {new['sequences']:,} sequences, before the stored trial ({old['sequences']:,})"
        if self.kind == "rcc":
            now = new["milestones"]["covariances"][:-1]
            return (f"the covariances of the first {len(now)} units (stored trial: {old['sequences']:,} sequences)",
                    "" if old["milestones"]["covariances"][:len(now)] == now else
                    f"covariances: stored {old['milestones']['covariances'][:len(now)]}, now {now}")
        points = len(new["curve"]["mean_loss"])
        same = all(old["curve"][k][:points] == new["curve"][k] for k in ("mean_loss", "events"))
        return (f"the first {points} curve points (stored trial: {old['sequences']:,} sequences)",
                "" if same else "the curve differs within the check's budget")

    def record(self, seed: int, budget: int, version: str, outcome: dict, run: dict) -> dict:
        """A schema-1 record; ``outcome`` holds the outcome fields and ``configuration``, ``criteria``."""
        return {"schema": SCHEMA, "study": self.study, "experiment": self.name, "seed": int(seed),
                "method": {"rcc": "recurrent cascade-correlation (Fahlman 1991), quickprop",
                           "chunker": "neural sequence chunker (Schmidhuber 1992), two nets, RTRL"}[self.kind],
                "budget": int(budget), **outcome, "task": self.task, "paper": self.paper, "note": self.note,
                "code_version": version, "run": run, "table": self.table, "row": self.name, "label": self.label,
                "lstm_rows": list(self.lstm_rows)}


# ----------------------------------------------------------------------------------------------------
# Recurrent cascade-correlation on the embedded Reber grammar
# ----------------------------------------------------------------------------------------------------

def _stack(arrays, T: int) -> np.ndarray:
    """Arrays (N_p, T_p, ...) padded with zeros to (len, max N_p, T, ...)."""
    out = np.zeros((len(arrays), max(a.shape[0] for a in arrays), T) + arrays[0].shape[2:], dtype=arrays[0].dtype)
    for p, a in enumerate(arrays):
        out[p, :a.shape[0], :a.shape[1]] = a
    return out


def reber_data(seeds) -> tuple[cascade.Data, np.ndarray, dict]:
    """The training sets of the trials ``seeds`` (P, 256 strings) with ``possible`` (P, 256, T, 7), and their
    evaluation sets (every distinct training and test string): ``x``, ``possible``, ``lengths``, ``n``."""
    train, evaluation = [], []
    for s in seeds:
        strings_train, strings_test = reber_sets(s)
        train.append(reber.encode(strings_train))
        evaluation.append(reber.encode(sorted(set(strings_train) | set(strings_test))))
    T = max(b.x.shape[1] for b, _ in train)
    T_eval = max(b.x.shape[1] for b, _ in evaluation)
    data = cascade.Data(_stack([b.x for b, _ in train], T), _stack([b.targets for b, _ in train], T),
                        _stack([b.target_mask.any(axis=2) for b, _ in train], T))
    lengths = np.zeros((len(seeds), max(len(b.lengths) for b, _ in evaluation)), dtype=np.int64)
    for p, (b, _) in enumerate(evaluation):
        lengths[p, :len(b.lengths)] = b.lengths
    return data, _stack([pos for _, pos in train], T), {
        "x": _stack([b.x for b, _ in evaluation], T_eval), "possible": _stack([pos for _, pos in evaluation], T_eval),
        "lengths": lengths, "n": np.array([len(b.lengths) for b, _ in evaluation])}


def reber_wrong(outputs, possible, lengths) -> np.ndarray:
    """(P,) strings with a wrong prediction, ``outputs`` (P, N, T, 7) (the rule of Experiment 1)."""
    P, N = outputs.shape[:2]
    ok = criteria.reber_correct(outputs.reshape((P * N,) + outputs.shape[2:]),
                                possible.reshape((P * N,) + possible.shape[2:]), lengths.reshape(-1))
    return (~ok).reshape(P, N).sum(axis=1)


def rcc_net(record: dict) -> cascade.CascadeNet:
    """The trained net (P = 1) stored in a record of ``1-rcc``."""
    units = record["weights"]["units"]
    net = cascade.CascadeNet(7, 7, np.zeros((1, 7, 8)))
    for unit in units:
        net.install(np.array([unit["w"]]), np.array([unit["r"]]), [True])
    net.w_out = np.array([record["weights"]["w_out"]])
    return net


def rcc_mistakes(record: dict) -> dict:
    """Where the stored RCC net of ``record`` errs on its trial's evaluation strings (every distinct training
    and test string), by Experiment 1's rule: ``strings`` with a wrong prediction, of them ``final_step``
    wrong at the step that must predict the closing T or P (the task's long lag) and ``other_steps`` wrong at
    some other step."""
    strings_train, strings_test = reber_sets(record["seed"])
    batch, possible = reber.encode(sorted(set(strings_train) | set(strings_test)))
    y = rcc_net(record).outputs(batch.x[None])[0]
    rows, last = np.arange(len(y)), batch.lengths - 2
    at_final = criteria.reber_correct(y[rows, last][:, None], possible[rows, last][:, None], np.ones(len(y), int))
    elsewhere = y.copy()
    elsewhere[rows, last] = possible[rows, last]   # the final step made right: what else is wrong
    return {"strings": int((~criteria.reber_correct(y, possible, batch.lengths)).sum()),
            "final_step": int((~at_final).sum()),
            "other_steps": int((~criteria.reber_correct(elsewhere, possible, batch.lengths)).sum())}


class RCCTrainer:
    """The runner's trainer of a chunk of RCC trials; its one :meth:`step` grows the nets to the end (a
    checkpoint restarts the chunk's trials: RCC's phases are short, and the whole chunk takes minutes)."""

    def __init__(self, entry: Entry, seeds, budget: int, version: str, chunk_seeds=None):
        self.entry, self.seeds, self.budget, self.version = entry, list(seeds), budget, version
        self.chunk_seeds = list(self.seeds if chunk_seeds is None else chunk_seeds)
        self.n_seen, self.seconds, self._out = 0, 0.0, None

    def step(self):
        start = time.perf_counter()
        data, possible, evaluation = reber_data(self.seeds)
        streams = [trial_streams(self.entry, s) for s in self.seeds]
        net = cascade.CascadeNet.initial(7, 7, [g[0] for g in streams])
        lengths = data.mask.sum(axis=2)

        def solved(net, y):
            ok = reber_wrong(y, possible, lengths) == 0
            if ok.any():
                ok &= reber_wrong(net.outputs(evaluation["x"]), evaluation["possible"], evaluation["lengths"]) == 0
            return ok

        grown = cascade.grow(net, data, [g[1] for g in streams], solved, MAX_UNITS, self.budget,
                             **self.entry.settings)
        wrong = reber_wrong(net.outputs(evaluation["x"]), evaluation["possible"], evaluation["lengths"])
        self._out = net, grown, wrong, evaluation["n"]
        self.n_seen = self.budget
        self.seconds += time.perf_counter() - start
        return grown["success"], np.zeros(len(self.seeds), dtype=bool)

    def finish(self, p: int, success: bool, diverged: bool) -> dict:
        net, grown, wrong, n = self._out
        k = int(net.n_units[p])
        units = [{"w": [float(v) for v in w[p]], "r": float(r[p])} for w, r in net.units[:k]]
        outcome = {
            "success": bool(success and not diverged), "sequences": int(grown["sequences"][p]),
            "milestones": {"units": k, "output_passes": int(grown["output_passes"][p]),
                           "candidate_passes": int(grown["candidate_passes"][p]),
                           "covariances": [float(c) for c in grown["covariances"][p, :k]]},
            "test": {"n": int(n[p]), "wrong": int(wrong[p])}, "curve": None,
            "weights": {"units": units, "w_out": np.asarray(net.w_out[p, :, :8 + k]).tolist()},
            "configuration": {"max_units": MAX_UNITS, "n_weights": int(net.n_weights()[p]),
                              "settings": cascade.check_settings(self.entry.settings)},
            "criteria": {"rule": "every symbol of every distinct training and test string predicted "
                                    "(Experiment 1's rule), checked after every output pass whose training "
                                    "strings were all right"}}
        return self.entry.record(self.seeds[p], self.budget, self.version, outcome,
                                 _run_info(self.seconds, len(self.chunk_seeds)))

    def keep(self, rows) -> None:
        rows = [int(r) for r in rows]
        self.seeds = [self.seeds[r] for r in rows]

    def save(self, path) -> None:
        meta = {"seeds": self.seeds, "chunk_seeds": self.chunk_seeds, "seconds": self.seconds}
        with atomic_file(path) as fh:
            np.savez(fh, meta=json.dumps(meta))

    @classmethod
    def load(cls, entry: Entry, path, version: str, budget: int) -> "RCCTrainer":
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
        trainer = cls(entry, meta["seeds"], budget, version, meta["chunk_seeds"])
        trainer.seconds = meta["seconds"]
        return trainer


# ----------------------------------------------------------------------------------------------------
# The chunker on Tasks 2a and 2b
# ----------------------------------------------------------------------------------------------------

def _sequences(task: str, p: int, n: int, gen) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` whole sequences of task ``task`` (every element an input): ``x`` (n, p + 1, p + 1), ``lengths``,
    and the targets of the prediction steps (n, p, p + 1)."""
    b = long_lag.noise_free(n, p, gen) if task == "2a" else long_lag.no_local_regularities(n, p, gen)
    return np.concatenate([b.x, b.targets[:, -1:]], axis=1), b.lengths + 1, b.targets


class ChunkerTrainer:
    """The runner's trainer of a chunk of chunker trials: each :meth:`step` trains :data:`CHECK_EVERY`
    sequences (one per trial at a time, each trial from its own stream), then tests the trials' ``A``."""

    def __init__(self, entry: Entry, seeds, budget: int, version: str, chunk_seeds=None):
        self.entry, self.seeds, self.budget, self.version = entry, list(seeds), budget, version
        self.chunk_seeds = list(self.seeds if chunk_seeds is None else chunk_seeds)
        self.n_seen, self.seconds = 0, 0.0
        p = entry.task["p"]
        self.config = chunker.ChunkerConfig(p + 1, time_scale=float(p), **entry.settings)
        streams = [trial_streams(entry, s) for s in self.seeds]
        self.W_A, self.W_C = chunker.initial_weights(self.config, [g[0] for g in streams])
        self.train_gens, self.test_gens = [g[1] for g in streams], [g[2] for g in streams]
        self.curve = [[] for _ in self.seeds]
        self.events = [[] for _ in self.seeds]
        self.wrong = np.full(len(self.seeds), -1)
        self.diverged = np.zeros(len(self.seeds), dtype=bool)

    def _train(self, n: int) -> np.ndarray:
        """Train ``n`` sequences per trial with the compiled twin (:mod:`lstm_edu.chunker_engine`); (P,) bool:
        every one of them ended within :data:`BOUND` (``A``'s last prediction)."""
        task, p = self.entry.experiment, self.entry.task["p"]
        ends_ok = np.zeros(len(self.seeds), dtype=bool)
        for i, gen in enumerate(self.train_gens):
            x, lengths, _ = _sequences(task, p, n, gen)
            W_A, W_C, loss, events, ends, done = chunker_engine.train_sequences(
                self.config, self.W_A[i:i + 1], self.W_C[i:i + 1], x[None], lengths[None], self.entry.task["alpha"])
            self.diverged[i] |= done[0] < n       # the weights blew up: the trial ends as a failure
            self.W_A[i], self.W_C[i] = W_A[0], W_C[0]
            self.curve[i].append(float(loss.mean()))
            self.events[i].append(float(events.mean()))
            ends_ok[i] = np.all(ends < BOUND)
        return ends_ok

    def _wrong(self, r: int, x, targets, steps) -> int:
        """Sequences ``x`` on which ``A`` of trial row ``r`` misses ABS(0.25) at the prediction ``steps``."""
        wrong = 0
        for i in range(0, len(x), 1000):  # 1,000 sequences at a time (80 MB of inputs at p = 100)
            y = chunker.predictions(self.config, self.W_A[r:r + 1], x[i:i + 1000])
            wrong += int(np.sum(np.abs(y - targets[i:i + 1000])[:, steps].max(axis=(1, 2)) >= BOUND))
        return wrong

    def step(self):
        start = time.perf_counter()
        n = min(CHECK_EVERY, self.budget - self.n_seen)
        ends_ok = self._train(n)
        self.n_seen += n
        p = self.entry.task["p"]
        for r in np.flatnonzero(~self.diverged):
            if self.entry.experiment == "2a":
                both = long_lag.noise_free_both(p)
                self.wrong[r] = self._wrong(r, both.x, both.targets, slice(None))
            elif ends_ok[r]:
                x, _, targets = _sequences("2b", p, TEST_2B, self.test_gens[r])
                self.wrong[r] = self._wrong(r, x[:, :-1], targets, slice(-1, None))
        self.seconds += time.perf_counter() - start
        return (self.wrong == 0) & ~self.diverged, self.diverged.copy()

    def finish(self, p: int, success: bool, diverged: bool) -> dict:
        two_a = self.entry.experiment == "2a"
        outcome = {
            "success": bool(success and not diverged), "sequences": int(self.n_seen),
            "milestones": {"events_per_sequence": self.events[p][-1],
                           "sequences_until_two_events": next(
                               (CHECK_EVERY * (i + 1) for i, e in enumerate(self.events[p]) if e <= 2.0), None),
                           **({"diverged": int(self.n_seen)} if diverged else {})},
            "test": ({"n": 2 if two_a else TEST_2B, "wrong": int(self.wrong[p])} if self.wrong[p] >= 0 else None),
            "curve": {"every": CHECK_EVERY, "mean_loss": self.curve[p], "events": self.events[p]},
            "weights": None,
            "configuration": {"n_weights": self.config.n_weights["automatiser"],
                              "n_weights_chunker": self.config.n_weights["chunker"], "threshold": self.config.threshold,
                              "absorb": self.config.absorb, "time_scale": self.config.time_scale,
                              "initial_range": 0.2},
            "criteria": {"rule": ("ABS(0.25) at every step of both sequences" if two_a else
                                  f"ABS(0.25) at the sequence end of {TEST_2B} fresh sequences, tested once all "
                                  "training sequences since the last check passed"), "check_every": CHECK_EVERY}}
        return self.entry.record(self.seeds[p], self.budget, self.version, outcome,
                                 _run_info(self.seconds, len(self.chunk_seeds)))

    def keep(self, rows) -> None:
        rows = [int(r) for r in rows]
        for name in ("seeds", "train_gens", "test_gens", "curve", "events"):
            setattr(self, name, [getattr(self, name)[r] for r in rows])
        self.W_A, self.W_C, self.wrong, self.diverged = (self.W_A[rows], self.W_C[rows], self.wrong[rows],
                                                         self.diverged[rows])

    def save(self, path) -> None:
        meta = {"seeds": self.seeds, "chunk_seeds": self.chunk_seeds, "seconds": self.seconds,
                "n_seen": self.n_seen, "curve": self.curve, "events": self.events,
                "streams": [[g.bit_generator.state for g in gens] for gens in zip(self.train_gens, self.test_gens)]}
        with atomic_file(path) as fh:
            np.savez(fh, meta=json.dumps(meta), W_A=self.W_A, W_C=self.W_C, wrong=self.wrong, diverged=self.diverged)

    @classmethod
    def load(cls, entry: Entry, path, version: str, budget: int) -> "ChunkerTrainer":
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            trainer = cls(entry, meta["seeds"], budget, version, meta["chunk_seeds"])
            trainer.W_A, trainer.W_C, trainer.wrong = data["W_A"], data["W_C"], data["wrong"]
            trainer.diverged = data["diverged"]
        for gens, states in zip(zip(trainer.train_gens, trainer.test_gens), meta["streams"]):
            for g, state in zip(gens, states):
                g.bit_generator.state = state
        trainer.n_seen, trainer.seconds = meta["n_seen"], meta["seconds"]
        trainer.curve, trainer.events = meta["curve"], meta["events"]
        return trainer


def _entries() -> dict:
    table1 = Entry(
        "1-rcc", "rcc", "1", "RCC", 30, TABLE1_BUDGET,
        {"name": "embedded Reber grammar", "n_train": 256, "n_test": 256, "pairs": 3},
        {"success_percent": 50, "success_after": 182_000, "weights": "119-198", "units": "7-9",
         "source": "Fahlman 1991"},
        "Table 1's competitor rows are quoted by the paper from other papers; here RCC is rerun on LSTM's three "
        "training/test pairs and success rule (checked after every output pass whose training strings were all "
        f"right), with at most {MAX_UNITS} units and the settings of Fahlman's program (cascade.SETTINGS), untuned. "
        "Passes over the 256 training strings are counted whether they train the outputs or the candidates "
        "(one pass serves the whole pool).", max_batch=30)
    chunkers = {}
    for task, lstm_after, paper in (("2a", 5040, {"success_percent": 33, "success_after": 32_400,
                                                   "weights": 10_506, "alpha": 1.0}),
                                    ("2b", 5680, {"success_percent": 0, "result": "failed"})):
        chunkers[f"{task}-chunker-p100"] = Entry(
            f"{task}-chunker-p100", "chunker", task, "CH", 18, 20 * lstm_after,
            {"name": f"Task {task}", "p": 100, "alpha": 1.0}, paper,
            "Two nets of one self-recurrent hidden unit and p+1 non-recurrent outputs (as the RTRL and BPTT rows), "
            "the automatiser A with an extra output predicting the chunker C's hidden unit; C steps only on the "
            "inputs A failed to predict within 0.25. Success is judged on A's outputs alone. "
            f"Budget 20 times LSTM's mean ({lstm_after:,}), not the paper's 5,000,000 (CPU time).", max_batch=18)
    return {"1-rcc": table1, **chunkers}


#: Every entry of the study, by name.
ENTRIES = _entries()
