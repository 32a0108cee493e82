"""The benchmark problems of Bengio, Simard and Frasconi (1994): latch, 2-sequence and parity.

Each generator draws ``P`` sequences from one seed and returns a :class:`~lstm_edu.tasks.SequenceBatch`
(arrays with a leading axis of ``P`` sequences, padded to the longest). Only the final step of each
sequence carries a target (for parity that step follows read-out steps with zero input, see
:func:`parity`). The definitions follow the descriptions quoted in the 1997 LSTM paper (Section 5,
Experiment 3a) and in Schmidhuber and Hochreiter (1996); the 1994 paper's own generator
code is not available, so every choice is a parameter.
"""

from __future__ import annotations

import numpy as np

from .. import _checks
from . import SequenceBatch


def _lengths(gen, P, min_length, max_length):
    min_length = _checks.positive_int("min_length", min_length)
    max_length = _checks.positive_int("max_length", max_length)
    if max_length < min_length:
        raise ValueError(f"max_length must be >= min_length, got min_length={min_length}, "
                         f"max_length={max_length}")
    return gen.integers(min_length, max_length + 1, size=P)


def _final_targets(lengths, values, T_max):
    """Targets and mask, both (P, T_max, 1), with ``values`` at each sequence's last step."""
    P = len(lengths)
    targets = np.zeros((P, T_max, 1))
    mask = np.zeros((P, T_max, 1), dtype=bool)
    rows = np.arange(P)
    targets[rows, lengths - 1, 0] = values
    mask[rows, lengths - 1, 0] = True
    return targets, mask


def latch(P, T, seed, *, noise_variance=0.2, n_free_steps=1, target=0.8, max_length=None):
    """The latch problem (Bengio et al. 1994): keep one bit through ``T`` steps of noise.

    The system is one tanh unit ``a_t = w tanh(a_{t-1}) + h_t`` (see :mod:`lstm_edu.latching`). During the
    first ``n_free_steps`` steps the input ``h_t`` is a free parameter, one per class; afterwards it is
    Gaussian noise with mean 0 and variance ``noise_variance``. The target at step ``T`` is ``+target``
    for class 1 and ``-target`` for class 0 (0.8 in the 1994 paper).

    To let a general recurrent net learn the free inputs, ``x`` has three input lines: line 0 is 1.0
    during the free steps of a class-1 sequence, line 1 likewise for class 0 (their weights are the two
    free inputs), line 2 carries the noise (its weight is held at 1.0 by the latch model). Classes are
    balanced: sequence ``p`` has class ``p % 2``. With ``max_length`` the length is uniform in
    ``[T, max_length]`` instead of exactly ``T`` (the guessing experiments use 500-600).
    """
    P = _checks.positive_int("P", P)
    T = _checks.positive_int("T", T, minimum=2)
    noise_variance = _checks.positive_float("noise_variance", noise_variance, allow_zero=True)
    n_free_steps = _checks.positive_int("n_free_steps", n_free_steps)
    if n_free_steps >= T:
        raise ValueError(f"n_free_steps must be < T, got n_free_steps={n_free_steps}, T={T}")
    target = _checks.positive_float("target", target)
    gen = _checks.rng(seed)
    lengths = _lengths(gen, P, T, T if max_length is None else max_length)
    T_max = int(lengths.max())
    labels = np.arange(P) % 2
    x = np.zeros((P, T_max, 3))
    x[labels == 1, :n_free_steps, 0] = 1.0
    x[labels == 0, :n_free_steps, 1] = 1.0
    x[:, n_free_steps:, 2] = gen.normal(0.0, np.sqrt(noise_variance), size=(P, T_max - n_free_steps))
    x[np.arange(T_max)[None, :] >= lengths[:, None]] = 0.0
    targets, mask = _final_targets(lengths, np.where(labels == 1, target, -target), T_max)
    return SequenceBatch(x, targets, mask, lengths, labels)


