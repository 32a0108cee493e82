"""Shared paths for the test suite."""

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"


@pytest.fixture(autouse=True)
def _numpy_errors_raise():
    """Inside tests, any floating-point overflow or invalid operation is an error, not a warning."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        yield
