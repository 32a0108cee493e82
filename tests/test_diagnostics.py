"""lstm_edu.diagnostics against independent computations: one sequence or string at a time through the
stored net, the paper's success rule of criteria, autograd and finite differences, exhaustive walks of the
grammar, and simulation."""

from math import sqrt

import numpy as np
import pytest

from lstm_edu import (activations, competitor_nets, competitors, criteria, diagnostics, experiments, lstm1997,
                      reproduction)
from lstm_edu.tasks import long_lag, noise_signal, reber


def _first(name, **match):
    """The first stored record of ``name`` with weights (and the ``match`` fields), or skip."""
    found = [r for r in reproduction.records(name) if r.get("weights") and all(r[k] == v for k, v in match.items())]
    if not found:
        pytest.skip(f"no stored record of {name} with weights")
    return found[0]


# ------------------------------------------------------------------------------------------ any experiment
def test_left_plateau_reads_the_first_point_below_the_level():
    record = {"curve": {"mean_loss": [0.3, 0.2, 0.05, 0.3, 0.01], "every": 1000}}
    assert diagnostics.left_plateau(record, 0.1) == 3000
    assert diagnostics.left_plateau(record, 0.25) == 2000
    assert diagnostics.left_plateau(record, 0.005) is None
    with pytest.raises(ValueError, match="level"):
        diagnostics.left_plateau(record, -1)


def test_relative_difference():
    assert diagnostics.relative_difference([1.0, 2.5], [1.0, 2.0]) == pytest.approx(0.25)
    assert diagnostics.relative_difference([1.0, 2.5], [1.0, -2.0]) == pytest.approx(2.25)
    with pytest.raises(ValueError, match="same shape"):
        diagnostics.relative_difference([1.0], [1.0, 2.0])


@pytest.mark.parametrize("h", [None, 2])
def test_autograd_gradient_matches_finite_differences(h):
    """Without h the summed error's gradient; with h = 2 on a net whose output reads only the present
    input and the previous step's units, still exact when T = 2 (nothing lies before the window)."""
    cfg = competitor_nets.elman(2, 3, 2)
    rng = np.random.default_rng(0)
    W = competitor_nets.init_weights(cfg, 1, 0, scale=1.0)
    x, d = rng.normal(size=(1, 2 if h else 5, 2)), rng.uniform(size=(1, 2 if h else 5, 2))
    m = np.ones(d.shape)

    def error(W):
        y, _ = competitor_nets.forward_pass(cfg, W * cfg.mask, x)
        return float(np.sum(competitor_nets.squared_error(cfg, y, d, m)))

    grad, fd, eps = diagnostics.autograd_gradient(cfg, W, x, d, m, h), np.zeros_like(W), 1e-6
    for idx in zip(*np.nonzero(np.broadcast_to(cfg.mask, W.shape))):
        up, down = W.copy(), W.copy()
        up[idx] += eps
        down[idx] -= eps
        fd[idx] = (error(up) - error(down)) / (2 * eps)
    assert np.abs(grad - fd).max() < 1e-6 * max(1.0, np.abs(fd).max())


# ------------------------------------------------------------------------- Experiment 1: embedded Reber
def _inner_strings(max_symbols):
    """Every inner Reber string (the symbols between B and E) of at most max_symbols symbols, with its
    probability: an exhaustive walk of the graph."""
    out, stack = [], [(1, "", 1.0)]
    while stack:
        state, symbols, p = stack.pop()
        for symbol, target in reber.REBER_GRAPH[state]:
            if len(symbols) + 1 > max_symbols:
                continue
            (out if target == 0 else stack).append((target, symbols + symbol, 0.5 * p))
    return [(s, p) for _, s, p in out]


def test_length_distribution_is_the_exhaustive_walk_of_the_grammar():
    exact = diagnostics.length_distribution(26)
    walked = np.zeros(27)
    for inner, p in _inner_strings(20):
        walked[len("BT" + "B" + inner + "E" + "TE")] += p
    assert np.allclose(exact, walked, atol=1e-15, rtol=0)
    assert exact[:9].sum() == 0 and exact[9] == pytest.approx(1 / 4)        # BTBTXSETE: two branches
    with pytest.raises(ValueError, match="max_len"):
        diagnostics.length_distribution(3)


