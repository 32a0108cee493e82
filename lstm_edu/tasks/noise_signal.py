"""Experiment 3 of the 1997 LSTM paper: noise and signal on the same input line (Section 5.3).

All three variants build on Bengio et al.'s 2-sequence problem, :func:`lstm_edu.tasks.bengio.two_sequence`,
whose definition is the paper's Task 3a: one input line, two classes with probability 0.5, the first N
elements +1.0 (class 1, ``label`` 1) or -1.0 (class 2, ``label`` 0), Gaussian elements with mean 0 and
variance 0.2 afterwards, length uniform in ``[T, T + T/10]``, target at the end 1.0 (class 1) or 0.0.

- 3a (:func:`task_3a`): exactly that.
- 3b (:func:`task_3b`): Gaussian noise (mean 0, variance 0.2) added to the N informative elements too.
- 3c (:func:`task_3c`): inputs as 3a; targets 0.2 (class 1) and 0.8 (class 2) plus Gaussian target noise
  with mean 0 and variance 0.1. The noise-free targets, which the 3c criteria compare with, come from
  :func:`clean_targets_3c`.
"""

from __future__ import annotations

import numpy as np

from .. import _checks
from . import SequenceBatch
from .bengio import two_sequence

#: Variance of the Gaussian input noise (3a, 3b) and of the 3c target noise (Section 5.3).
INPUT_NOISE_VARIANCE = 0.2
TARGET_NOISE_VARIANCE_3C = 0.1
#: Noise-free 3c targets of class 1 (label 1) and class 2 (label 0).
TARGETS_3C = {1: 0.2, 0: 0.8}


def _lengths_for(T):
    T = _checks.positive_int("T", T, minimum=2)
    return T, T + T // 10


def task_3a(P, T, n_informative, seed) -> SequenceBatch:
    """Task 3a: ``P`` sequences of Bengio et al.'s 2-sequence problem with lengths in ``[T, T + T/10]``."""
    low, high = _lengths_for(T)
    return two_sequence(P, low, high, _checks.rng(seed), n_informative=n_informative,
                        noise_variance=INPUT_NOISE_VARIANCE)


def task_3b(P, T, n_informative, seed) -> SequenceBatch:
    """Task 3b: as 3a, plus Gaussian noise (mean 0, variance 0.2) on the first ``n_informative`` elements."""
    gen = _checks.rng(seed)
    batch = task_3a(P, T, n_informative, gen)
    x = batch.x.copy()
    x[:, :n_informative, 0] += gen.normal(0.0, np.sqrt(INPUT_NOISE_VARIANCE), size=(x.shape[0], n_informative))
    return batch._replace(x=x)


def clean_targets_3c(labels) -> np.ndarray:
    """The noise-free 3c targets: 0.2 for class 1 (label 1), 0.8 for class 2 (label 0); other labels raise."""
    labels = _checks.bool_array("labels", labels)  # class labels are exactly 0 or 1
    return np.where(labels == 1, TARGETS_3C[1], TARGETS_3C[0])


def task_3c(P, T, n_informative, seed) -> SequenceBatch:
    """Task 3c: inputs as 3a; end targets 0.2 / 0.8 plus Gaussian noise with mean 0 and variance 0.1."""
    gen = _checks.rng(seed)
    batch = task_3a(P, T, n_informative, gen)
    P = batch.x.shape[0]
    noisy = clean_targets_3c(batch.labels) + gen.normal(0.0, np.sqrt(TARGET_NOISE_VARIANCE_3C), size=P)
    targets = np.zeros_like(batch.targets)
    targets[np.arange(P), batch.lengths - 1, 0] = noisy
    return batch._replace(targets=targets)
