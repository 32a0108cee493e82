"""Table 10 of the paper: the architectures of the 1997 LSTM's experiments, as :class:`LSTMConfig` rows.

S. Hochreiter and J. Schmidhuber, "Long Short-Term Memory", Neural Computation 9(8), 1997, Section 5 and
Table 10 (the weight counts pin down the connectivity the text leaves open). :func:`config` returns a row
by name, optionally changed; :class:`lstm_edu.lstm1997.LSTM1997` builds networks from it. The names are
re-exported by :mod:`lstm_edu.lstm1997`.
"""

from __future__ import annotations

import dataclasses
import numbers

from . import _checks
from .activations import SQUASH_1997, SQUASH_CAPTION, SQUASH_LOGISTIC_IDENTITY

#: Bias variants of Table 10: which units have a bias weight.
BIAS_VARIANTS = ("ga", "b1", "all", "none")
#: Connectivity of Table 10: F (fully recurrent hidden layer, outputs fed by the cells only) or
#: B (each layer fed by all layers below, no recurrence; Experiments 2a/2b).
CONNECTIVITIES = ("F", "B")
#: The cells' (g, h) by :attr:`LSTMConfig.squashing`: the text's ranges (all experiments but 2a/2b), the
#: logistic g and identity h of 2a/2b, and the swapped ranges of Table 10's caption.
SQUASHINGS = {"1997": SQUASH_1997, "logistic-identity": SQUASH_LOGISTIC_IDENTITY, "caption": SQUASH_CAPTION}


@dataclasses.dataclass(frozen=True)
class LSTMConfig:
    """One architecture of Table 10 (Section 5 and Appendix A of the paper).

    Attributes
    ----------
    name: the row of Table 10 (with a suffix ``*`` when overridden).
    n_blocks, block_size: memory cell blocks and cells per block ("blocks", "size").
    n_in, n_out: input and output units.
    connectivity: ``"F"`` or ``"B"`` (see :data:`CONNECTIVITIES`).
    bias: ``"ga"`` gates only, ``"b1"`` all hidden units, ``"all"`` all non-input units, ``"none"``.
    output_gate_bias, input_gate_bias: initial gate bias per block (tuple of floats) or ``None`` for
        random like the other weights (Table 10's "r").
    output_gate: ``False`` for Experiments 2a/2b, whose cells have no output gate.
    squashing: ``"1997"`` (g in [-2, 2], h in [-1, 1]), ``"logistic-identity"`` (2a/2b: g = f, h = x) or
        ``"caption"`` (the ranges of Table 10's caption, g in [-1, 1], h in [-2, 2]; see :data:`SQUASHINGS`).
    init_range: initial weights uniform in ``[-init_range, init_range]``.
    alpha: learning rate.
    paper_weights: the weight count Table 10 prints (``None`` for an overridden architecture).
    note: where the paper is ambiguous, what this row chooses.
    """

    name: str
    n_blocks: int
    block_size: int
    n_in: int
    n_out: int
    connectivity: str
    bias: str
    output_gate_bias: tuple | None
    input_gate_bias: tuple | None
    output_gate: bool
    squashing: str
    init_range: float
    alpha: float
    paper_weights: int | None = None
    note: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not isinstance(self.note, str):
            raise TypeError(f"name and note must be strings, got {self.name!r}, {self.note!r}")
        object.__setattr__(self, "output_gate", _checks.boolean("output_gate", self.output_gate))
        if self.paper_weights is not None:
            _checks.positive_int("paper_weights", self.paper_weights)
        _checks.positive_int("n_blocks", self.n_blocks, minimum=0)
        _checks.positive_int("block_size", self.block_size)
        _checks.positive_int("n_in", self.n_in)
        _checks.positive_int("n_out", self.n_out)
        _checks.choice("connectivity", self.connectivity, CONNECTIVITIES)
        _checks.choice("bias", self.bias, BIAS_VARIANTS)
        _checks.choice("squashing", self.squashing, tuple(SQUASHINGS))
        _checks.positive_float("init_range", self.init_range, allow_zero=True)
        _checks.positive_float("alpha", self.alpha)
        for gate in ("output_gate_bias", "input_gate_bias"):
            value = getattr(self, gate)
            if value is None:
                continue
            if self.bias == "none":
                raise ValueError(f"{gate} must be None (random) when bias='none': the units have no bias weight")
            if gate == "output_gate_bias" and not self.output_gate:
                raise ValueError("output_gate_bias must be None when output_gate=False (there is no output gate)")
            values = _checks.array(gate, value, ndim=1)
            if values.shape[0] != self.n_blocks:
                raise ValueError(f"{gate} must hold one value per block ({self.n_blocks}), got {len(values)}")
            object.__setattr__(self, gate, tuple(float(v) for v in values))

    @property
    def n_cells(self) -> int:
        """C = n_blocks * block_size."""
        return self.n_blocks * self.block_size


