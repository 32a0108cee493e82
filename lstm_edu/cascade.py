"""Recurrent cascade-correlation (Fahlman 1991): a net that grows one frozen, self-recurrent unit at a time.

Table 1 of the 1997 paper quotes RCC on the embedded Reber grammar (7-9 hidden units, 50% success after
182,000 sequences; Fahlman 1991). This module trains it, ``P`` nets on the trial axis.

The net
-------
At every step ``t`` the *features* of a net with ``k`` installed units are
``F(t) = [1, x(t), v_1(t), ..., v_k(t)]``: a bias, the inputs and the installed units of the same step.
Unit ``j`` sees the features before it and its own previous value through one self-recurrent weight:

    v_j(t) = tanh(w_j . F_{<j}(t) + r_j v_j(t-1)),        v_j(0) = 0 before the first step,

and the outputs are logistic, fed by all features: ``y(t) = f(W_out F(t))``.

Training (Fahlman's cycle)
--------------------------
1. *Output phase*: only ``W_out`` learns, minimising the mean squared error per target step
   ``E = mean_(n,t) 1/2 sum_o (y_o - d_o)^2`` over the training set (:func:`output_error`).
2. *Candidate phase*: a pool of candidate units, each fed by every feature and itself, learns to maximise
   Fahlman's ``S = sum_o |C_o|`` with ``C_o = mean_(n,t) (V - mean V)(E_o - mean E_o)``, the covariance of
   its value ``V`` with the residual error ``E_o = y_o - d_o`` of the frozen net (:func:`covariance`).
   Fahlman sums over patterns; the mean only rescales the step size.
3. The candidate with the largest ``S`` is installed and frozen, its output weights start at 0, and the
   output phase begins again; until the net succeeds or ``max_units`` units are installed.

A phase ends, per net, after ``max_epochs`` passes over the training set or when its figure (``E``, or the
best candidate's ``S``) has not changed by ``change_threshold`` (relative) for ``patience`` passes
(Fahlman's patience rule).

The optimiser is *quickprop* (:func:`quickprop`), as in Fahlman's own cascade-correlation programs:
RCC's published figures were obtained with it, and a net grown unit by unit needs each phase to converge
in few passes, which quickprop's secant steps give and plain gradient steps do not (they need a step size
per phase and many more passes). Both phases are epoch-wise: one weight change per pass over the training
set, which quickprop's secant needs (the gradient of one fixed error function from pass to pass).

Counting sequences
------------------
Every pass over the training set presents each of its ``N`` sequences once, whether it trains the outputs
or the candidate pool (the pool shares the pass: the frozen net's features are computed once and all
candidates read them together, as in Fahlman's programs); a net's ``sequences`` are ``N`` times the passes
it trained in. Passes that only test (the success check) are not counted.

The hand-derived gradients
--------------------------
:func:`output_gradient` is the gradient of a one-layer logistic net. :func:`candidate_gradient` carries
the sensitivities of a candidate's value forward in time (an RTRL recursion for one self-recurrent unit):

    dV(t)/dw = f'(t) (F(t) + r dV(t-1)/dw),     dV(t)/dr = f'(t) (V(t-1) + r dV(t-1)/dr),

and ``dS/dw = sum_o sign(C_o) mean_(n,t) (E_o - mean E_o) dV/dw`` (the mean of ``V`` drops out because
the centred errors sum to zero). Both equal autograd's gradient of :func:`output_error` and
:func:`covariance` (``tests/test_cascade.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import autograd.numpy as anp
import numpy as np

from . import _checks
from .activations import traceable_f

#: After Fahlman's cascade-correlation program (Crowder's C port, cascor1.c 1.33): quickprop's largest growth
#: factor mu, the step sizes of the output and candidate phases, patience 8 passes with relative changes 0.01
#: (outputs) and 0.03 (candidates), a pool of 8 candidates, initial weights in [-1, 1]. Left out: its output
#: weight decay 0.0001 and its sigmoid-prime offset 0.1, which change the gradient (here it is the error's).
#: Passes per phase at most 100 (the program asks for them): our choice.
SETTINGS = {"mu": 2.0, "output_epsilon": 0.35, "candidate_epsilon": 1.0, "max_epochs": 100, "patience": 8,
            "output_change": 0.01, "candidate_change": 0.03, "n_candidates": 8, "weight_range": 1.0}


# ----------------------------------------------------------------------------------------------------
# The net: forward passes (autograd-traceable, unchecked)
# ----------------------------------------------------------------------------------------------------

def unit_values(w, r, F):
    """Values of self-recurrent units fed by ``F``: ``w`` (P, C, n_f), ``r`` (P, C), ``F`` (P, N, T, n_f)
    -> ``V`` (P, C, N, T), ``V(t) = tanh(w . F(t) + r V(t-1))``."""
    net_in = anp.einsum("pntf,pcf->pcnt", F, w)
    values, v = [], 0.0
    for t in range(F.shape[2]):
        v = anp.tanh(net_in[:, :, :, t] + r[:, :, None] * v)
        values.append(v)
    return anp.stack(values, axis=3)


def with_unit(F, w, r):
    """``F`` with the values of one more installed unit ``(w (P, n_f), r (P,))`` appended as its last feature."""
    return np.concatenate([F, unit_values(w[:, None], r[:, None], F)[:, 0, ..., None]], axis=3)


def output_values(w_out, F):
    """Logistic outputs ``y = f(W_out F)``: ``w_out`` (P, n_out, n_f), ``F`` (P, N, T, n_f) -> (P, N, T, n_out)."""
    return traceable_f(anp.einsum("pntf,pof->pnto", F, w_out))


def output_error(w_out, F, targets, mask):
    """(P,) ``E = mean over target steps of 1/2 sum_o (y_o - d_o)^2``; ``mask`` (P, N, T) marks target steps."""
    y = output_values(w_out, F)
    sq = 0.5 * anp.sum((y - targets) ** 2, axis=3)
    return anp.sum(sq * mask, axis=(1, 2)) / np.sum(mask, axis=(1, 2))


def covariance(w, r, F, residual, mask):
    """(P, C) Fahlman's ``S = sum_o |C_o|`` of candidates ``(w, r)`` with the ``residual`` (P, N, T, n_out)."""
    V = unit_values(w, r, F)                                          # (P, C, N, T)
    m = mask.astype(float)
    n = m.sum(axis=(1, 2))                                            # (P,)
    v_mean = anp.sum(V * m[:, None], axis=(2, 3)) / n[:, None]        # (P, C)
    e_mean = np.sum(residual * m[..., None], axis=(1, 2)) / n[:, None]  # (P, n_out)
    dv = (V - v_mean[:, :, None, None]) * m[:, None]
    de = residual - e_mean[:, None, None, :]
    cov = anp.einsum("pcnt,pnto->pco", dv, de) / n[:, None, None]
    return anp.sum(anp.abs(cov), axis=2)


