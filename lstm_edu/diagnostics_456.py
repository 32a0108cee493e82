"""What the chapters of Experiments 4 to 6 measure on stored trials: one copy of each measurement.

The chapters on the adding problem, the multiplication problem and temporal order (Sections 5.4-5.6 of the
1997 paper) and the claims tests that check them call these functions. Every function reads a record of
:mod:`lstm_edu.results` (its final net through :func:`lstm_edu.experiments.trained_net`) and fresh sequences
from its own seed; none writes anything. (:mod:`lstm_edu.diagnostics` holds those of Experiments 1-3.)

- ST3's wait (Section 5.4): :func:`n_2000`, the expected sequences until 2000 correct in a row.
- Adding and multiplication: :func:`end_errors` (a final net's errors at the end of fresh sequences, with
  the targets), :func:`error_by_lag` (does the error grow with the lag?), :func:`second_block` (is a block never
  opened?), :func:`sum_only_errors` (the best answer that knows only X1 + X2), :func:`gate_carries_x1` (does an
  input gate carry X1 when X2 arrives?), :func:`drift_at_the_end` (how far an untrained net's cell states drift
  over a sequence: the one function here that reads initial nets, not records).
- Temporal order: :func:`block_accuracy` (does one block hold the answer?), :func:`trigger_state` (drifted
  cells and open gates at the trigger), :func:`fell_back` (the lowest and the last error of a trial).
"""

from __future__ import annotations

import numpy as np

from . import _checks, activations, experiments
from .tasks import adding, temporal_order


def n_2000(q: float) -> float:
    """Expected sequences until 2000 correct in a row when each is wrong with probability ``q``, independently:
    (1 - (1 - q)^2000) / (q (1 - q)^2000) (the adding chapter's (adding-run)); inf where it overflows."""
    q = float(q)
    if not 0 <= q < 1:
        raise ValueError(f"q must be a probability in [0, 1), got {q}")
    if q == 0:
        return 2000.0
    log_inv_p = -2000 * np.log1p(-q)  # log of 1 / (1 - q)^2000
    return float(np.expm1(log_inv_p) / q) if log_inv_p < 700 else float("inf")


def _marked_task(record: dict, n: int, seed: int):
    if record["row"].startswith("4"):
        return adding.adding(n, record["task"]["T"], seed)
    if record["row"] == "5":
        return adding.multiplication(n, record["task"]["T"], seed)
    raise ValueError(f"record must be of Experiment 4 or 5 (row 4-x or 5), got row {record['row']!r}")


def _marks(batch) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the first and the second marked pair of every sequence."""
    ones = batch.x[..., 1] == 1.0
    return np.argmax(ones, axis=1), batch.x.shape[1] - 1 - np.argmax(ones[:, ::-1], axis=1)


def end_errors(record: dict, n: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(|output - target|, target)`` at the end of ``n`` fresh sequences (seed ``seed``) for the final net of
    a record of Experiment 4 or 5."""
    n, seed = _checks.positive_int("n", n), _checks.positive_int("seed", seed, minimum=0)
    b = _marked_task(record, n, seed)
    rows, end = np.arange(n), b.lengths - 1
    d = b.targets[rows, end, 0]
    return np.abs(experiments.trained_net(record).forward_one(b.x).outputs[rows, end, 0] - d), d


def error_by_lag(record: dict, n: int = 1000, seed: int = 0) -> dict:
    """Does a final net's error grow with the lag (Experiment 4 or 5)? Over ``n`` fresh sequences: ``lag`` (steps
    from the second mark to the end), ``error`` (|output - target| at the end) and ``trend`` (the least-squares
    line's change from the shortest to the longest lag)."""
    n, seed = _checks.positive_int("n", n), _checks.positive_int("seed", seed, minimum=0)
    b = _marked_task(record, n, seed)
    rows, end = np.arange(n), b.lengths - 1
    err = np.abs(experiments.trained_net(record).forward_one(b.x).outputs[rows, end, 0] - b.targets[rows, end, 0])
    lag = end - _marks(b)[1]
    return {"lag": lag, "error": err, "trend": float(np.polyfit(lag, err, 1)[0] * (lag.max() - lag.min()))}