def _kind_string_by_string(record):
    """(kind, share of |s_c| > 10, median |s_c|) at the memory step, one evaluation string at a time through
    the stored net, the success rule from criteria.reber_correct: a string is wrong at the memory step if
    putting the possible symbols there is not enough, and elsewhere if putting them everywhere else is not."""
    task = experiments.experiment(record["experiment"]).make(record["seed"])
    net, f = experiments.trained_net(record), task.fixed_test
    memory = grammar = False
    states = []
    for n, L in enumerate(f.lengths):
        trace = net.forward_one(f.x[n:n + 1, :L])
        out, possible, step = trace.outputs.copy(), task.possible[n:n + 1, :L].astype(float), L - 2
        only_memory, only_others = possible.copy(), out.copy()
        only_memory[:, step] = out[:, step]
        only_others[:, step] = possible[:, step]
        memory |= not criteria.reber_correct(only_memory, task.possible[n:n + 1, :L], f.lengths[n:n + 1])[0]
        grammar |= not criteria.reber_correct(only_others, task.possible[n:n + 1, :L], f.lengths[n:n + 1])[0]
        states.append(np.abs(trace.cell_state[0, step]))
    kind = {(True, True): "both", (True, False): "memory", (False, True): "grammar"}.get((memory, grammar), "none")
    states = np.array(states)
    return kind, float((states > 10).mean()), float(np.median(states))


def test_continuations_of_one_string_seen_often():
    """One string 30 times: every prefix common, nothing outside the grammar, and every two-way step
    (a branch of the graph) incomplete, since only one of its two continuations was seen."""
    s = "BTBPTVPXTVVETE"
    found = diagnostics.continuations([s] * 30, often=30)
    two_way = int((reber.possible_next(s).sum(axis=1) == 2).sum())
    assert found == {"outside": 0, "incomplete": two_way, "common": len(s) - 1} and two_way > 0
    assert diagnostics.continuations([s] * 30, often=31)["incomplete"] == 0


@pytest.mark.parametrize("success", [False, True])
def test_final_net_profile_string_by_string(success):
    record = _first("1-5", success=success)
    profile = diagnostics.final_net_profile(record)
    kind, share, median = _kind_string_by_string(record)
    assert profile["kind"] == kind and (kind == "none") == success
    assert profile["saturated"] == pytest.approx(share, abs=1e-12)
    assert profile["median_state"] == pytest.approx(median, rel=1e-9)
    assert diagnostics.saturated_share(record) == profile["saturated"]
    wrong, outputs, task = diagnostics.wrong_steps(record)
    assert np.array_equal(~wrong.any(axis=1), criteria.reber_correct(outputs, task.possible, task.fixed_test.lengths))
    with pytest.raises(ValueError, match="bound"):
        diagnostics.final_net_profile(record, bound=0)
    with pytest.raises(ValueError, match="Experiment 1"):
        diagnostics.final_net_profile(_first("2c-1"))


def test_embedded_symbol_errors_string_by_string():
    record = _first("1-elman-15")
    cfg, task = competitors.ENTRIES["1-elman-15"].config, experiments.reber_task(record["seed"])
    f, W = task.fixed_test, np.array(record["weights"]["W"])[None]
    wrong = only = 0
    for n, L in enumerate(f.lengths):
        y = competitor_nets.forward(cfg, W, f.x[n:n + 1, :L])[:, :, cfg.outputs]
        possible = task.possible[n:n + 1, :L]
        if criteria.reber_correct(y, possible, f.lengths[n:n + 1])[0]:
            continue
        wrong += 1
        y[0, L - 2] = possible[0, L - 2]
        only += bool(criteria.reber_correct(y, possible, f.lengths[n:n + 1])[0])
    assert diagnostics.embedded_symbol_errors(record) == {"wrong": wrong, "only_embedded": only}
    assert wrong == record["test"]["wrong"]
    with pytest.raises(ValueError, match="competitor's entry of Experiment 1"):
        diagnostics.embedded_symbol_errors(_first("1-5"))


