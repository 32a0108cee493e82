"""Bengio et al.'s alternatives to gradient descent and random guessing: the methods (lstm_edu.alternatives)."""

import numpy as np
import pytest

from lstm_edu import alternatives as A
from lstm_edu import bengio_study as B
from lstm_edu import latching, recurrent
from lstm_edu.tasks import latch, parity


def _latch_data(T, seeds, S=8):
    return A.TrainingData.stack([latch(S, T, 100 + s) for s in seeds])


def test_latch_problem_is_the_one_unit_latch_map():
    """The recurrent net of latch_problem computes y_t = tanh(a_t), a_t = w tanh(a_{t-1}) + h_t."""
    problem = B.latch_problem()
    b = latch(2, 12, seed=3)
    w, h_pos, h_neg = 1.7, 0.9, -1.3
    theta = np.array([[h_pos, h_neg, w]])
    y = recurrent.forward(problem.config, np.repeat(problem.weights(theta), 2, axis=0), b.x)[:, :, 0]
    for p, h1 in ((0, h_neg), (1, h_pos)):  # sequence p has class p % 2
        noise = b.x[p, 1:, 2]
        a = [h1]
        for t in range(11):
            a.append(latching.latch_map(a[-1], w) + noise[t])
        assert np.allclose(y[p], np.tanh(a), atol=1e-13)