def second_block(record: dict, block: int = 1) -> dict:
    """Whether block ``block`` of a record's final net was ever opened: its input-gate ``bias`` after training,
    ``out_weight`` (the largest |weight| from its cells to the outputs) and ``shut``: the bias still within
    0.05 of an integer (Table 10's initial biases are integers) and ``out_weight`` below 0.2."""
    net = experiments.trained_net(record)
    block = _checks.positive_int("block", block, minimum=0)
    if block >= net.B:
        raise ValueError(f"block must be below the net's {net.B} blocks, got {block}")
    bias = float(net.input_gate_weights[0, block, net.source_index("bias")])
    cells = [net.output_source_names.index(f"cell[{block},{v}]") for v in range(net.S)]
    out_weight = float(np.abs(net.w_output[0][:, cells]).max())
    return {"bias": bias, "out_weight": out_weight, "shut": abs(bias - round(bias)) < 0.05 and out_weight < 0.2}


def sum_only_errors(n: int = 200_000, seed: int = 6, bins: int = 400) -> np.ndarray:
    """Errors ``d - E[X1 X2 | X1 + X2]`` of the best answer that knows only the sum, on ``n`` multiplication
    sequences (T = 100), the conditional mean estimated in ``bins`` bins of the sum over [0, 2]."""
    n, bins = _checks.positive_int("n", n), _checks.positive_int("bins", bins)
    b = adding.multiplication(n, 100, _checks.positive_int("seed", seed, minimum=0))
    ones = b.x[..., 1] == 1.0
    S = np.where(ones, b.x[..., 0], 0.0).sum(axis=1)
    d = b.targets[np.arange(n), b.lengths - 1, 0]
    k = np.minimum((S / 2.0 * bins).astype(int), bins - 1)
    phi = np.bincount(k, weights=d, minlength=bins) / np.maximum(1, np.bincount(k, minlength=bins))
    return d - phi[k]


def drift_at_the_end(name: str, seeds=range(10), n: int = 200, seed: int = 5) -> dict:
    """Internal state drift (Section 4) in Experiments 4 and 5: the initial nets of trials ``seeds`` of row or
    variant ``name`` (before any training) on ``n`` fresh sequences of its task (seed ``seed``). In Experiment 5
    the values are all in [0, 1], so every cell's input keeps one sign and half-open input gates add to its
    state at every step; in Experiment 4 they lie in [-1, 1] and the states wander, further the longer the
    sequence. Returns ``median_state``, the median ``|s_c|`` at the last step (over cells, sequences and nets),
    and ``flat_share``, the share of those states where h' is below half its slope at 0 (the same share under
    both readings of Table 10's h, which differ by a factor only)."""
    exp = experiments.experiment(name)
    make = {"4": adding.adding, "5": adding.multiplication}.get(exp.row[:1])   # Table 10: "4-1", "5"
    if make is None:
        raise ValueError(f"name must be a row or variant of Experiment 4 or 5 (4-1, 5-13, ...), got {name!r}")
    n = _checks.positive_int("n", n)
    probe = make(n, exp.params["T"], seed)
    nets, last = experiments.initial_net(name, seeds), probe.lengths - 1
    states = np.abs([nets.forward_one(probe.x, k).cell_state[np.arange(n), last] for k in range(nets.P)])
    return {"median_state": float(np.median(states)),
            "flat_share": float(np.mean(activations.h_prime(states) < 0.5 * activations.h_prime(0.0)))}


