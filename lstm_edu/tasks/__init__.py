"""Task generators: one module per task family, seeded and batched over sequences.

Every generator returns a :class:`SequenceBatch` whose arrays have a leading axis of ``P`` sequences,
padded to the longest one. Padding steps carry zero input and no target, so a causal network's output
at a sequence's own last step does not depend on the padding.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class SequenceBatch(NamedTuple):
    """``P`` input sequences with their targets.

    x: (P, T_max, n_in) inputs; targets: (P, T_max, n_out); target_mask: (P, T_max, n_out) bool, True
    where a target is given (the shapes :mod:`lstm_edu.recurrent` expects); lengths: (P,) int; labels: (P,) int class of each sequence.
    """

    x: np.ndarray
    targets: np.ndarray
    target_mask: np.ndarray
    lengths: np.ndarray
    labels: np.ndarray


from .bengio import latch, parity, two_sequence  # noqa: E402  (needs SequenceBatch)

__all__ = ["SequenceBatch", "latch", "parity", "two_sequence"]