def test_weights_place_theta_in_the_free_entries():
    problem = B.latch_problem()
    W = problem.weights(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    assert np.array_equal(W, [[[1.0, 2.0, 1.0, 3.0]], [[4.0, 5.0, 1.0, 6.0]]])


def test_output_jacobian_matches_finite_differences():
    problem = B.small_net_problem()
    data = A.TrainingData.stack([parity(3, 4, 7, seed=s) for s in (0, 1)])
    trials = A._Trials(problem, data, [0, 1], budget=10)
    theta = trials.uniform(1.5, (problem.n_free,))
    out = A.evaluate(problem, theta, trials.active, data)
    J = A.output_jacobian(problem, theta, trials.active, data, out)
    J_steps = A.output_jacobian(problem, theta, trials.active, data, out, per_step=True)
    assert np.allclose(J_steps.sum(axis=2), J, atol=1e-14)
    eps = 1e-6
    for k in range(problem.n_free):
        d = np.zeros(problem.n_free)
        d[k] = eps
        fd = (A.evaluate(problem, theta + d, trials.active, data)
              - A.evaluate(problem, theta - d, trials.active, data)) / (2 * eps)
        assert np.allclose(J[:, :, k], fd, rtol=1e-5, atol=1e-9)
    assert np.abs(J).max() > 1e-3


def test_small_net_solves_parity_with_one_readout_step():
    """A hand-built solution of the comparison's (and A1's) net: the hidden unit h fires for x = +1 after
    even parity, the output o for x = -1 after odd parity, so the parity is h + o; at the read-out step
    (x = 0) o computes h or o. Without the read-out step no weights can be right on every sequence."""
    problem = B.small_net_problem(tolerance=0.1)  # sources: bias, x, h, o
    theta = 50.0 * np.array([[-0.5, 1.0, -2.0, -2.0, -1.5, -1.0, 2.0, 2.0]])
    for T in (5, 50, 200):
        data = A.TrainingData.stack([B.comparison_task("parity", T, T, 100)[1]])
        assert np.abs(A.evaluate(problem, theta, [0], data) - data.targets).max() < 1e-6
    data = A.TrainingData.stack([B.guessing_variant("parity_A1", 1, 100)[1]])
    assert np.abs(A.evaluate(problem, theta, [0], data) - data.targets).max() < 1e-6
    plain = A.TrainingData.stack([parity(200, 25, 50, 1, input_noise=0.2, readout_steps=0)])
    correct = np.abs(A.evaluate(problem, theta, [0], plain) - plain.targets) < 0.5
    assert 0.6 < correct.mean() < 0.9  # o alone: right except after odd parity and x = +1


def test_threshold_forward_is_the_large_weight_limit_of_the_smooth_net():
    problem = B.small_net_problem()
    W = recurrent.init_weights(problem.config, 5, seed=2, scale=1.0)
    x = parity(5, 10, 10, seed=4).x
    hard = A.threshold_forward(problem, W, x)
    smooth = recurrent.forward(problem.config, 1e4 * W, x)
    assert set(np.unique(hard)) <= {0.0, 1.0}
    assert np.allclose(hard, smooth, atol=1e-6)


def test_pseudo_newton_step_by_hand():
    """One time-weighted step on a single-parameter problem, against the formula computed directly."""
    problem = B.latch_problem()
    data = _latch_data(4, [0], S=2)
    theta0 = A._Trials(problem, data, [5], budget=1).initial_theta()
    out = A.evaluate(problem, theta0, [0], data)
    trials = A._Trials(problem, data, [5], budget=1)
    J = A.output_jacobian(problem, theta0, trials.active, data, out, per_step=True)[0]  # (S, T, n_free)
    e = (out - data.targets)[0]
    expected = theta0[0] - 0.5 * sum(np.mean(e[:, None] * J[:, t], axis=0) / (np.mean(J[:, t] ** 2, axis=0) + 0.2)
                                     for t in range(J.shape[1]))
    result = A.pseudo_newton(problem, data, [5], 1, learning_rate=0.5, mu=0.2)  # one step
    assert not result.solved[0]  # the start does not solve it, so exactly one step was taken
    assert np.allclose(result.theta[0], expected, atol=1e-12)
    assert not np.allclose(result.theta[0], theta0[0], atol=1e-3)
    # without time weighting: Becker and LeCun's step on the summed gradient and curvature
    J_total = J.sum(axis=1)
    plain = theta0[0] - 0.5 * np.mean(e[:, None] * J_total, axis=0) / (np.mean(J_total ** 2, axis=0) + 0.2)
    result = A.pseudo_newton(problem, data, [5], 1, learning_rate=0.5, mu=0.2, time_weighted=False)
    assert np.allclose(result.theta[0], plain, atol=1e-12)
    assert not np.allclose(plain, expected, atol=1e-3)


def test_discrete_error_propagation_step_by_hand():
    """One update of rule (alt-dep) on the latch, against scalar loops over the sequences and steps."""
    problem = B.latch_problem()
    data = _latch_data(4, [0], S=4)
    theta0 = A._Trials(problem, data, [9], budget=1).initial_theta()[0]
    h_pos, h_neg, w = theta0
    update = np.zeros(3)
    n_wrong = 0
    for s in range(4):
        x = data.x[0, s]
        y_prev, ys, srcs = 0.0, [], []
        for t in range(4):
            net = h_pos * x[t, 0] + h_neg * x[t, 1] + 1.0 * x[t, 2] + w * y_prev
            srcs.append((x[t, 0], x[t, 1], y_prev))
            y_prev = 1.0 if net >= 0 else -1.0
            ys.append(y_prev)
        wanted = 1.0 if data.targets[0, s] > 0 else -1.0
        n_wrong += ys[-1] != wanted
        delta_next = 0.0
        for t in range(3, -1, -1):
            e = np.sign(wanted - ys[-1]) if t == 3 else 0.0
            delta = np.sign(e + w * delta_next)
            update += delta * np.array(srcs[t])
            delta_next = delta
    assert n_wrong > 0 and np.abs(update).max() > 0  # otherwise nothing would move
    result = A.discrete_error_propagation(problem, data, [9], 1, learning_rate=0.3)
    assert not result.solved[0]
    assert np.allclose(result.theta[0], theta0 + 0.3 * update / 4, atol=1e-12)


@pytest.mark.parametrize("method", sorted(A.METHODS))
def test_each_method_solves_an_easy_latch(method):
    seeds = [0, 1, 2, 3]
    data = _latch_data(5, seeds)
    settings = dict(B.SETTINGS[method])
    outcome = A.METHODS[method](B.latch_problem(), data, seeds, 300, **settings)
    # our discrete rule is the weakest local method on the noisy latch (see the chapter)
    assert outcome.solved.sum() >= (2 if method == "discrete_error_propagation" else 3), outcome
    assert np.all(outcome.evaluations <= 300) and np.all(outcome.evaluations >= 1)
    # a solved trial's theta really classifies its training set
    hard = method == "discrete_error_propagation"
    out = A.evaluate(B.latch_problem(), outcome.theta, np.arange(4), data, hard=hard)
    correct = (np.abs(out - data.targets) < 0.8).all(axis=1)
    assert np.array_equal(correct[outcome.solved], np.ones(outcome.solved.sum(), dtype=bool))


@pytest.mark.parametrize("method", sorted(A.METHODS))
def test_budget_is_respected_when_nothing_solves(method):
    seeds = [0, 1]
    data = A.TrainingData.stack([parity(6, 8, 10, 200 + s, input_noise=0.2) for s in seeds])
    outcome = A.METHODS[method](B.small_net_problem(), data, seeds, 7, **B.SETTINGS[method])
    assert np.all(outcome.evaluations[~outcome.solved] == 7)
    assert np.all(outcome.evaluations <= 7)


def test_guessing_does_not_depend_on_the_block_size():
    seeds = [0, 1, 2]
    data = A.TrainingData.stack([parity(6, 3, 5, 300 + s) for s in seeds])
    a = A.random_guessing(B.small_net_problem(), data, seeds, 400, block=1)
    b = A.random_guessing(B.small_net_problem(), data, seeds, 400, block=64)
    assert np.array_equal(a.evaluations, b.evaluations) and np.array_equal(a.solved, b.solved)
    assert np.allclose(a.theta, b.theta)
    assert a.solved.any()
    assert np.all(np.abs(a.theta) <= 100.0)


def test_guessing_sequence_cap_keeps_every_trial_that_fits():
    """A cap on sequences leaves every trial whose uncapped run fits within it unchanged, and ends the
    others with at most the cap (never a guess that would cross it)."""
    seeds = [0, 1, 2, 3]
    data = A.TrainingData.stack([parity(6, 3, 5, 300 + s) for s in seeds])
    free = A.random_guessing(B.small_net_problem(), data, seeds, 400, block=8)
    assert len(set(free.sequences.tolist())) > 2
    for cap in sorted(set(free.sequences.tolist())) + [int(free.sequences.min()) - 1]:
        capped = A.random_guessing(B.small_net_problem(), data, seeds, 400, block=8, max_sequences=cap)
        fits = free.sequences <= cap
        for field in capped._fields:
            assert np.array_equal(getattr(capped, field)[fits], getattr(free, field)[fits])
        assert np.all(capped.sequences <= cap) and not np.any(capped.solved[~fits])
        assert np.all(capped.sequences[~fits] > cap - data.x.shape[1])  # stopped only when no guess fits


def test_slider_stack_links_slider_to_panels(monkeypatch):
    import ipywidgets
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lstm_edu import widgets

    def draw(T):
        fig, ax = plt.subplots()
        ax.plot([0, T])
        return fig

    links, jslink = [], ipywidgets.jslink
    monkeypatch.setattr(ipywidgets, "jslink", lambda a, b: links.append((a, b)) or jslink(a, b))
    box = widgets.slider_stack([5, 10, 20], draw, description="T")
    slider, stack = box.children
    assert isinstance(stack, ipywidgets.Stack) and len(stack.children) == 3
    assert all(isinstance(c, ipywidgets.Image) and c.value[:4] == b"\x89PNG" for c in stack.children)
    assert list(slider.options) == ["5", "10", "20"] and slider.index == 0 and stack.selected_index == 0
    assert stack.children[0].value != stack.children[2].value
    assert links == [((slider, "index"), (stack, "selected_index"))]
    with pytest.raises(ValueError, match="settings must hold"):
        widgets.slider_stack([], draw)
    with pytest.raises(TypeError, match="draw must be"):
        widgets.slider_stack([1], None)


@pytest.mark.parametrize("call, match", [
    (lambda: A.Problem(B.latch_problem().config, np.zeros((1, 4), dtype=bool), np.zeros((1, 4)), 0.5),
     "free must mark"),
    (lambda: A.Problem(B.latch_problem().config, np.ones((1, 3), dtype=bool), np.zeros((1, 3)), 0.5),
     "free must have shape"),
    (lambda: A.gradient_descent(B.latch_problem(), _latch_data(5, [0]), [0], 0), "budget must be"),
    (lambda: A.gradient_descent(B.latch_problem(), _latch_data(5, [0]), [0, 1], 5), "one seed per trial"),
    (lambda: A.gradient_descent(B.latch_problem(), _latch_data(5, [0]), [0], 5, learning_rate=-1.0),
     "learning_rate"),
    (lambda: B.latch_problem().weights(np.zeros((2, 4))), "theta must have shape"),
])
def test_bad_inputs_raise(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def _sequential_by_hand(W, x, n_hidden, f):
    """The sequential order written as a plain loop over units: hidden units from the previous step's
    activations, then each output from the bias, the input, the hidden units' new and the outputs' old values."""
    n_units = W.shape[0]
    y_prev, ys = [0.0] * n_units, []
    for x_t in x:
        sources = [1.0, *x_t, *y_prev]
        h = [f(sum(W[i, j] * sources[j] for j in range(len(sources)))) for i in range(n_hidden)]
        sources = [1.0, *x_t, *h, *y_prev[n_hidden:]]
        o = [f(sum(W[k, j] * sources[j] for j in range(len(sources)))) for k in range(n_hidden, n_units)]
        y_prev = h + o
        ys.append(y_prev)
    return np.array(ys)


@pytest.mark.parametrize("activation", recurrent.ACTIVATIONS)
def test_sequential_order_is_the_loop_over_units(activation):
    """recurrent.forward in the sequential order (3 hidden units, 2 outputs, a mask) equals the plain loop above,
    and differs from the synchronous order on the same weights."""
    rng = np.random.default_rng(5)
    mask = (rng.uniform(size=(5, 8)) < 0.8).astype(float)
    config = recurrent.RecurrentConfig(n_in=2, n_hidden=3, n_out=2, activation=activation, mask=mask,
                                       order="sequential")
    W = recurrent.init_weights(config, 2, seed=6, scale=2.0)
    x = rng.normal(size=(2, 9, 2))
    f = np.tanh if activation == "tanh" else (lambda a: 1.0 / (1.0 + np.exp(-a)))
    y = recurrent.forward(config, W, x)
    for p in range(2):
        assert np.allclose(y[p], _sequential_by_hand(W[p] * mask, x[p], 3, f), atol=1e-12)
    synchronous = recurrent.RecurrentConfig(n_in=2, n_hidden=3, n_out=2, activation=activation, mask=mask)
    assert np.abs(recurrent.forward(synchronous, W, x) - y).max() > 0.1
    assert np.allclose(recurrent.loss(config, W, x, np.zeros((2, 9, 2))), 0.5 * (y[:, :, 3:] ** 2).sum(axis=(1, 2)))


def test_both_orders_agree_where_no_output_reads_a_hidden_unit():
    """Without connections from the hidden units to the outputs (or without hidden units) nothing is read
    within a step, so both orders give the same activations to the last bit."""
    mask = np.ones((3, 5))
    mask[2, 2:4] = 0.0  # the output (row 2) does not read hidden units 0 and 1 (columns 2, 3)
    x = np.random.default_rng(1).normal(size=(3, 20, 1))
    for kw in ({"n_hidden": 2, "mask": mask}, {"n_hidden": 0}):
        configs = [recurrent.RecurrentConfig(n_in=1, n_out=1, order=o, **kw) for o in recurrent.ORDERS]
        W = recurrent.init_weights(configs[0], 3, seed=2, scale=3.0)
        assert np.array_equal(*(recurrent.forward(c, W, x) for c in configs))


def test_sequential_order_has_no_gradient():
    config = recurrent.RecurrentConfig(n_in=1, n_hidden=1, n_out=1, order="sequential")
    W, x = np.zeros((1, 2, 4)), np.zeros((1, 3, 1))
    for gradient in (recurrent.bptt_gradient, recurrent.rtrl_gradient):
        with pytest.raises(ValueError, match="needs config.order 'synchronous'"):
            gradient(config, W, x, np.zeros((1, 3, 1)))
    with pytest.raises(ValueError, match="order must be one of"):
        recurrent.RecurrentConfig(n_in=1, n_hidden=1, n_out=1, order="hidden first")


def test_sequential_a2_without_self_connections_solves_parity_at_the_last_element():
    """A hand-built solution of A2 without hidden self-connections in the sequential order: hidden unit 0
    fires for x = +1 after even parity, unit 1 for x = -1 after odd parity (both read the output's previous
    value, the parity so far), the output is their OR of the same step. No read-out step is needed."""
    problem = B._parity_net("A2_no_self", "sequential")  # sources: bias, x, h_0..h_9, o
    W = np.zeros((11, 13))
    W[0, [0, 1, 12]] = [-0.5, 1.0, -2.0]
    W[1, [0, 1, 12]] = [-1.5, -1.0, 2.0]
    W[10, [0, 2, 3]] = [-0.5, 1.0, 1.0]
    theta = 50.0 * W[problem.free][None]
    data = A.TrainingData.stack([B.guessing_variant("parity_A2_no_self_sequential", 1, 100)[1]])
    assert np.all(np.abs(data.x[0, np.arange(100), data.lengths[0] - 1, 0]) == 1.0)  # no read-out step
    assert np.abs(A.evaluate(problem, theta, [0], data) - data.targets).max() < 1e-6
