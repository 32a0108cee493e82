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
    """Convert ``value`` to an array and check it; never coerce silently.

    The rules, written once here for every module:

    * complex values are refused (``TypeError``), never cut to their real part;
    * ``dtype=bool`` (a mask): bools, or numbers that are exactly 0 or 1 (a float mask of 0.5 is refused);
    * an integer ``dtype`` (lengths, indices): integers, or floats that are exactly integral (``3.0`` is
      accepted, ``2.5`` is refused, never truncated); bools are refused;
    * strings are refused (``TypeError``);
    * ``shape`` may hold ``None`` for any length along an axis;
    * non-finite entries raise ``ValueError`` (NaN or infinite inputs are never passed on silently) unless
      ``finite=False``.
    """
    arr = _converted(name, value, np.dtype(dtype))
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if finite and arr.size and arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} non-finite value(s) (NaN or inf); all entries must be finite")
    return arr


def real_values(name: str, value) -> np.ndarray:
    """``np.asarray(value)`` with its own dtype (bool, int or float), refusing complex values and strings."""
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}: {exc}") from None
    if raw.dtype.kind == "c" or (raw.dtype.kind == "O" and any(isinstance(v, complex) for v in raw.flat)):
        raise TypeError(f"{name} must hold real numbers, got complex values (the imaginary part would be lost)")
    if raw.dtype.kind in "USVMm":
        raise TypeError(f"{name} must be an array of numbers, got dtype {raw.dtype} ({type(value).__name__})")
    return raw


def _converted(name: str, value, dtype: np.dtype) -> np.ndarray:
    """``value`` as an array of ``dtype`` under the rules of :func:`array`."""
    raw = real_values(name, value)
    if dtype.kind == "b":
        return _as_bool(name, raw)
    try:
        arr = raw.astype(np.float64 if dtype.kind in "iu" else dtype, copy=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}: {exc}") from None
    if dtype.kind in "iu":
        return _as_int(name, raw, arr, dtype)
    return arr


def _as_bool(name: str, raw: np.ndarray) -> np.ndarray:
    if raw.dtype.kind == "b":
        return raw.astype(bool, copy=False)
    try:
        num = raw.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a bool array (True/False or exactly 0/1), got {raw.dtype}") from None
    if num.size and not np.all((num == 0) | (num == 1)):
        bad = num[(num != 0) & (num != 1)].flat[0]
        raise ValueError(f"{name} must be a bool array (True/False or exactly 0/1), got the value {bad}")
    return num.astype(bool)


def _as_int(name: str, raw: np.ndarray, num: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if raw.dtype.kind == "b":
        raise TypeError(f"{name} must hold integers, got bools")
    if raw.dtype.kind in "iu":
        return raw.astype(dtype, copy=False)
    if num.size and not np.all(np.isfinite(num) & (num == np.round(num))):
        bad = num[~(np.isfinite(num) & (num == np.round(num)))].flat[0]
        raise ValueError(f"{name} must hold integers (or exactly integral floats such as 3.0), got {bad}")
    return num.astype(dtype)


def bool_array(name: str, value, **kwargs) -> np.ndarray:
    """A mask: :func:`array` with ``dtype=bool`` (bools, or exactly 0/1)."""
    return array(name, value, dtype=bool, finite=False, **kwargs)


def int_array(name: str, value, **kwargs) -> np.ndarray:
    """Lengths or indices: :func:`array` with ``dtype=int64`` (integers, or exactly integral floats)."""
    return array(name, value, dtype=np.int64, **kwargs)


def boolean(name: str, value) -> bool:
    """Return ``value`` if it is a real bool (``True``/``False`` or a NumPy bool), else raise ``TypeError``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__})")
    return bool(value)


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
