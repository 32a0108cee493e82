"""The trainer of the 1997 LSTM's trials: one chunk of trials of a registry entry, trained together.

:class:`LSTMTrials` is what :mod:`lstm_edu.runner` drives for every entry of :mod:`lstm_edu.experiments`
(the runner's trainer protocol, see its docstring): ``P`` trials, one network each on the trial axis of
:class:`~lstm_edu.lstm1997.LSTM1997`, each trained on its own sequence, one weight update per sequence
(``schedule="sequence"``, Appendix A.1) or after every step (Experiment 1, ``schedule="step"``), each
judged by its row's stopping rule (:mod:`lstm_edu.criteria`, Table 11) and, once it stops, tested and
turned into its record (schema 1, :mod:`lstm_edu.results`).

A trial's randomness depends only on (entry, trial seed): three independent streams (initial weights,
training sequences, test sequences) spawned from ``SeedSequence([trial seed, crc32(name)])`` (a variant
uses its base row's name; :func:`trial_streams`), and a fourth for the "learned" tests (:func:`learned_stream`).
Its training is bitwise the same in any chunk: the
compiled time loop computes each network on its own.

Sequential network construction (Section 4's remedy (1) for the abuse problem; Experiments 2a, 2b and
the abuse study's variant of row 1-4): a net starts with ``construction_start`` of its blocks; the
weights of the absent blocks (into and out of their cells and gates) are held at 0 (``frozen`` of
:meth:`~lstm_edu.lstm1997.LSTM1997.train`), so that the net computes exactly what the smaller net would.
After every ``construction_window`` sequences the window's mean training error is compared with the
previous window's; when it fell by less than ``plateau_drop`` (relative) and two windows have passed since
the last block arrived, the next block gets the weights drawn for it at the start.
"""

from __future__ import annotations

import dataclasses
import json
import zlib
from pathlib import Path

import numpy as np

from . import criteria
from .lstm1997 import LSTM1997
from .results import SCHEMA, atomic_file, run_info
from .tasks import SequenceBatch
from .trial_tests import evaluate, learned_allowances, learned_test, public  # noqa: F401 (public names)

#: Records keep the trained weights of nets with at most this many weights (all but Experiment 2's large
#: nets), so that a chapter can rebuild a trained net and look inside it.
MAX_STORED_WEIGHTS = 1000
#: The method every LSTM record names.
METHOD = "LSTM (1997), truncated gradient"


def _root(exp, trial_seed: int) -> np.random.SeedSequence:
    return np.random.SeedSequence([int(trial_seed), zlib.crc32((exp.base or exp.name).encode())])


def trial_streams(exp, trial_seed: int) -> tuple:
    """Independent Generators (initial weights, training data, test data) of one trial of entry ``exp``."""
    return tuple(np.random.default_rng(s) for s in _root(exp, trial_seed).spawn(3))


def learned_stream(exp, trial_seed: int) -> np.random.Generator:
    """The fourth stream of the trial (the first three are :func:`trial_streams`'): the "learned" tests'."""
    return np.random.default_rng(_root(exp, trial_seed).spawn(4)[3])


def initial_nets(exp, seeds) -> LSTM1997:
    """One network per trial seed, each drawn from its own weight stream, stacked along the trial axis."""
    cfg = exp.architecture
    nets = [LSTM1997(cfg, 1, seed=trial_streams(exp, s)[0]) for s in seeds]
    return LSTM1997.from_weights(cfg, np.concatenate([n.w_hidden for n in nets]),
                                 np.concatenate([n.w_output for n in nets]))


class TrainStream:
    """A trial's training sequences, drawn ``block`` at a time; restorable from (state at block start, position)."""

    def __init__(self, task, gen: np.random.Generator, block: int, state=None):
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


