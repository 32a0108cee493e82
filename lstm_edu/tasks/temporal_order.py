"""Experiment 6 of the 1997 LSTM paper: temporal order (Section 5.6, Table 9).

8 symbols represented locally, in the order :data:`SYMBOLS` = E, B, a, b, c, d, X, Y. A sequence starts
with E, ends with B (the trigger) and otherwise holds random symbols from {a, b, c, d}, except at the
relevant positions, which hold X or Y. Lengths are uniform in [100, 110]. The paper counts positions
from 1 (the E is position 1): position t is array index t - 1 here, which reproduces Table 10's minimal
lags (6a: 100 - 60 = 40, 6b: 100 - 76 = 24).

- 6a: t1 in [10, 20], t2 in [50, 60]; classes XX -> Q, XY -> R, YX -> S, YY -> U (classes 0..3).
- 6b: t1 in [10, 20], t2 in [33, 43], t3 in [66, 76]; classes XXX -> Q, XXY -> R, XYX -> S, XYY -> U,
  YXX -> V, YXY -> A, YYX -> B, YYY -> C (classes 0..7).

So the class is the binary number of the relevant symbols read in order with X = 0 and Y = 1. The target
is the class's one-hot vector (4 or 8 output units) at the last step only.
"""

from __future__ import annotations

import numpy as np

from .. import _checks
from . import SequenceBatch
from ._symbols import final_targets, one_hot

SYMBOLS = ("E", "B", "a", "b", "c", "d", "X", "Y")
#: Relevant positions (1-based, inclusive ranges) of tasks 6a and 6b.
POSITIONS = {"6a": ((10, 20), (50, 60)), "6b": ((10, 20), (33, 43), (66, 76))}
#: Class names in the paper's order.
CLASS_NAMES = {"6a": ("Q", "R", "S", "U"), "6b": ("Q", "R", "S", "U", "V", "A", "B", "C")}
LENGTHS = (100, 110)


def temporal_order(P, task, seed) -> SequenceBatch:
    """``P`` sequences of task ``task`` ("6a" or "6b"): inputs (P, T_max, 8), one-hot class targets at the end.

    ``labels`` are the class indices (order of :data:`CLASS_NAMES`).
    """
    P = _checks.positive_int("P", P)
    _checks.choice("task", task, tuple(POSITIONS))
    gen = _checks.rng(seed)
    lengths = gen.integers(LENGTHS[0], LENGTHS[1] + 1, size=P)
    T_max = int(lengths.max())
    seq = gen.integers(2, 6, size=(P, T_max))                      # a, b, c, d
    seq[:, 0] = 0                                                  # E
    rows = np.arange(P)
    seq[rows, lengths - 1] = 1                                     # B
    labels = np.zeros(P, dtype=np.int64)
    for low, high in POSITIONS[task]:
        where = gen.integers(low, high + 1, size=P) - 1            # 1-based position -> index
        bit = gen.integers(0, 2, size=P)                           # X = 0, Y = 1
        seq[rows, where] = 6 + bit
        labels = 2 * labels + bit
    x = one_hot(seq, lengths, len(SYMBOLS))
    targets, mask = final_targets(lengths, labels, len(CLASS_NAMES[task]), T_max)
    return SequenceBatch(x, targets, mask, lengths, labels)
