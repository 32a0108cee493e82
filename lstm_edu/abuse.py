"""The abuse problem and its two remedies (Hochreiter and Schmidhuber 1997, Section 4, "Abuse problem and
solutions"; Experiment 1, Section 5.1).

Early in training a net can reduce its error without storing anything over time, and it then tends to
*abuse* memory cells as bias units: their outputs become (nearly) constant and their outgoing weights act
as adaptive thresholds. Releasing such a cell for real storage can take long. The paper's remedies are
(1) sequential network construction: add a memory cell block whenever the error stops falling, and
(2) negative initial output-gate biases, more negative for later blocks, so that blocks get "allocated"
one after another.

This module measures how a population of 1997 LSTMs (:mod:`lstm_edu.lstm1997`, trial axis ``P``) uses its
cells (:func:`cell_usage`) and runs the comparison on Experiment 1's embedded Reber grammar, row 1-4 of
Table 10 (4 blocks of size 1, learning rate 0.5):

- ``zero``: every output-gate bias starts at 0;
- ``staggered``: the paper's biases -1, -2, -3, -4 (Table 10);
- ``sequential``: one block with output-gate bias 0; a block (bias 0) is added whenever the error stops
  falling, up to 4 blocks.

Command: ``python -m lstm_edu abuse`` writes one JSON record per trial to ``results/abuse/`` (resumable per
chunk of trials; 30 trials per variant, up to 60,000 training strings each; about 30 minutes on one core).
"""

from __future__ import annotations

import time

import numpy as np

from . import _checks, criteria, lstm1997
from .results import RESULTS_DIR, code_version, read_records, write_record
from .tasks import reber

#: Table 10 row of the comparison: 4 blocks of size 1, 7 inputs and outputs, gate biases only, alpha 0.5.
ROW = "1-4"
VARIANTS = ("zero", "staggered", "sequential")
#: A cell is *bias-like* when its output is nearly constant (constancy above this) ...
BIAS_LIKE_CONSTANCY = 0.9
#: ... and not switched off (root mean square output above this).
ACTIVE_RMS = 0.1
#: Sequential construction: a window's mean error must fall by at least this fraction of the previous
#: window's, otherwise "the error stops decreasing" and a block is added.
PLATEAU_DROP = 0.05
MAX_BLOCKS = 4
RESULTS = RESULTS_DIR / "abuse"


def cell_usage(net: lstm1997.LSTM1997, inputs, valid):
    """How each cell of each network is used on ``B`` sequences per network.

    ``inputs`` (P, B, T, n_in) and ``valid`` (P, B, T) (True on the steps a sequence really has). Each
    network runs over its own ``B`` sequences (the population is repeated ``B`` times along the trial
    axis). Over all valid steps of all ``B`` sequences, per cell: ``rms`` = sqrt(mean y_c^2) and
    ``constancy`` = mean(y_c)^2 / mean(y_c^2), which is 1 exactly when the cell output never changes
    (a bias unit) and small when it varies around 0. Returns ``(rms, constancy)``, each (P, C).
    """
    x = _checks.array("inputs", inputs, ndim=4)
    P, B, T, n_in = x.shape
    if P != net.P:
        raise ValueError(f"inputs must have one row per network (P={net.P}), got shape {x.shape}")
    v = _checks.array("valid", valid, shape=(P, B, T), dtype=bool)[..., None]
    y = net.select(np.repeat(np.arange(P), B)).forward(x.reshape(P * B, T, n_in)).cell_output
    y = y.reshape(P, B, T, -1)
    count = np.maximum(v.sum(axis=(1, 2)), 1)
    mean = (y * v).sum(axis=(1, 2)) / count
    mean_square = (y ** 2 * v).sum(axis=(1, 2)) / count
    return np.sqrt(mean_square), mean ** 2 / np.maximum(mean_square, 1e-300)


def bias_like(rms, constancy):
    """Cells that act as bias units: active (``rms > ACTIVE_RMS``) and constant (``constancy > 0.9``)."""
    return (np.asarray(constancy) > BIAS_LIKE_CONSTANCY) & (np.asarray(rms) > ACTIVE_RMS)


# ----------------------------------------------------------------------------------------------
# Experiment 1 data, one training/test pair per trial (Section 5.1: 3 pairs x 10 trials)
# ----------------------------------------------------------------------------------------------

