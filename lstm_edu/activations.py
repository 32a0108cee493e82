"""Squashing functions of the 1997 LSTM and their derivatives (Hochreiter & Schmidhuber 1997, Section 4
and Appendix A.1).

- ``f``: the logistic sigmoid ``1 / (1 + exp(-x))`` in ``[0, 1]``, used by every gate and output unit.
- ``g``: the cell input squashing ``4 f(x) - 2`` in ``[-2, 2]``.
- ``h``: the cell output squashing ``2 f(x) - 1`` in ``[-1, 1]``.

(Table 10's caption swaps the ranges of ``g`` and ``h``; the text and the appendix give the ranges used here.)
Experiments 2a and 2b use instead ``g = f`` (logistic, in ``[0, 1]``) and ``h`` the identity (Section 5.2).

Every function is ``offset + scale tanh(x/2)`` with its own ``(offset, scale)`` (f, g, h, and g = f of
Experiments 2a/2b; :func:`tanh_affine_and_prime`), and every one is computed through the logistic
``s = 1 / (1 + exp(-x))``: ``tanh(x/2) = 2 s - 1``, so the function is ``(offset - scale) + 2 scale s``
and its derivative ``2 scale s (1 - s)``: ``f = s``, ``g = 4 s - 2``, ``h = 2 s - 1`` as the paper writes
them, ``f' = s (1 - s)``, ``g' = 4 s (1 - s)``, ``h' = 2 s (1 - s)``. One ``exp`` yields a function and its
derivative, and ``exp`` is the cheapest of the transcendental functions: compiled by numba it costs a
quarter of a ``tanh`` (about 3.4 against 15 ns here), and the compiled engine (:mod:`lstm_edu.lstm_engine`)
evaluates a dozen squashings per network step. The NumPy LSTM of :mod:`lstm_edu.lstm1997` squashes every
unit through :func:`tanh_affine_and_prime`, the engine computes the same formula unit by unit. For
``x < -709`` ``exp(-x)`` overflows to ``inf`` and ``s`` is exactly 0, as it should be (no warning). The
price: ``g`` and ``h`` have absolute (not relative) precision of about ``1e-16`` near 0, where ``4 s - 2``
cancels; learning never depends on such digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import autograd.numpy as anp
import numpy as np


def logistic(x):
    """The logistic function ``1 / (1 + exp(-x))`` of an array: exactly 0 where ``exp(-x)`` overflows, 1
    where it underflows (no warning)."""
    with np.errstate(over="ignore", under="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def tanh_affine_and_prime(x, offset, scale):
    """``(offset + scale * tanh(x/2), (scale/2) (1 - tanh^2(x/2)))``: a squashing function and its derivative,
    computed through the logistic ``s`` of ``x`` as ``(offset - scale) + 2 scale s`` and ``2 scale s (1 - s)``.

    ``offset`` and ``scale`` broadcast against ``x`` (one pair per unit, e.g. shape ``(units, 1)``).
    """
    s, span = logistic(x), 2.0 * scale
    return (offset - scale) + span * s, span * s * (1.0 - s)


def prime_from_value(value, offset, scale):
    """The derivative of ``offset + scale * tanh(x/2)`` computed from its value: ``(scale/2) (1 - u^2)``
    with ``u = (value - offset) / scale = tanh(x/2)``. Takes scalars or arrays; the compiled engine
    (:mod:`lstm_edu.lstm_engine`) compiles this same function for h' of eq. 23."""
    u = (value - offset) / scale
    return (0.5 * scale) * (1.0 - u * u)


#: (offset, scale) of f = 1/2 + tanh(x/2)/2, the logistic sigmoid in [0, 1].
LOGISTIC = (0.5, 0.5)
#: (offset, scale) of g = 4 f - 2 = 2 tanh(x/2), in [-2, 2].
G_1997 = (0.0, 2.0)
#: (offset, scale) of h = 2 f - 1 = tanh(x/2), in [-1, 1].
H_1997 = (0.0, 1.0)


def f(x):
    """Logistic sigmoid ``1 / (1 + e^-x)`` in ``[0, 1]`` (gates and output units, Section 5)."""
    return tanh_affine_and_prime(x, *LOGISTIC)[0]


def traceable_f(x):
    """:func:`f` written with ``autograd.numpy``, for code that autograd differentiates (the plain recurrent
    nets, the carousel nets, the references of the tests), as ``(1 + tanh(x/2)) / 2``: equal to :func:`f` to
    rounding (the stored records of the plain recurrent nets were computed with it). :func:`f` itself
    converts its argument with ``np.asarray`` and so cannot be traced."""
    return 0.5 * (1.0 + anp.tanh(0.5 * x))


def f_prime(x):
    """Derivative of :func:`f`: ``f(x) (1 - f(x))``."""
    return tanh_affine_and_prime(x, *LOGISTIC)[1]


def g(x):
    """Cell input squashing ``g(x) = 4 f(x) - 2`` in ``[-2, 2]`` (Appendix A.1)."""
    return tanh_affine_and_prime(x, *G_1997)[0]


def g_prime(x):
    """Derivative of :func:`g`: ``4 f(x) (1 - f(x))``."""
    return tanh_affine_and_prime(x, *G_1997)[1]


def h(x):
    """Cell output squashing ``h(x) = 2 f(x) - 1`` in ``[-1, 1]`` (Appendix A.1)."""
    return tanh_affine_and_prime(x, *H_1997)[0]


def h_prime(x):
    """Derivative of :func:`h`: ``2 f(x) (1 - f(x))``."""
    return tanh_affine_and_prime(x, *H_1997)[1]


@dataclass(frozen=True)
class CellSquashing:
    """The pair (g, h) a memory cell uses, as ``(offset, scale)`` of :func:`tanh_affine_and_prime`.

    ``h=None`` means the identity (Experiments 2a and 2b: the cell output is the state itself).
    """

    name: str
    g: tuple
    h: tuple | None


#: g in [-2, 2], h in [-1, 1]: every experiment except 2a and 2b.
SQUASH_1997 = CellSquashing("g=4f-2, h=2f-1", G_1997, H_1997)
#: g logistic in [0, 1], h identity: Experiments 2a and 2b (Section 5.2).
SQUASH_LOGISTIC_IDENTITY = CellSquashing("g=f, h=identity", LOGISTIC, None)
#: The ranges Table 10's caption gives instead ("h1 is logistic sigmoid in [-2, 2]", "g2 in [-1, 1]"):
#: g = 2 f - 1 in [-1, 1], h = 4 f - 2 in [-2, 2]. The text and the appendix contradict it; the book
#: follows the text and uses this pair only to measure what the contradiction changes (Experiment 1).
SQUASH_CAPTION = CellSquashing("g=2f-1, h=4f-2 (Table 10's caption)", H_1997, G_1997)