# ----------------------------------------------------------------------------------------------------
# The hand-derived gradients
# ----------------------------------------------------------------------------------------------------

def output_gradient(w_out, F, targets, mask):
    """``(E, dE/dW_out)`` of :func:`output_error`: the error signal ``(y - d) y (1 - y)`` times the features."""
    y = output_values(w_out, F)
    m = mask / mask.sum(axis=(1, 2), keepdims=True)
    E = np.sum(0.5 * ((y - targets) ** 2).sum(axis=3) * m, axis=(1, 2))
    delta = (y - targets) * y * (1.0 - y) * m[..., None]
    return E, np.einsum("pnto,pntf->pof", delta, F)


def candidate_gradient(w, r, F, residual, mask):
    """``(S, dS/dw, dS/dr, V)`` of :func:`covariance`, the sensitivities carried forward in time (RTRL).

    ``dV(t)/dw = f'(t) (F(t) + r dV(t-1)/dw)``, ``dV(t)/dr = f'(t) (V(t-1) + r dV(t-1)/dr)``; per output
    ``G_o = mean (E_o - mean E_o) dV/dw`` is summed over the steps, then ``dS/dw = sum_o sign(C_o) G_o``.
    """
    m = mask.astype(float)
    n = m.sum(axis=(1, 2))
    e_mean = np.sum(residual * m[..., None], axis=(1, 2)) / n[:, None]
    de = (residual - e_mean[:, None, None, :]) * m[..., None] / n[:, None, None, None]   # (P, N, T, O)
    net_in = np.einsum("pntf,pcf->pcnt", F, w)
    P, C, N, T = net_in.shape
    v = np.zeros((P, C, N))
    dv_dw, dv_dr = np.zeros((P, C, N, F.shape[3])), np.zeros((P, C, N))
    cov, g_w, g_r = np.zeros((P, C, de.shape[3])), np.zeros((P, C, de.shape[3], F.shape[3])), 0.0
    values = np.empty((P, C, N, T))
    for t in range(T):
        v_new = np.tanh(net_in[..., t] + r[:, :, None] * v)
        prime = (1.0 - v_new ** 2)[..., None]
        dv_dw = prime * (F[:, None, :, t] + r[:, :, None, None] * dv_dw)
        dv_dr = prime[..., 0] * (v + r[:, :, None] * dv_dr)
        v = values[..., t] = v_new
        cov += np.einsum("pcn,pno->pco", v, de[:, :, t])
        g_w += np.einsum("pno,pcnf->pcof", de[:, :, t], dv_dw)
        g_r = g_r + np.einsum("pno,pcn->pco", de[:, :, t], dv_dr)
    sign = np.sign(cov)
    return np.abs(cov).sum(axis=2), np.einsum("pco,pcof->pcf", sign, g_w), np.sum(sign * g_r, axis=2), values


