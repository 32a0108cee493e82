"""Tests of lstm_edu.cascade: recurrent cascade-correlation's gradients against autograd, quickprop's rule,
the growing net, and bad inputs."""

import autograd
import numpy as np
import pytest

from lstm_edu import cascade, constructive_study, runner
from lstm_edu.results import read_record


def _relative_error(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


def _problem(seed=0, P=2, N=3, T=7, n_in=2, n_out=3, units=2):
    g = np.random.default_rng(seed)
    net = cascade.CascadeNet.initial(n_in, n_out, [seed + p for p in range(P)])
    for j in range(units):
        net.install(g.normal(size=(P, 1 + n_in + j)), g.uniform(-0.9, 0.9, size=P), np.ones(P, dtype=bool))
    net.w_out = g.normal(size=net.w_out.shape)
    x = g.normal(size=(P, N, T, n_in))
    targets = g.uniform(size=(P, N, T, n_out))
    mask = g.uniform(size=(P, N, T)) < 0.7
    return net, x, targets, mask, g


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_output_gradient_equals_autograd(seed):
    net, x, targets, mask, _ = _problem(seed)
    F = net.features(x)
    E, grad = cascade.output_gradient(net.w_out, F, targets, mask)
    reference = autograd.grad(lambda w: cascade.output_error(w, F, targets, mask).sum())(net.w_out)
    assert _relative_error(grad, reference) < 1e-10
    np.testing.assert_allclose(E, cascade.output_error(net.w_out, F, targets, mask), rtol=1e-13)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_candidate_gradient_through_the_self_recurrent_link_equals_autograd(seed):
    net, x, targets, mask, g = _problem(seed, T=12)
    F = net.features(x)
    w, r = g.normal(size=(2, 4, F.shape[3])), g.uniform(-1.5, 1.5, size=(2, 4))
    residual = g.normal(size=targets.shape)
    S, g_w, g_r, V = cascade.candidate_gradient(w, r, F, residual, mask)
    ref_w = autograd.grad(lambda w: cascade.covariance(w, r, F, residual, mask).sum())(w)
    ref_r = autograd.grad(lambda r: cascade.covariance(w, r, F, residual, mask).sum())(r)
    assert _relative_error(g_w, ref_w) < 1e-10
    assert _relative_error(g_r, ref_r) < 1e-10
    np.testing.assert_allclose(S, cascade.covariance(w, r, F, residual, mask), rtol=1e-12)
    np.testing.assert_allclose(V, cascade.unit_values(w, r, F), rtol=1e-14)


def test_covariance_is_fahlmans_S_computed_directly():
    net, x, targets, mask, g = _problem(3)
    F = net.features(x)
    w, r = g.normal(size=(2, 1, F.shape[3])), g.uniform(-1, 1, size=(2, 1))
    residual = g.normal(size=targets.shape)
    V = cascade.unit_values(w, r, F)[:, 0]
    for p in range(2):
        v, e = V[p][mask[p]], residual[p][mask[p]]
        S = sum(abs(np.sum((v - v.mean()) * (e[:, o] - e[:, o].mean()))) / len(v) for o in range(e.shape[1]))
        assert cascade.covariance(w, r, F, residual, mask)[p, 0] == pytest.approx(S, rel=1e-12)


def test_unit_values_follow_the_recursion():
    g = np.random.default_rng(4)
    F = g.normal(size=(1, 1, 5, 3))
    w, r = g.normal(size=(1, 1, 3)), np.array([[0.7]])
    v, expected = 0.0, []
    for t in range(5):
        v = np.tanh(F[0, 0, t] @ w[0, 0] + 0.7 * v)
        expected.append(v)
    np.testing.assert_allclose(cascade.unit_values(w, r, F)[0, 0, 0], expected, rtol=1e-14)


def test_quickprop_follows_fahlmans_rule():
    # three nets: a first (gradient) step, a secant step, a capped step; the fourth is inactive
    w = np.zeros((4, 1))
    state = cascade.Quickprop(slope=np.array([[0.0], [-6.0], [-6.0], [1.0]]),
                              step=np.array([[0.0], [2.4], [0.6], [1.0]]))
    slope = np.array([[-6.0], [-1.2], [-4.8], [5.0]])
    new = cascade.quickprop(w, slope, state, epsilon=0.4, mu=1.75, active=[True, True, True, False])
    # net 0: -eps s = 2.4; net 1: secant 2.4 * -1.2 / (-6 + 1.2) = 0.6, plus -eps s = 0.48;
    # net 2: slope shrank by less than mu / (1 + mu): capped at mu * 0.6 = 1.05, plus -eps s = 1.92
    np.testing.assert_allclose(new[:, 0], [2.4, 1.08, 2.97, 0.0], rtol=1e-14)
    np.testing.assert_allclose(state.step[:, 0], [2.4, 1.08, 2.97, 1.0], rtol=1e-14)
    np.testing.assert_allclose(state.slope[:, 0], [-6.0, -1.2, -4.8, 1.0])


def test_quickprop_reaches_the_minimum_of_a_parabola():
    w, state = np.array([[0.0]]), cascade.Quickprop.like(np.zeros((1, 1)))
    for _ in range(30):
        w = cascade.quickprop(w, 2.0 * (w - 3.0), state, epsilon=0.1, mu=1.75, active=[True])
    assert w[0, 0] == pytest.approx(3.0, abs=1e-9)


def test_a_zero_unit_changes_nothing_and_weights_are_counted():
    net, x, *_ = _problem(5, units=1)
    before = net.outputs(x)
    net.install(np.ones((2, 4)), np.ones(2), grow=np.array([False, True]))
    after = net.outputs(x)
    np.testing.assert_array_equal(after, before)   # the new unit's output weights start at 0
    assert list(net.n_units) == [1, 2]
    # a unit j (from 1) has 1 + n_in + (j - 1) incoming weights and one self weight; outputs see 1 + n_in + k
    assert list(net.n_weights()) == [(1 + 2 + 1) + 3 * 4, (1 + 2 + 1) + (1 + 2 + 1 + 1) + 3 * 5]


def _latch_task(P, seed, N=16, T=6):
    """The output must give the sign of the first input at every later step: a lag only a unit can bridge."""
    g = np.random.default_rng(seed)
    first = g.choice([-1.0, 1.0], size=(P, N))
    x = np.zeros((P, N, T, 1))
    x[:, :, 0, 0] = first
    x[:, :, 1:, 0] = g.uniform(-0.2, 0.2, size=(P, N, T - 1))
    targets = np.broadcast_to((first > 0)[..., None, None], (P, N, T, 1)).astype(float)
    mask = np.ones((P, N, T), dtype=bool)
    mask[:, :, 0] = False
    return cascade.Data(x, targets, mask)


def _solved(net, y, data):
    return np.all((np.abs(y - data.targets)[..., 0] < 0.4) | ~data.mask, axis=(1, 2))


def test_grow_installs_a_latch_and_every_trial_is_independent_of_the_others():
    data = _latch_task(3, 0)
    net = cascade.CascadeNet.initial(1, 1, [0, 1, 2])
    out = cascade.grow(net, data, [np.random.default_rng(10 + p) for p in range(3)],
                       lambda n, y: _solved(n, y, data), max_units=3, budget=100_000)
    assert out["success"].all() and (net.n_units >= 1).all()
    assert np.array_equal(out["sequences"], 16 * (out["output_passes"] + out["candidate_passes"]))
    alone = cascade.CascadeNet.initial(1, 1, [1])
    sub = cascade.Data(data.x[1:2], data.targets[1:2], data.mask[1:2])
    one = cascade.grow(alone, sub, [np.random.default_rng(11)], lambda n, y: _solved(n, y, sub), 3, 100_000)
    assert one["sequences"][0] == out["sequences"][1]
    np.testing.assert_array_equal(alone.w_out[0], net.w_out[1, :, :alone.w_out.shape[2]])  # to the last bit


def test_grow_stops_at_the_unit_cap_and_the_budget():
    data = _latch_task(1, 1)
    net = cascade.CascadeNet.initial(1, 1, [0])
    capped = cascade.grow(net, data, [np.random.default_rng(0)], lambda n, y: np.zeros(1, dtype=bool), 2, 10**6)
    assert not capped["success"][0] and len(net.units) == 2 and capped["covariances"].shape == (1, 2)
    net = cascade.CascadeNet.initial(1, 1, [0])
    broke = cascade.grow(net, data, [np.random.default_rng(0)], lambda n, y: np.zeros(1, dtype=bool), 9, 160)
    assert broke["sequences"][0] == 160 and not broke["success"][0]


@pytest.mark.parametrize("kwargs, match", [
    ({"max_units": -1}, "max_units"), ({"budget": 0}, "budget"), ({"n_candidates": 0}, "n_candidates"),
    ({"mu": -1.0}, "mu"), ({"pool": 3}, "setting"), ({"output_epsilon": float("nan")}, "output_epsilon"),
])
def test_grow_refuses_bad_settings_by_name(kwargs, match):
    data = _latch_task(1, 0)
    args = {"max_units": 2, "budget": 1000, **kwargs}
    with pytest.raises(ValueError, match=match):
        cascade.grow(cascade.CascadeNet.initial(1, 1, [0]), data, [np.random.default_rng(0)],
                     lambda n, y: np.zeros(1, dtype=bool), **args)


def test_bad_nets_are_refused_by_name():
    with pytest.raises(ValueError, match="w_out"):
        cascade.CascadeNet(2, 3, np.zeros((1, 3, 4)))
    with pytest.raises(ValueError, match="n_in"):
        cascade.CascadeNet.initial(0, 1, [0])
    with pytest.raises(ValueError, match="weight_range"):
        cascade.CascadeNet.initial(1, 1, [0], weight_range=0.0)
    with pytest.raises(ValueError, match="seeds"):
        cascade.grow(cascade.CascadeNet.initial(1, 1, [0]), _latch_task(1, 0), [], lambda n, y: None, 1, 10)
    with pytest.raises(ValueError, match="x"):
        cascade.CascadeNet.initial(2, 1, [0]).features(np.zeros((1, 2, 3, 5)))


def test_the_study_entry_grows_nets_on_experiment_1_and_writes_valid_records(tmp_path):
    cs = constructive_study
    entry = cs.ENTRIES["1-rcc"]
    assert entry.n_trials == 30 and entry.table == 1 and entry.paper["success_after"] == 182_000
    small = cs.Entry("1-rcc-test", "rcc", "1", "RCC", 1, 50_000, entry.task, entry.paper, "test",
                     settings={"max_epochs": 5, "n_candidates": 2})
    (path,) = runner.run(small, 1, 50_000, 0, tmp_path, 64, 60.0, progress=False)
    r = read_record(path)
    m = r["milestones"]
    assert r["sequences"] == 256 * (m["output_passes"] + m["candidate_passes"]) <= 50_000
    assert m["units"] == len(r["weights"]["units"]) == len(m["covariances"]) <= cs.MAX_UNITS
    assert r["success"] == (r["test"]["wrong"] == 0) and r["test"]["n"] > 256
    assert r["configuration"]["settings"]["max_epochs"] == 5
    mistakes = cs.rcc_mistakes(r)   # the net rebuilt from the record errs exactly where the run's test found
    assert mistakes["strings"] == r["test"]["wrong"] >= max(mistakes["final_step"], mistakes["other_steps"])


def test_a_check_of_stored_rcc_trials_finds_them_equal(tmp_path):
    small = constructive_study.Entry("1-rcc-test", "rcc", "1", "RCC", 2, 40_000, {}, {}, "test",
                                     settings={"max_epochs": 5, "n_candidates": 2})
    paths = runner.run(small, 2, 40_000, 0, tmp_path, 2, 60.0, progress=False)
    stored = [read_record(p)["sequences"] for p in paths]
    for budget in (min(stored) // 2, 40_000):   # trials that went on beyond the check's budget, whole records
        report = runner.check(small, budget, 2, 0, tmp_path, batch=1, progress=False)
        assert all(r["equal"] for r in report), report
