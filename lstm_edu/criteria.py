"""The success and stopping criteria of the 1997 LSTM paper (Section 5, Table 11), written once.

Every method of the book judges its trials with these functions, so that "success" means the same for
LSTM and for its competitors. Everything is vectorised: arrays carry a leading axis of sequences
(``N``) or of trials (``P``).

- :func:`abs_correct` is ABS(b): "absolute error of all output units at sequence end is below b"
  (Table 11); with a target at every step (Experiment 2a) every step counts.
- :func:`reber_correct`: Experiment 1's rule, "the output unit(s) corresponding to the possible next
  symbol(s) is(are) always the most active ones".
- :func:`exp3_criteria`: ST1 and ST2 of Experiments 3a and 3b and the stopping rule of 3c.
- :class:`RollingWindow` holds the most recent training sequences of each trial and gives ST3(b) of
  Experiments 4 and 6 and Experiment 5's ``n_seq`` rule.

What "average training error" means in ST3 the paper does not say. This module uses the mean absolute
error of the output units at the sequence end, averaged over the window (:func:`end_error`): the
paper's other rules speak of absolute errors (ABS, "mean absolute test set error" in ST2), and with
the mean squared error ST3's first condition would follow from its second for Experiments 4 and 6
(all of 2000 errors below 0.04 gives an MSE below 0.0016 < 0.01), so it would add nothing.
"""

from __future__ import annotations

import numpy as np

from . import _checks

#: Sequences in ST3's and Experiment 5's window of "most recent training sequences".
WINDOW = 2000
#: Experiment 3: misclassification bounds and ST1/ST2 thresholds per variant (Section 5.3).
EXP3_RULES = {
    "3a": {"bound": 0.2, "st1_max_wrong": 0, "st2_mean": 0.01},
    "3b": {"bound": 0.2, "st1_max_wrong": 5, "st2_mean": 0.04},   # "less than 6 out of 256"
    "3c": {"bound": 0.1, "st1_max_wrong": 0, "st2_mean": 0.015},  # against the noise-free target
}


def _outputs_and_targets(outputs, targets, mask):
    y = _checks.array("outputs", outputs, finite=False)
    t = _checks.array("targets", targets, shape=y.shape)
    m = _checks.array("target_mask", mask, shape=y.shape, dtype=bool)
    return y, t, m


def max_abs_error(outputs, targets, target_mask) -> np.ndarray:
    """Per sequence, the largest ``|target - output|`` over all output units and steps with a target.

    ``outputs``, ``targets``, ``target_mask``: (N, T, K) (``target_mask`` as in
    :class:`~lstm_edu.tasks.SequenceBatch`). A non-finite output counts as an infinite error.
    """
    y, t, m = _outputs_and_targets(outputs, targets, target_mask)
    err = np.where(m, np.abs(t - y), 0.0)
    err = np.where(m & ~np.isfinite(y), np.inf, err)
    return err.reshape(err.shape[0], -1).max(axis=1)


def abs_correct(outputs, targets, target_mask, bound: float) -> np.ndarray:
    """ABS(b): (N,) bool, True where every output with a target has absolute error below ``bound``."""
    bound = _checks.positive_float("bound", bound)
    return max_abs_error(outputs, targets, target_mask) < bound


def end_values(sequence_array, lengths) -> np.ndarray:
    """(N, T, K) -> (N, K): the values at each sequence's last step ``lengths - 1``."""
    a = _checks.real_values("sequence_array", sequence_array)
    lengths = _checks.int_array("lengths", lengths, ndim=1)
    if a.ndim != 3 or a.shape[0] != lengths.shape[0]:
        raise ValueError(f"sequence_array must have shape (N={lengths.shape[0]}, T, K), got {a.shape}")
    if np.any(lengths < 1) or np.any(lengths > a.shape[1]):
        raise ValueError(f"lengths must lie in [1, {a.shape[1]}]")
    return _end_values(a, lengths)