def _stack(arrays):
    """Stack per-trial arrays (N_k, T_k, ...) or (N_k,) into (P, N, T, ...), padding steps with zeros and
    sequences with copies of the first one (judging a sequence twice changes no "all correct")."""
    N = max(a.shape[0] for a in arrays)
    T = max(a.shape[1] for a in arrays) if arrays[0].ndim > 1 else None
    out = []
    for a in arrays:
        if T is not None:
            a = np.pad(a, [(0, 0), (0, T - a.shape[1])] + [(0, 0)] * (a.ndim - 2))
        out.append(np.concatenate([a, np.repeat(a[:1], N - a.shape[0], axis=0)]))
    return np.stack(out)


def reber_data(trials):
    """Per trial, its pair's training set and its evaluation set (training and test strings).

    Trial ``k`` uses pair ``k % 3`` (the paper's 3 training/test pairs, 10 trials each). Returns a dict of
    arrays with a leading trial axis: ``train_x`` (P, 256, T, 7), ``train_targets``, ``train_valid``
    (P, 256, T), ``train_lengths`` (P, 256), ``eval_x``, ``eval_possible``, ``eval_lengths``.
    """
    train_sets, eval_sets, possibles = [], [], []
    for k in trials:
        train, test = reber.training_and_test_strings(np.random.SeedSequence([int(k) % 3, 1997]))
        train_sets.append(reber.encode(train)[0])
        evaluation, possible = reber.encode(sorted(set(train) | set(test)))
        eval_sets.append(evaluation)
        possibles.append(possible)
    return {"train_x": _stack([b.x for b in train_sets]),
            "train_targets": _stack([b.targets for b in train_sets]),
            "train_valid": _stack([b.target_mask[..., 0] for b in train_sets]),
            "train_lengths": _stack([b.lengths for b in train_sets]),
            "eval_x": _stack([b.x for b in eval_sets]),
            "eval_possible": _stack(possibles),
            "eval_lengths": _stack([b.lengths for b in eval_sets])}


def reber_fraction_correct(net, data, rows):
    """Experiment 1's test for the networks of ``net`` (trials ``rows`` of ``data``): per network (P,), the
    fraction of its training and test strings whose every symbol is predicted correctly
    (:func:`lstm_edu.criteria.reber_correct`). A trial is solved when the fraction is 1."""
    x = data["eval_x"][rows]
    P, N, T, n_in = x.shape
    out = net.select(np.repeat(np.arange(P), N)).forward(x.reshape(P * N, T, n_in)).outputs
    ok = criteria.reber_correct(out, data["eval_possible"][rows].reshape(P * N, T, -1),
                                data["eval_lengths"][rows].reshape(P * N))
    return ok.reshape(P, N).mean(axis=1)


def variant_config(variant):
    """The :class:`~lstm_edu.lstm1997.LSTMConfig` a variant starts from."""
    _checks.choice("variant", variant, VARIANTS)
    if variant == "staggered":
        return lstm1997.config(ROW)
    if variant == "zero":
        return lstm1997.config(ROW, output_gate_bias=0.0)
    return lstm1997.config(ROW, n_blocks=1, output_gate_bias=0.0)