# ------------------------------------------------------------------ Experiment 2a
def test_first_update_from_cell_is_minus_alpha_times_autograds_gradient():
    """One update after the sequence: the change of the weights cell -> output is -alpha times autograd's
    truncated gradient (lstm1997.reference_loss) at the initial weights; the states from forward_one."""
    state, change = diagnostics.first_update_from_cell(seed=2, sequence_seed=3)
    net, one = lstm1997.build("2a", 1, seed=2), long_lag.noise_free(1, 100, seed=3)
    assert np.allclose(state, net.forward_one(one.x).cell_state[0, :, 0], rtol=1e-12, atol=1e-12)
    _, _, ref_output = lstm1997.reference_loss(net, one.x, one.targets, one.target_mask[:, :, 0])
    expected = -lstm1997.config("2a").alpha * ref_output[0, :, net.output_source_names.index("cell[0,0]")]
    assert np.allclose(change, expected, rtol=1e-9, atol=1e-12)



def test_chunker_events_continue_where_a_shorter_run_stopped():
    """Training is sequential: the first 5 of 8 sequences' events are those of a run of 5 sequences, and a
    run from the 5-sequence weights on sequences 6-8 (the same generator, continued) gives the rest."""
    from lstm_edu import chunker
    small, W_A, W_C, five = diagnostics.chunker_events(p=6, sequences=5, seed=1)
    _, _, _, eight = diagnostics.chunker_events(p=6, sequences=8, seed=1)
    assert five.shape == (5, 7) and np.array_equal(eight[:5], five) and five[:, 0].all()
    gen = np.random.default_rng(1)
    for _ in range(5):
        long_lag.noise_free(1, 6, gen)
    for k in range(5, 8):
        b = long_lag.noise_free(1, 6, gen)
        out = chunker.train_sequence(small, W_A, W_C, np.concatenate([b.x, b.targets[:, -1:]], axis=1),
                                     b.lengths + 1, 1.0)
        W_A, W_C = out.W_A, out.W_C
        assert np.array_equal(out.events[0], eight[k])
    with pytest.raises(ValueError, match="p"):
        diagnostics.chunker_events(p=1)


# ----------------------------------------------------------------- Experiment 2b: no local regularities
def test_class_difference_is_the_two_runs_apart():
    nets = lstm1997.build("2b", 2, seed=4)
    x = long_lag.no_local_regularities(1, 100, np.random.default_rng(8)).x
    swapped = x.copy()
    first = int(x[0, 0].argmax())
    swapped[0, 0, first], swapped[0, 0, 199 - first] = 0.0, 1.0              # x (unit 99) <-> y (unit 100)
    found = diagnostics.class_difference(nets, x)
    for k in range(2):
        expected = nets.forward_one(x, k).cell_state[0] - nets.forward_one(swapped, k).cell_state[0]
        assert np.allclose(found[k], expected, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="one Task 2b sequence"):
        diagnostics.class_difference(nets, np.repeat(x, 2, axis=0))


# ------------------------------------------------------------------------ Experiment 2c: very long lags
def test_lengths_and_distractors_sequence_by_sequence():
    lengths, per_symbol = diagnostics.lengths_and_distractors(3, 10, n=10, seed=5, chunk=5)
    gen = np.random.default_rng(5)
    batches = [long_lag.very_long_lag(5, 3, 10, gen) for _ in range(2)]
    x = [b.x[n, :b.lengths[n]] for b in batches for n in range(5)]
    assert np.array_equal(lengths, [len(seq) + 1 for seq in x])
    assert np.array_equal(per_symbol, [[int((seq.argmax(axis=1) == j).sum()) for j in range(3)] for seq in x])
    with pytest.raises(ValueError, match="multiple of chunk"):
        diagnostics.lengths_and_distractors(3, 10, n=10, chunk=4)


