"""Alternatives to gradient descent for long time lags (Bengio, Simard and Frasconi 1994, Sec. IV) and
random weight guessing (Schmidhuber and Hochreiter 1996), on the fully recurrent nets of
:mod:`lstm_edu.recurrent`.

The 1994 paper's exact update rules and settings are not available to us; every method below is the
standard published form named in its docstring, with our own settings, stated as parameters.

Common frame
------------
A :class:`Problem` is a :class:`~lstm_edu.recurrent.RecurrentConfig` whose weights are split into
*free* ones (the parameter vector ``theta`` that a method searches) and *fixed* ones (held at given
values), plus a tolerance: a sequence is classified correctly when the absolute error of the output
at its last step is below ``tolerance``. A method *solves the training set* when every training
sequence is correct. Every method runs ``P`` independent trials at once (the trial axis), each with
its own training set and random stream, and stops a trial the moment it solves its training set or
its budget of *evaluations* is spent. One evaluation is one pass over the trial's training set at one
weight vector (forward only, or forward and backward for the gradient methods); for guessing it is
one guess. :class:`Outcome` reports, per trial, whether it solved the training set, the evaluations
and the training sequences it used, and its final ``theta``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
from tqdm.auto import tqdm

from . import _checks, recurrent, tasks
from .results import RESULTS_DIR, code_version, write_record
from .tasks import SequenceBatch


# ----------------------------------------------------------------------------------------------------
# Problems and training data
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Problem:
    """A recurrent net with free and fixed weights, and the success tolerance at the sequence end.

    ``free``: bool ``(n_units, n_sources)``, the weights a method searches (``theta`` lists them in
    row-major order); ``fixed``: the values of the other weights. ``init_scale``: the local methods
    (gradient descent, pseudo-Newton, annealing, multi-grid, discrete) start from free weights uniform
    in ``[-init_scale, init_scale]``.
    """

    config: recurrent.RecurrentConfig
    free: np.ndarray
    fixed: np.ndarray
    tolerance: float
    init_scale: float = 1.0

    def __post_init__(self):
        shape = (self.config.n_units, self.config.n_sources)
        free = _checks.array("free", self.free, shape=shape, dtype=bool)
        if not free.any():
            raise ValueError("free must mark at least one weight as free")
        object.__setattr__(self, "free", free)
        object.__setattr__(self, "fixed", _checks.array("fixed", self.fixed, shape=shape) * ~free)
        object.__setattr__(self, "tolerance", _checks.positive_float("tolerance", self.tolerance))
        object.__setattr__(self, "init_scale", _checks.positive_float("init_scale", self.init_scale))

    @property
    def n_free(self) -> int:
        """Number of free weights (the length of ``theta``)."""
        return int(self.free.sum())

    def weights(self, theta) -> np.ndarray:
        """Full weight arrays ``(N, n_units, n_sources)`` for ``theta`` of shape ``(N, n_free)``."""
        theta = _checks.array("theta", theta, shape=(None, self.n_free))
        W = np.repeat(self.fixed[None], theta.shape[0], axis=0)
        W[:, self.free] = theta
        return W


def latch_problem() -> Problem:
    """Latch variant I (Bengio et al. 1994; Schmidhuber and Hochreiter 1996): 3 free parameters.

    One tanh unit ``y_t = tanh(a_t)``, ``a_t = w y_{t-1} + h_t``: the free weights are the recurrent
    weight ``w`` and the weights of input lines 0 and 1 of :func:`lstm_edu.tasks.latch`, which are the two
    free initial inputs (one per class); the noise line has fixed weight 1. Targets +-0.8; tolerance 0.8
    means *the sign of the final output is right* (``|y - 0.8| < 0.8`` iff ``y > 0`` for ``y < 1``).
    """
    config = recurrent.RecurrentConfig(n_in=3, n_hidden=0, n_out=1, activation="tanh", bias=False)
    free = np.array([[True, True, False, True]])
    fixed = np.array([[0.0, 0.0, 1.0, 0.0]])
    return Problem(config, free, fixed, tolerance=0.8)


def small_net_problem(tolerance: float = 0.5) -> Problem:
    """Bengio et al.'s parity net: 1 input, 1 biased hidden unit, 1 output, fully recurrent, logistic.

    All 8 weights are free. Tolerance 0.5 is a correct classification (output on the right side of 0.5).
    """
    config = recurrent.RecurrentConfig(n_in=1, n_hidden=1, n_out=1, activation="logistic")
    shape = (config.n_units, config.n_sources)
    return Problem(config, np.ones(shape, dtype=bool), np.zeros(shape), tolerance=tolerance)


class TrainingData(NamedTuple):
    """Sequences of ``P`` trials, each with its own ``S`` sequences: ``x`` ``(P, S, T, n_in)``,
    ``targets`` ``(P, S)`` (the target at the last step), ``lengths`` ``(P, S)``."""

    x: np.ndarray
    targets: np.ndarray
    lengths: np.ndarray

    @classmethod
    def stack(cls, batches: list[SequenceBatch]) -> "TrainingData":
        """One trial per :class:`~lstm_edu.tasks.SequenceBatch` (padded to the longest sequence)."""
        T = max(b.x.shape[1] for b in batches)
        x = np.stack([np.pad(b.x, ((0, 0), (0, T - b.x.shape[1]), (0, 0))) for b in batches])
        rows = [np.arange(len(b.lengths)) for b in batches]
        targets = np.stack([b.targets[r, b.lengths - 1, 0] for b, r in zip(batches, rows)])
        return cls(x, targets, np.stack([b.lengths for b in batches]))

    def rows(self, trial, seqs):
        """Inputs, lengths and targets for pairs (trial[n], each sequence in seqs): ``(N * len(seqs), ...)``."""
        pick = (np.asarray(trial)[:, None], np.arange(self.x.shape[1])[seqs][None, :])
        lengths = self.lengths[pick].reshape(-1)
        T = int(lengths.max())
        x = self.x[:, :, :T][pick].reshape(-1, T, self.x.shape[3])
        return x, lengths, self.targets[pick].reshape(-1)


def evaluate(problem: Problem, theta, trial, data: TrainingData, seqs=slice(None), *, hard=False):
    """Final outputs ``(N, S')`` of the nets ``theta`` ``(N, n_free)`` on their trials' sequences ``seqs``.

    ``trial`` ``(N,)`` says which trial's data each weight vector sees. ``hard=True`` runs the
    hard-threshold net of :func:`threshold_forward` (the net of discrete error propagation).
    """
    theta = np.asarray(theta)
    trial = np.asarray(trial)
    x, lengths, _ = data.rows(trial, seqs)
    S = len(lengths) // len(trial)
    W = np.repeat(problem.weights(theta), S, axis=0)
    y = threshold_forward(problem, W, x) if hard else recurrent.forward(problem.config, W, x)
    out = y[np.arange(len(lengths)), lengths - 1, problem.config.n_hidden]
    return out.reshape(len(trial), S)


def _targets_for(data: TrainingData, trial, seqs=slice(None)):
    return data.targets[np.asarray(trial)][:, seqs]


class Outcome(NamedTuple):
    """Per trial ``(P,)``: ``solved`` the training set, ``evaluations`` and ``sequences`` used
    (up to and including the solving evaluation), and the final free weights ``theta`` ``(P, n_free)``."""

    solved: np.ndarray
    evaluations: np.ndarray
    sequences: np.ndarray
    theta: np.ndarray


class _Trials:
    """Book-keeping shared by the methods: the active trials, their costs and their solutions."""

    def __init__(self, problem, data, seeds, budget):
        self.problem = problem
        self.data = data
        self.budget = _checks.positive_int("budget", budget)
        self.P = data.x.shape[0]
        self.S = data.x.shape[1]
        if len(seeds) != self.P:
            raise ValueError(f"seeds must give one seed per trial ({self.P}), got {len(seeds)}")
        self.gens = [_checks.rng(s) for s in seeds]
        self.active = np.arange(self.P)
        self.solved = np.zeros(self.P, dtype=bool)
        self.evaluations = np.zeros(self.P, dtype=int)
        self.sequences = np.zeros(self.P, dtype=int)
        self.theta = np.zeros((self.P, problem.n_free))

    def uniform(self, scale, size):
        """Draws uniform in [-scale, scale] of shape ``(n_active, *size)``, from each trial's own stream."""
        return np.stack([self.gens[p].uniform(-scale, scale, size=size) for p in self.active])

    def initial_theta(self):
        return self.uniform(self.problem.init_scale, (self.problem.n_free,))

    def correct(self, outputs, seqs=slice(None), trial=None):
        trial = self.active if trial is None else trial
        return np.abs(outputs - _targets_for(self.data, trial, seqs)) < self.problem.tolerance

    def charge(self, n_evaluations=1, n_sequences=None):
        """Add the cost of the active trials (scalars or one value per active trial); the sequences
        default to ``n_evaluations`` full passes over the training set."""
        self.evaluations[self.active] += n_evaluations
        self.sequences[self.active] += np.asarray(n_evaluations) * self.S if n_sequences is None else n_sequences

    def finish(self, done, theta):
        """Record trials ``done`` (bool over the active ones) as solved with ``theta``; keep the rest.

        Returns the mask of active trials that stay (also to index the methods' own state arrays).
        """
        self.solved[self.active[done]] = True
        self.theta[self.active] = theta
        keep = ~done & (self.evaluations[self.active] < self.budget)
        self.active = self.active[keep]
        return keep

    def outcome(self):
        return Outcome(self.solved, self.evaluations, self.sequences, self.theta)


def _loss(outputs, targets):
    """Mean over sequences of ``1/2 (y - d)^2`` at the sequence ends, ``(N,)``."""
    return 0.5 * np.mean((outputs - targets) ** 2, axis=-1)


# ----------------------------------------------------------------------------------------------------
# The methods
# ----------------------------------------------------------------------------------------------------

def _output_jacobian(problem, theta, trials, outputs, per_step):
    """``d y_end / d theta`` for every trial's every training sequence: ``(N, S, n_free)``, or with
    ``per_step`` the contribution of each time step ``(N, S, T, n_free)``.

    BPTT with the target set to ``y_end - 1`` makes the injected error ``y - d`` equal 1, so
    :func:`lstm_edu.recurrent.bptt_gradient` returns exactly the derivative of the output.
    """
    x, lengths, _ = trials.data.rows(trials.active, slice(None))
    S = trials.S
    W = np.repeat(problem.weights(theta), S, axis=0)
    n_rows, T = x.shape[:2]
    targets = np.zeros((n_rows, T, 1))
    mask = np.zeros((n_rows, T, 1))
    targets[np.arange(n_rows), lengths - 1, 0] = outputs.reshape(-1) - 1.0
    mask[np.arange(n_rows), lengths - 1, 0] = 1.0
    _, grad = recurrent.bptt_gradient(problem.config, W, x, targets, mask, per_step=per_step)
    free = grad[..., problem.free]  # (rows, [T,] n_free)
    return free.reshape(len(theta), S, *free.shape[1:])


def _gradient_method(problem, data, seeds, budget, *, per_step, change):
    """The loop shared by the gradient-based methods: evaluate the training set, stop the trials that
    solved it, else add ``change(err, J)`` to ``theta``, with ``err = y_end - d`` shaped to broadcast
    against ``J`` (per-sequence output Jacobians from BPTT, per time step if ``per_step``)."""
    trials = _Trials(problem, data, seeds, budget)
    theta = trials.initial_theta()
    while trials.active.size:
        out = evaluate(problem, theta, trials.active, data)
        trials.charge()
        done = trials.correct(out).all(axis=1)
        J = _output_jacobian(problem, theta, trials, out, per_step=per_step)
        err = out - _targets_for(data, trials.active)
        err = err.reshape(*err.shape, *([1] * (J.ndim - 2)))
        theta = np.where(done[:, None], theta, theta + change(err, J))
        theta = theta[trials.finish(done, theta)]
    return trials.outcome()


def gradient_descent(problem, data, seeds, budget, *, learning_rate=1.0):
    """Plain batch gradient descent with BPTT, the baseline (Bengio et al. 1994, Sec. II).

    Each evaluation: forward pass on the training set; stop if solved; else
    ``theta <- theta - learning_rate * dE/dtheta`` with ``E`` the mean over training sequences of
    ``1/2 (y_end - d)^2``, the gradient by :func:`lstm_edu.recurrent.bptt_gradient`.
    """
    learning_rate = _checks.positive_float("learning_rate", learning_rate)

    def change(err, J):
        return -learning_rate * np.mean(err * J, axis=1)

    return _gradient_method(problem, data, seeds, budget, per_step=False, change=change)


def pseudo_newton(problem, data, seeds, budget, *, learning_rate=0.1, mu=0.1, time_weighted=True):
    """Diagonal pseudo-Newton (Becker and LeCun 1988), optionally time-weighted (Bengio et al. 1994).

    With ``J_t = d y_end / d theta`` restricted to the weights' use at step ``t`` (per-step BPTT) and
    ``e = y_end - d``, the gradient of ``E`` is ``g = mean_s sum_t e J_t`` and the Gauss-Newton
    (Levenberg-Marquardt) approximation of its diagonal second derivative is ``h = mean_s (sum_t J_t)^2``.
    Becker and LeCun's step is ``-learning_rate * g / (|h| + mu)``. The *time-weighted* variant applies
    the same normalisation to each time step's contribution separately,

        theta <- theta - learning_rate * sum_t g_t / (h_t + mu),  g_t = mean_s e J_t,  h_t = mean_s J_t^2,

    so that a long-range contribution, small in ``g_t`` because ``J_t`` has vanished, is divided by a
    correspondingly small curvature and is not swamped by the short-range terms. (Our reading of the
    method's name; the 1994 paper's exact rule was not available.)
    """
    learning_rate = _checks.positive_float("learning_rate", learning_rate)
    mu = _checks.positive_float("mu", mu)

    def change(err, J):
        step = np.mean(err * J, axis=1) / (np.mean(J * J, axis=1) + mu)
        return -learning_rate * (step.sum(axis=1) if time_weighted else step)

    return _gradient_method(problem, data, seeds, budget, per_step=time_weighted, change=change)


def _evaluate_start(problem, data, trials):
    """Evaluate every trial's random starting point (one evaluation each); trials whose start already
    solves the training set finish. Returns ``(theta, loss)`` of the trials still active."""
    theta = trials.initial_theta()
    out = evaluate(problem, theta, trials.active, data)
    trials.charge()
    done = trials.correct(out).all(axis=1)
    loss = _loss(out, _targets_for(data, trials.active))
    keep = trials.finish(done, theta)
    return theta[keep], loss[keep]


def simulated_annealing(problem, data, seeds, budget, *, temperature=0.1, cooling=0.85, n_cycles=20,
                        n_adjust=5, step=1.0, max_step=100.0, c=2.0):
    """Simulated annealing for continuous variables (Corana, Marchesi, Martini and Ridella 1987).

    From ``theta`` with loss ``f`` (mean ``1/2 (y_end - d)^2``), each coordinate ``k`` in turn gets a
    trial move ``theta'_k = theta_k + u v_k`` with ``u`` uniform in [-1, 1]; it is accepted if
    ``f' <= f``, otherwise with probability ``exp(-(f' - f) / temperature)`` (Metropolis). After
    ``n_cycles`` sweeps each step length is adjusted from its acceptance ratio ``a_k``:
    ``v_k *= 1 + c (a_k - 0.6) / 0.4`` if ``a_k > 0.6``, ``v_k /= 1 + c (0.4 - a_k) / 0.4`` if
    ``a_k < 0.4`` (capped at ``max_step``); after ``n_adjust`` adjustments the temperature is multiplied
    by ``cooling``. Corana et al. use ``n_cycles = 20``, ``c = 2``, ``cooling = 0.85`` and
    ``n_adjust = max(100, 5 n)``; we use ``n_adjust = 5`` to cool within our budgets. Each move costs
    one evaluation; the trial stops as soon as any evaluated point solves the training set.
    """
    temperature = _checks.positive_float("temperature", temperature)
    for name, value in (("cooling", cooling), ("step", step), ("max_step", max_step), ("c", c)):
        _checks.positive_float(name, value)
    n_cycles = _checks.positive_int("n_cycles", n_cycles)
    n_adjust = _checks.positive_int("n_adjust", n_adjust)
    trials = _Trials(problem, data, seeds, budget)
    n = problem.n_free
    theta, f = _evaluate_start(problem, data, trials)
    v = np.full_like(theta, step)
    temp = np.full(len(theta), temperature)
    accepted = np.zeros_like(theta)
    move = 0
    while trials.active.size:
        k = move % n
        u = np.stack([trials.gens[p].uniform(-1.0, 1.0) for p in trials.active])
        cand = theta.copy()
        cand[:, k] += u * v[:, k]
        out = evaluate(problem, cand, trials.active, data)
        trials.charge()
        done = trials.correct(out).all(axis=1)
        f_new = _loss(out, _targets_for(data, trials.active))
        r = np.stack([trials.gens[p].uniform() for p in trials.active])
        accept = (f_new <= f) | (r < np.exp(-np.maximum(f_new - f, 0.0) / temp)) | done
        theta[accept] = cand[accept]
        f = np.where(accept, f_new, f)
        accepted[:, k] += accept
        move += 1
        if move % (n * n_cycles) == 0:
            ratio = accepted / n_cycles
            v = np.where(ratio > 0.6, v * (1 + c * (ratio - 0.6) / 0.4), v)
            v = np.where(ratio < 0.4, v / (1 + c * (0.4 - ratio) / 0.4), v)
            v = np.minimum(v, max_step)
            accepted[:] = 0
            if move % (n * n_cycles * n_adjust) == 0:
                temp = temp * cooling
        keep = trials.finish(done, theta)
        theta, f, v, temp, accepted = theta[keep], f[keep], v[keep], temp[keep], accepted[keep]
    return trials.outcome()


def multigrid_random_search(problem, data, seeds, budget, *, n_samples=20, n_levels=4, radius=10.0,
                            shrink=0.3):
    """Multi-grid random search: random sampling in a box that shrinks from coarse to fine.

    Around the current best point ``c`` (initially the usual random start), level ``l = 0 .. n_levels-1``
    draws ``n_samples`` points uniform in the box ``c +- radius * shrink^l`` (every coordinate) and moves
    ``c`` to the best of them if it beats ``c``; after the finest level the search restarts at the
    coarsest level around the new ``c``. Each sample costs one evaluation.
    """
    n_samples = _checks.positive_int("n_samples", n_samples)
    n_levels = _checks.positive_int("n_levels", n_levels)
    radius = _checks.positive_float("radius", radius)
    shrink = _checks.positive_float("shrink", shrink)
    trials = _Trials(problem, data, seeds, budget)
    center, best = _evaluate_start(problem, data, trials)
    level = 0
    while trials.active.size:
        N = trials.active.size
        width = radius * shrink ** level
        cand = center[:, None, :] + trials.uniform(width, (n_samples, problem.n_free))
        out = evaluate(problem, cand.reshape(N * n_samples, -1), np.repeat(trials.active, n_samples), data)
        out = out.reshape(N, n_samples, -1)
        targets = _targets_for(data, trials.active)[:, None, :]
        within = np.arange(n_samples)[None, :] < (budget - trials.evaluations[trials.active])[:, None]
        ok = (np.abs(out - targets) < problem.tolerance).all(axis=2) & within
        loss = np.where(within, _loss(out, targets), np.inf)
        first_ok = np.argmax(ok, axis=1)
        done = ok.any(axis=1)
        pick = np.where(done, first_ok, np.argmin(loss, axis=1))
        cost = np.where(done, first_ok + 1, within.sum(axis=1))
        trials.charge(cost)
        rows = np.arange(N)
        better = done | (loss[rows, pick] < best)
        center = np.where(better[:, None], cand[rows, pick], center)
        best = np.where(better, loss[rows, pick], best)
        level = (level + 1) % n_levels
        keep = trials.finish(done, center)
        center, best = center[keep], best[keep]
    return trials.outcome()


def random_guessing(problem, data, seeds, budget, *, scale=100.0, block=64):
    """Random weight guessing (Schmidhuber and Hochreiter 1996): repeat { draw every free weight uniform in
    ``[-scale, scale]`` } until the net classifies all training sequences correctly.

    Guesses are drawn in blocks of ``block`` per trial, in the order of the trial's random stream, and
    the first correct guess counts. A guess is checked on the training sequences in chunks of 1, 1, 2,
    4, ... sequences and dropped at its first error (the result is the same as checking all at once;
    ``sequences`` counts the sequences actually run). Each guess costs one evaluation.
    """
    scale = _checks.positive_float("scale", scale)
    block = _checks.positive_int("block", block)
    trials = _Trials(problem, data, seeds, budget)
    chunks, start, size = [], 0, 1
    while start < trials.S:
        chunks.append(slice(start, min(start + size, trials.S)))
        start, size = start + size, (size if start == 0 else 2 * size)
    while trials.active.size:
        N = trials.active.size
        k = np.minimum(block, budget - trials.evaluations[trials.active])
        guesses = trials.uniform(scale, (block, problem.n_free))
        alive = np.arange(block)[None, :] < k[:, None]
        n_seqs = np.zeros((N, block), dtype=int)
        for seqs in chunks:
            pairs = np.nonzero(alive)
            if not pairs[0].size:
                break
            out = evaluate(problem, guesses[pairs], trials.active[pairs[0]], data, seqs)
            n_seqs[pairs] += out.shape[1]
            alive[pairs] = trials.correct(out, seqs, trials.active[pairs[0]]).all(axis=1)
        done = alive.any(axis=1)
        first = np.where(done, np.argmax(alive, axis=1), k - 1)
        used = np.arange(block)[None, :] <= first[:, None]
        trials.charge(first + 1, (n_seqs * used).sum(axis=1))
        trials.finish(done, guesses[np.arange(N), first])
    return trials.outcome()


def threshold_forward(problem: Problem, W, x):
    """Hard-threshold version of the net: ``y_i(t) = step(net_i(t))``, ``(P, T, n_units)``.

    ``step`` is ``1[net >= 0]`` (values 0/1) for a logistic config and ``sign`` (values -1/+1, sign(0) = 1)
    for a tanh config: the limits of the smooth units for large weights.
    """
    config = problem.config
    W = W if config.mask is None else W * config.mask
    P, T, _ = x.shape
    low = 0.0 if config.activation == "logistic" else -1.0
    y = np.zeros((P, config.n_units))
    ys = []
    for t in range(T):
        parts = ([np.ones((P, 1))] if config.bias else []) + [x[:, t], y]
        y = np.where(np.einsum("pij,pj->pi", W, np.concatenate(parts, axis=1)) >= 0, 1.0, low)
        ys.append(y)
    return np.stack(ys, axis=1)


def discrete_error_propagation(problem, data, seeds, budget, *, learning_rate=0.1):
    """Discrete error propagation through hard-threshold units (our rule; Bengio et al.'s is not available).

    Forward: :func:`threshold_forward`. At each sequence's end the output error is the discrete signal
    ``delta_k(T_s) = sign(d - y_k)`` (zero when the thresholded output is on the target's side; the
    target is the class, 0/1 or -1/+1). It is propagated back through time with the derivative of the
    step replaced by 1 and the result quantised again,

        delta_i(t) = sign( [t = T_s] delta_i^out + sum_l w_li delta_l(t+1) ),

    and every weight moves as in the perceptron rule, ``w_ij += learning_rate * mean_s sum_t delta_i(t)
    source_j(t)``, only the free weights. The training set counts as solved when the thresholded net
    gets every sequence right; success is then judged with the same thresholded net.
    """
    learning_rate = _checks.positive_float("learning_rate", learning_rate)
    trials = _Trials(problem, data, seeds, budget)
    config = problem.config
    theta = trials.initial_theta()
    low = 0.0 if config.activation == "logistic" else -1.0
    while trials.active.size:
        N, S = trials.active.size, trials.S
        x, lengths, targets = data.rows(trials.active, slice(None))
        W = np.repeat(problem.weights(theta), S, axis=0)
        y = threshold_forward(problem, W, x)
        rows = np.arange(len(lengths))
        out = y[rows, lengths - 1, config.n_hidden]
        trials.charge()
        done = (np.abs(out - targets) < problem.tolerance).reshape(N, S).all(axis=1)
        wanted = np.where(targets > 0.5 * (1.0 + low), 1.0, low)
        e = np.zeros_like(y)
        e[rows, lengths - 1, config.n_hidden] = np.sign(wanted - out)
        parts = ([np.ones(x.shape[:2] + (1,))] if config.bias else []) + \
            [x, np.concatenate([np.zeros_like(y[:, :1]), y[:, :-1]], axis=1)]
        sources = np.concatenate(parts, axis=2)
        R = (W if config.mask is None else W * config.mask)[:, :, config.recurrent]
        delta = np.zeros_like(y)
        back = np.zeros_like(y[:, 0])
        for t in range(y.shape[1] - 1, -1, -1):
            delta[:, t] = np.sign(e[:, t] + back)
            back = np.einsum("pli,pl->pi", R, delta[:, t])
        dW = np.einsum("pti,ptj->pij", delta, sources)[:, problem.free].reshape(N, S, -1).mean(axis=1)
        theta = np.where(done[:, None], theta, theta + learning_rate * dW)
        theta = theta[trials.finish(done, theta)]
    return trials.outcome()


#: The methods compared in the book, by name.
METHODS = {
    "gradient_descent": gradient_descent,
    "time_weighted_pseudo_newton": pseudo_newton,
    "simulated_annealing": simulated_annealing,
    "multigrid_random_search": multigrid_random_search,
    "discrete_error_propagation": discrete_error_propagation,
    "random_guessing": random_guessing,
}


# ----------------------------------------------------------------------------------------------------
# Experiments: ``python -m lstm_edu alternatives`` regenerates results/alternatives/
# ----------------------------------------------------------------------------------------------------

#: Where the stored records live: one JSON file per trial.
RESULTS = RESULTS_DIR / "alternatives"
TASKS = ("latch", "two_sequence", "parity")
LENGTHS = (5, 10, 20, 50, 100, 200)
N_SEEDS = 20
#: Evaluations (passes over the training set, or guesses) each method may spend per trial.
BUDGET = 1000
N_TRAIN, N_TEST = 20, 100
#: Read-out steps with zero input after the last parity element (the output of the nets of
#: :mod:`lstm_edu.recurrent` needs one to see the hidden units' response to the last element).
PARITY_READOUT_STEPS = 1
#: Settings of each method in the comparison (the step sizes from a scan over 0.3, 1, 3, 10 at T <= 20).
SETTINGS = {
    "gradient_descent": {"learning_rate": 10.0},
    "time_weighted_pseudo_newton": {"learning_rate": 1.0, "mu": 0.1, "time_weighted": True},
    "simulated_annealing": {"temperature": 0.1, "cooling": 0.85, "n_cycles": 20, "n_adjust": 5, "step": 1.0},
    "multigrid_random_search": {"n_samples": 20, "n_levels": 4, "radius": 10.0, "shrink": 0.3},
    "discrete_error_propagation": {"learning_rate": 0.1},
    "random_guessing": {"scale": 100.0, "block": 64},
}


def comparison_task(task: str, T: int, seed, n_sequences: int):
    """The :class:`Problem` and ``n_sequences`` sequences of ``task`` at length ``T`` for the comparison.

    latch: variant I, length ``T``; two_sequence: one informative element, lengths uniform in
    ``[T/2, T]`` (Bengio et al.'s range); parity: ``[T/2, T]`` elements with input noise uniform in
    [-0.2, 0.2] (Bengio et al.'s parity with lengths scaled to ``T``), then ``PARITY_READOUT_STEPS``
    read-out steps with zero input (see :func:`lstm_edu.tasks.parity`). The two latter run on the 1-input,
    1-hidden, 1-output logistic net; success means zero classification errors.
    """
    _checks.choice("task", task, TASKS)
    if task == "latch":
        return latch_problem(), tasks.latch(n_sequences, T, seed)
    if task == "two_sequence":
        return small_net_problem(), tasks.two_sequence(n_sequences, max(2, T // 2), T, seed)
    return small_net_problem(), tasks.parity(n_sequences, max(1, T // 2), T, seed, input_noise=0.2,
                                             readout_steps=PARITY_READOUT_STEPS)


def _with_pm1_targets(batch: SequenceBatch) -> SequenceBatch:
    """Targets 1/0 turned into +1/-1 (latch variant II)."""
    return batch._replace(targets=np.where(batch.target_mask, 2.0 * batch.targets - 1.0, 0.0))


def _a2_mask(self_connections: bool) -> np.ndarray:
    """Architecture A2 (Schmidhuber and Hochreiter 1996): 10 hidden units, each seeing the bias, the
    input, the output unit and (optionally) itself; the output unit sees everything."""
    config = recurrent.RecurrentConfig(n_in=1, n_hidden=10, n_out=1)
    mask = np.zeros((config.n_units, config.n_sources))
    mask[:, :2] = 1.0  # bias and input
    mask[:10, config.recurrent.start + 10] = 1.0  # hidden <- output
    if self_connections:
        mask[np.arange(10), config.recurrent.start + np.arange(10)] = 1.0
    mask[10] = 1.0
    return mask


def guessing_variant(name: str, seed, n_sequences: int):
    """Problem and data of the random-guessing experiments (Schmidhuber and Hochreiter 1996).

    Lengths 500-600 (parity: 500-600 elements, then ``PARITY_READOUT_STEPS`` read-out steps), logistic
    units for parity (targets 1/0), inputs +-1, a sequence is correct when the
    final absolute error is below 0.1, except latch variant I, whose targets +-0.8 are unreachable within
    0.1 by a saturated unit: there we count the sign (tolerance 0.8).
    """
    _checks.choice("name", name, GUESSING)
    if name == "latch_I":
        return latch_problem(), tasks.latch(n_sequences, 500, seed, max_length=600)
    if name == "latch_II":
        config = recurrent.RecurrentConfig(n_in=1, n_hidden=0, n_out=1, activation="tanh")
        problem = Problem(config, np.ones((1, 3), dtype=bool), np.zeros((1, 3)), tolerance=0.1)
        return problem, _with_pm1_targets(tasks.two_sequence(n_sequences, 500, 600, seed))
    data = tasks.parity(n_sequences, 500, 600, seed, readout_steps=PARITY_READOUT_STEPS)
    if name == "parity_A1":
        return small_net_problem(tolerance=0.1), data
    mask = _a2_mask(self_connections=name == "parity_A2")
    config = recurrent.RecurrentConfig(n_in=1, n_hidden=10, n_out=1, mask=mask)
    return Problem(config, mask.astype(bool), np.zeros(mask.shape), tolerance=0.1), data


#: Guessing experiments: name -> (mean trials reported by Schmidhuber and Hochreiter 1996, description,
#: our number of runs, our budget of guesses per run). Parity (with one read-out step, see
#: :func:`guessing_variant`) gets fewer runs and a smaller budget to keep the regeneration within minutes:
#: 10 runs of at most 20,000 guesses, about 7 times the paper's largest mean (2,906).
GUESSING = {
    "latch_I": (6, "latch variant I (3 free parameters)", 40, 100_000),
    "latch_II": (22, "latch variant II (1 tanh unit: self, input, bias)", 40, 100_000),
    "parity_A1": (2906, "parity, A1 with n = 1", 10, 20_000),
    "parity_A2": (2797, "parity, A2", 10, 20_000),
    "parity_A2_no_self": (250, "parity, A2 without hidden self-connections", 10, 20_000),
}


def _seed(*parts) -> np.random.SeedSequence:
    return np.random.SeedSequence([int(p) for p in parts])


def _run_cell(problem, method, train, test, seeds, budget, settings):
    """Run ``method`` on the trials of one cell and judge each solution on its test set."""
    outcome = METHODS[method](problem, train, seeds, budget, **settings)
    hard = method == "discrete_error_propagation"
    P = train.x.shape[0]
    out = evaluate(problem, outcome.theta, np.arange(P), test, hard=hard)
    accuracy = (np.abs(out - test.targets) < problem.tolerance).mean(axis=1)
    return outcome, accuracy


def _record(experiment, seed, config, budget, outcome, p, accuracy, wall, version):
    return {
        "experiment": experiment, "seed": int(seed), "config": config, "budget": int(budget),
        "code_version": version, "solved_training": bool(outcome.solved[p]),
        "test_accuracy": float(accuracy[p]), "success": bool(outcome.solved[p] and accuracy[p] == 1.0),
        "evaluations": int(outcome.evaluations[p]), "sequences": int(outcome.sequences[p]),
        "theta": outcome.theta[p].tolist(), "wall_s_per_trial": wall,
    }


def comparison_cell(task: str, T: int, method: str, seeds, budget: int = BUDGET):
    """One cell of the comparison: ``method`` on ``task`` at length ``T`` for the trials ``seeds``.

    Each trial's training set (``N_TRAIN`` sequences), test set (``N_TEST``) and random stream come from
    its seed, the task and ``T`` only. Returns the :class:`Outcome` and each trial's test accuracy.
    """
    _checks.choice("method", method, METHODS)
    t_id = TASKS.index(_checks.choice("task", task, TASKS))
    seeds = [int(s) for s in seeds]
    problem = comparison_task(task, T, 0, 2)[0]
    train = TrainingData.stack([comparison_task(task, T, _seed(t_id, T, s, 0), N_TRAIN)[1] for s in seeds])
    test = TrainingData.stack([comparison_task(task, T, _seed(t_id, T, s, 1), N_TEST)[1] for s in seeds])
    return _run_cell(problem, method, train, test, [_seed(t_id, T, s, 2) for s in seeds], budget,
                     SETTINGS[method])


def run_comparison(directory=None, *, lengths=LENGTHS, n_seeds=N_SEEDS, budget=BUDGET, progress=True):
    """Every method on every task and length, ``n_seeds`` trials each; resumable, one record per trial.

    A trial's training set, test set and random stream come from its seed, task and length only, so
    the record does not depend on which other trials ran alongside it.
    """
    version = code_version()  # taken once: the code this run executes
    directory = (RESULTS / "comparison") if directory is None else Path(directory)
    cells = [(task, T, method) for task in TASKS for T in lengths for method in METHODS]
    bar = tqdm(total=len(cells) * n_seeds, desc="alternatives", disable=not progress)
    for task, T, method in cells:
        paths = {s: directory / f"{task}_T{T:03d}_{method}_seed{s:02d}.json" for s in range(n_seeds)}
        todo = [s for s, path in paths.items() if not path.exists()]
        bar.update(n_seeds - len(todo))
        if not todo:
            continue
        start = time.perf_counter()
        outcome, accuracy = comparison_cell(task, T, method, todo, budget)
        wall = (time.perf_counter() - start) / len(todo)
        config = {"task": task, "T": T, "method": method, "settings": SETTINGS[method],
                  "n_train": N_TRAIN, "n_test": N_TEST, "tolerance": comparison_task(task, T, 0, 2)[0].tolerance}
        if task == "parity":
            config["readout_steps"] = PARITY_READOUT_STEPS
        for p, s in enumerate(todo):
            write_record(paths[s], _record("comparison", s, config, budget, outcome, p, accuracy, wall, version))
        bar.update(len(todo))
    bar.close()


def run_guessing(directory=None, *, progress=True):
    """Random weight guessing on Schmidhuber and Hochreiter's (1996) tasks: 100 training and 100 test
    sequences per run, the runs and budgets of :data:`GUESSING`; resumable, one record per run."""
    version = code_version()  # taken once: the code this run executes
    directory = (RESULTS / "guessing") if directory is None else Path(directory)
    bar = tqdm(total=sum(v[2] for v in GUESSING.values()), desc="guessing", disable=not progress)
    for v_id, (name, (paper, _, runs, budget)) in enumerate(GUESSING.items()):
        paths = {s: directory / f"{name}_run{s:02d}.json" for s in range(runs)}
        todo = [s for s, path in paths.items() if not path.exists()]
        bar.update(runs - len(todo))
        if not todo:
            continue
        problem = guessing_variant(name, 0, 2)[0]
        train = TrainingData.stack([guessing_variant(name, _seed(100 + v_id, s, 0), 100)[1] for s in todo])
        test = TrainingData.stack([guessing_variant(name, _seed(100 + v_id, s, 1), 100)[1] for s in todo])
        settings = {"scale": 100.0, "block": 64}
        start = time.perf_counter()
        outcome, accuracy = _run_cell(problem, "random_guessing", train, test,
                                      [_seed(100 + v_id, s, 2) for s in todo], budget, settings)
        wall = (time.perf_counter() - start) / len(todo)
        config = {"variant": name, "method": "random_guessing", "settings": settings, "n_train": 100,
                  "n_test": 100, "lengths": [500, 600], "tolerance": problem.tolerance,
                  "paper_mean_trials": paper}
        if name.startswith("parity"):
            config["readout_steps"] = PARITY_READOUT_STEPS
        for p, s in enumerate(todo):
            write_record(paths[s], _record("guessing", s, config, budget, outcome, p, accuracy, wall, version))
        bar.update(len(todo))
    bar.close()


def summarise(records, keys):
    """Group records by ``keys`` (names in ``record["config"]``): per group the number of trials, the
    fraction that solved their training set, the success rate (training set solved and every test
    sequence right), the mean evaluations and sequences of the successful trials (NaN if none), and the
    mean evaluations over all trials."""
    groups = {}
    for r in records:
        groups.setdefault(tuple(r["config"][k] for k in keys), []).append(r)
    table = {}
    for key, rs in sorted(groups.items()):
        ok = [r for r in rs if r["success"]]
        table[key] = {
            "n": len(rs), "solved_rate": float(np.mean([r["solved_training"] for r in rs])),
            "success_rate": len(ok) / len(rs),
            "evaluations_successful": float(np.mean([r["evaluations"] for r in ok])) if ok else float("nan"),
            "sequences_successful": float(np.mean([r["sequences"] for r in ok])) if ok else float("nan"),
            "evaluations_all": float(np.mean([r["evaluations"] for r in rs])),
        }
    return table


def add_arguments(parser):
    parser.add_argument("--part", choices=["all", "comparison", "guessing"], default="all",
                        help="which experiments to run (default: all)")
    parser.add_argument("--out", default=str(RESULTS), help="results directory (default: results/alternatives)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def main(args):
    out = Path(args.out)
    start = time.perf_counter()
    if args.part in ("all", "comparison"):
        run_comparison(out / "comparison", progress=not args.quiet)
    if args.part in ("all", "guessing"):
        run_guessing(out / "guessing", progress=not args.quiet)
    print(f"alternatives: done in {time.perf_counter() - start:.0f} s; records in {out}")
    return 0