# ----------------------------------------------------------------------------------------------------
# Quickprop (Fahlman 1988), elementwise, as in Fahlman's programs
# ----------------------------------------------------------------------------------------------------

@dataclass
class Quickprop:
    """Quickprop's memory of one weight array: the previous slope and step (zeros at the start)."""

    slope: np.ndarray
    step: np.ndarray

    @classmethod
    def like(cls, weights: np.ndarray) -> "Quickprop":
        return cls(np.zeros_like(weights), np.zeros_like(weights))


def quickprop(weights, slope, state: Quickprop, epsilon: float, mu: float, active) -> np.ndarray:
    """One quickprop step minimising an error with gradient ``slope``; returns the new weights.

    Where the last step was 0: a gradient step ``-epsilon slope``. Otherwise the secant step
    ``step_prev slope / (slope_prev - slope)`` to the minimum of the parabola through the two slopes, capped
    at ``mu`` times the last step (when the slope shrank by less than ``mu / (1 + mu)`` or grew), plus the
    gradient step while the slope still points the same way as the last step. ``active`` (P,) bool: nets
    whose weights change (the others keep weights and memory).
    """
    shrink = mu / (1.0 + mu)
    d, p, s = state.step, state.slope, slope
    same_way = np.where(d > 0, s < 0, s > 0)
    capped = np.where(d > 0, s <= shrink * p, s >= shrink * p) | (p == s)
    denominator = np.where(capped, 1.0, p - s)
    secant = np.where(capped, mu * d, d * s / denominator)
    step = np.where(d == 0, -epsilon * s, secant - np.where(same_way, epsilon * s, 0.0))
    on = np.reshape(np.asarray(active, dtype=bool), (-1,) + (1,) * (weights.ndim - 1))
    state.step = np.where(on, step, state.step)
    state.slope = np.where(on, s, state.slope)
    return weights + np.where(on, step, 0.0)


# ----------------------------------------------------------------------------------------------------
# The growing net and its training
# ----------------------------------------------------------------------------------------------------

