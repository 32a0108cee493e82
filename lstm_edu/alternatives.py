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

The benchmarks (the latch, 2-sequence and parity nets and data) and the study that runs every method
on them (``results/alternatives``) are in :mod:`lstm_edu.bengio_study`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _checks, recurrent
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
    theta = np.asarray(theta)  # checked by problem.weights
    trial = _checks.int_array("trial", trial, ndim=1)
    hard = _checks.boolean("hard", hard)
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

    def finish(self, done, theta, spent=False):
        """Record trials ``done`` (bool over the active ones) as solved with ``theta``; keep the rest but
        those whose budget is ``spent`` (or whose evaluations reached the budget).

        Returns the mask of active trials that stay (also to index the methods' own state arrays).
        """
        self.solved[self.active[done]] = True
        self.theta[self.active] = theta
        keep = ~done & ~np.asarray(spent) & (self.evaluations[self.active] < self.budget)
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

def output_jacobian(problem, theta, trial, data, outputs, per_step=False):
    """``d y_end / d theta`` of the nets ``theta`` ``(N, n_free)`` on every sequence of their trials
    ``trial`` ``(N,)``: ``(N, S, n_free)``, or with ``per_step`` the contribution of each time step
    ``(N, S, T, n_free)``. ``outputs``: the final outputs ``(N, S)`` (from :func:`evaluate`).

    BPTT with the target set to ``y_end - 1`` makes the injected error ``y - d`` equal 1, so
    :func:`lstm_edu.recurrent.bptt_gradient` returns exactly the derivative of the output.
    """
    x, lengths, _ = data.rows(trial, slice(None))
    S = data.x.shape[1]
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
        J = output_jacobian(problem, theta, trials.active, data, out, per_step=per_step)
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


def random_guessing(problem, data, seeds, budget, *, scale=100.0, block=64, max_sequences=None):
    """Random weight guessing (Schmidhuber and Hochreiter 1996): repeat { draw every free weight uniform in
    ``[-scale, scale]`` } until the net classifies all training sequences correctly.

    Guesses are drawn in blocks of ``block`` per trial, in the order of the trial's random stream, and
    the first correct guess counts. A guess is checked on the training sequences in chunks of 1, 1, 2,
    4, ... sequences and dropped at its first error (the result is the same as checking all at once;
    ``sequences`` counts the sequences actually run). Each guess costs one evaluation. ``max_sequences``
    also caps the sequences: a guess counts only if its sequences fit within the cap.
    """
    scale = _checks.positive_float("scale", scale)
    block = _checks.positive_int("block", block)
    cap = np.inf if max_sequences is None else _checks.positive_int("max_sequences", max_sequences)
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
        total = trials.sequences[trials.active][:, None] + np.cumsum(n_seqs, axis=1)
        fits = (np.arange(block)[None, :] < k[:, None]) & (total <= cap)  # a prefix of the block
        alive &= fits
        done = alive.any(axis=1)
        first = np.where(done, np.argmax(alive, axis=1), fits.sum(axis=1) - 1)  # -1: none fits
        used = np.arange(block)[None, :] <= first[:, None]
        trials.charge(first + 1, (n_seqs * used).sum(axis=1))
        last = np.where(first[:, None] >= 0, guesses[np.arange(N), first], trials.theta[trials.active])
        trials.finish(done, last, spent=fits.sum(axis=1) < k)
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
