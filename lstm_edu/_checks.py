"""Input validation shared by every module.

Bad input must fail early with a message that names the parameter and what is allowed, never with a
deep NumPy traceback or a silently wrong answer. Numerical trouble (overflow, NaN) is reported by
:class:`NumericalError`.
"""

from __future__ import annotations

import numbers

import numpy as np


class NumericalError(FloatingPointError):
    """Raised when a computation produces non-finite values (overflow, NaN)."""


def positive_int(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise ``ValueError`` naming ``name`` unless it is an integer >= minimum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def positive_float(name: str, value, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, or raise naming ``name`` unless it is finite and > 0 (>= 0 if allowed)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    bound_ok = value >= 0 if allow_zero else value > 0
    if not np.isfinite(value) or not bound_ok:
        allowed = "a finite number >= 0" if allow_zero else "a finite number > 0"
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return value


def choice(name: str, value, allowed) -> object:
    """Return ``value`` if it is one of ``allowed``; otherwise raise ``ValueError`` listing them."""
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def array(name: str, value, *, ndim: int | None = None, shape: tuple | None = None,
          finite: bool = True, dtype=float) -> np.ndarray:
    """Convert ``value`` to an array and check it.

    ``shape`` may hold ``None`` for any length along an axis. Non-finite entries raise
    ``ValueError`` (NaN or infinite inputs are never passed on silently) unless ``finite=False``.
    """
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}: {exc}") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if finite and arr.size and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} non-finite value(s) (NaN or inf); all entries must be finite")
    return arr


def finite_or_raise(name: str, value: np.ndarray, *, hint: str = "") -> np.ndarray:
    """Raise :class:`NumericalError` if ``value`` has NaN or inf entries (numerical blow-up)."""
    if not np.all(np.isfinite(value)):
        bad = int(np.size(value) - np.count_nonzero(np.isfinite(value)))
        msg = f"{name} has {bad} non-finite value(s) (overflow or NaN)"
        raise NumericalError(msg + (f": {hint}" if hint else ""))
    return value


def rng(seed) -> np.random.Generator:
    """A NumPy ``Generator`` from an int seed, a ``SeedSequence`` or an existing ``Generator``."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))