def run_trials(variant, trials, *, max_sequences=60000, window=500, check_every=1000, usage_sequences=16,
               seed=0, progress=None):
    """Train one population per variant on Experiment 1 and return one record per trial.

    Every trial draws its training strings at random from its own training set (on-line learning, weights
    changed after each string) and stops when it solves the task (:func:`reber_fraction_correct` is 1, checked every
    ``check_every`` strings) or after ``max_sequences`` strings. Every ``window`` strings the record gets a
    checkpoint: the mean error of the window, the number of blocks, :func:`cell_usage` on
    ``usage_sequences`` training strings and (every ``check_every``) the fraction of strings predicted correctly. For ``sequential``, a block is added to a network when its
    window error fell by less than ``PLATEAU_DROP`` against the previous window (the networks that grow
    are split off into their own population with :meth:`~lstm_edu.lstm1997.LSTM1997.select`).
    """
    version = code_version()  # the code this population runs, even if the tree changes while it trains
    trials = np.asarray(trials, dtype=np.int64)
    for name, value in (("max_sequences", max_sequences), ("window", window), ("check_every", check_every),
                        ("usage_sequences", usage_sequences)):
        _checks.positive_int(name, value)
    if check_every % window:
        raise ValueError(f"check_every must be a multiple of window ({window}), got {check_every}")
    cfg = variant_config(variant)
    data = reber_data(trials)
    gen = np.random.default_rng(np.random.SeedSequence([seed, *trials.tolist(), VARIANTS.index(variant)]))
    groups = [(lstm1997.LSTM1997(cfg, len(trials), seed=gen), np.arange(len(trials)))]
    checkpoints = [[] for _ in trials]
    solved_after = [None] * len(trials)
    window_loss = np.zeros(len(trials))
    previous = np.full(len(trials), np.inf)
    last_growth = np.zeros(len(trials), dtype=np.int64)
    started = time.perf_counter()
    for n in range(1, max_sequences + 1):
        for net, rows in groups:
            pick = gen.integers(0, data["train_x"].shape[1], size=len(rows))
            T = int(data["train_lengths"][rows, pick].max())
            result = net.train(data["train_x"][rows, pick, :T], data["train_targets"][rows, pick, :T],
                               data["train_valid"][rows, pick, :T])
            window_loss[rows] += result.loss
        if n % window:
            continue
        new_groups = []
        for net, rows in groups:
            pick = gen.integers(0, data["train_x"].shape[1], size=(len(rows), usage_sequences))
            r = rows[:, None]
            rms, constancy = cell_usage(net, data["train_x"][r, pick], data["train_valid"][r, pick])
            checked = n % check_every == 0
            correct = reber_fraction_correct(net, data, rows) if checked else np.full(len(rows), np.nan)
            solved = correct == 1.0
            loss = window_loss[rows] / window
            for i, row in enumerate(rows):
                checkpoints[row].append({"sequences": n, "mean_loss": float(loss[i]), "n_blocks": net.B,
                                         "rms": rms[i].tolist(), "constancy": constancy[i].tolist(),
                                         "fraction_correct": float(correct[i]) if checked else None})
                if solved[i]:
                    solved_after[row] = n
            grow = np.zeros(len(rows), bool)
            if variant == "sequential" and net.B < MAX_BLOCKS:
                grow = (loss > (1 - PLATEAU_DROP) * previous[rows]) & (n - last_growth[rows] >= 2 * window)
            grow &= ~solved
            keep = ~solved & ~grow
            if keep.all():
                new_groups.append((net, rows))
            elif keep.any():
                new_groups.append((net.select(np.flatnonzero(keep)), rows[keep]))
            if grow.any():
                grown = net.select(np.flatnonzero(grow))
                grown.add_block(gen)
                new_groups.append((grown, rows[grow]))
                last_growth[rows[grow]] = n
            previous[rows] = loss
        window_loss[:] = 0.0
        groups = new_groups
        if progress:
            progress(f"{variant}: {n} sequences, {sum(s is not None for s in solved_after)}/{len(trials)} solved, "
                     f"{time.perf_counter() - started:.0f} s")
        if not groups:
            break
    elapsed = time.perf_counter() - started
    return [{"experiment": "abuse", "variant": variant, "trial": int(k), "seed": seed,
             "reber_pair": int(k) % 3,
             "configuration": {"row": ROW, "n_blocks_start": cfg.n_blocks, "output_gate_bias": cfg.output_gate_bias,
                               "alpha": cfg.alpha, "init_range": cfg.init_range, "max_blocks": MAX_BLOCKS,
                               "plateau_drop": PLATEAU_DROP if variant == "sequential" else None,
                               "window": window, "check_every": check_every, "usage_sequences": usage_sequences},
             "max_sequences": max_sequences, "solved": solved_after[i] is not None,
             "sequences_to_success": solved_after[i], "checkpoints": checkpoints[i],
             "population_seconds": elapsed, "code_version": version}
            for i, k in enumerate(trials)]


# ----------------------------------------------------------------------------------------------
# Command line: python -m lstm_edu abuse
# ----------------------------------------------------------------------------------------------

def add_arguments(parser):
    parser.add_argument("--trials", type=int, default=30, help="trials per variant (default 30, as the paper)")
    parser.add_argument("--chunk", type=int, default=15, help="trials trained together as one population")
    parser.add_argument("--max-sequences", type=int, default=60000, help="training strings per trial at most")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS), help="directory of the per-trial JSON records")


def main(args):
    from pathlib import Path
    out = Path(args.out)
    for variant in args.variants:
        for start in range(0, args.trials, args.chunk):
            trials = list(range(start, min(start + args.chunk, args.trials)))
            paths = [out / f"{variant}-{k:03d}.json" for k in trials]
            if all(p.exists() for p in paths):
                print(f"{variant}: trials {trials[0]}-{trials[-1]} already stored, skipped")
                continue
            records = run_trials(variant, trials, max_sequences=args.max_sequences, seed=args.seed,
                                 progress=lambda msg: print(msg, flush=True))
            for path, record in zip(paths, records):
                write_record(path, record)
    return 0


def load(directory=RESULTS):
    """The stored records, grouped by variant: ``{variant: [record, ...]}``."""
    grouped = {}
    for record in read_records(directory):
        grouped.setdefault(record["variant"], []).append(record)
    return grouped
