"""The competitor rows of the 1997 paper, rerun through the one runner: RTRL, BPTT and Elman nets.

Hochreiter and Schmidhuber (1997) quote their competitors' results from other papers (Table 1: Smith and
Zipser 1989, Cleeremans et al. 1989; Table 2 and Experiment 2b: their own runs). This module reruns them
on the very tasks, trial seeds and success rules of LSTM's rows (study ``"competitors"``, records under
``results/competitors/<entry>/``), with the nets and rules of :mod:`lstm_edu.competitor_nets` trained by
the compiled :mod:`lstm_edu.competitor_engine`.

A *competitor entry* is a runner entry (:mod:`lstm_edu.runner`) with, besides the runner's fields,
``experiment`` (``"1"``, ``"2a"`` or ``"2b"``), ``table`` (1, 2, or None for Experiment 2b), ``label``
(the method as the paper's table names it), ``paper`` (``success_percent``, None where the paper says "some
fraction"; ``success_after`` or ``success_after_more_than``; ``weights``) and ``lstm_rows`` (the LSTM rows
of :mod:`lstm_edu.experiments` it is compared with). :func:`lstm_edu.reproduction.competitor_summary`
reads every entry of the study through :mod:`lstm_edu.registry`, so entries of other modules with these
fields (cascade-correlation, the chunker) join the comparison by being registered there.

Choices where the paper is open, for every row: initial weights uniform in [-0.2, 0.2] (Section 5's range
for Experiments 1 and 2), except the variant ``2a-rtrl-p4-a1-w2`` ([-2, 2]: with the smaller range RTRL's
nets at p = 4 stay on the plateau for millions of sequences); logistic units, no bias (the weight counts of
Tables 1 and 2 leave no room for one); error ``1/2 sum (y - d)^2``, a step ``-alpha dE/dW``; no momentum.

Budgets: Table 1 400,000 sequences (more than 20 times the mean of LSTM's five Table 1 rows, 18,694, and
twice the paper's largest competitor figure, >200,000); Table 2 at p = 4 and 10 the paper's 5,000,000;
p = 100 (Table 2 and Experiment 2b) 20 times LSTM's mean (100,800 and 113,600), since a p = 100 sequence
costs about 100 times a p = 4 one (``--budget 5000000`` runs the paper's). Every record stores its budget.

Trials: trial seed ``s`` draws its initial weights, training and test sequences from
:func:`lstm_edu.lstm_trials.trial_streams` of the entry's ``base`` (rows with the same ``base`` share
them: the three rates at p = 4, RTRL and BPTT at p = 100); in Table 1, trial seeds ``10k .. 10k+9`` share
training/test pair ``k`` exactly as LSTM's trials do (:func:`lstm_edu.experiments.reber_task`).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import ClassVar

import numpy as np

from . import competitor_engine, competitor_nets, criteria
from .experiments import reber_task
from .lstm_trials import MAX_STORED_WEIGHTS, trial_streams
from .results import SCHEMA, atomic_file
from .tasks import long_lag

STUDY = "competitors"
#: Initial weights uniform in [-SCALE, SCALE].
SCALE = 0.2
#: Table 1's budget (see the module docstring).
TABLE1_BUDGET = 400_000
#: The paper's budget in Table 2 and Experiment 2b.
PAPER_BUDGET = 5_000_000
#: Success bound of Experiments 2a and 2b: ABS(0.25).
BOUND = 0.25
#: Experiment 2b's test: this many fresh sequences, once all training sequences since the last check passed.
TEST_2B = 10_000
#: The LSTM rows each experiment's competitors are compared with.
LSTM_ROWS = {"1": ("1-1", "1-2", "1-3", "1-4", "1-5"), "2a": ("2a",), "2b": ("2b",)}
#: A record's ``method``, by (rule, truncation).
METHOD_NAMES = {
    ("rtrl", None): "RTRL (Williams and Zipser 1989): weights changed after every step",
    ("bptt", None): "BPTT (Williams and Peng 1990), full: weights changed at the end of every sequence",
    ("bptt", 1): "Elman net (Cleeremans et al. 1989): BPTT(1), error propagated one step, weights changed "
                 "after every step",
}
ARCHITECTURES = {"fully_recurrent": competitor_nets.fully_recurrent, "elman": competitor_nets.elman,
                 "self_recurrent": competitor_nets.self_recurrent}


@dataclasses.dataclass(frozen=True)
class Row:
    """One competitor row (a runner entry; see the module docstring for the fields the summary reads).

    ``architecture``: a key of :data:`ARCHITECTURES`, with ``n_hidden`` hidden units; ``method``, ``h``:
    the rule of :func:`lstm_edu.competitor_nets.train`; ``p``: Experiment 2's p; ``check_every``: sequences
    between success checks (and trained in one compiled call); ``curve_every``: sequences per point of the
    learning curve (a multiple of ``check_every``); ``scale``: initial weights uniform in [-scale, scale].
    """

    name: str
    experiment: str
    label: str
    architecture: str
    n_hidden: int
    method: str
    learning_rate: float
    budget: int
    paper: dict
    note: str
    p: int | None = None
    h: int | None = None
    n_trials: int = 18
    check_every: int = 100
    curve_every: int = 100
    base: str = ""
    scale: float = SCALE
    max_batch: int = 64
    study: ClassVar[str] = STUDY

    @property
    def table(self) -> int | None:
        return {"1": 1, "2a": 2}.get(self.experiment)

    @property
    def lstm_rows(self) -> tuple:
        return LSTM_ROWS[self.experiment]

    @property
    def config(self) -> competitor_nets.NetConfig:
        size = 7 if self.experiment == "1" else self.p + 1
        return ARCHITECTURES[self.architecture](size, self.n_hidden, size)

    def draw(self, n: int, gen, task):
        """``n`` training sequences of one trial (a :class:`~lstm_edu.tasks.SequenceBatch`)."""
        if self.experiment == "1":
            return task.train(n, gen)
        make = long_lag.noise_free if self.experiment == "2a" else long_lag.no_local_regularities
        return make(n, self.p, gen)

    def record_fields(self) -> dict:
        """What a record says about the run besides its outcome."""
        cfg = self.config
        configuration = {**{f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg)},
                         "n_weights": cfg.n_weights, "learning_rate": self.learning_rate, "rule": self.method,
                         "h": self.h, "initial_weights": [-self.scale, self.scale]}
        task = ({"name": "embedded Reber grammar", "n_train": 256, "n_test": 256, "pairs": 3}
                if self.experiment == "1" else {"name": f"Task {self.experiment}", "p": self.p})
        rule = ("every symbol of every distinct training and test string predicted correctly"
                if self.experiment == "1" else
                "ABS(0.25) at every step of both sequences" if self.experiment == "2a" else
                f"ABS(0.25) at the sequence end of {TEST_2B} fresh sequences, tested once all training "
                "sequences since the last check passed")
        return {"table": self.table, "row": self.name, "label": self.label, "method": METHOD_NAMES[self.method, self.h],
                "configuration": configuration, "task": task, "lstm_rows": list(self.lstm_rows),
                "criteria": {"rule": rule, "check_every": self.check_every}, "paper": self.paper, "note": self.note}

    def test_net(self, W, task, gen) -> dict:
        """Test one net ``W`` ``(n_units, n_sources)``: Experiment 1 on all distinct training and test strings
        of ``task``, 2a on both sequences, 2b on :data:`TEST_2B` fresh sequences from ``gen``. ``n``, ``wrong``
        and (2a, 2b) ``max_abs_error``. A row of another task (the lag sweep's) overrides it with its own."""
        cfg = self.config
        if self.experiment == "1":
            f = task.fixed_test
            out = _outputs(cfg, W, f.x)
            ok = criteria.reber_correct(out, task.possible, f.lengths)
            return {"n": int(ok.size), "wrong": int(np.count_nonzero(~ok))}
        if self.experiment == "2a":
            b = long_lag.noise_free_both(self.p)
            err = criteria.max_abs_error(_outputs(cfg, W, b.x), b.targets, b.target_mask)
        else:
            err = np.concatenate([_end_error(self, W, 500, gen) for _ in range(TEST_2B // 500)])
        return {"n": int(err.size), "wrong": int(np.count_nonzero(err >= BOUND)), "max_abs_error": float(err.max())}

    def passes(self, W, task, gen) -> bool:
        """Whether net ``W`` meets the row's success rule now: no test sequence wrong (2b's screening is
        :meth:`CompetitorTrials._passes`'; a row of another task, the lag sweep's, overrides this)."""
        return self.test_net(W, task, gen)["wrong"] == 0

    def start(self, seeds, budget: int, version: str) -> "CompetitorTrials":
        return CompetitorTrials(self, seeds, budget, version)

    def resume(self, path, version: str, budget: int) -> "CompetitorTrials":
        return CompetitorTrials.load(self, path, version, budget)


def _outputs(cfg, W, x) -> np.ndarray:
    """The outputs ``(N, T, n_out)`` of one net for ``N`` sequences."""
    return competitor_nets.forward(cfg, W[None], x)[:, :, cfg.outputs]


def _end_error(row: Row, W, n: int, gen) -> np.ndarray:
    """Experiment 2b: the largest absolute output error at the sequence end of ``n`` fresh sequences."""
    b = long_lag.no_local_regularities(n, row.p, gen)
    end = competitor_engine.end_outputs(row.config, W[None], b.x[None], b.lengths[None])[0]
    return np.abs(end - b.targets[:, -1]).max(axis=1)


class CompetitorTrials:
    """The runner's trainer of a chunk of trials of one :class:`Row` (protocol: :mod:`lstm_edu.runner`).

    Each :meth:`step` trains every trial on its next ``check_every`` sequences (the compiled engine, one
    trial at a time) and then checks its success rule. A trial always draws ``check_every`` sequences per
    step and trains on as many as its budget leaves, so its training never depends on the budget.
    """

    def __init__(self, row: Row, seeds, budget: int, version: str, state: dict | None = None):
        self.row, self.seeds, self.budget = row, [int(s) for s in seeds], int(budget)
        streams = [trial_streams(row, s) for s in self.seeds]
        self.tasks = [reber_task(s) if row.experiment == "1" else None for s in self.seeds]
        self.passed = {}  # Experiment 2b: the full test of a trial that passed it, by seed
        if state is None:
            self.chunk_seeds, self.versions, self.n_seen, self.seconds = list(self.seeds), [version], 0, 0.0
            self.W = np.concatenate([competitor_nets.init_weights(row.config, 1, st[0], row.scale) for st in streams])
            self.train_gens, self.test_gens = [st[1] for st in streams], [st[2] for st in streams]
            self.milestones, self.curves = [{} for _ in self.seeds], [[] for _ in self.seeds]
            self.curve_sum = np.zeros(len(self.seeds))
            return
        self.chunk_seeds, self.n_seen, self.seconds = state["chunk_seeds"], state["n_seen"], state["seconds"]
        self.versions = state["versions"] + ([version] if state["versions"][-1] != version else [])
        self.W, self.curve_sum = state["W"], state["curve_sum"]
        self.milestones, self.curves = state["milestones"], state["curves"]
        self.train_gens, self.test_gens = [st[1] for st in streams], [st[2] for st in streams]
        for gen, saved in zip(self.train_gens + self.test_gens, state["train"] + state["test"]):
            gen.bit_generator.state = saved

    def step(self):
        """Train every trial on up to ``check_every`` sequences; return (stop, diverged) as (P,) bool."""
        row, cfg = self.row, self.row.config
        n = min(row.check_every, self.budget - self.n_seen)
        P = len(self.seeds)
        stop, diverged, screened = (np.zeros(P, dtype=bool) for _ in range(3))
        for k in range(P):
            b = row.draw(row.check_every, self.train_gens[k], self.tasks[k])
            T = int(b.lengths[:n].max())
            W, losses, ends, done = competitor_engine.train_sequences(
                cfg, self.W[k:k + 1], b.x[None, :n, :T], b.targets[None, :n, :T], b.target_mask[None, :n, :T],
                b.lengths[None, :n], row.method, row.learning_rate, row.h)
            self.W[k] = W[0]
            self.curve_sum[k] += np.nansum(losses)
            diverged[k] = done[0] < n
            screened[k] = np.all(np.abs(ends[0] - criteria.end_values(b.targets[:n], b.lengths[:n])) < BOUND)
        self.n_seen += n
        if self.n_seen % row.curve_every == 0:
            for curve, total in zip(self.curves, self.curve_sum):
                curve.append(float(total) / row.curve_every)
            self.curve_sum[:] = 0.0
        for k in np.flatnonzero(~diverged):
            stop[k] = self._passes(k, screened[k])
        return stop, diverged

    def _passes(self, k: int, screened: bool) -> bool:
        """Whether trial ``k`` meets its success rule now (2b: tested only if ``screened``: all its training
        sequences since the last check ended within the bound)."""
        row = self.row
        if row.experiment == "2b":
            if not screened:
                return False
            self.milestones[k]["tests"] = self.milestones[k].get("tests", 0) + 1
            self.passed[self.seeds[k]] = row.test_net(self.W[k], None, self.test_gens[k])
            return self.passed[self.seeds[k]]["wrong"] == 0
        return row.passes(self.W[k], self.tasks[k], self.test_gens[k])

    def finish(self, p: int, success: bool, diverged: bool) -> dict:
        """Trial ``p``'s record (schema 1)."""
        row = self.row
        test = None
        if diverged:
            self.milestones[p]["diverged"] = self.n_seen
        elif row.experiment == "2b" and success:
            test = self.passed[self.seeds[p]]
        else:
            test = row.test_net(self.W[p], self.tasks[p], self.test_gens[p])
        weights = (None if diverged or row.config.n_weights > MAX_STORED_WEIGHTS
                   else {"W": self.W[p].tolist()})
        run = {"seconds": round(self.seconds, 3), "batch": len(self.chunk_seeds),
               "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               **({"code_versions": self.versions} if len(self.versions) > 1 else {})}
        curve = {"every": row.curve_every, "mean_loss": self.curves[p],
                 "measure": "mean over each interval of the training error E of a sequence (1/2 sum of squared "
                            "errors of all steps and outputs)"}
        return {"schema": SCHEMA, "study": STUDY, "experiment": row.name, "seed": self.seeds[p],
                "budget": self.budget, "success": bool(success and not diverged), "sequences": int(self.n_seen),
                "milestones": self.milestones[p], "test": test, "curve": curve, "weights": weights,
                **row.record_fields(), "code_version": self.versions[-1], "run": run}

    def keep(self, rows) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        for name in ("seeds", "tasks", "train_gens", "test_gens", "milestones", "curves"):
            setattr(self, name, [getattr(self, name)[i] for i in rows])
        self.W, self.curve_sum = self.W[rows], self.curve_sum[rows]

    def save(self, path) -> None:
        meta = {"seeds": self.seeds, "chunk_seeds": self.chunk_seeds, "n_seen": self.n_seen,
                "seconds": self.seconds, "versions": self.versions, "milestones": self.milestones,
                "curves": self.curves, "train": [g.bit_generator.state for g in self.train_gens],
                "test": [g.bit_generator.state for g in self.test_gens], "budget": self.budget}
        with atomic_file(path) as fh:
            np.savez(fh, meta=np.array(json.dumps(meta)), W=self.W, curve_sum=self.curve_sum)

    @classmethod
    def load(cls, row: Row, path, version: str, budget: int) -> "CompetitorTrials":
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            state = {**meta, "W": data["W"], "curve_sum": data["curve_sum"]}
        sizes = {len(meta[k]) for k in ("seeds", "milestones", "curves", "train", "test")}
        if sizes != {len(state["W"])} or len(state["curve_sum"]) != len(state["W"]):
            raise ValueError("its metadata disagrees with its arrays (trials per part differ)")
        return cls(row, meta["seeds"], budget, version, state)


def _rows() -> dict:
    rows = []
    note1 = ("Table 1's competitor rows are quoted by the paper from other papers; here they are rerun on LSTM's "
             "three training/test pairs and success rule (checked every 500 sequences). ")
    for n_hidden, rate, after, weights in ((3, 0.05, 173_000, 170), (12, 0.1, 25_000, 494)):
        rows.append(Row(f"1-rtrl-{n_hidden}", "1", "RTRL", "fully_recurrent", n_hidden, "rtrl", rate, TABLE1_BUDGET,
                        {"success_percent": None, "success_after": after, "weights": weights,
                         "source": "Smith and Zipser 1989"},
                        note1 + f"Fully recurrent net of {n_hidden} hidden and 7 output units, no bias ({weights} "
                        "weights, as the paper's ~" f"{weights}).", n_trials=30, check_every=500, curve_every=500,
                        base=f"1-rtrl-{n_hidden}"))
    rows.append(Row("1-elman-15", "1", "ELM", "elman", 15, "bptt", 0.1, TABLE1_BUDGET,
                    {"success_percent": 0, "success_after_more_than": 200_000, "weights": 435,
                     "source": "Cleeremans et al. 1989"},
                    note1 + "Elman net of 15 hidden units, no bias (435 weights, as the paper's ~435). The paper "
                    "gives no learning rate: 0.1 (RTRL-12's) is our choice.", h=1, n_trials=30, check_every=500,
                    curve_every=500, base="1-elman-15"))
    note2 = ("One self-recurrent hidden unit and p+1 non-recurrent outputs, each layer fed by all layers below, no "
             "bias. Success as LSTM's row 2a: ABS(0.25) at every step of both sequences (the paper's 10,000 random "
             "test sequences are draws of the two), checked every check_every sequences. ")
    for rate, pct, after in ((1.0, 78, 1_043_000), (4.0, 56, 892_000), (10.0, 22, 254_000)):
        rows.append(Row(f"2a-rtrl-p4-a{rate:g}", "2a", "RTRL", "self_recurrent", 1, "rtrl", rate, PAPER_BUDGET,
                        {"success_percent": pct, "success_after": after, "weights": 36, "alpha": rate},
                        note2 + "The paper's budget.", p=4, check_every=1000, curve_every=50_000, base="2a-p4"))
    rows.append(Row("2a-rtrl-p4-a1-w2", "2a", "RTRL", "self_recurrent", 1, "rtrl", 1.0, PAPER_BUDGET,
                    {"success_percent": 78, "success_after": 1_043_000, "weights": 36, "alpha": 1.0},
                    note2 + "Variant of 2a-rtrl-p4-a1: initial weights in [-2, 2] instead of [-0.2, 0.2] (the same "
                    "draws scaled by 10; the paper does not give the competitors' range). The paper's budget.",
                    p=4, check_every=1000, curve_every=50_000, base="2a-p4", scale=2.0))
    open_rate = "The paper gives the rate as 1.0-10.0: 1.0 (the best at p = 4) is our choice. "
    rows.append(Row("2a-rtrl-p10", "2a", "RTRL", "self_recurrent", 1, "rtrl", 1.0, PAPER_BUDGET,
                    {"success_percent": 0, "success_after_more_than": 5_000_000, "weights": 144, "alpha": "1.0-10.0"},
                    note2 + open_rate + "The paper's budget.", p=10, check_every=1000, curve_every=50_000,
                    base="2a-p10"))
    for experiment, lstm_mean, weights in (("2a", 5040, 10404), ("2b", 5680, 10404)):
        for method, label in (("rtrl", "RTRL"), ("bptt", "BPTT")):
            paper = ({"success_percent": 0, "success_after_more_than": 5_000_000, "weights": weights,
                      "alpha": "1.0-10.0"} if experiment == "2a" else {"success_percent": 0, "result": "failed"})
            rows.append(Row(f"{experiment}-{method}-p100", experiment, label, "self_recurrent", 1, method, 1.0,
                            20 * lstm_mean, paper,
                            (note2 if experiment == "2a" else "As 2a's net; success: ABS(0.25) at the sequence end "
                             "of 10,000 fresh sequences. ") + open_rate
                            + f"Budget 20 times LSTM's mean ({lstm_mean:,}), not the paper's 5,000,000: a p = 100 "
                            "sequence costs about 100 times a p = 4 one.", p=100, curve_every=1000,
                            base=f"{experiment}-p100"))
    return {r.name: r for r in rows}


#: Every competitor row, by entry name.
ENTRIES = _rows()