def assemble(streams, store: dict):
    """One sequence per trial, padded: x (P, T, n_in), targets (P, T, K), mask (P, T, K), lengths (P,).

    The streams of a chunk advance together, so at the start of each block their blocks are stacked once
    into ``store`` (a dict kept between calls; start with ``{}``), and every step's sequences are then one
    slice of the stack: C-contiguous views (the trial axis is second; the compiled loop reads contiguous
    inputs fastest: with Experiment 2c's 104 inputs a strided view cost a fifth of a step), valid until the
    next block, padded to the longest sequence of the block (the engine runs each net only to its last
    error step, so padding costs no time). Each stream's block becomes a view into the stack, so the data
    is held once.
    """
    first = streams[0]
    refill = first.pos >= first.block
    if refill or store.get("streams") is not streams:  # a new block, or other streams (trials left the chunk)
        if any(s.pos != first.pos for s in streams):
            raise ValueError("the training streams of a chunk must advance together (one sequence each per step)")
        for s in streams if refill else ():
            s._refill()
        # at a refill no view of the old stack is left, so its memory is written again (fresh memory costs
        # page faults: for row 2c-2 they doubled the cost of stacking); after keep() the views are read
        store["arrays"] = _stack([s.batch for s in streams], store.get("arrays") if refill else None)
        for p, s in enumerate(streams):
            s.batch = SequenceBatch(*(a[:, p] for a in store["arrays"]), s.batch.labels)
        store["streams"] = streams  # held, so that its id is never another list's
    i = first.pos
    for s in streams:
        s.pos += 1
    return tuple(a[i] for a in store["arrays"])


def _stack(batches, old=None) -> tuple:
    """Blocks of sequences of equal size, one per trial, as arrays with the trial axis second: x (block, P, T,
    n_in), targets (block, P, T, K), mask (block, P, T, K), lengths (block, P). Written into the memory of
    ``old`` (an earlier stack) where it is large enough; zero beyond the longest sequence of each trial's block."""
    T = max(b.x.shape[1] for b in batches)
    out = []
    for i, b in enumerate(batches[0][:3]):
        shape = b.shape[:1] + (len(batches), T) + b.shape[2:]
        size = int(np.prod(shape))
        flat = old[i].base if old is not None and old[i].base is not None else None
        flat = flat if flat is not None and flat.size >= size else np.empty(max(size, 1), dtype=b.dtype)
        out.append(flat[:size].reshape(shape))
    for p, b in enumerate(batches):
        for whole, part in zip(out, b[:3]):
            whole[:, p, :part.shape[1]] = part
            if part.shape[1] < T:
                whole[:, p, part.shape[1]:] = 0
    return (*out, np.stack([b.lengths for b in batches], axis=1))


def record(exp, seed, budget, outcome: dict, versions: list[str], seconds: float, batch: int) -> dict:
    """One trial's record (schema 1, :data:`lstm_edu.results.REQUIRED`).

    seed: the trial seed; experiment/table/row/description; configuration: the Table 10 architecture;
    task: task parameters; criteria: the rules applied; budget: cap on training sequences. ``outcome``:
    sequences (until the stopping rule held, or the budget), success (whether it held within the budget),
    milestones (e.g. ST1's sequence count in Experiment 3, how many full tests Experiment 2 ran,
    ``cell_added`` / ``block_added`` of sequential construction, ``diverged``: the sequence at which
    the weights blew up, or ``saturated``: the sequence at which every unit was flat and learning stopped,
    the trial then failed), curve (mean training error per ``every`` sequences),
    weights (final ``w_hidden``, ``w_output``; None for nets with more than :data:`MAX_STORED_WEIGHTS`
    weights or diverged or saturated ones: no use can be made of a net whose units are all flat, and its
    weights may be absurdly large), test (the final test, :func:`evaluate`). paper: the paper's figures for the
    row; code_version: that of the run that finished the trial (the last of ``versions``), taken at the
    run's start; ``run`` (:func:`lstm_edu.results.run_info` of ``seconds``, ``batch``, ``versions``): the
    only fields that differ between identical runs.
    """
    return {
        "schema": SCHEMA, "study": exp.study, "experiment": exp.name, "table": exp.table, "row": exp.row,
        "description": exp.description, "method": METHOD, "schedule": exp.schedule, "seed": int(seed),
        "configuration": dataclasses.asdict(exp.architecture),
        **({"overrides": exp.overrides} if exp.overrides else {}), "task": exp.params,
        "criteria": exp.criteria_record(), "budget": int(budget), **outcome, "paper": exp.paper,
        "note": exp.note, "code_version": versions[-1], "run": run_info(seconds, batch, versions),
    }


