"""The competitors' nets and rules (lstm_edu.competitor_nets) against autograd, the compiled twin against
the reference, the paper's weight counts, the measured costs and bad inputs."""

import numpy as np
import pytest

from lstm_edu import competitor_cost, competitor_engine, competitor_nets as cn, diagnostics

CONFIGS = {
    "fully recurrent": cn.fully_recurrent(3, 2, 2),
    "fully recurrent, bias": cn.fully_recurrent(2, 1, 2, bias=True),
    "Elman": cn.elman(3, 4, 2),
    "Elman, bias": cn.elman(2, 3, 2, bias=True),
    "self-recurrent": cn.self_recurrent(3, 2, 3),
}
RULES = [("rtrl", None), ("bptt", None), ("bptt", 1), ("bptt", 3)]


def _problem(config, P=2, T=7, seed=0):
    rng = np.random.default_rng(seed)
    W = cn.init_weights(config, P, seed, scale=1.0)
    x = rng.normal(size=(P, T, config.n_in))
    targets = rng.uniform(size=(P, T, config.n_out))
    target_mask = rng.uniform(size=targets.shape) < 0.7
    return W, x, targets, target_mask


_autograd = diagnostics.autograd_gradient   # autograd's gradient; with h, of each step's error over its window


def _relative_error(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


@pytest.mark.parametrize("name", CONFIGS)
@pytest.mark.parametrize("method, h", RULES)
def test_every_gradient_equals_autograds(name, method, h):
    config = CONFIGS[name]
    problem = _problem(config)
    grad = cn.gradient(config, *problem, method=method, h=h)
    assert _relative_error(grad, _autograd(config, *problem, h=h)) < 1e-10
    assert np.all(grad[:, config.mask == 0] == 0)


def test_rtrl_and_full_bptt_agree_and_truncation_differs():
    config = CONFIGS["Elman"]
    problem = _problem(config, seed=3)
    full = cn.gradient(config, *problem, method="bptt")
    assert _relative_error(cn.gradient(config, *problem, method="rtrl"), full) < 1e-10
    assert _relative_error(cn.gradient(config, *problem, method="bptt", h=7), full) < 1e-10  # h = T
    assert _relative_error(cn.gradient(config, *problem, method="bptt", h=1), full) > 1e-3


def test_loss_is_the_summed_error_and_forward_runs_one_net_on_many_sequences():
    config = CONFIGS["self-recurrent"]
    W, x, targets, target_mask = _problem(config, P=3)
    result = cn.train(config, W, x, targets, target_mask, "rtrl", 0.0)
    y = cn.forward(config, W, x)
    np.testing.assert_allclose(result.loss, cn.squared_error(config, y, targets, target_mask), rtol=1e-13)
    np.testing.assert_array_equal(result.W, W)
    shared = cn.forward(config, W[:1], x)
    np.testing.assert_allclose(shared[0], y[0], rtol=1e-14)


def test_the_papers_weight_counts():
    assert cn.fully_recurrent(7, 3, 7).n_weights == 170 and cn.fully_recurrent(7, 12, 7).n_weights == 494
    assert cn.elman(7, 15, 7).n_weights == 435
    assert [cn.self_recurrent(p + 1, 1, p + 1).n_weights for p in (4, 10, 100)] == [36, 144, 10404]


@pytest.mark.parametrize("name", CONFIGS)
@pytest.mark.parametrize("method, h", RULES)
def test_the_engine_trains_to_the_references_weights(name, method, h):
    config = CONFIGS[name]
    rng = np.random.default_rng(7)
    P, N, T = 3, 4, 7
    W = cn.init_weights(config, P, 1, scale=1.0)
    x = rng.normal(size=(P, N, T, config.n_in)) * (rng.uniform(size=(P, N, T, config.n_in)) < 0.5)
    targets = rng.uniform(size=(P, N, T, config.n_out))
    lengths = rng.integers(2, T + 1, size=(P, N))
    mask = (rng.uniform(size=targets.shape) < 0.7) & (np.arange(T)[None, None, :, None] < lengths[..., None, None])
    W_ref, losses = W, []
    for q in range(N):
        result = cn.train(config, W_ref, x[:, q], targets[:, q], mask[:, q], method, 0.5, h)
        W_ref = result.W
        losses.append(result.loss)
    W_eng, eng_losses, ends, done = competitor_engine.train_sequences(config, W, x, targets, mask, lengths, method,
                                                                      0.5, h)
    assert np.max(np.abs(W_eng - W_ref)) < 1e-12
    np.testing.assert_allclose(eng_losses, np.array(losses).T, rtol=1e-12)
    assert list(done) == [N] * P and ends.shape == (P, N, config.n_out)


def test_end_outputs_are_the_forward_pass_at_each_sequence_end():
    config = CONFIGS["Elman"]
    W, x, _, _ = _problem(config, P=1, T=6)
    lengths = np.array([[6, 3]])
    xs = np.stack([x[0], x[0]])[None]
    ends = competitor_engine.end_outputs(config, W, xs, lengths)
    y = cn.forward(config, W, x)[0][:, config.outputs]
    np.testing.assert_allclose(ends[0], [y[5], y[2]], rtol=1e-13)


def test_cost_scales_as_derived():
    config = cn.fully_recurrent(4, 6, 2)  # n = 8 units, W = 8 x 12 weights
    assert competitor_cost.kept_numbers(config, "rtrl", 50) == 8 * config.n_weights  # n x W sensitivities
    assert competitor_cost.kept_numbers(config, "bptt", 400) == 8 * competitor_cost.kept_numbers(config, "bptt", 50)
    assert competitor_cost.kept_numbers(config, "bptt", 400, h=3) == competitor_cost.kept_numbers(config, "bptt", 50,
                                                                                                    h=3)
    short, long = (competitor_cost.cost(config, "rtrl", T=T, repeats=1) for T in (50, 400))
    assert long["peak_bytes"] < 1.5 * short["peak_bytes"] and short["peak_bytes"] > 8 * short["kept"]
    short, long = (competitor_cost.cost(config, "bptt", T=T, repeats=1) for T in (50, 400))
    assert long["peak_bytes"] > 5 * short["peak_bytes"] and long["ns_per_step"] > 0


@pytest.mark.parametrize("call, match", [
    (lambda: cn.NetConfig(0, 2, 2), "n_in"),
    (lambda: cn.NetConfig(2, -1, 2), "n_hidden"),
    (lambda: cn.NetConfig(2, 0, 2, output_layer=True), "n_hidden"),
    (lambda: cn.NetConfig(2, 2, 0), "n_out"),
    (lambda: cn.NetConfig(2, 2, 2, recurrence="partial"), "recurrence"),
    (lambda: cn.NetConfig(2, 2, 2, outputs_see_inputs=True), "outputs_see_inputs"),
    (lambda: cn.NetConfig(2, 2, 2, bias=1), "bias"),
    (lambda: cn.init_weights(CONFIGS["Elman"], 0, 1), "P"),
    (lambda: cn.init_weights(CONFIGS["Elman"], 1, 1, scale=-1.0), "scale"),
    (lambda: cn.train(CONFIGS["Elman"], *_problem(CONFIGS["Elman"]), method="sgd"), "method"),
    (lambda: cn.train(CONFIGS["Elman"], *_problem(CONFIGS["Elman"]), learning_rate=-0.1), "learning_rate"),
    (lambda: cn.train(CONFIGS["Elman"], *_problem(CONFIGS["Elman"]), learning_rate=float("nan")), "learning_rate"),
    (lambda: cn.train(CONFIGS["Elman"], *_problem(CONFIGS["Elman"]), method="bptt", h=0), "h"),
    (lambda: cn.train(CONFIGS["Elman"], *_problem(CONFIGS["Elman"]), method="bptt", h=2.5), "h"),
    (lambda: cn.train(CONFIGS["Elman"], *_problem(CONFIGS["Elman"]), method="rtrl", h=2), "h"),
    (lambda: cn.train(CONFIGS["Elman"], np.zeros((2, 6, 9)), *_problem(CONFIGS["Elman"])[1:]), "W"),
    (lambda: cn.train(CONFIGS["Elman"], _problem(CONFIGS["Elman"])[0], np.zeros((2, 7, 4)),
                      *_problem(CONFIGS["Elman"])[2:]), "x"),
    (lambda: cn.forward("Elman", *_problem(CONFIGS["Elman"])[:2]), "config"),
    (lambda: competitor_engine.train_sequences(CONFIGS["Elman"], np.zeros((1, 6, 11)), np.zeros((1, 2, 3, 3)),
                                               np.zeros((1, 2, 3, 2)), np.ones((1, 2, 3, 2)), [[3, 4]]), "lengths"),
    (lambda: competitor_cost.cost(CONFIGS["Elman"], "rtrl", T=0), "T"),
])
def test_bad_inputs_name_the_parameter(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