def test_class_gap_reads_the_trace():
    from types import SimpleNamespace
    s = np.zeros((2, 6, 2))
    s[0, 1], s[1, 1], s[0, 4], s[1, 5] = (1.0, 2.0), (0.5, 2.5), (4.0, 0.0), (-1.0, 1.0)
    gates = np.arange(24, dtype=float).reshape(2, 6, 2)
    gap = diagnostics.class_gap(SimpleNamespace(cell_state=s, input_gate=gates), [5, 6])
    assert np.array_equal(gap["start"], [0.5, 0.5]) and np.array_equal(gap["end"], [5.0, 1.0])
    assert np.array_equal(gap["gates"], np.concatenate([gates[0, 2:4], gates[1, 2:5]]).mean(axis=0))
    with pytest.raises(ValueError, match="two sequences"):
        diagnostics.class_gap(SimpleNamespace(cell_state=s[:1], input_gate=gates[:1]), [5])

def test_drift_at_the_trigger_one_net_and_one_sequence_at_a_time():
    """Two initial 2c-1 nets, one sequence each: the states at the trigger from forward_one, beta_c summed
    from the weights by name, and the gradient from autograd's truncated reference (lstm1997.reference_loss)."""
    found = diagnostics.drift_at_the_trigger("2c-1", seeds=[0, 1], per_net=1, nets_at_a_time=1)
    p, q = (experiments.experiment("2c-1").params[k] for k in ("p", "q"))
    gen = np.random.default_rng(7)
    for k, seed in enumerate([0, 1]):
        net = experiments.initial_net("2c-1", [seed])
        b = long_lag.very_long_lag(1, p, q, gen)
        L = int(b.lengths[0])
        assert np.allclose(found.measured[k], net.forward_one(b.x).cell_state[0, L - 1], rtol=1e-12, atol=1e-12)
        gates = [j for j, name in enumerate(net.source_names) if "gate" in name]
        beta = 0.5 * net.w_hidden[0, :net.C][:, gates].sum(axis=1)
        assert np.allclose(found.predicted[k], 0.5 * L * activations.g(beta), rtol=1e-12)
        _, ref_hidden, _ = lstm1997.reference_loss(net, b.x, b.targets, b.target_mask[:, :, 0])
        xy = [net.source_names.index(f"input[{p + 2}]"), net.source_names.index(f"input[{p + 3}]")]
        assert found.gradient[k] == pytest.approx(np.abs(ref_hidden[0, :net.C][:, xy]).sum(), rel=1e-9)
    with pytest.raises(ValueError, match="Experiment 2c"):
        diagnostics.drift_at_the_trigger("2a")


def test_reach_at_the_trigger_summarises_the_states():
    states = diagnostics.drift_at_the_trigger("2c-2", seeds=range(4)).measured
    reach = diagnostics.reach_at_the_trigger("2c-2", seeds=range(4))
    h_slope = activations.tanh_affine_and_prime(states, *activations.SQUASH_1997.h)[1] / \
        activations.tanh_affine_and_prime(0.0, *activations.SQUASH_1997.h)[1]
    assert reach["median_state"] == np.median(np.abs(states))
    assert reach["h_slope"] == pytest.approx(np.median(h_slope), rel=1e-9)
    assert reach["within_reach"] == np.mean(2 * np.exp(-np.abs(states)) / (1 + np.exp(-np.abs(states))) ** 2 > 0.01)