class Construction:
    """Sequential network construction of ``P`` nets (see the module docstring): which blocks each net has.

    ``blocks`` (P,): blocks present; ``last`` (P,): the sequence count at which the last one arrived (0 at
    the start); ``window_sum``, ``previous``: this window's summed and the previous window's mean training
    error; ``w_hidden``, ``w_output``: every net's weights as drawn at the start.
    """

    def __init__(self, net: LSTM1997, state: dict):
        if "added" in state:  # a checkpoint of the one-cell construction before blocks: same rule, same state
            added = state.pop("added")
            state.update(blocks=added.astype(np.int64), last=np.zeros(len(added), dtype=np.int64))
        self.state = state
        cfg, S, C, B = net.cfg, net.S, net.C, net.B
        self.units, self.sources, self.outputs = [], [], []
        cells = np.arange(net.M_out)[net.output_cells]
        for j in range(B):
            names = [f"cell[{j},{v}]" for v in range(S)] + [f"input_gate[{j}]"] + (
                [f"output_gate[{j}]"] if cfg.output_gate else [])
            self.units.append([net.unit_names.index(u) for u in names])
            self.sources.append([net.source_names.index(u) for u in names if u in net.source_names])
            self.outputs.append(cells[j * S:(j + 1) * S].tolist())

    @classmethod
    def start(cls, net: LSTM1997, n_blocks: int) -> "Construction":
        P = net.P
        state = {"blocks": np.full(P, n_blocks), "last": np.zeros(P, dtype=np.int64), "window_sum": np.zeros(P),
                 "previous": np.full(P, np.inf), "w_hidden": net.w_hidden.copy(), "w_output": net.w_output.copy()}
        self = cls(net, state)
        self.silence(net)
        return self

    def absent(self, shape_hidden, shape_output) -> tuple[np.ndarray, np.ndarray]:
        """The weights of the blocks not added yet, as bool arrays shaped like ``w_hidden`` and ``w_output``:
        those into their cells and gates, from them into the other units, and from their cells to the outputs."""
        hidden, output = np.zeros(shape_hidden, dtype=bool), np.zeros(shape_output, dtype=bool)
        for p, present in enumerate(self.state["blocks"]):
            for j in range(int(present), len(self.units)):
                hidden[p, self.units[j], :] = True
                hidden[p, :, self.sources[j]] = True
                output[p, :, self.outputs[j]] = True
        return hidden, output

    def silence(self, net: LSTM1997) -> None:
        """Set the absent weights to 0; :meth:`LSTM1997.train` keeps them there (``frozen``), within a
        sequence too, so a net computes exactly what the net of its present blocks would."""
        hidden, output = self.absent(net.w_hidden.shape, net.w_output.shape)
        net.w_hidden[hidden] = 0.0
        net.w_output[output] = 0.0

    def after_sequence(self, net: LSTM1997, loss: np.ndarray, n_seen: int, window: int, drop: float,
                       milestones: list) -> None:
        """Add the next block (with the weights drawn for it at the start) where the error stopped falling."""
        c = self.state
        c["window_sum"] += loss
        if n_seen % window:
            return
        mean = c["window_sum"] / window
        grow = ((c["blocks"] < len(self.units)) & (mean > (1 - drop) * c["previous"])
                & (n_seen - c["last"] >= 2 * window))
        if grow.any():
            before = self.absent(net.w_hidden.shape, net.w_output.shape)
            c["blocks"] = c["blocks"] + grow
            after = self.absent(net.w_hidden.shape, net.w_output.shape)
            for w, initial, was, now in zip((net.w_hidden, net.w_output), (c["w_hidden"], c["w_output"]),
                                            before, after):
                arrived = was & ~now
                w[arrived] = initial[arrived]
            c["last"] = np.where(grow, n_seen, c["last"])
            for p in np.flatnonzero(grow):
                if len(self.units) == 1:
                    milestones[p]["cell_added"] = n_seen
                else:
                    milestones[p].setdefault("block_added", []).append(n_seen)
        c["previous"], c["window_sum"] = mean, np.zeros_like(mean)

    def select(self, rows) -> None:
        self.state = {k: v[rows] for k, v in self.state.items()}