def _end_values(a: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """:func:`end_values` of arrays known to be valid (the trainer's own, at every training step)."""
    return a[np.arange(a.shape[0]), lengths - 1]


def end_error(end_outputs, end_targets) -> np.ndarray:
    """Per sequence, the mean absolute error of the output units at the end: (N, K) -> (N,)."""
    y = _checks.array("end_outputs", end_outputs, ndim=2, finite=False)
    t = _checks.array("end_targets", end_targets, shape=y.shape)
    return _end_error(y, t)


def _end_error(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """:func:`end_error` of arrays known to be valid (the trainer's own, at every training step)."""
    return np.abs(t - y).mean(axis=1)


def reber_correct(outputs, possible, lengths) -> np.ndarray:
    """Experiment 1: (N,) bool, True where at every step the possible next symbols are the most active outputs.

    ``outputs`` (N, T, 7), ``possible`` (N, T, 7) bool from :func:`lstm_edu.tasks.reber.encode`, ``lengths``
    (N,). At a step with k possible symbols, the k most active output units must be exactly those
    symbols: the least active possible unit is more active than the most active impossible one
    (a tie counts as wrong).
    """
    y = _checks.array("outputs", outputs, ndim=3, finite=False)
    ok = _checks.array("possible", possible, shape=y.shape, dtype=bool)
    lengths = _checks.array("lengths", lengths, shape=(y.shape[0],), dtype=np.int64)
    y = np.where(np.isfinite(y), y, -np.inf)
    lowest_possible = np.where(ok, y, np.inf).min(axis=2)
    highest_other = np.where(ok, -np.inf, y).max(axis=2)
    step_ok = lowest_possible > highest_other
    inside = np.arange(y.shape[1])[None, :] < lengths[:, None]
    return np.all(step_ok | ~inside, axis=1)


def exp3_criteria(variant: str, end_outputs, end_targets) -> dict:
    """Experiment 3's test-set criteria for ``P`` trials at once.

    ``end_outputs``, ``end_targets``: (P, n) final outputs and targets of each trial's ``n`` test
    sequences (for 3c: the noise-free targets 0.2 / 0.8). Returns a dict of (P,) arrays:

    - ``wrong``: misclassified sequences (3a, 3b: absolute error >= 0.2; 3c: absolute difference to the
      noise-free target > 0.1), ``mean_abs_error``;
    - ``st1``: 3a "none of 256 misclassified", 3b "less than 6 out of 256 misclassified", 3c none
      misclassified;
    - ``st2``: ST1 and the mean absolute error below 0.01 (3a), 0.04 (3b), 0.015 (3c: the paper's single
      stopping criterion of Table 6).
    """
    rules = EXP3_RULES[_checks.choice("variant", variant, tuple(EXP3_RULES))]
    y = _checks.array("end_outputs", end_outputs, ndim=2, finite=False)
    t = _checks.array("end_targets", end_targets, shape=y.shape)
    err = np.abs(t - y)
    err = np.where(np.isfinite(err), err, np.inf)
    wrong = (err > rules["bound"]) if variant == "3c" else ~(err < rules["bound"])
    n_wrong = wrong.sum(axis=1)
    mean = err.mean(axis=1)
    st1 = n_wrong <= rules["st1_max_wrong"]
    return {"wrong": n_wrong, "mean_abs_error": mean, "st1": st1, "st2": st1 & (mean < rules["st2_mean"])}


class RollingWindow:
    """The ``size`` most recent training sequences of each of ``P`` trials: correct flags and errors.

    :meth:`push` adds one sequence per trial. ``ST3(b)`` (:meth:`st3`, Table 11): "average training error
    below b and the 2000 most recent sequences were processed correctly"; Experiment 5
    (:meth:`fewer_wrong_than`): "less than n_seq of the 2000 most recent training sequences lead to
    absolute errors exceeding 0.04". Both need a full window (at least ``size`` sequences seen).
    """

    def __init__(self, n_trials: int, size: int = WINDOW):
        self.size = _checks.positive_int("size", size)
        P = _checks.positive_int("n_trials", n_trials)
        self.correct = np.zeros((P, self.size), dtype=bool)
        self.error = np.zeros((P, self.size))
        self.count = np.zeros(P, dtype=np.int64)
        self._wrong = np.zeros(P, dtype=np.int64)  # incorrect sequences in the window, kept up to date

    def push(self, correct, error) -> None:
        """Record one sequence per trial: ``correct`` (P,) bool and its ``error`` (P,) (see :func:`end_error`)."""
        P = self.count.shape[0]
        self._push(_checks.array("correct", correct, shape=(P,), dtype=bool),
                   _checks.array("error", error, shape=(P,), finite=False))

    def _push(self, correct: np.ndarray, error: np.ndarray) -> None:
        """:meth:`push` of arrays known to be valid (the trainer's own, at every training step)."""
        P = self.count.shape[0]
        slot = self.count % self.size
        rows = np.arange(P)
        self._wrong -= (self.count >= self.size) & ~self.correct[rows, slot]  # the oldest entry drops out
        self._wrong += ~correct
        self.correct[rows, slot] = correct
        self.error[rows, slot] = error
        self.count += 1

    @property
    def full(self) -> np.ndarray:
        """(P,) bool: at least ``size`` sequences seen."""
        return self.count >= self.size

    def _filled(self, rows=slice(None)) -> np.ndarray:
        return np.arange(self.size)[None, :] < self.count[rows, None]

    def n_wrong(self) -> np.ndarray:
        """(P,) incorrect sequences among the most recent ``min(count, size)``."""
        return self._wrong.copy()

    def mean_error(self, rows=slice(None)) -> np.ndarray:
        """Mean error over the window of the trials ``rows`` (all by default; over the sequences seen while
        the window is not yet full)."""
        filled = self._filled(rows)
        return np.where(filled, self.error[rows], 0.0).sum(axis=1) / np.maximum(1, filled.sum(axis=1))

    def st3(self, bound: float) -> np.ndarray:
        """(P,) bool: ST3(bound), a full window of correct sequences with mean error below ``bound``."""
        bound = _checks.positive_float("bound", bound)
        out = self.full & (self._wrong == 0)
        candidates = np.flatnonzero(out)
        if candidates.size:  # the mean is computed only where the window is all correct
            out[candidates] = self.mean_error(candidates) < bound
        return out

    def fewer_wrong_than(self, n_seq: int) -> np.ndarray:
        """(P,) bool: Experiment 5's rule, a full window with fewer than ``n_seq`` incorrect sequences."""
        n_seq = _checks.positive_int("n_seq", n_seq)
        return self.full & (self.n_wrong() < n_seq)

    def select(self, trials) -> "RollingWindow":
        """A window holding only the rows ``trials`` (trials that leave a batch are dropped)."""
        out = RollingWindow(len(trials), self.size)
        out.correct, out.error, out.count = self.correct[trials], self.error[trials], self.count[trials]
        out._wrong = self._wrong[trials]
        return out

    def state(self) -> dict:
        """Arrays that :meth:`from_state` restores exactly (for checkpoints)."""
        return {"correct": self.correct, "error": self.error, "count": self.count}

    @classmethod
    def from_state(cls, state: dict) -> "RollingWindow":
        out = cls(len(state["count"]), np.asarray(state["correct"]).shape[1])
        out.correct = np.array(state["correct"], dtype=bool)
        out.error = np.array(state["error"], dtype=float)
        out.count = np.array(state["count"], dtype=np.int64)
        out._wrong = np.count_nonzero(out._filled() & ~out.correct, axis=1)
        return out
