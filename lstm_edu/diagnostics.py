"""What the chapters of Part 3 measure on stored trials and initial nets: one copy of each measurement.

The chapters on Experiments 1-3 (Sections 5.1-5.3 of the 1997 paper) and the claims tests that check
them call these functions; :mod:`lstm_edu.verdict` calls them to give a reading's cause its measured figure.
Every function reads a record of :mod:`lstm_edu.results` (through :func:`lstm_edu.experiments.trained_net`)
or a row's initial nets (:func:`lstm_edu.experiments.initial_net`); none writes anything.

- Any experiment: :func:`left_plateau` (when a learning curve first falls below a level),
  :func:`relative_difference` (the yardstick of every twin and gradient check), :func:`autograd_gradient`
  (autograd's gradient of a competitor's net, the independent reference of its hand-derived rules).
- Experiment 1, the embedded Reber grammar (Section 5.1): :func:`length_distribution` (exact, from the
  graph), :func:`continuations` (the generator against the grammar's possible next symbols),
  :func:`wrong_steps` and :func:`final_net_profile` (where a final net errs; how many of its cells are
  saturated at the memory step), :func:`saturated_share`; for a competitor's net,
  :func:`embedded_symbol_errors`.
- Experiment 2a (Section 5.2): :func:`first_update_from_cell` (why the cell comes late),
  :func:`class_unit_weights` (where a trial spends its sequences), :func:`chunker_events` (the chunker's view).
- Experiment 2b (Section 5.2): :func:`class_difference` (the class part of the cell state).
- Experiment 2c, very long lags (Section 5.2): :func:`drift_at_the_trigger` (the cells' states at the
  trigger of a row's initial nets, predicted and measured, and the first gradient), :func:`reach_at_the_trigger`,
  :func:`class_at_the_trigger` (what a trained net keeps of the class), :func:`class_gap`, :func:`fresh_wrong`;
  the generator's :func:`lengths_and_distractors`.
- Experiment 3, noise and signal on the same channel (Section 5.3): :func:`bayes_error`,
  :func:`posterior_output_rate`, :func:`first_step_gate`, :func:`even_sum_separation`.
"""

from __future__ import annotations

import functools
from math import erf, sqrt
from typing import NamedTuple

import autograd
import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from . import _checks, activations, chunker, competitor_nets, competitors, criteria, experiments, lstm_trials
from . import lstm1997
from .lstm1997 import LSTM1997, config
from .tasks import long_lag, noise_signal, reber


# ------------------------------------------------------------------------------------------ any experiment
def left_plateau(record: dict, level: float) -> int | None:
    """Training sequences until the learning curve of a stored trial (its mean error per sequence, one point
    per ``record["curve"]["every"]`` sequences) first falls below ``level``; None if it never does."""
    level = _checks.positive_float("level", level)
    curve = np.asarray(record["curve"]["mean_loss"])
    below = np.flatnonzero(curve < level)
    return int((below[0] + 1) * record["curve"]["every"]) if below.size else None


