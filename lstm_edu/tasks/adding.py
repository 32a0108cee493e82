"""Experiments 4 and 5 of the 1997 LSTM paper: the adding and the multiplication problem (Sections 5.4, 5.5).

Each element is a pair (value, marker). Lengths are uniform in ``[T, T + T/10]`` (T the minimal length).
Exactly two pairs are marked with 1.0: first one of the first ten pairs (its value is X1), then one of
the first ``T/2 - 1`` pairs not yet marked (X2). The markers of the first and the last pair are -1.0
unless marked; all others are 0.0. The target, given only at the last step, is
``0.5 + (X1 + X2) / 4`` (adding, values uniform in [-1, 1]) or ``X1 * X2`` (multiplication, values
uniform in [0, 1]).

The paper: "In the rare case where the first pair of the sequence gets marked, we set X1 to zero"
(multiplication: to 1.0). Both marks can land on the first pair: the first mark with probability 1/10,
the second (if the first did not) with probability 1/(T/2 - 2), the "rare case" of the text. This
module applies the rule to whichever mark lands on the first pair and writes the new value into the
input itself, so the target always equals the formula applied to the two marked inputs.
"""

from __future__ import annotations

import numpy as np

from .. import _checks
from . import SequenceBatch

#: How many of the first pairs can hold the first mark.
FIRST_MARK_RANGE = 10


def _marked_pairs(P, T, seed, low, first_pair_value):
    """Values, markers, lengths and the two marked positions, shared by both problems."""
    P = _checks.positive_int("P", P)
    T = _checks.positive_int("T", T, minimum=2 * (FIRST_MARK_RANGE + 1))
    gen = _checks.rng(seed)
    lengths = gen.integers(T, T + T // 10 + 1, size=P)
    T_max = int(lengths.max())
    first = gen.integers(0, FIRST_MARK_RANGE, size=P)
    second = gen.integers(0, T // 2 - 2, size=P)             # one of the T/2 - 1 first pairs ...
    second = second + (second >= first)                      # ... that is not yet marked
    rows = np.arange(P)
    inside = np.arange(T_max)[None, :] < lengths[:, None]
    values = np.where(inside, gen.uniform(low, 1.0, size=(P, T_max)), 0.0)
    markers = np.zeros((P, T_max))
    markers[:, 0] = -1.0
    markers[rows, lengths - 1] = -1.0
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    values[markers[:, 0] == 1.0, 0] = first_pair_value
    x = np.stack([values, markers], axis=2)
    return x, lengths, rows, first, second


def _batch(x, lengths, rows, target_values):
    T_max = x.shape[1]
    targets = np.zeros((len(lengths), T_max, 1))
    mask = np.zeros((len(lengths), T_max, 1), dtype=bool)
    targets[rows, lengths - 1, 0] = target_values
    mask[rows, lengths - 1, 0] = True
    return SequenceBatch(x, targets, mask, lengths, np.zeros(len(lengths), dtype=np.int64))


def adding(P, T, seed) -> SequenceBatch:
    """Experiment 4: ``P`` adding-problem sequences of minimal length ``T`` (T >= 22), inputs (P, T_max, 2).

    ``labels`` are all 0 (there are no classes).
    """
    x, lengths, rows, first, second = _marked_pairs(P, T, seed, -1.0, 0.0)
    return _batch(x, lengths, rows, 0.5 + (x[rows, first, 0] + x[rows, second, 0]) / 4.0)


def multiplication(P, T, seed) -> SequenceBatch:
    """Experiment 5: as :func:`adding` with values uniform in [0, 1], a marked first pair set to 1.0, target X1 X2."""
    x, lengths, rows, first, second = _marked_pairs(P, T, seed, 0.0, 1.0)
    return _batch(x, lengths, rows, x[rows, first, 0] * x[rows, second, 0])