def gate_carries_x1(record: dict, n: int = 1000, seed: int = 41) -> list[float]:
    """Per block of a record's final net (Experiment 4 or 5), the correlation of its input-gate activation at the
    second mark with X1, the value stored since the first, over ``n`` fresh sequences (0 where the gate is
    constant): the product of the multiplication chapter's (mult-gate-product)."""
    n, seed = _checks.positive_int("n", n), _checks.positive_int("seed", seed, minimum=0)
    b = _marked_task(record, n, seed)
    rows = np.arange(n)
    first, second = _marks(b)
    gate = experiments.trained_net(record).forward_one(b.x).input_gate[rows, second]
    x1 = b.x[rows, first, 0]
    return [float(np.corrcoef(x1, gate[:, j])[0, 1]) if gate[:, j].std() > 0 else 0.0 for j in range(gate.shape[1])]


def block_accuracy(record: dict, n: int = 800, seed: int = 13) -> list[float]:
    """Per block of a record's final net (Experiment 6), the fraction of fresh sequences classified right by the
    nearest class mean of that block's cell states at the trigger: class means from the first half of ``n``
    sequences, tested on the second half."""
    n, seed = _checks.positive_int("n", n, minimum=2), _checks.positive_int("seed", seed, minimum=0)
    task = record["experiment"].split("_")[0]
    if task not in temporal_order.POSITIONS:
        raise ValueError(f"record must be of Experiment 6 (6a, 6b or a variant), got {record['experiment']!r}")
    net = experiments.trained_net(record)
    b = temporal_order.temporal_order(n, task, seed)
    s_end = net.forward_one(b.x).cell_state[np.arange(n), b.lengths - 1]
    half, classes = n // 2, len(temporal_order.CLASS_NAMES[task])
    out = []
    for j in range(net.B):
        z = s_end[:, j * net.S:(j + 1) * net.S]
        means = np.array([z[:half][b.labels[:half] == k].mean(axis=0) for k in range(classes)])
        guess = np.argmin(((z[half:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)
        out.append(float(np.mean(guess == b.labels[half:])))
    return out


def trigger_state(record: dict, n: int = 500, seed: int = 17) -> dict:
    """A record's final net (Experiment 6) on ``n`` fresh sequences: ``state`` (the median over its cells of the
    median |s_c| at the trigger B), ``live`` (cells whose median slope h'(s_c)/h'(0) there is above 0.01, so that
    an error can pass) and ``gate`` (the largest mean input-gate activation along the sequences)."""
    n, seed = _checks.positive_int("n", n), _checks.positive_int("seed", seed, minimum=0)
    task = record["experiment"].split("_")[0]
    if task not in temporal_order.POSITIONS:
        raise ValueError(f"record must be of Experiment 6 (6a, 6b or a variant), got {record['experiment']!r}")
    b = temporal_order.temporal_order(n, task, seed)
    inside = np.arange(b.x.shape[1])[None, :] < b.lengths[:, None]
    trace = experiments.trained_net(record).forward_one(b.x)
    s_end = trace.cell_state[np.arange(n), b.lengths - 1]
    slope = np.median(activations.h_prime(s_end), axis=0) / activations.h_prime(0.0)
    return {"state": float(np.median(np.median(np.abs(s_end), axis=0))), "live": int(np.sum(slope > 0.01)),
            "cells": int(s_end.shape[1]), "gate": float(np.max(trace.input_gate[inside].mean(axis=0)))}


def fell_back(record: dict, share: float = 0.05) -> dict:
    """A trial's learning curve averaged over windows of ``share`` of its budget: ``window`` (sequences per
    window), ``lowest`` (the lowest window mean), ``lowest_at`` (the sequence where that window ends) and
    ``last`` (the mean of the last window)."""
    share = _checks.positive_float("share", share)
    curve, every = np.asarray(record["curve"]["mean_loss"]), record["curve"]["every"]
    k = min(curve.size, max(1, round(share * record["budget"] / every)))
    window = np.convolve(curve, np.ones(k) / k, mode="valid")
    return {"window": k * every, "lowest": float(window.min()), "lowest_at": (int(window.argmin()) + k) * every,
            "last": float(window[-1])}