@dataclass
class CascadeNet:
    """``P`` cascade nets with ``k`` installed units: ``units[j] = (w_j (P, 1 + n_in + j), r_j (P,))``,
    ``w_out`` (P, n_out, 1 + n_in + k); ``n_units`` (P,) the units each net really installed (a net that
    stopped growing gets units with zero weights, which change nothing it computes)."""

    n_in: int
    n_out: int
    w_out: np.ndarray
    units: list = field(default_factory=list)
    n_units: np.ndarray | None = None

    def __post_init__(self):
        self.n_in = _checks.positive_int("n_in", self.n_in)
        self.n_out = _checks.positive_int("n_out", self.n_out)
        self.w_out = _checks.array("w_out", self.w_out, ndim=3)
        want = (self.n_out, 1 + self.n_in + len(self.units))
        if self.w_out.shape[1:] != want:
            raise ValueError(f"w_out must have shape (P, {want[0]}, {want[1]}), got {self.w_out.shape}")
        if self.n_units is None:
            self.n_units = np.full(self.w_out.shape[0], len(self.units))

    @classmethod
    def initial(cls, n_in: int, n_out: int, seeds, weight_range: float = SETTINGS["weight_range"]) -> "CascadeNet":
        """Nets without hidden units, output weights uniform in ``[-weight_range, weight_range]``, one per
        seed (a seed, SeedSequence or Generator each)."""
        weight_range = _checks.positive_float("weight_range", weight_range)
        shape = (_checks.positive_int("n_out", n_out), 1 + _checks.positive_int("n_in", n_in))
        w = np.stack([_checks.rng(s).uniform(-weight_range, weight_range, size=shape) for s in seeds])
        return cls(n_in, n_out, w)

    @property
    def P(self) -> int:
        return self.w_out.shape[0]

    def n_weights(self) -> np.ndarray:
        """(P,) weights of each net: its installed units' (incoming and self) and the outputs'."""
        k = self.n_units
        return (k * (1 + self.n_in) + k * (k - 1) // 2 + k) + self.n_out * (1 + self.n_in + k)

    def features(self, x) -> np.ndarray:
        """``F`` (P, N, T, 1 + n_in + k) of inputs ``x`` (P, N, T, n_in): bias, inputs, installed units."""
        x = _checks.array("x", x, shape=(self.P, None, None, self.n_in))
        F = np.concatenate([np.ones(x.shape[:3] + (1,)), x], axis=3)
        for w, r in self.units:
            F = with_unit(F, w, r)
        return F

    def outputs(self, x) -> np.ndarray:
        """(P, N, T, n_out) outputs on inputs ``x`` (P, N, T, n_in)."""
        return output_values(self.w_out, self.features(x))

    def install(self, w, r, grow) -> None:
        """Install unit ``(w (P, n_f), r (P,))`` in the nets ``grow`` (P,) bool; the others get a zero unit."""
        grow = np.asarray(grow, dtype=bool)
        self.units.append((np.where(grow[:, None], w, 0.0), np.where(grow, r, 0.0)))
        self.w_out = np.concatenate([self.w_out, np.zeros((self.P, self.n_out, 1))], axis=2)
        self.n_units = self.n_units + grow


@dataclass
class Data:
    """A training set per net: ``x`` (P, N, T, n_in), ``targets`` (P, N, T, n_out), ``mask`` (P, N, T) bool."""

    x: np.ndarray
    targets: np.ndarray
    mask: np.ndarray

    @property
    def n_sequences(self) -> int:
        return self.x.shape[1]


class _Patience:
    """Fahlman's patience rule per net: stagnant after ``patience`` passes without a relative change of
    ``threshold`` in the phase's figure."""

    def __init__(self, P: int, patience: int, threshold: float):
        self.last = np.full(P, np.nan)
        self.quit_at = np.full(P, patience)
        self.epoch, self.patience, self.threshold = 0, patience, threshold

    def stagnant(self, value) -> np.ndarray:
        changed = ~(np.abs(value - self.last) <= self.threshold * np.abs(self.last))
        self.last = np.where(changed, value, self.last)
        self.quit_at = np.where(changed, self.epoch + self.patience, self.quit_at)
        self.epoch += 1
        return ~changed & (self.epoch > self.quit_at)


def train_outputs(net: CascadeNet, F, data: Data, left, solved, settings: dict):
    """The output phase: quickprop on ``W_out`` for at most ``left`` (P,) passes per net (0: the net does
    not train); returns ``(passes (P,), done (P,))``.

    ``solved(net, y)`` (y the outputs of the pass, (P, N, T, n_out)) -> (P,) bool: nets that now succeed;
    they stop at once (``net`` holds the weights that produced ``y``) and are returned in ``done``.
    """
    state, active = Quickprop.like(net.w_out), left > 0
    passes, done = np.zeros(net.P, dtype=int), np.zeros(net.P, dtype=bool)
    patience = _Patience(net.P, settings["patience"], settings["output_change"])
    for _ in range(settings["max_epochs"]):
        active &= passes < left
        if not active.any():
            break
        passes += active
        E, grad = output_gradient(net.w_out, F, data.targets, data.mask)
        done |= active & solved(net, output_values(net.w_out, F))
        active &= ~done
        net.w_out = quickprop(net.w_out, grad, state, settings["output_epsilon"], settings["mu"], active)
        active &= ~patience.stagnant(E)
    return passes, done


def train_candidates(F, residual, mask, left, seeds, settings: dict):
    """The candidate phase: a pool per net, quickprop ascent on ``S`` for at most ``left`` (P,) passes;
    returns ``(w, r, S, passes)`` of the best candidate of each net (its largest ``S``). ``seeds``: one
    Generator per net (initial candidates uniform in ``[-weight_range, weight_range]``)."""
    C, scale = settings["n_candidates"], settings["weight_range"]
    w = np.stack([g.uniform(-scale, scale, size=(C, F.shape[3])) for g in seeds])
    r = np.stack([g.uniform(-scale, scale, size=C) for g in seeds])
    w_state, r_state, active = Quickprop.like(w), Quickprop.like(r), left > 0
    passes = np.zeros(len(seeds), dtype=int)
    patience = _Patience(len(seeds), settings["patience"], settings["candidate_change"])
    for _ in range(settings["max_epochs"]):
        active &= passes < left
        if not active.any():
            break
        passes += active
        S, g_w, g_r, _ = candidate_gradient(w, r, F, residual, mask)
        eps, mu = settings["candidate_epsilon"], settings["mu"]
        w = quickprop(w, -g_w, w_state, eps, mu, active)
        r = quickprop(r, -g_r, r_state, eps, mu, active)
        active &= ~patience.stagnant(S.max(axis=1))
    S = covariance(w, r, F, residual, mask)
    best = S.argmax(axis=1)
    rows = np.arange(len(seeds))
    return w[rows, best], r[rows, best], S[rows, best], passes


def check_settings(settings: dict) -> dict:
    """:data:`SETTINGS` updated by ``settings``; ValueError naming an unknown or bad setting."""
    out = dict(SETTINGS)
    for name, value in settings.items():
        _checks.choice("setting", name, SETTINGS)
        if name in ("max_epochs", "patience", "n_candidates"):
            out[name] = _checks.positive_int(name, value)
        else:
            out[name] = _checks.positive_float(name, value)
    return out


def grow(net: CascadeNet, data: Data, seeds, solved, max_units: int, budget: int, **settings) -> dict:
    """Train ``net`` (changed in place) on ``data`` by Fahlman's cycle until it succeeds or has ``max_units``.

    ``seeds``: one Generator per net for its candidates. ``solved(net, y)`` as in :func:`train_outputs`.
    ``budget``: most training sequences per net; a net stops (failure) when it has spent them.
    Returns per net ``success`` (P,) bool, ``sequences`` (P,) int (:data:`module docstring <lstm_edu.cascade>`
    says how they are counted), ``output_passes`` and ``candidate_passes`` (P,), ``covariances`` (P, units).
    """
    max_units = _checks.positive_int("max_units", max_units, minimum=0)
    budget = _checks.positive_int("budget", budget)
    settings = check_settings(settings)
    if len(seeds) != net.P:
        raise ValueError(f"seeds must hold one generator per net ({net.P}), got {len(seeds)}")
    N = data.n_sequences
    out_passes, cand_passes = np.zeros(net.P, dtype=int), np.zeros(net.P, dtype=int)
    success, covs, running = np.zeros(net.P, dtype=bool), [], np.ones(net.P, dtype=bool)
    F = net.features(data.x)

    def left(running):
        return np.where(running, (budget - N * (out_passes + cand_passes)) // N, 0)

    while True:
        passes, done = train_outputs(net, F, data, left(running), solved, settings)
        out_passes += passes
        success |= done
        running &= ~done & (left(running) > 0)
        if not running.any() or len(net.units) >= max_units:
            break
        residual = output_values(net.w_out, F) - data.targets
        w, r, S, passes = train_candidates(F, residual, data.mask, left(running), seeds, settings)
        cand_passes += passes
        covs.append(np.where(running, S, np.nan))
        net.install(w, r, running)
        F = with_unit(F, *net.units[-1])
    return {"success": success, "sequences": N * (out_passes + cand_passes), "output_passes": out_passes,
            "candidate_passes": cand_passes,
            "covariances": np.stack(covs, axis=1) if covs else np.zeros((net.P, 0))}