def test_class_at_the_trigger_and_fresh_errors_one_sequence_at_a_time():
    record = _first("2c-1", success=True)
    net, (p, q) = experiments.trained_net(record), (experiments.experiment("2c-1").params[k] for k in ("p", "q"))
    probe = long_lag.very_long_lag(6, p, q, np.random.default_rng(3))
    ends, states, gates = probe.lengths - 1, [], []
    for n in range(6):
        trace = net.forward_one(probe.x[n:n + 1, :ends[n] + 1])
        states.append(trace.cell_state[0, ends[n]])
        gates.append(trace.input_gate[0, 2:ends[n]].mean())
    states = np.array(states)
    kept = diagnostics.class_at_the_trigger(record, n=6, seed=3)
    assert np.allclose(kept["x"], states[probe.labels == 0].mean(axis=0), rtol=1e-12)
    assert np.allclose(kept["y"], states[probe.labels == 1].mean(axis=0), rtol=1e-12)
    assert kept["gate"] == pytest.approx(np.mean(gates), rel=1e-12)
    assert kept["h_prime"] == pytest.approx(activations.h_prime(states).mean(), rel=1e-12)
    gen, wrong = np.random.default_rng(21), 0
    for _ in range(2):
        b = long_lag.very_long_lag(5, p, q, gen)
        for n in range(5):
            out = net.forward_one(b.x[n:n + 1, :b.lengths[n]]).outputs[0, -1]
            wrong += bool(np.any(np.abs(out - b.targets[n, b.lengths[n] - 1]) >= 0.2))
    assert diagnostics.fresh_wrong(record, n=10, seed=21, chunk=5) == wrong
    with pytest.raises(ValueError, match="multiple of chunk"):
        diagnostics.fresh_wrong(record, n=10, chunk=3)


# ----------------------------------------------------------------- Experiment 3: noise and signal mixed
@pytest.mark.parametrize("N", [1, 3])
def test_bayes_error_and_posterior_rate_by_simulation(N):
    """The sign rule's error on simulated informative means, and the posterior output's misclassifications
    (off its target by 0.2 or more), both within four standard errors."""
    gen, n = np.random.default_rng(N), 400_000
    mean = 1 + gen.normal(0, sqrt(0.2 / N), n)            # class 1; class 2 is its mirror image
    for value, simulated in ((diagnostics.bayes_error(N), np.mean(mean < 0)),
                             (diagnostics.posterior_output_rate(N), np.mean(1 / (1 + np.exp(-2 * mean / (0.2 / N)))
                                                                            <= 0.8))):
        assert abs(simulated - value) < 4 * sqrt(value * (1 - value) / n) + 1e-6
    with pytest.raises(ValueError, match="N"):
        diagnostics.bayes_error(0)


def test_first_step_gate_one_sequence_at_a_time():
    record = _first("3b-T1000-N1")
    params = experiments.experiment(record["experiment"]).params
    b = noise_signal.task_3b(8, params["T"], params["N"], 11)
    net = experiments.trained_net(record)
    traces = [net.forward_one(b.x[n:n + 1, :b.lengths[n]]) for n in range(8)]
    one = b.labels == 1
    later = np.array([np.concatenate([t.input_gate[0, 1:, j] for t in traces]).mean() for j in range(net.B)])
    first = np.array([[t.input_gate[0, 0, j] for t in traces] for j in range(net.B)])      # block x sequence
    gate_first = np.stack([first[:, one].mean(axis=1), first[:, ~one].mean(axis=1)])
    j = int(np.argmax(gate_first.max(axis=0) - later))
    found = diagnostics.first_step_gate(record, n=8, seed=11)
    assert found["block"] == j
    assert np.allclose(found["first"], gate_first[:, j], rtol=1e-12)
    assert found["later"] == pytest.approx(later[j], rel=1e-12)
    end = np.array([t.cell_state[0, -1, j] for t in traces])
    assert np.allclose(found["state_end"], (end[one].mean(), end[~one].mean()), rtol=1e-12)
    with pytest.raises(ValueError, match="task 3b"):
        diagnostics.first_step_gate(_first("3a-T100-N3"))


def test_even_sum_separation_by_simulation():
    """d' of the plain sum of every input of 3a's sequences, simulated, within 5% of the formula."""
    params = experiments.experiment("3a-T100-N1").params
    b = noise_signal.task_3a(20_000, params["T"], params["N"], np.random.default_rng(2))
    total = b.x[:, :, 0].sum(axis=1)
    spread = sqrt((total[b.labels == 1].var() + total[b.labels == 0].var()) / 2)
    simulated = (total[b.labels == 1].mean() - total[b.labels == 0].mean()) / spread
    assert simulated == pytest.approx(diagnostics.even_sum_separation("3a-T100-N1"), rel=0.05)
    with pytest.raises(ValueError, match="Experiment 3"):
        diagnostics.even_sum_separation("2c-1")