def bias_progression(values: tuple | None, n: int) -> tuple | None:
    """Stretch a per-block bias list to ``n`` blocks by continuing its arithmetic progression.

    The paper's gate biases are progressions (-1, -2, -3, -4; -2, -4, -6; -3, -6): "later blocks more
    negative" (Sections 4 and 5.1). A single value is repeated; ``None`` (random) or an empty list gives ``None``.
    """
    if not values:
        return None
    step = values[-1] - values[-2] if len(values) >= 2 else 0.0
    out = list(values[:n])
    while len(out) < n:
        out.append(out[-1] + step)
    return tuple(out)


def _rows() -> dict:
    """The architectures of Table 10, keyed by row name."""
    rows = {}
    exp1_note = ("Experiment 1's text gives output-gate biases -1, -2, -3, Table 10 gives -1, -2, -3, -4 for the "
                 "4-block nets; we follow Table 10 (one bias per block).")
    for name, blocks, size, alpha, weights in (("1-1", 4, 1, 0.1, 264), ("1-2", 3, 2, 0.1, 276),
                                               ("1-3", 3, 2, 0.2, 276), ("1-4", 4, 1, 0.5, 264),
                                               ("1-5", 3, 2, 0.5, 276)):
        rows[name] = LSTMConfig(name, blocks, size, 7, 7, "F", "ga", tuple(-1.0 - k for k in range(blocks)),
                                None, True, "1997", 0.2, alpha, weights, exp1_note)
    for name in ("2a", "2b"):
        rows[name] = LSTMConfig(name, 1, 1, 101, 101, "B", "none", None, None, False, "logistic-identity",
                                0.2, 1.0, 10504,
                                "One cell with an input gate and no output gate; g logistic, h identity "
                                "(Section 5.2). In the paper the cell is added by sequential construction.")
    for k, p in enumerate((50, 100, 200, 500, 1000, 500, 200, 100, 50), start=1):
        weights = 6 * (p + 4 + 6) + 4
        rows[f"2c-{k}"] = LSTMConfig(f"2c-{k}", 2, 1, p + 4, 2, "F", "none", None, None, True, "1997", 0.2,
                                     0.01, weights,
                                     "Weights in [-0.2, 0.2] as for all of Experiment 2 (Section 5). The text "
                                     "prints the distractor range as 1..q; the distractors are a_1..a_p.")
    for name, alpha in (("3a", 1.0), ("3b", 1.0), ("3c", 0.1)):
        rows[name] = LSTMConfig(name, 3, 1, 1, 1, "F", "b1", (-2.0, -4.0, -6.0), (-1.0, -3.0, -5.0), True,
                                "1997", 0.1, alpha, 102)
    for k in (1, 2, 3):
        rows[f"4-{k}"] = LSTMConfig(f"4-{k}", 2, 2, 2, 1, "F", "all", None, (-3.0, -6.0), True, "1997", 0.1,
                                    0.5, 93)
    rows["5"] = LSTMConfig("5", 2, 2, 2, 1, "F", "all", None, None, True, "1997", 0.1, 0.1, 93,
                           "All weights, gate biases included, random in [-0.1, 0.1] (Section 5.5).")
    rows["6a"] = LSTMConfig("6a", 2, 2, 8, 4, "F", "all", None, (-2.0, -4.0), True, "1997", 0.1, 0.5, 156)
    rows["6b"] = LSTMConfig("6b", 3, 2, 8, 8, "F", "all", None, (-2.0, -4.0, -6.0), True, "1997", 0.1, 0.1, 308)
    return rows


_ROWS = _rows()
#: Names of the rows of Table 10, in the paper's order.
ROWS = tuple(_ROWS)


def config(name: str, **overrides) -> LSTMConfig:
    """The architecture of row ``name`` of Table 10, optionally changed by ``overrides``.

    ``overrides`` are :class:`LSTMConfig` fields, e.g. ``n_blocks=3``, ``input_gate_bias=(-1, -2)``
    (a number sets every block; ``None`` means random), ``alpha=0.2``. Changing ``n_blocks`` without
    giving the gate biases stretches the row's biases by their progression (see :func:`bias_progression`).
    An overridden configuration gets the name ``row*`` and ``paper_weights=None``.
    """
    if name not in _ROWS:
        raise ValueError(f"name must be a row of Table 10, one of {list(ROWS)}; got {name!r}")
    base = _ROWS[name]
    if not overrides:
        return base
    fields = {fld.name for fld in dataclasses.fields(LSTMConfig)} - {"name", "paper_weights", "note"}
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise TypeError(f"unknown override(s) {unknown}; allowed: {sorted(fields)}")
    n_blocks = _checks.positive_int("n_blocks", overrides.get("n_blocks", base.n_blocks), minimum=0)
    for gate in ("output_gate_bias", "input_gate_bias"):
        if gate in overrides:
            value = overrides[gate]
            if isinstance(value, numbers.Real) and not isinstance(value, bool):
                overrides[gate] = (float(value),) * n_blocks
        elif n_blocks != base.n_blocks:
            overrides[gate] = bias_progression(getattr(base, gate), n_blocks)
    return dataclasses.replace(base, name=name + "*", paper_weights=None, **overrides)