def reber_all_right(net: LSTM1997, row: int, task, chunk: int) -> bool:
    """Experiment 1's periodic test, cheaply: whether network ``row`` predicts every string of ``task``'s fixed
    sets right (the verdict of :func:`evaluate`'s ``wrong == 0``). Shortest strings first, in chunks of 16,
    32, ... up to ``chunk``, each cut to its longest string, stopping at the first chunk with a wrong string:
    a net that is not there yet (most tests) is found out after a few strings, not all of them (an output
    depends only on the steps before it, so a shorter batch gives each string the same outputs)."""
    f = task.fixed_test
    order = np.argsort(f.lengths, kind="stable")
    start, size = 0, 16
    while start < order.size:
        pick = order[start:start + size]
        T = int(f.lengths[pick].max())
        out = net.forward_one(f.x[pick, :T], row).outputs
        if not criteria.reber_correct(out, task.possible[pick, :T], f.lengths[pick]).all():
            return False
        start, size = start + size, min(2 * size, chunk)
    return True


def _consistent(meta: dict, arrays: dict) -> None:
    """Raise ValueError unless a checkpoint's metadata and arrays describe the same trials."""
    rows = {"seeds": len(meta["seeds"]), "milestones": len(meta["milestones"]), "curves": len(meta["curves"]),
            "train": len(meta["train"]), "test": len(meta["test"]),
            **{k: arrays[k].shape[0] if arrays[k].ndim else 0 for k in ("w_hidden", "w_output", "curve_sum")}}
    if len(set(rows.values())) != 1:
        raise ValueError("its metadata disagrees with its arrays: trials per part " + ", ".join(
            f"{k} {v}" for k, v in rows.items()))


