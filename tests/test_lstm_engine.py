"""The compiled engine is the NumPy reference's twin: trained from the same seeds on every configuration
family of Table 10, both schedules, errors at every step and at the end only, both end with the same weights."""

import numpy as np
import pytest

from lstm_edu import lstm1997 as L
from lstm_edu import lstm_engine

# One net per family of Table 10 (rows shrunk where their inputs would only cost time).
FAMILIES = {
    "F, bias ga, S=1 (1-1)": ("1-1", {}),
    "F, bias ga, S=2 (1-5)": ("1-5", {}),
    "F, bias b1 (3a)": ("3a", {}),
    "F, bias all (4-1)": ("4-1", {}),
    "F, bias all, 8 in / 4 out (6a)": ("6a", {}),
    "F, bias none (2c-1)": ("2c-1", {"n_in": 12}),
    "F, random gate biases (5)": ("5", {}),
    "B, no output gate, g logistic, h identity (2a)": ("2a", {"n_in": 8, "n_out": 8}),
    "F, no output gate (1-4)": ("1-4", {"output_gate": False, "output_gate_bias": None}),
    "F, Table 10's caption squashing (1-2)": ("1-2", {"squashing": "caption"}),
}
SEQUENCES, P, T = 22, 3, 9


def problem(net, gen, every_step):
    """Random sequences: one-hot inputs (the symbol tasks) for nets with many inputs, Gaussian otherwise."""
    n_in = net.cfg.n_in
    if n_in > 3:
        x = np.eye(n_in)[gen.integers(0, n_in, (net.P, T))]
    else:
        x = gen.normal(size=(net.P, T, n_in))
    y = gen.uniform(size=(net.P, T, net.cfg.n_out))
    mask = L.every_step_mask(net.P, T) if every_step else L.end_mask(gen.integers(T - 3, T + 1, net.P), T)
    return x, y, mask