def relative_difference(a, b) -> float:
    """The largest absolute difference of ``a`` and ``b`` over the largest absolute entry of ``b``."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    return float(np.abs(a - b).max() / np.abs(b).max())


def autograd_gradient(cfg, W, x, targets, target_mask, h=None) -> np.ndarray:
    """autograd's gradient of the summed squared error of competitor nets ``cfg``
    (:mod:`lstm_edu.competitor_nets`) with weights ``W`` on sequences ``x``; with ``h``, of each step's
    error with the activations from before the step's window of ``h`` steps held constant (autograd's
    ``getval``), summed over the steps: the target of truncated BPTT(h) (Section 4 of the paper)."""
    def error_of_step(W, t):
        y_R = anp.zeros((x.shape[0], cfg.n_recurrent))
        for tau in range(t + 1):
            if h is not None and tau <= t - h + 1:    # the input of the window's first step is a constant
                y_R = getval(y_R)
            y, _ = competitor_nets.forward_step(cfg, W * cfg.mask, x[:, tau], y_R)
            y_R = y[:, :cfg.n_recurrent]
        e = target_mask[:, t] * (y[:, cfg.outputs] - targets[:, t])
        return 0.5 * anp.sum(e * e)

    return autograd.grad(lambda W: sum(error_of_step(W, t) for t in range(x.shape[1])))(W) * cfg.mask


# ------------------------------------------------------------------------- Experiment 1: embedded Reber
def length_distribution(max_len: int = 150) -> np.ndarray:
    """P(an embedded Reber string has length L), L = 0 .. ``max_len``, exactly: probability mass walked along
    :data:`lstm_edu.tasks.reber.REBER_GRAPH` (every branch 1/2), plus the six symbols of the embedding
    (B, T or P, B, ..., E, T or P, E). Strings longer than ``max_len`` are left out."""
    max_len = _checks.positive_int("max_len", max_len, minimum=7)
    mass, p_length = {1: 1.0}, np.zeros(max_len + 1)    # the graph's states after the inner B
    for n_symbols in range(1, max_len - 5):
        nxt = {}
        for state, p in mass.items():
            for _, target in reber.REBER_GRAPH[state]:
                nxt[target] = nxt.get(target, 0.0) + 0.5 * p
        p_length[n_symbols + 6] = nxt.pop(0, 0.0)          # ended after n_symbols inner symbols
        mass = nxt
    return p_length


def continuations(strings, often: int = 30) -> dict:
    """The generator of embedded Reber strings against :func:`lstm_edu.tasks.reber.possible_next`, over the
    prefixes of ``strings``: ``outside``, how many (distinct string, step) pairs saw a continuation that the
    set of possible next symbols does not allow; ``incomplete``, how many of them, with a prefix seen at least
    ``often`` times, lack one of the allowed continuations; ``common``, how many prefixes were seen that often."""
    often = _checks.positive_int("often", often)
    followers, seen = {}, {}
    for s in strings:
        for t in range(len(s) - 1):
            followers.setdefault(s[:t + 1], set()).add(s[t + 1])
            seen[s[:t + 1]] = seen.get(s[:t + 1], 0) + 1
    outside = incomplete = 0
    for s in set(strings):
        for t, row in enumerate(reber.possible_next(s)):
            allowed = {sym for sym, ok in zip(reber.SYMBOLS, row) if ok}
            outside += not followers[s[:t + 1]] <= allowed                     # a symbol the set does not allow
            incomplete += seen[s[:t + 1]] >= often and followers[s[:t + 1]] != allowed   # a branch unseen
    return {"outside": int(outside), "incomplete": int(incomplete), "common": sum(n >= often for n in seen.values())}


def _final_trace(record: dict):
    """(task, trace): a stored Experiment 1 trial's task and its final net's trace on the evaluation strings
    (the distinct training and test strings, :func:`lstm_edu.experiments.reber_task`)."""
    if not experiments.experiment(record["experiment"]).name.startswith("1-"):
        raise ValueError(f"record must be of a row of Experiment 1 (1-1 ... 1-5), got {record['experiment']!r}")
    task = _task(experiments.experiment(record["experiment"]).make, record["seed"])
    return task, experiments.trained_net(record).forward_one(task.fixed_test.x)


@functools.lru_cache(maxsize=128)
def _task(make, seed: int):
    """A trial's task (``make(seed)``), kept: the rows of Experiment 1 and most of their variants share the
    tasks of their seeds, and drawing one (two sets of strings, encoded) costs more than evaluating a net."""
    return make(seed)


def _wrong(task, outputs: np.ndarray) -> np.ndarray:
    """Per evaluation string and step: is some possible next symbol not above every impossible one (the
    success rule of Section 5.1, :func:`lstm_edu.criteria.reber_correct`, step by step)?"""
    lowest_possible = np.where(task.possible, outputs, np.inf).min(axis=2)
    highest_other = np.where(task.possible, -np.inf, outputs).max(axis=2)
    steps = np.arange(outputs.shape[1])[None] < task.fixed_test.lengths[:, None]
    return (lowest_possible <= highest_other) & steps


def wrong_steps(record: dict):
    """(wrong, outputs, task) of a stored Experiment 1 trial's final net: ``wrong[n, t]`` is True where
    evaluation string n fails the success rule at step t."""
    task, trace = _final_trace(record)
    return _wrong(task, trace.outputs), trace.outputs, task


def final_net_profile(record: dict, bound: float = 10.0) -> dict:
    """Where a stored Experiment 1 trial's final net errs and how large its cell states are at the memory
    step (the step after the inner E, where the second symbol must come back).

    ``kind``: "memory" (wrong only at the memory step), "grammar" (only elsewhere), "both" or "none";
    ``saturated``: the share of (string, cell) pairs with ``|s_c| > bound``; ``median_state``: the median
    ``|s_c|`` there."""
    bound = _checks.positive_float("bound", bound)
    task, trace = _final_trace(record)
    wrong = _wrong(task, trace.outputs)
    strings, memory_step = np.arange(wrong.shape[0]), task.fixed_test.lengths - 2
    memory = bool(wrong[strings, memory_step].any())
    wrong[strings, memory_step] = False
    kind = {(True, True): "both", (True, False): "memory", (False, True): "grammar"}.get((memory, wrong.any()),
                                                                                       "none")
    size = np.abs(trace.cell_state[strings, memory_step])
    return {"kind": kind, "saturated": float((size > bound).mean()), "median_state": float(np.median(size))}


def embedded_symbol_errors(record: dict) -> dict:
    """Where a stored competitor trial on Experiment 1 (an Elman net, RTRL, ...; an entry of
    :data:`lstm_edu.competitors.ENTRIES`) errs on its evaluation strings: ``wrong``, the strings with some
    wrong prediction (the success rule of Section 5.1); ``only_embedded``, those of them that are right
    everywhere but at the step whose target is the embedded T or P (the second-to-last symbol)."""
    entry = competitors.ENTRIES.get(record["experiment"])
    if entry is None or not record["experiment"].startswith("1-"):
        raise ValueError(f"record must be of a competitor's entry of Experiment 1, got {record['experiment']!r}")
    cfg, task = entry.config, experiments.reber_task(record["seed"])
    f = task.fixed_test
    y = competitor_nets.forward(cfg, np.array(record["weights"]["W"])[None], f.x)[:, :, cfg.outputs]
    bad = ~criteria.reber_correct(y, task.possible, f.lengths)
    strings, embedded = np.arange(len(f.lengths)), f.lengths - 2     # the step whose target is the embedded T/P
    y[strings, embedded] = task.possible[strings, embedded]
    return {"wrong": int(bad.sum()), "only_embedded": int((bad & criteria.reber_correct(y, task.possible,
                                                                                           f.lengths)).sum())}


def saturated_share(record: dict, bound: float = 10.0) -> float:
    """Share of (string, cell) pairs of a stored Experiment 1 trial's final net with ``|s_c| > bound`` at
    the memory step, where :math:`h'(s_c)` has all but vanished (:func:`final_net_profile`)."""
    return final_net_profile(record, bound)["saturated"]


# ------------------------------------------------------------------ Experiment 2a: the chunker's view
def chunker_events(p: int = 10, sequences: int = 400, seed: int = 0):
    """What the higher level C of a two-net chunker (Schmidhuber 1992, one of the paper's competitors on
    Experiment 2a, Section 5.2) sees while it learns Task 2a with ``p`` (time scale ``p``): the chunker,
    from initial weights ``seed``, trained on ``sequences`` sequences (one generator, seed ``seed``) at
    learning rate 1. Returns (config, W_A, W_C, events): the trained weights and, per sequence and step,
    whether the step was passed up to C (an event)."""
    p = _checks.positive_int("p", p, minimum=2)
    sequences = _checks.positive_int("sequences", sequences)
    small = chunker.ChunkerConfig(p + 1, time_scale=float(p))
    W_A, W_C = chunker.initial_weights(small, [seed])
    gen, seen = np.random.default_rng(seed), []
    for _ in range(sequences):
        b = long_lag.noise_free(1, p, gen)
        out = chunker.train_sequence(small, W_A, W_C, np.concatenate([b.x, b.targets[:, -1:]], axis=1),
                                     b.lengths + 1, 1.0)
        W_A, W_C = out.W_A, out.W_C
        seen.append(out.events[0])
    return small, W_A, W_C, np.array(seen)


# ------------------------------------------------------------------- Experiment 2a: why the cell comes late
def first_update_from_cell(seed: int = 1, sequence_seed: int = 0):
    """(state, change): a fresh 2a net (Table 10's 2a, initial weights ``seed``, its cell already in place)
    on one Task 2a sequence with p = 100 (seed ``sequence_seed``): the cell's state at every step, and how
    one weight update (after the sequence, learning rate of the row) moves each of the 101 weights from the
    cell to the outputs (Section 5.2, Experiment 2a: the cell is added only when the error stops falling)."""
    net = lstm1997.build("2a", 1, seed=seed)
    one = long_lag.noise_free(1, 100, seed=sequence_seed)
    state = net.forward(one.x).cell_state[0, :, 0]
    from_cell = net.output_source_names.index("cell[0,0]")
    before = net.w_output[0, :, from_cell].copy()
    net.train(one.x, one.targets, one.target_mask)
    return state, net.w_output[0, :, from_cell] - before


def class_unit_weights(name: str = "2a_igb_step", seeds=(0, 1, 2), checkpoints=(2500, 5000, 10_000, 20_000)) -> dict:
    """Where a Task 2a trial spends its sequences (Section 5.2; the cell has no output gate, so its state reaches
    every output at every step): trials ``seeds`` of entry ``name`` (row 2a or a variant) trained as the runner
    trains them (the same streams), each to the last of ``checkpoints`` whether or not it succeeds on the way.
    At every checkpoint, the weights of the two class units x and y (output units p - 1 and p) from the cell
    (``cell``), the mean of those from the middle inputs a_1 ... a_{p-2} (``middle``) and the one from the last
    input a_{p-1} (``last``), each an array (checkpoints, seeds, 2); ``sequences``: the checkpoints."""
    exp = experiments.experiment(name)
    if exp.row != "2a":
        raise ValueError(f"name must be row 2a or one of its variants, got {name!r}")
    seeds = [_checks.positive_int("seeds", s, minimum=0) for s in seeds]
    checkpoints = [_checks.positive_int("checkpoints", c) for c in checkpoints]
    if not seeds or not checkpoints or checkpoints != sorted(set(checkpoints)):
        raise ValueError("seeds must not be empty and checkpoints must be increasing sequence counts")
    trials = lstm_trials.LSTMTrials(exp, seeds, checkpoints[-1], "diagnostics")
    net, p = trials.net, exp.architecture.n_in - 1
    cell, units = net.output_source_names.index("cell[0,0]"), [p - 1, p]
    found = {"cell": [], "middle": [], "last": []}
    marks = set(checkpoints)
    for n in range(1, checkpoints[-1] + 1):
        trials.step()
        if n in marks:
            W = net.w_output[:, units]                                                    # (seeds, 2, sources)
            found["cell"].append(W[:, :, cell])
            found["middle"].append(W[:, :, :p - 2].mean(axis=2))
            found["last"].append(W[:, :, p - 2])
    return {"sequences": np.array(checkpoints), **{k: np.array(v) for k, v in found.items()}}


# ----------------------------------------------------------------- Experiment 2b: no local regularities
def class_difference(nets: LSTM1997, x: np.ndarray) -> np.ndarray:
    """(P, T, C): for each of ``nets`` (P nets of row 2b), the cell states after the Task 2b sequence ``x``
    ((1, T, p + 1), one-hot) minus those after the same sequence with the other first symbol (x and y, the
    input units p - 1 and p, swapped). The cells read the inputs only, so the difference is the class part
    of the state, written at the first step and kept (the book's (ll-2b-split))."""
    x = _checks.array("x", x, ndim=3)
    p = x.shape[2] - 1
    first = int(x[0, 0].argmax())
    if x.shape[0] != 1 or first not in (p - 1, p):
        raise ValueError("x must be one Task 2b sequence (1, T, p + 1) whose first symbol is x or y (units p - 1, p)")
    pair = np.repeat(x, 2, axis=0)
    pair[1, 0] = 0.0
    pair[1, 0, (2 * p - 1) - first] = 1.0
    return np.stack([np.subtract(*nets.forward_one(pair, k).cell_state) for k in range(nets.P)])


# ------------------------------------------------------------------------ Experiment 2c: very long lags
def lengths_and_distractors(p: int, q: int, n: int = 100_000, seed: int = 2024, chunk: int = 5000):
    """(lengths, per_symbol) of ``n`` Task 2c sequences (seed ``seed``, drawn ``chunk`` at a time): each
    sequence's length counting the final target element, and how often each distractor a_1 .. a_p occurs in
    it (Section 5.2: the expected length q + 13 and (q + 9)/p occurrences, the book's (ll-2c-length))."""
    n, chunk = _checks.positive_int("n", n), _checks.positive_int("chunk", chunk)
    if n % chunk:
        raise ValueError(f"n must be a multiple of chunk, got n={n} and chunk={chunk}")
    gen, lengths, per_symbol = np.random.default_rng(seed), [], []
    for _ in range(n // chunk):
        batch = long_lag.very_long_lag(chunk, p, q, gen)
        lengths.append(batch.lengths + 1)                       # input steps + the final target element
        per_symbol.append(batch.x[:, :, :p].sum(axis=1))        # occurrences of a_1 .. a_p per sequence
    return np.concatenate(lengths), np.concatenate(per_symbol)


class Drift(NamedTuple):
    """Per sequence and cell of :func:`drift_at_the_trigger`: the state predicted by
    :math:`s_c(L) \\approx \\tfrac12 L\\, g(\\beta_c)`, the measured state, and (per sequence) the first
    gradient's summed magnitude on the weights from x and y into the cells."""
    predicted: np.ndarray
    measured: np.ndarray
    gradient: np.ndarray


def _params(name: str) -> tuple[int, int]:
    exp = experiments.experiment(name)
    if "q" not in exp.params:
        raise ValueError(f"name must be a row or variant of Experiment 2c (2c-1 ... 2c-9), got {name!r}")
    return exp.params["p"], exp.params["q"]


def drift_at_the_trigger(name: str, seeds=range(20), per_net: int = 2, nets_at_a_time: int = 5,
                         squashing: str | None = None) -> Drift:
    """The drift through the gates (Section 5.2, Experiment 2c; the book's (ll-2c-drift)) on the initial nets
    of trials ``seeds`` of row or variant ``name``, ``per_net`` fresh sequences each (one generator, seed 7,
    drawn in groups of ``nets_at_a_time`` nets): predicted and measured cell states at the trigger, and the
    gradient of each sequence's error on the weights from x and y into the cells (:class:`Drift`).
    ``squashing`` rebuilds the same initial weights with other ranges of g and h (e.g. "caption")."""
    p, q = _params(name)
    per_net = _checks.positive_int("per_net", per_net)
    nets_at_a_time = _checks.positive_int("nets_at_a_time", nets_at_a_time)
    gen, parts, seeds = np.random.default_rng(7), [], list(seeds)
    for start in range(0, len(seeds), nets_at_a_time):
        nets = experiments.initial_net(name, seeds[start:start + nets_at_a_time])
        if squashing:
            nets = LSTM1997.from_weights(config(name, squashing=squashing), nets.w_hidden, nets.w_output)
        batch = long_lag.very_long_lag(nets.P * per_net, p, q, gen)
        replicas = nets.select(np.repeat(np.arange(nets.P), per_net))
        measured = replicas.forward(batch.x).cell_state[np.arange(replicas.P), batch.lengths - 1]
        predicted = 0.5 * batch.lengths[:, None] * activations.g(replicas.cell_input_from_gates())
        _, grad = replicas.gradient(batch.x, batch.targets, batch.target_mask)
        from_xy = [replicas.source_index(f"input[{p + 2}]"), replicas.source_index(f"input[{p + 3}]")]
        parts.append((predicted, measured, np.abs(grad.hidden[:, :replicas.C][:, :, from_xy]).sum(axis=(1, 2))))
    return Drift(*(np.concatenate(part) for part in zip(*parts)))


def reach_at_the_trigger(name: str, seeds=range(20), squashing: str | None = None) -> dict:
    """Whether the error can reach the cells of row or variant ``name``'s initial nets at the trigger
    (:func:`drift_at_the_trigger`): ``median_state`` (median ``|s_c|``), ``h_slope`` (median slope of h there
    relative to its slope at 0, :math:`4 f'(s_c)` under both readings of Table 10) and ``within_reach``
    (share of cells with :math:`h'(s_c) > 0.01` for the text's h)."""
    states = drift_at_the_trigger(name, seeds=seeds, squashing=squashing).measured
    return {"median_state": float(np.median(np.abs(states))),
            "h_slope": float(np.median(4 * activations.f_prime(states))),
            "within_reach": float(np.mean(activations.h_prime(states) > 0.01))}


def class_at_the_trigger(record: dict, n: int = 200, seed: int = 3) -> dict:
    """What a stored 2c trial's final net keeps of the class, on ``n`` fresh sequences of its task (seed
    ``seed``): ``x`` and ``y``, the mean cell states at the trigger of the x and the y sequences;
    ``h_prime``, the mean :math:`h'(s_c)` there; ``gate``, the mean input-gate activation during the
    distractors (steps 3 to the one before the trigger)."""
    p, q = _params(record["experiment"])
    n = _checks.positive_int("n", n)
    probe = long_lag.very_long_lag(n, p, q, np.random.default_rng(seed))
    ends = probe.lengths - 1
    trace = experiments.trained_net(record).forward_one(probe.x)
    s = trace.cell_state[np.arange(n), ends]
    return {"x": s[probe.labels == 0].mean(axis=0), "y": s[probe.labels == 1].mean(axis=0),
            "h_prime": float(activations.h_prime(s).mean()),
            "gate": float(np.mean([trace.input_gate[k, 2:ends[k]].mean() for k in range(n)]))}


def class_gap(trace, lengths) -> dict:
    """For a trace (:meth:`~lstm_edu.lstm1997.LSTM1997.forward_one`) of one x and one y sequence of Task 2c
    with input ``lengths``: ``start``, each cell's ``|s_x - s_y|`` after the second symbol; ``end``, at the
    trigger; ``gates``, each input gate's mean during the distractors (steps 3 to the one before the
    trigger) of both sequences. A class written once and kept gives ``end`` about ``start``."""
    last = np.asarray(lengths) - 1
    if trace.cell_state.shape[0] != 2 or last.shape != (2,):
        raise ValueError("trace and lengths must be of two sequences (an x and a y one)")
    return {"start": np.abs(trace.cell_state[0, 1] - trace.cell_state[1, 1]),
            "end": np.abs(trace.cell_state[0, last[0]] - trace.cell_state[1, last[1]]),
            "gates": np.concatenate([trace.input_gate[k, 2:last[k]] for k in range(2)]).mean(axis=0)}


def fresh_wrong(record: dict, n: int = 20_000, seed: int = 21, chunk: int = 5000) -> int:
    """How many of ``n`` fresh sequences of a stored 2c trial's task (seed ``seed``, drawn ``chunk`` at a
    time) its final net gets wrong: some output off its target by 0.2 or more at the trigger (the test of
    Section 5.2)."""
    p, q = _params(record["experiment"])
    n, chunk = _checks.positive_int("n", n), _checks.positive_int("chunk", chunk)
    if n % chunk:
        raise ValueError(f"n must be a multiple of chunk, got n={n} and chunk={chunk}")
    net, gen, wrong = experiments.trained_net(record), np.random.default_rng(seed), 0
    for _ in range(n // chunk):
        b = long_lag.very_long_lag(chunk, p, q, gen)
        rows = np.arange(chunk)
        out = net.forward_one(b.x).outputs[rows, b.lengths - 1]
        wrong += int(np.any(np.abs(out - b.targets[rows, b.lengths - 1]) >= 0.2, axis=1).sum())
    return wrong


# ----------------------------------------------------------------- Experiment 3: noise and signal mixed
def bayes_error(N: int) -> float:
    """Task 3b's floor: the error of the best classifier, the sign of the mean of the N informative
    elements (each the class's sign plus noise of variance 0.2), :math:`\\Phi(-\\sqrt{5N})`."""
    N = _checks.positive_int("N", N)
    return 0.5 * (1 + erf(-sqrt(5 * N) / sqrt(2)))


def posterior_output_rate(N: int) -> float:
    """Task 3b: the share misclassified (an output off its 0/1 target by 0.2 or more) by an output equal to
    the posterior P(class 1 | inputs), the output squared error drives a net towards."""
    N = _checks.positive_int("N", N)
    var = noise_signal.INPUT_NOISE_VARIANCE / N      # variance of the mean of the informative elements
    cut = var / 2 * np.log(4)                          # the posterior is below 0.8 where that mean is below this
    return 0.5 * (1 + erf((cut - 1) / sqrt(var) / sqrt(2)))


def first_step_gate(record: dict, n: int = 1000, seed: int = 11) -> dict:
    """For a stored net of a row of task 3b on ``n`` new sequences (seed ``seed``): the block whose input
    gate is most open at the first step against the later steps (``block``), that gate at step 1 (mean per
    class, ``first``: class 1, class 2) and after it (mean, ``later``), and its cell's mean state per class
    after step 1 (``state_first``) and at the end (``state_end``)."""
    params = experiments.experiment(record["experiment"]).params
    if record["experiment"][:2] != "3b":
        raise ValueError(f"record must be of a row of task 3b, got {record['experiment']!r}")
    n = _checks.positive_int("n", n)
    b = noise_signal.task_3b(n, params["T"], params["N"], seed)
    trace = experiments.trained_net(record).forward_one(b.x)
    last, one = b.lengths - 1, b.labels == 1
    later = np.arange(b.x.shape[1])[None, 1:] <= last[:, None]
    gate_later = np.array([trace.input_gate[:, 1:, j][later].mean() for j in range(trace.input_gate.shape[2])])
    gate_first = np.array([trace.input_gate[one, 0].mean(0), trace.input_gate[~one, 0].mean(0)])  # class x block
    j = int(np.argmax(gate_first.max(0) - gate_later))
    end = trace.cell_state[np.arange(n), last, j]
    return {"block": j, "first": gate_first[:, j], "later": float(gate_later[j]),
            "state_first": (float(trace.cell_state[one, 0, j].mean()), float(trace.cell_state[~one, 0, j].mean())),
            "state_end": (float(end[one].mean()), float(end[~one].mean()))}


def even_sum_separation(name: str) -> float:
    """d' of a cell that adds every input of a row of Experiment 3 with the same weight: the N informative
    elements (+1 or -1 each) against the noise of the about 1.05 T steps of a sequence (variance 0.2 each),
    :math:`2N / \\sqrt{0.2 \\cdot 1.05\\, T}`."""
    params = experiments.experiment(name).params
    if "N" not in params or "T" not in params:
        raise ValueError(f"name must be a row of Experiment 3 (3a-T100-N3 ... 3c-T100-N1), got {name!r}")
    return 2 * params["N"] / sqrt(noise_signal.INPUT_NOISE_VARIANCE * 1.05 * params["T"])