class LSTMTrials:
    """The trials of one chunk while they train together (one network each on the trial axis): the
    runner's trainer (:mod:`lstm_edu.runner`) for the entries of :mod:`lstm_edu.experiments`."""

    def __init__(self, exp, seeds: list[int], budget: int, version: str):
        """A new chunk of entry ``exp``, trained by code ``version`` (see :meth:`load` for one resumed)."""
        self._setup(exp, list(seeds), budget, [version])
        self.chunk_seeds, self.n_seen, self.seconds = list(seeds), 0, 0.0
        streams = [trial_streams(exp, s) for s in seeds]
        self.net = initial_nets(exp, seeds)
        self.train = [TrainStream(t, st[1], exp.block) for t, st in zip(self.tasks, streams)]
        self.test_gens = [st[2] for st in streams]
        self.learned_gens = [learned_stream(exp, s) for s in seeds]
        self.window = (criteria.RollingWindow(len(seeds), exp.check_every if exp.stop == "abs_test"
                                              else criteria.WINDOW) if self._windowed else None)
        self.milestones = [{} for _ in seeds]
        self.curves = [[] for _ in seeds]
        self.curve_sum = np.zeros(len(seeds))
        self.construction = (Construction.start(self.net, exp.construction_start)
                             if exp.construction_window else None)

    def _setup(self, exp, seeds, budget, versions):
        self.exp, self.seeds, self.budget, self.versions = exp, seeds, budget, versions
        self.tasks = [exp.make(s) for s in seeds]
        self._windowed = exp.stop in ("abs_test", "st3", "nseq")
        self._allowances = learned_allowances(exp)
        self._buffers = {}

    # checkpoints ------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Checkpoint the chunk atomically at ``path`` (``.npz``)."""
        meta = {"experiment": self.exp.name, "budget": self.budget, "seeds": self.seeds, "n_seen": self.n_seen,
                "milestones": self.milestones, "curves": self.curves, "train": [s.state() for s in self.train],
                "test": [g.bit_generator.state for g in self.test_gens],
                "learned": [g.bit_generator.state for g in self.learned_gens], "seconds": self.seconds,
                "chunk": self.chunk_seeds, "code_versions": self.versions}
        arrays = {"w_hidden": self.net.w_hidden, "w_output": self.net.w_output, "curve_sum": self.curve_sum}
        if self.window is not None:
            arrays.update({f"window_{k}": v for k, v in self.window.state().items()})
        if self.construction is not None:
            arrays.update({f"construction_{k}": v for k, v in self.construction.state.items()})
        with atomic_file(path) as fh:
            np.savez(fh, meta=np.array(json.dumps(meta)), **arrays)

    @classmethod
    def load(cls, exp, path: Path, version: str, budget: int | None = None) -> "LSTMTrials":
        """The chunk checkpointed at ``path``, now trained by code ``version`` (kept after the versions
        that trained it before, unless it is the last of them), to ``budget`` (default: its own)."""
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            arrays = {k: data[k] for k in data.files if k != "meta"}
        _consistent(meta, arrays)
        # checkpoints written before the code versions were kept name none: say so in the records
        versions = meta.get("code_versions", ["unrecorded"])
        self = cls.__new__(cls)
        self._setup(exp, meta["seeds"], meta["budget"] if budget is None else budget,
                    versions + ([version] if versions[-1] != version else []))
        self.chunk_seeds, self.n_seen, self.seconds = meta["chunk"], meta["n_seen"], meta["seconds"]
        self.milestones, self.curves, self.curve_sum = meta["milestones"], meta["curves"], arrays["curve_sum"]
        self.net = LSTM1997.from_weights(exp.architecture, arrays["w_hidden"], arrays["w_output"])
        self.construction = (Construction(self.net, {k[13:]: v for k, v in arrays.items()
                                                     if k.startswith("construction_")})
                             if exp.construction_window else None)
        self.train, self.test_gens = [], []
        for task, s, tr, te in zip(self.tasks, self.seeds, meta["train"], meta["test"]):
            _, train_gen, test_gen = trial_streams(exp, s)
            self.train.append(TrainStream(task, train_gen, exp.block, state=tr))
            test_gen.bit_generator.state = te
            self.test_gens.append(test_gen)
        # a checkpoint made before the learned test: its trials start the learned stream now
        self.learned_gens = [learned_stream(exp, s) for s in self.seeds]
        for gen, state in zip(self.learned_gens, meta.get("learned", [])):
            gen.bit_generator.state = state
        self.window = (criteria.RollingWindow.from_state({k[7:]: v for k, v in arrays.items()
                                                          if k.startswith("window_")})
                       if self._windowed else None)
        return self

    # training ---------------------------------------------------------------------------------
    def step(self) -> tuple[np.ndarray, np.ndarray]:
        """Train every trial on one sequence; return two (P,) bool arrays: the trials whose stopping rule now
        holds, and the trials whose weights have blown up to non-finite values or saturated (learning has
        stopped: :meth:`LSTM1997.train`'s ``saturated``); those end as failures."""
        exp, net = self.exp, self.net
        x, y, m, lengths = assemble(self.train, self._buffers)
        frozen = (self.construction.absent(net.w_hidden.shape, net.w_output.shape)
                  if self.construction is not None else None)
        # the trainer's own sequences (float64, the net's shapes, one mask per step): not checked again
        result = net._train(x, y, m[:, :, 0], exp.schedule, net.cfg.alpha, exp.judge == "all", "report", frozen,
                            "compiled")
        self.n_seen += 1
        self.curve_sum += result.loss
        if self.construction is not None:
            self.construction.after_sequence(net, result.loss, self.n_seen, exp.construction_window,
                                             exp.plateau_drop, self.milestones)
        if self.n_seen % exp.curve_every == 0:
            for curve, total in zip(self.curves, self.curve_sum):
                curve.append(float(total) / exp.curve_every)
            self.curve_sum[:] = 0.0
            if self._allowances is not None:
                self._learned_check()
        stop = np.zeros(len(self.seeds), dtype=bool)
        if self.window is not None:
            end_t = criteria._end_values(y, lengths)  # arrays the trainer made: valid, left unchecked
            if exp.judge == "all":
                ok = criteria.abs_correct(result.outputs, y, m, exp.success_bound)
            else:
                ok = np.all(np.abs(end_t - result.last_output) < exp.success_bound, axis=1)
            self.window._push(ok, criteria._end_error(result.last_output, end_t))
        if exp.stop == "st3":
            stop = self.window.st3(exp.stop_bound)
        elif exp.stop == "nseq":
            stop = self.window.fewer_wrong_than(exp.n_seq)
        elif exp.check_every and self.n_seen % exp.check_every == 0:
            stop = self._periodic_check()
        trouble = result.diverged | result.saturated
        return stop & ~trouble, trouble

    def _learned_check(self) -> None:
        """The learned milestones (:func:`learned_allowances`) that each trial has not reached yet."""
        for p, milestones in enumerate(self.milestones):
            todo = {k: a for k, a in self._allowances.items() if k not in milestones}
            if todo and np.isfinite(self.net.w_hidden[p]).all():
                wrong = learned_test(self.exp, self.net, p, self.tasks[p], self.learned_gens[p],
                                     max(todo.values()))
                milestones.update({k: self.n_seen for k, a in todo.items() if wrong <= a})

    def _periodic_check(self) -> np.ndarray:
        exp, P = self.exp, len(self.seeds)
        stop = np.zeros(P, dtype=bool)
        if exp.stop == "reber":
            for p in range(P):
                stop[p] = reber_all_right(self.net, p, self.tasks[p], exp.eval_chunk)
        elif exp.stop == "abs_test":
            screened = self.window.full & (self.window.n_wrong() == 0)
            for p in np.flatnonzero(screened):
                test = evaluate(exp, self.net, p, self.tasks[p], self.test_gens[p], exp.check_size)
                self.milestones[p]["tests"] = self.milestones[p].get("tests", 0) + 1
                stop[p] = test["wrong"] == 0
        else:  # exp3: ST1 and ST2 on fresh test sequences
            ends = [evaluate(exp, self.net, p, self.tasks[p], self.test_gens[p], exp.check_size)["_end"]
                    for p in range(P)]
            crit = criteria.exp3_criteria(exp.exp3_variant, np.stack([e[0] for e in ends]),
                                          np.stack([e[1] for e in ends]))
            for p in range(P):
                if crit["st1"][p] and "ST1" not in self.milestones[p]:
                    self.milestones[p]["ST1"] = self.n_seen
            stop = crit["st2"]
        return stop

    def finish(self, p: int, success: bool, diverged: bool = False) -> dict:
        """The record of trial ``p`` after its final test (none if its weights have blown up or saturated); its
        code versions are those of the runs that trained the chunk, the last one now training it. ``diverged``:
        the trial ended in numerical trouble (:meth:`step`), recorded as the milestone ``"diverged"`` (weights
        not finite) or ``"saturated"`` (finite but learning has stopped, :meth:`LSTM1997.train`)."""
        exp = self.exp
        test = None
        if diverged:
            finite = np.isfinite(self.net.w_hidden[p]).all() and np.isfinite(self.net.w_output[p]).all()
            self.milestones[p]["saturated" if finite else "diverged"] = self.n_seen
        elif exp.stop == "reber":
            test = evaluate(exp, self.net, p, self.tasks[p], None, 0)
        elif exp.test_size:
            test = public(evaluate(exp, self.net, p, self.tasks[p], self.test_gens[p], exp.test_size))
        curve = {"every": exp.curve_every, "mean_loss": self.curves[p],
                 "measure": "mean over each interval of the training error E of a sequence (1/2 sum of "
                            "squared errors of all error steps and outputs)"}
        weights = None
        if self.net.n_weights <= MAX_STORED_WEIGHTS and not diverged:
            weights = {"w_hidden": self.net.w_hidden[p].tolist(), "w_output": self.net.w_output[p].tolist()}
        outcome = {"sequences": int(self.n_seen), "success": bool(success), "milestones": self.milestones[p],
                   "test": test, "curve": curve, "weights": weights}
        return record(exp, self.seeds[p], self.budget, outcome, self.versions, self.seconds, len(self.chunk_seeds))

    def keep(self, rows) -> None:
        """Keep only the trials ``rows`` (the others have finished)."""
        rows = np.asarray(rows, dtype=np.int64)
        for name in ("seeds", "tasks", "train", "test_gens", "learned_gens", "milestones", "curves"):
            setattr(self, name, [getattr(self, name)[i] for i in rows])
        self.curve_sum = self.curve_sum[rows]
        if self.construction is not None:
            self.construction.select(rows)
        if len(rows):
            self.net = self.net.select(rows)
            if self.window is not None:
                self.window = self.window.select(rows)
