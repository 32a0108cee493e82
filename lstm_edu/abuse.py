"""The abuse problem and its two remedies (Hochreiter and Schmidhuber 1997, Section 4, "Abuse problem and
solutions"; Experiment 1, Section 5.1): how the cells of trained nets are used.

Early in training a net can reduce its error without storing anything over time, and it then tends to
*abuse* memory cells as bias units: their outputs become (nearly) constant and their outgoing weights act
as adaptive thresholds. Releasing such a cell for real storage can take long. The paper's remedies are
(1) sequential network construction: add a memory cell block whenever the error stops falling, and
(2) negative initial output-gate biases, more negative for later blocks, so that blocks get "allocated"
one after another.

The study compares three ways of starting row 1-4 of Table 10 (4 blocks of size 1, learning rate 0.5) on
Experiment 1's embedded Reber grammar, each an entry of the registry (:data:`VARIANTS`; run by
``python -m lstm_edu run NAME``, records under ``results/lstm1997/NAME/``): ``staggered`` (the paper's
output-gate biases -1, -2, -3, -4: row 1-4 itself), ``zero`` (every output-gate bias 0) and
``sequential`` (one block at the start, output-gate biases 0, a block added whenever the error stops
falling, up to 4). This module measures how the cells of such nets are used (:func:`cell_usage`,
:func:`bias_like`, :func:`usage`).

Internal state drift (Section 4, "Internal state drift and remedies"): :func:`state_drift` measures how
far the cell states of row 4's nets drift on inputs of one sign (the multiplication problem's), what that
does to h'(s_c) and to the truncated gradient, and :func:`bias_scan` the same at one length across
input-gate biases.
"""

from __future__ import annotations

import numpy as np

from . import _checks, activations, experiments, lstm1997
from .results import RESULTS_DIR, read_trials
from .tasks import adding

#: The study's variants of row 1-4: variant -> registry entry.
VARIANTS = {"zero": "1-4_zero", "staggered": "1-4", "sequential": "1-4_sequential"}
#: A cell is *bias-like* when its output is nearly constant (constancy above this) ...
BIAS_LIKE_CONSTANCY = 0.9
#: ... and not switched off (root mean square output above this).
ACTIVE_RMS = 0.1


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


def training_strings(seeds, n: int, seed: int = 0):
    """``n`` training strings per trial seed, drawn from that trial's training set (Experiment 1: trial
    seeds 10k .. 10k+9 share pair k, :func:`lstm_edu.experiments.reber_task`), padded to one length.
    Returns ``inputs`` (P, n, T, 7) and ``valid`` (P, n, T), the arguments of :func:`cell_usage`."""
    seeds = [_checks.positive_int("seeds", s, minimum=0) for s in np.atleast_1d(seeds).tolist()]
    n = _checks.positive_int("n", n)
    gen = np.random.default_rng(_checks.positive_int("seed", seed, minimum=0))
    batches = [experiments.reber_task(s).train(n, gen) for s in seeds]
    T = max(b.x.shape[1] for b in batches)
    x = np.zeros((len(seeds), n, T, batches[0].x.shape[2]))
    valid = np.zeros((len(seeds), n, T), dtype=bool)
    for p, b in enumerate(batches):
        x[p, :, :b.x.shape[1]] = b.x
        valid[p, :, :b.x.shape[1]] = b.target_mask[..., 0]
    return x, valid


def usage(records, n: int = 16, seed: int = 0):
    """:func:`cell_usage` of the trained nets of ``records`` (rebuilt from their stored weights,
    :func:`lstm_edu.experiments.trained_net`), each on ``n`` strings of its own training set: ``(rms,
    constancy)``, each (trials, cells)."""
    if not records:
        raise ValueError("records must hold at least one trial record")
    nets = [experiments.trained_net(r) for r in records]
    net = lstm1997.LSTM1997.from_weights(nets[0].cfg, np.concatenate([m.w_hidden for m in nets]),
                                         np.concatenate([m.w_output for m in nets]))
    return cell_usage(net, *training_strings([r["seed"] for r in records], n, seed))


def load(out=RESULTS_DIR) -> dict:
    """The stored records of the study: ``{variant: [record, ...]}`` in the order of :data:`VARIANTS`."""
    return {variant: read_trials(out / "lstm1997" / name) for variant, name in VARIANTS.items()}


def _drift_measures(net: lstm1997.LSTM1997, T: int, seed: int):
    """End states (P, C), and per network the gradient norms over all cell weights and all input-gate weights,
    on one multiplication-problem sequence of length ``T`` per network (the error at its end only)."""
    batch = adding.multiplication(net.P, T, seed=seed)
    s_end = net.forward(batch.x).cell_state[np.arange(net.P), batch.lengths - 1]
    _, grad = net.gradient(batch.x, batch.targets, batch.target_mask[..., 0])
    g_cell = np.linalg.norm(grad.hidden[:, :net.C].reshape(net.P, -1), axis=1)
    g_in = np.linalg.norm(grad.hidden[:, net.C:net.C + net.B].reshape(net.P, -1), axis=1)
    return s_end, g_cell, g_in


def state_drift(lengths, n_networks: int = 64, seed: int = 7, **overrides) -> np.ndarray:
    """Drift of row 4-1's nets (2 blocks of 2 cells; ``overrides`` of :func:`lstm_edu.lstm1997.config`, e.g.
    ``input_gate_bias=0.0``) at the end of multiplication-problem sequences of each length in ``lengths``
    (the sequences of length T drawn with seed T). One row per length: the medians over the networks and
    the cells of a block of |s_c(T)| for blocks 1 and 2, of h'(s_c(T)) for blocks 1 and 2, and of the
    gradient norms over all cell weights and over all input-gate weights: (len(lengths), 6)."""
    net = lstm1997.build("4-1", _checks.positive_int("n_networks", n_networks), seed=seed, **overrides)
    rows = []
    for T in lengths:
        s_end, g_cell, g_in = _drift_measures(net, _checks.positive_int("lengths", T), T)
        block1, block2 = s_end[:, :net.S], s_end[:, net.S:]
        rows.append((np.median(np.abs(block1)), np.median(np.abs(block2)),
                     np.median(activations.h_prime(block1)), np.median(activations.h_prime(block2)),
                     np.median(g_cell), np.median(g_in)))
    return np.array(rows)


def bias_scan(biases, per_bias: int = 16, T: int = 1000, seed: int = 11):
    """Row 4-1's nets with every input-gate bias set to each value of ``biases`` (``per_bias`` networks each,
    one population), on one multiplication-problem sequence of length ``T`` per network: per bias the
    median h'(s_c(T)) over networks and cells and the median gradient norm over all cell weights."""
    biases = _checks.array("biases", biases, ndim=1)
    net = lstm1997.build("4-1", len(biases) * _checks.positive_int("per_bias", per_bias), seed=seed)
    net.input_gate_weights[:, :, net.source_index("bias")] = np.repeat(biases, per_bias)[:, None]
    s_end, g_cell, _ = _drift_measures(net, _checks.positive_int("T", T), seed + 1)
    h_end = activations.h_prime(s_end).reshape(len(biases), -1)
    return np.median(h_end, axis=1), np.median(g_cell.reshape(len(biases), per_bias), axis=1)

