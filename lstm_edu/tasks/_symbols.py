"""One-hot ("local") encoding of symbol sequences, shared by the symbolic tasks of the 1997 paper.

Experiments 1, 2 and 6 represent every symbol locally: input vectors with one non-zero component
(Section 5.1, 5.2, 5.6). Sequences of different lengths share one array padded with zeros after each
sequence's end, as :class:`~lstm_edu.tasks.SequenceBatch` prescribes.
"""

from __future__ import annotations

import numpy as np


def one_hot(symbols: np.ndarray, lengths: np.ndarray, n_symbols: int) -> np.ndarray:
    """(P, T_max) integer symbols -> (P, T_max, n_symbols) one-hot, all zeros at steps >= lengths[p]."""
    P, T_max = symbols.shape
    inside = np.arange(T_max)[None, :] < lengths[:, None]
    out = np.zeros((P, T_max, n_symbols))
    rows, steps = np.nonzero(inside)
    out[rows, steps, symbols[rows, steps]] = 1.0
    return out


def final_targets(lengths: np.ndarray, classes: np.ndarray, n_out: int, T_max: int):
    """One-hot targets of ``classes`` at each sequence's last step: (targets, target_mask), both (P, T_max, n_out)."""
    P = len(lengths)
    targets = np.zeros((P, T_max, n_out))
    mask = np.zeros((P, T_max, n_out), dtype=bool)
    rows = np.arange(P)
    targets[rows, lengths - 1, classes] = 1.0
    mask[rows, lengths - 1, :] = True
    return targets, mask
