"""Squashing functions of the 1997 LSTM and their derivatives (Hochreiter & Schmidhuber 1997, Section 4
and Appendix A.1).

- ``f``: the logistic sigmoid ``1 / (1 + exp(-x))`` in ``[0, 1]``, used by every gate and output unit.
- ``g``: the cell input squashing ``4 f(x) - 2`` in ``[-2, 2]``.
- ``h``: the cell output squashing ``2 f(x) - 1`` in ``[-1, 1]``.

(Table 10's caption swaps the ranges of ``g`` and ``h``; the text and the appendix give the ranges used here.)
Experiments 2a and 2b use instead ``g = f`` (logistic, in ``[0, 1]``) and ``h`` the identity (Section 5.2).

Every function is computed through ``tanh``: ``f(x) = (1 + tanh(x/2)) / 2``, ``g(x) = 2 tanh(x/2)``,
``h(x) = tanh(x/2)``, and the derivatives from ``t = tanh(x/2)``: ``f' = (1 - t^2) / 4``, ``g' = 1 - t^2``,
``h' = (1 - t^2) / 2``. ``tanh`` never overflows (no warnings for any finite ``x``), ``g`` and ``h`` stay
exact near 0 (where ``4 f - 2`` and ``2 f - 1`` would cancel), and one ``tanh`` pass yields a function and its
derivative. The price: ``f`` and ``f'`` have absolute (not relative) precision of about ``1e-16``, so a gate
driven to ``1e-14`` is only known to a few digits; learning never depends on such digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


def logistic_and_prime(x):
    """``(f(x), f'(x))`` from one ``tanh`` pass (see the module docstring)."""
    t = np.tanh(0.5 * np.asarray(x, dtype=float))
    return 0.5 + 0.5 * t, 0.25 - 0.25 * (t * t)


def f(x):
    """Logistic sigmoid ``1 / (1 + e^-x)`` in ``[0, 1]`` (gates and output units, Section 5)."""
    return logistic_and_prime(x)[0]


def f_prime(x):
    """Derivative of :func:`f`: ``f(x) (1 - f(x))``."""
    return logistic_and_prime(x)[1]


def g(x):
    """Cell input squashing ``g(x) = 4 f(x) - 2`` in ``[-2, 2]`` (Appendix A.1)."""
    return _g_1997_and_prime(np.asarray(x, dtype=float))[0]


def g_prime(x):
    """Derivative of :func:`g`: ``4 f(x) (1 - f(x))``."""
    return _g_1997_and_prime(np.asarray(x, dtype=float))[1]


def h(x):
    """Cell output squashing ``h(x) = 2 f(x) - 1`` in ``[-1, 1]`` (Appendix A.1)."""
    return _h_1997_and_prime(np.asarray(x, dtype=float))[0]


def h_prime(x):
    """Derivative of :func:`h`: ``2 f(x) (1 - f(x))``."""
    return _h_1997_and_prime(np.asarray(x, dtype=float))[1]


def identity(x):
    """The identity, ``h`` of Experiments 2a and 2b."""
    return np.asarray(x, dtype=float)


def identity_prime(x):
    """Derivative of :func:`identity`: ones."""
    return np.ones_like(np.asarray(x, dtype=float))


def _g_1997_and_prime(x):
    t = np.tanh(0.5 * x)          # g = 4 f - 2 = 2 tanh(x / 2), exact near g = 0
    return 2.0 * t, 1.0 - t * t   # g' = 4 f (1 - f) = 1 - tanh^2(x / 2)


def _h_1997_and_prime(x):
    t = np.tanh(0.5 * x)          # h = 2 f - 1 = tanh(x / 2)
    return t, 0.5 * (1.0 - t * t)


def _identity_and_prime(x):
    return x, 1.0


@dataclass(frozen=True)
class CellSquashing:
    """The pair (g, h) a memory cell uses; each callable returns ``(value, derivative)`` in one pass.

    The hot loop of :mod:`lstm_edu.lstm1997` needs both a function and its derivative at every step;
    computing them from one :func:`logistic_and_prime` evaluation halves the work. The plain functions above (``g``,
    ``g_prime``, ...) are the same formulas for the book's figures and tests.
    """

    name: str
    g_and_prime: Callable
    h_and_prime: Callable
    g_range: tuple
    h_range: tuple


#: g in [-2, 2], h in [-1, 1]: every experiment except 2a and 2b.
SQUASH_1997 = CellSquashing("g=4f-2, h=2f-1", _g_1997_and_prime, _h_1997_and_prime, (-2.0, 2.0), (-1.0, 1.0))
#: g logistic in [0, 1], h identity: Experiments 2a and 2b (Section 5.2).
SQUASH_LOGISTIC_IDENTITY = CellSquashing("g=f, h=identity", logistic_and_prime, _identity_and_prime,
                                         (0.0, 1.0), (-np.inf, np.inf))
