"""Experiment 2 of the 1997 LSTM paper: noise-free and noisy sequences with long time lags (Section 5.2).

All symbols are represented locally (one input unit per symbol). Sequences are given as the paper
writes them; the net reads every element but the last and predicts the next element.

- Task 2a (:func:`noise_free`): p+1 symbols ``a_1 .. a_{p-1}, a_p = x, a_{p+1} = y`` (units ``0 .. p``).
  Two sequences, each with probability 0.5: ``(y, a_1, ..., a_{p-1}, y)`` and ``(x, a_1, ..., a_{p-1}, x)``.
  Every next element is a target: ``p`` steps, the last one needs the first element (lag p).
- Task 2b (:func:`no_local_regularities`): as 2a, but the middle is a random string of length p-1 over
  ``a_1 .. a_{p-1}``; only the final element is predictable.
- Task 2c (:func:`very_long_lag`): p+4 symbols ``a_1 .. a_p`` (distractors, units ``0 .. p-1``),
  ``e`` (trigger, unit p), ``b`` (p+1), ``x`` (p+2), ``y`` (p+3); 2 output units (x, y). A sequence is
  a prefix ``b, x or y, q random distractors`` (length q+2), then further elements that are a random
  distractor with probability 9/10 or ``e`` with probability 1/10, ending at the first ``e``; after ``e``
  comes the same x or y as the second element. Only that final element is a target, given at the step
  whose input is ``e``. With k extra distractors the sequence has q+k+4 elements (q+k+3 input steps).

Two slips in the paper's text of 2c, and what this module does:

- The set definitions print the distractor indices as ``1 <= i <= q``, but there are only p distractor
  symbols (and p+4 input units); the distractors are drawn uniformly from ``a_1 .. a_p``, which is also
  what the paper's "expected number of occurrences of a_i is (q+10)/p" assumes. For q = p (rows 2c-1..5)
  both readings coincide.
- The paper gives the expected length as ``4 + sum_k 1/10 (9/10)^k (q+k) = q + 14``; the sum equals
  q + 9, so the expected length of the process described is q + 13 (:data:`EXPECTED_EXTRA`).
"""

from __future__ import annotations

import numpy as np

from .. import _checks
from . import SequenceBatch
from ._symbols import final_targets, one_hot

#: Probability that an element after the prefix of a 2c sequence is the trigger e (else a distractor).
TRIGGER_PROBABILITY = 0.1
#: Expected number of extra distractors after the prefix of a 2c sequence: (1 - 0.1) / 0.1 = 9.
EXPECTED_EXTRA = (1 - TRIGGER_PROBABILITY) / TRIGGER_PROBABILITY


def _prediction_batch(sequences: np.ndarray, labels: np.ndarray, n_symbols: int) -> SequenceBatch:
    """Inputs = elements 0..L-2, targets = elements 1..L-1 (one-hot), a target on every output at every step."""
    P, L = sequences.shape
    lengths = np.full(P, L - 1)
    x = one_hot(sequences[:, :-1], lengths, n_symbols)
    targets = one_hot(sequences[:, 1:], lengths, n_symbols)
    return SequenceBatch(x, targets, np.ones_like(targets, dtype=bool), lengths, labels)


def _two_class_sequences(P, p, seed, middle):
    P = _checks.positive_int("P", P)
    p = _checks.positive_int("p", p, minimum=2)
    gen = _checks.rng(seed)
    labels = gen.integers(0, 2, size=P)                 # 0: x, 1: y
    ends = np.where(labels == 1, p, p - 1)              # y is unit p, x is unit p - 1
    seq = np.empty((P, p + 1), dtype=np.int64)
    seq[:, 0] = seq[:, -1] = ends
    seq[:, 1:-1] = middle(gen, P, p)
    return _prediction_batch(seq, labels, p + 1)


def noise_free(P, p, seed) -> SequenceBatch:
    """Task 2a: ``P`` sequences ``(y, a_1, ..., a_{p-1}, y)`` or ``(x, a_1, ..., a_{p-1}, x)``, next-symbol targets.

    ``labels``: 0 for x, 1 for y. ``x`` has shape (P, p, p+1).
    """
    return _two_class_sequences(P, p, seed, lambda gen, P, p: np.broadcast_to(np.arange(p - 1), (P, p - 1)))


def noise_free_both(p) -> SequenceBatch:
    """The two sequences of task 2a (x first, then y): the whole training set, for exhaustive tests."""
    p = _checks.positive_int("p", p, minimum=2)
    seq = np.empty((2, p + 1), dtype=np.int64)
    seq[:, 1:-1] = np.arange(p - 1)
    seq[:, 0] = seq[:, -1] = [p - 1, p]
    return _prediction_batch(seq, np.array([0, 1]), p + 1)


def no_local_regularities(P, p, seed) -> SequenceBatch:
    """Task 2b: as :func:`noise_free`, but the middle is a random string of length p-1 over ``a_1 .. a_{p-1}``."""
    return _two_class_sequences(P, p, seed, lambda gen, P, p: gen.integers(0, p - 1, size=(P, p - 1)))


def very_long_lag(P, p, q, seed) -> SequenceBatch:
    """Task 2c: ``P`` sequences with minimal lag q+1 over p distractor symbols (see the module's docstring).

    ``x`` has shape (P, T_max, p+4); the target (one-hot over the 2 outputs x, y) is given at each
    sequence's last input step, whose input is the trigger e. ``lengths`` = q+k+3 input steps; ``labels``:
    0 for x, 1 for y.
    """
    P = _checks.positive_int("P", P)
    p = _checks.positive_int("p", p)
    q = _checks.positive_int("q", q)
    gen = _checks.rng(seed)
    labels = gen.integers(0, 2, size=P)
    extra = gen.geometric(TRIGGER_PROBABILITY, size=P) - 1  # distractors before the first e
    lengths = q + extra + 3                                  # b, x|y, q + k distractors, e
    T_max = int(lengths.max())
    seq = gen.integers(0, p, size=(P, T_max))               # distractors a_1 .. a_p
    seq[:, 0] = p + 1                                        # b
    seq[:, 1] = p + 2 + labels                               # x or y
    seq[np.arange(P), lengths - 1] = p                       # e
    x = one_hot(seq, lengths, p + 4)
    targets, mask = final_targets(lengths, labels, 2, T_max)
    return SequenceBatch(x, targets, mask, lengths, labels)