def two_sequence(P, min_length, max_length, seed, *, n_informative=1, noise_variance=0.2):
    """The 2-sequence problem (Bengio et al. 1994; 1997 LSTM paper, Experiment 3a).

    Two classes with probability 0.5 each. The first ``n_informative`` elements are +1.0 (class 1) or
    -1.0 (class 0); every later element is Gaussian with mean 0 and variance ``noise_variance``. The
    length is uniform in ``[min_length, max_length]``: the 1997 paper uses ``[T, T + T/10]``, Bengio et
    al. also allowed lengths down to ``T/2``. Target at the end: 1.0 for class 1, 0.0 for class 0.
    """
    P = _checks.positive_int("P", P)
    n_informative = _checks.positive_int("n_informative", n_informative)
    noise_variance = _checks.positive_float("noise_variance", noise_variance, allow_zero=True)
    gen = _checks.rng(seed)
    lengths = _lengths(gen, P, min_length, max_length)
    if n_informative >= lengths.min():
        raise ValueError(f"n_informative must be < min_length, got n_informative={n_informative}, "
                         f"min_length={min_length}")
    labels = gen.integers(0, 2, size=P)
    T_max = int(lengths.max())
    x = gen.normal(0.0, np.sqrt(noise_variance), size=(P, T_max, 1))
    x[:, :n_informative, 0] = np.where(labels == 1, 1.0, -1.0)[:, None]
    x[np.arange(T_max)[None, :] >= lengths[:, None]] = 0.0
    targets, mask = _final_targets(lengths, labels.astype(float), T_max)
    return SequenceBatch(x, targets, mask, lengths, labels)


def parity(P, min_length, max_length, seed, *, input_noise=0.0, readout_steps=1):
    """The parity problem (Bengio et al. 1994; Schmidhuber and Hochreiter 1996).

    Each of the ``n`` parity elements (``n`` uniform in ``[min_length, max_length]``) is +1.0 or -1.0
    with probability 0.5; the class is 1 if the number of +1.0 elements is odd, else 0. With
    ``input_noise = a > 0`` every element gets added noise uniform in ``[-a, a]`` (Bengio et al.:
    a = 0.2, lengths 25-50; the guessing experiments: no noise, lengths 500-600).

    After the last element come ``readout_steps`` steps with input 0.0, and the target (the class) is
    at the last of them, so a sequence is ``n + readout_steps`` steps long (``lengths``). Why: in the
    nets of :mod:`lstm_edu.recurrent` every unit's net input at step ``t`` comes from ``x(t)`` and the
    activations of step ``t - 1``, so the output at the last element is ``f(a x(n) + B(n - 1))`` and
    cannot compute the exclusive or of ``x(n)`` with the parity of the earlier elements; one more step
    lets the output read the hidden units' response to ``x(n)``. The 1994 and 1996 nets' update order
    within a step is not available to us. ``readout_steps=0`` gives the task without read-out (the
    random draws, and so the elements, are the same for every ``readout_steps``).
    """
    P = _checks.positive_int("P", P)
    input_noise = _checks.positive_float("input_noise", input_noise, allow_zero=True)
    readout_steps = _checks.positive_int("readout_steps", readout_steps, minimum=0)
    gen = _checks.rng(seed)
    n_elements = _lengths(gen, P, min_length, max_length)
    n_max = int(n_elements.max())
    bits = gen.integers(0, 2, size=(P, n_max))
    inside = np.arange(n_max)[None, :] < n_elements[:, None]
    bits[~inside] = 0
    labels = bits.sum(axis=1) % 2
    x = np.where(bits == 1, 1.0, -1.0)
    if input_noise > 0:
        x = x + gen.uniform(-input_noise, input_noise, size=x.shape)
    x[~inside] = 0.0
    x = np.pad(x, ((0, 0), (0, readout_steps)))
    lengths = n_elements + readout_steps
    targets, mask = _final_targets(lengths, labels.astype(float), n_max + readout_steps)
    return SequenceBatch(x[:, :, None], targets, mask, lengths, labels)
