"""The architecture of ``P`` 1997 LSTM networks: units, sources, weights, masks, growth.

S. Hochreiter and J. Schmidhuber, "Long Short-Term Memory", Neural Computation 9(8), 1997, Section 4
(memory cell blocks), Section 5 and Table 10 (connectivity, biases). :class:`LSTMLayout` holds what a
population of networks *is*; :class:`lstm_edu.lstm1997.LSTM1997` adds what it *computes* (forward pass,
truncated gradient, on-line learning).

Layout
------
Per network there are ``B`` memory cell blocks of ``S`` cells each (``C = B S`` cells, block-major
order); each block has one input gate and (except in Experiments 2a/2b) one output gate shared by
its cells (Section 4). The *hidden units* are, in this order, the ``C`` cells, the ``B`` input gates
and the ``B`` output gates. All hidden units read one *source vector* ``y_src(t)`` = [inputs of step t,
hidden activations of step t-1 (connectivity F only), bias 1 (if any hidden unit is biased)]; the output
units read ``y_out_src(t)`` = [inputs of step t (connectivity B only), cell outputs of step t, bias 1
(bias variant "all" only)]. A weight that the architecture of Table 10 does not have is held at 0 by a
fixed 0/1 mask, so that :attr:`LSTMLayout.n_weights` counts exactly the weights of Table 10.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from . import _checks
from .table10 import SQUASHINGS, LSTMConfig, bias_progression, config

#: The largest |weight| of a net that can still learn. Every squashing function is ``offset + scale
#: tanh(x/2)``, and ``tanh(x/2)`` is exactly +-1 in float64 for |x| above about 38 (checked: 38 is, 37.5 is
#: not); there f, g and h are flat, their derivatives (computed from ``tanh``) are exactly 0, and so is every
#: error that passes through the unit. A weight beyond ``MAX_WEIGHT = 1e6`` puts a unit fed by a source of
#: order 1 (anything above 4e-5) through it some 25,000 times beyond that point: the net is saturated and
#: learning has stopped for good (a blown-up net, e.g. weights of ~5e297 with a frozen loss). Healthy nets stay
#: far below: the largest |weight| in the 750 stored records of ``results/lstm1997`` that keep weights is
#: 46.8 (row 1-5_long), a margin of more than 2e4. :meth:`LSTM1997.train` reports such nets as
#: ``saturated``; the experiment runner ends their trials as failures (milestone ``"saturated"``). The usual
#: saturation (alpha 1e4) leaves the weights at ~1e3 and is caught by :data:`lstm_edu.lstm1997.STALL_LOSS`.
MAX_WEIGHT = 1e6


class LSTMLayout:
    """The architecture and weights of ``P`` independent 1997 LSTM networks (leading trial axis ``P``).

    Parameters
    ----------
    cfg: an :class:`LSTMConfig` (e.g. ``config("4-1")``) or a row name of Table 10.
    n_networks: ``P``, the number of independent networks.
    seed: int or ``numpy.random.Generator`` for the initial weights (uniform in ``[-r, r]``, r = ``init_range``;
        gate biases set per block where the configuration gives them).

    Weights
    -------
    ``w_hidden`` (P, H, M) feeds the hidden units from :attr:`source_names`; ``w_output`` (P, n_out, M_out)
    feeds the outputs from :attr:`output_source_names`. Views by unit type: :attr:`cell_weights`,
    :attr:`input_gate_weights`, :attr:`output_gate_weights` (write into them to change a weight).
    Weights the architecture lacks are 0 and stay 0 (masks ``mask_hidden``, ``mask_output``).
    """

    def __init__(self, cfg: LSTMConfig | str, n_networks: int = 1, seed=0):
        self.cfg = config(cfg) if isinstance(cfg, str) else cfg
        if not isinstance(self.cfg, LSTMConfig):
            raise TypeError(f"cfg must be an LSTMConfig or a row name of Table 10, got {type(cfg).__name__}")
        self.P = _checks.positive_int("n_networks", n_networks)
        self._layout()
        gen = _checks.rng(seed)
        r = self.cfg.init_range
        self.w_hidden = gen.uniform(-r, r, (self.P, self.H, self.M)) * self.mask_hidden
        self.w_output = gen.uniform(-r, r, (self.P, self.cfg.n_out, self.M_out)) * self.mask_output
        self._set_gate_biases(range(self.cfg.n_blocks))

    # ----------------------------------------------------------------------------------- layout
    def _layout(self):
        cfg = self.cfg
        B, S, C = cfg.n_blocks, cfg.block_size, cfg.n_cells
        self.B, self.S, self.C = B, S, C
        self.unit_names = ([f"cell[{j},{v}]" for j in range(B) for v in range(S)]
                           + [f"input_gate[{j}]" for j in range(B)]
                           + ([f"output_gate[{j}]" for j in range(B)] if cfg.output_gate else []))
        self.H = len(self.unit_names)
        has_bias = cfg.bias != "none"
        recurrent = self.unit_names if cfg.connectivity == "F" else []
        self.source_names = [f"input[{i}]" for i in range(cfg.n_in)] + recurrent + (["bias"] if has_bias else [])
        self.M = len(self.source_names)
        self.output_source_names = ((([f"input[{i}]" for i in range(cfg.n_in)]) if cfg.connectivity == "B" else [])
                                    + [f"cell[{j},{v}]" for j in range(B) for v in range(S)]
                                    + (["bias"] if cfg.bias == "all" else []))
        self.M_out = len(self.output_source_names)
        mask = np.ones((self.H, self.M))
        if has_bias and cfg.bias == "ga":  # cells have no bias weight
            mask[:C, -1] = 0.0
        self.mask_hidden = mask
        self.mask_output = np.ones((cfg.n_out, self.M_out))
        self._out_cells = slice(cfg.n_in if cfg.connectivity == "B" else 0,
                                (cfg.n_in if cfg.connectivity == "B" else 0) + C)  # cells in y_out_src
        #: The cells' squashing pair (g, h) as (offset, scale) of ``offset + scale tanh(x/2)``; h None = identity.
        self.squashing = SQUASHINGS[cfg.squashing]

    def _set_gate_biases(self, blocks):
        C, B = self.C, self.B
        for j in blocks:
            if self.cfg.input_gate_bias is not None:
                self.w_hidden[:, C + j, -1] = self.cfg.input_gate_bias[j]
            if self.cfg.output_gate_bias is not None:
                self.w_hidden[:, C + B + j, -1] = self.cfg.output_gate_bias[j]

    @property
    def output_cells(self) -> slice:
        """Slice of the cells among the output units' sources (the columns of ``w_output`` fed by cells)."""
        return self._out_cells

    @property
    def n_weights(self) -> int:
        """Weights per network, counted as Table 10 counts them."""
        return int(self.mask_hidden.sum() + self.mask_output.sum())

    @property
    def cell_weights(self) -> np.ndarray:
        """View (P, C, M) of the weights into the cells (rows ``cell[j,v]``)."""
        return self.w_hidden[:, :self.C]

    @property
    def input_gate_weights(self) -> np.ndarray:
        """View (P, B, M) of the weights into the input gates."""
        return self.w_hidden[:, self.C:self.C + self.B]

    @property
    def output_gate_weights(self) -> np.ndarray:
        """View (P, B, M) of the weights into the output gates (empty without output gates)."""
        return self.w_hidden[:, self.C + self.B:]

    def source_index(self, name: str) -> int:
        """Column of ``w_hidden`` for the source ``name`` (e.g. ``"bias"``, ``"input[0]"``, ``"cell[1,0]"``)."""
        return self.source_names.index(_checks.choice("name", name, self.source_names))

    def cell_input_from_gates(self, gate_level: float = 0.5) -> np.ndarray:
        """(P, C): the part of each cell's net input net_c that does not depend on the inputs or the cells,
        when every gate of the previous step sits at ``gate_level``: sum over the gates j of w_{c,j}
        times ``gate_level``, plus the cell's bias weight where it has one.

        With small weights and no gate biases every gate is near f(0) = 1/2, so this term is the same at
        every step of every sequence: a bias of the cell in all but name, even in nets without bias
        weights (Experiment 2c). A constant cell input makes the state drift linearly (Section 4,
        "internal state drift"); :doc:`/book/experiments/long_lags` derives the drift of 2c from it.
        """
        level = _checks.positive_float("gate_level", gate_level, allow_zero=True)
        if level > 1:
            raise ValueError(f"gate_level must lie in [0, 1] (a gate's activation), got {level}")
        gates = [i for i, n in enumerate(self.source_names) if n.startswith(("input_gate", "output_gate"))]
        out = level * self.cell_weights[:, :, gates].sum(axis=2)
        if self.source_names[-1] == "bias":
            out = out + self.cell_weights[:, :, -1]
        return out

    def __repr__(self):
        return (f"{type(self).__name__}({self.cfg.name!r}, P={self.P}, blocks={self.B}x{self.S}, n_in={self.cfg.n_in}, "
                f"n_out={self.cfg.n_out}, weights={self.n_weights})")

    # ---------------------------------------------------------------------------------- building
    @classmethod
    def from_weights(cls, cfg: LSTMConfig | str, w_hidden, w_output) -> "LSTMLayout":
        """A population with the given weights (P, H, M) and (P, n_out, M_out); masks are applied."""
        w_hidden = _checks.array("w_hidden", w_hidden, ndim=3)
        net = cls(cfg, w_hidden.shape[0], seed=0)
        net.w_hidden = _checks.array("w_hidden", w_hidden, shape=(net.P, net.H, net.M)) * net.mask_hidden
        net.w_output = _checks.array("w_output", w_output, shape=(net.P, net.cfg.n_out, net.M_out)) * net.mask_output
        return net

    def select(self, networks) -> "LSTMLayout":
        """A new population holding copies of the networks with indices ``networks`` (int or sequence)."""
        idx = np.atleast_1d(np.asarray(networks))
        if idx.dtype.kind not in "iu" or idx.ndim != 1 or np.any(idx < 0) or np.any(idx >= self.P):
            raise ValueError(f"networks must be indices in [0, {self.P}), got {networks!r}")
        return type(self).from_weights(self.cfg, self.w_hidden[idx], self.w_output[idx])

    def add_block(self, seed, *, input_gate_bias=None, output_gate_bias=None) -> None:
        """Grow every network by one memory cell block, in place (sequential network construction).

        The paper adds a block when the error stops decreasing (Section 4, "abuse problem", remedy 1;
        Experiment 2). Existing weights are kept; every new weight (into and out of the new block's
        units) is drawn uniform in ``[-init_range, init_range]``. The new gates' biases are
        ``input_gate_bias`` / ``output_gate_bias`` if given, else the configuration's progression
        continued (random if the configuration's biases are random; a bias given for a configuration
        with random biases is written into the weights while ``cfg`` keeps ``None``).
        """
        gen = _checks.rng(seed)  # checked before anything changes: a bad seed leaves the networks as they were
        old_cfg, old_src, old_units, old_osrc = self.cfg, self.source_names, self.unit_names, self.output_source_names
        old_h, old_o = self.w_hidden, self.w_output
        n = old_cfg.n_blocks + 1
        biases, new_biases = {}, {}
        for gate, given in (("input_gate_bias", input_gate_bias), ("output_gate_bias", output_gate_bias)):
            current = getattr(old_cfg, gate)
            if given is None:
                biases[gate] = bias_progression(current, n)
            else:
                given = float(_checks.array(gate, given, ndim=0))
                biases[gate] = None if current is None else tuple(current) + (given,)
                new_biases[gate] = given
        if not old_cfg.output_gate:
            biases["output_gate_bias"] = None
        if old_cfg.bias == "none":
            biases = {"input_gate_bias": None, "output_gate_bias": None}
        name = old_cfg.name if old_cfg.name.endswith("*") else old_cfg.name + "*"
        self.cfg = dataclasses.replace(old_cfg, name=name, n_blocks=n, paper_weights=None, **biases)
        self._layout()
        r = self.cfg.init_range
        self.w_hidden = gen.uniform(-r, r, (self.P, self.H, self.M)) * self.mask_hidden
        self.w_output = gen.uniform(-r, r, (self.P, self.cfg.n_out, self.M_out)) * self.mask_output
        self._set_gate_biases([n - 1])
        if "input_gate_bias" in new_biases and self.cfg.bias != "none":
            self.w_hidden[:, self.C + n - 1, -1] = new_biases["input_gate_bias"]
        if "output_gate_bias" in new_biases and self.cfg.bias != "none" and self.cfg.output_gate:
            self.w_hidden[:, self.C + self.B + n - 1, -1] = new_biases["output_gate_bias"]
        rows = [self.unit_names.index(u) for u in old_units]
        cols = [self.source_names.index(s) for s in old_src]
        self.w_hidden[np.ix_(range(self.P), rows, cols)] = old_h
        ocols = [self.output_source_names.index(s) for s in old_osrc]
        self.w_output[:, :, ocols] = old_o

    def weight_health(self) -> tuple[np.ndarray, np.ndarray]:
        """Two (P,) bool arrays: networks with a non-finite weight (NaN, inf), and networks whose weights are
        finite but some |weight| exceeds :data:`MAX_WEIGHT` (saturated: learning has stopped)."""
        # one pass per weight array: the largest |weight| is NaN or inf exactly where a weight is not finite
        largest = np.maximum(np.abs(self.w_hidden).max(axis=(1, 2), initial=0.0),
                             np.abs(self.w_output).max(axis=(1, 2), initial=0.0))
        finite = np.isfinite(largest)
        return ~finite, finite & (largest > MAX_WEIGHT)

    def require_finite_weights(self, networks=None) -> None:
        """Raise :class:`~lstm_edu._checks.NumericalError` naming the networks (all, or those of the index list
        ``networks``) whose weights are not finite (an update diverged): nothing is computed with NaN weights."""
        bad = np.flatnonzero(self.weight_health()[0])
        if networks is not None:
            bad = np.intersect1d(bad, networks)
        if bad.size:
            raise _checks.NumericalError(
                f"the weights of network(s) {bad.tolist()} of {self.P} are not finite (NaN or inf): an earlier "
                "update diverged (try a smaller alpha); keep the others with .select(...) or build new networks")

    def _check_sequence(self, inputs, targets=None, target_mask=None, *, finite_weights=True):
        """``(x, targets, mask)`` checked against the networks, whose weights must be finite if
        ``finite_weights`` (``train``'s report mode reports non-finite ones as diverged instead)."""
        if finite_weights:
            self.require_finite_weights()
        x = _checks.array("inputs", inputs, ndim=3)
        if x.shape[0] != self.P or x.shape[2] != self.cfg.n_in:
            raise ValueError(f"inputs must have shape (P={self.P}, T, n_in={self.cfg.n_in}), got {x.shape}")
        if x.shape[1] < 1:
            raise ValueError("inputs must hold at least one time step (T >= 1)")
        if targets is None:
            return x, None, None
        y = _checks.array("targets", targets, shape=(self.P, x.shape[1], self.cfg.n_out))
        m = _checks.array("target_mask", target_mask, dtype=bool, finite=False)  # a bool is always finite
        if m.shape == (self.P, x.shape[1], self.cfg.n_out):
            # A task's SequenceBatch marks targets per output unit; the paper's errors come per time step.
            if (m != m[:, :, :1]).any():
                raise ValueError("target_mask of shape (P, T, n_out) must be the same for every output unit "
                                 "(errors are given per time step, Appendix A)")
            m = m[:, :, 0]
        elif m.shape != (self.P, x.shape[1]):
            raise ValueError(f"target_mask must have shape (P={self.P}, T={x.shape[1]}) or "
                             f"(P, T, n_out={self.cfg.n_out}), got {m.shape}")
        return x, y, m