def relative(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


def assert_twins(nets, tol=1e-12):
    reference, compiled = nets["numpy"], nets["compiled"]
    assert relative(reference.w_hidden, compiled.w_hidden) < tol
    assert relative(reference.w_output, compiled.w_output) < tol


@pytest.mark.parametrize("every_step", [True, False], ids=["error-every-step", "error-at-end"])
@pytest.mark.parametrize("schedule", L.SCHEDULES)
@pytest.mark.parametrize("family", FAMILIES)
def test_engine_and_reference_learn_the_same_weights(family, schedule, every_step):
    row, overrides = FAMILIES[family]
    nets = {engine: L.build(row, P, seed=3, **overrides) for engine in L.ENGINES}
    start = nets["numpy"].w_hidden.copy()
    results = {}
    for engine, net in nets.items():
        gen = np.random.default_rng(8)
        for _ in range(SEQUENCES):
            x, y, mask = problem(net, gen, every_step)
            results[engine] = net.train(x, y, mask, schedule=schedule, keep_outputs=True, engine=engine)
    assert_twins(nets)
    assert np.abs(nets["numpy"].w_hidden - start).max() > 1e-4        # the weights did move
    for a, b in zip(results["numpy"][:3], results["compiled"][:3]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    trace = {engine: net.forward(x, engine=engine) for engine, net in nets.items()}
    for a, b in zip(trace["numpy"], trace["compiled"]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    grads = {engine: net.gradient(x, y, mask, engine=engine) for engine, net in nets.items()}
    np.testing.assert_allclose(grads["numpy"][0], grads["compiled"][0], rtol=1e-12)
    assert relative(grads["numpy"][1].hidden, grads["compiled"][1].hidden) < 1e-12
    assert relative(grads["numpy"][1].output, grads["compiled"][1].output) < 1e-12


@pytest.mark.parametrize("schedule", L.SCHEDULES)
def test_sequential_construction_with_frozen_weights(schedule):
    """Experiment 2's sequential construction: 2a grows from no block, 2c-1 by a third block; weights
    of network 0 frozen, the rest learn, before and after a block is added."""
    for row, overrides in (("2a", {"n_in": 6, "n_out": 6, "n_blocks": 0}), ("2c-1", {"n_in": 10})):
        nets = {engine: L.build(row, P, seed=5, **overrides) for engine in L.ENGINES}
        for engine, net in nets.items():
            gen = np.random.default_rng(1)
            for i in range(SEQUENCES):
                if i == 8:
                    net.add_block(seed=9)
                frozen = (np.zeros(net.w_hidden.shape, dtype=bool), np.zeros(net.w_output.shape, dtype=bool))
                frozen[0][0] = True
                frozen[1][0, :, net.output_cells] = True
                x, y, mask = problem(net, gen, i % 2 == 0)
                net.train(x, y, mask, schedule=schedule, frozen=frozen, engine=engine)
        assert_twins(nets)
        assert nets["numpy"].B == nets["compiled"].B == overrides.get("n_blocks", 2) + 1


def test_the_engine_runs_from_one_bundle():
    """One NamedTuple of arrays and flags carries everything the compiled loop reads and writes."""
    net = L.build("4-1", 2, seed=0)
    x = np.random.default_rng(0).normal(size=(2, 5, 2))
    b = lstm_engine.run(net, x, None, None, mode="forward")
    assert isinstance(b, lstm_engine.Bundle) and b.layout.mode == lstm_engine.MODES["forward"]
    assert b.trace_s.shape == (2, 5, net.C) and b.outputs.shape == (2, 5, 1)
    np.testing.assert_array_equal(b.outputs, net.forward(x).outputs)


def test_unknown_engine_names_the_parameter():
    net = L.build("4-1")
    with pytest.raises(ValueError, match="engine must be one of"):
        net.forward(np.zeros((1, 3, 2)), engine="torch")


@pytest.mark.parametrize("schedule", L.SCHEDULES)
def test_padding_after_the_last_error_and_strided_views_change_no_bit(schedule):
    """Learning runs each net only to its last error step and reads views of larger arrays in place: garbage
    padded after the last error, and a strided view of the sequences, give bitwise the weights of the plain run."""
    gen = np.random.default_rng(4)
    nets = [L.build("1-5", P, seed=2) for _ in range(3)]
    for _ in range(6):
        x = np.eye(7)[gen.integers(0, 7, (P, T))]
        y = np.eye(7)[gen.integers(0, 7, (P, T))]
        lengths = gen.integers(3, T + 1, P)
        mask = np.arange(T)[None, :] < lengths[:, None]
        nets[0].train(x * mask[:, :, None], y, mask, schedule=schedule)
        padded = np.concatenate([x, gen.normal(size=(P, 5, 7))], axis=1)      # garbage after the last error
        nets[1].train(padded, np.concatenate([y, np.ones((P, 5, 7))], axis=1),
                      np.concatenate([mask, np.zeros((P, 5), dtype=bool)], axis=1), schedule=schedule)
        stack = np.zeros((P, 3, T, 7))
        stack[:, 1] = x * mask[:, :, None]
        view = stack[:, 1]                                                     # not contiguous
        assert not view.flags.c_contiguous
        nets[2].train(view, y, mask, schedule=schedule)
    for net in nets[1:]:
        np.testing.assert_array_equal(net.w_hidden, nets[0].w_hidden)
        np.testing.assert_array_equal(net.w_output, nets[0].w_output)


def test_the_cheap_reber_test_gives_the_full_tests_verdict():
    """Experiment 1's periodic test stops at the first wrong string (shortest first): the same verdict as the
    count of wrong strings of the full test, for a stored trained net (all right) and spoilt copies of it."""
    from lstm_edu import experiments, lstm_trials, results
    exp = experiments.experiment("1-5")
    record = next(r for r in results.read_trials(results.RESULTS_DIR / "lstm1997" / "1-5")
                  if r["success"] and r["weights"])
    net, task = experiments.trained_net(record), exp.make(record["seed"])
    verdicts = []
    for scale in (1.0, 0.95, 0.9, 0.5):
        spoilt = L.LSTM1997.from_weights(net.cfg, net.w_hidden * scale, net.w_output * scale)
        full = lstm_trials.evaluate(exp, spoilt, 0, task, None, 0)["wrong"] == 0
        assert lstm_trials.reber_all_right(spoilt, 0, task, exp.eval_chunk) == full
        verdicts.append(full)
    assert verdicts[0] and not verdicts[-1]
