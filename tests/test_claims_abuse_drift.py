"""The claims of the abuse and drift chapter (book/lstm/abuse_drift.md), from the records it reads and the
computations it runs."""

import numpy as np
import pytest

from lstm_edu import abuse, activations, experiments, results


@pytest.fixture(scope="module")
def stored():
    return abuse.load()


@pytest.fixture(scope="module")
def early(tmp_path_factory):
    """The page's short runs: all trials of each variant for 500 strings, the staggered ones for 1000 and 3000."""
    scratch = tmp_path_factory.mktemp("abuse")
    usage = {}
    for strings, variants in ((500, ("zero", "staggered", "sequential")), (1000, ("staggered",)),
                              (3000, ("staggered",))):
        for variant in variants:
            name = abuse.VARIANTS[variant]
            experiments.run(name, budget=strings, out=scratch / str(strings), progress=False)
            usage[variant, strings] = abuse.usage(results.read_trials(scratch / str(strings) / "lstm1997" / name))
    return usage


def test_the_stored_trials_are_the_runs_first_strings(stored):
    """Every variant has row 1-4's 30 trials and budget; sequential construction is its own rule."""
    assert {v: len(r) for v, r in stored.items()} == {"zero": 30, "staggered": 30, "sequential": 30}
    assert {r["budget"] for records in stored.values() for r in records} == {experiments.experiment("1-4").budget}
    sequential = experiments.experiment("1-4_sequential")
    assert (sequential.construction_window, sequential.plateau_drop) == (500, 0.05)


def test_about_one_cell_per_net_is_abused_within_500_strings(early):
    for variant in ("zero", "staggered", "sequential"):
        assert 0.85 <= abuse.bias_like(*early[variant, 500]).sum(axis=1).mean() <= 1.0, variant


def test_staggered_biases_confine_the_abuse_to_block_1_and_allocate_the_others_in_turn(early):
    first = abuse.bias_like(*early["staggered", 500])
    assert first[:, 0].sum() / first.sum() >= 0.85
    rms = {strings: np.median(early["staggered", strings][0], axis=0) for strings in (500, 1000, 3000)}
    assert max(rms[500][2:]) < 0.05                      # blocks 3 and 4 silent at first
    assert rms[1000][2] > 0.3 and rms[1000][3] < 0.05     # block 3 on after 1000 strings, block 4 not yet
    assert rms[3000][3] > 0.3                             # block 4 on after 3000


def test_zero_biases_did_better_than_the_papers_staggered_ones(stored):
    solved = {v: sum(r["success"] for r in records) for v, records in stored.items()}
    assert solved["zero"] > solved["staggered"] and solved["zero"] > solved["sequential"]
    paper = experiments.experiment("1-4").paper
    for variant, records in stored.items():  # much slower than the paper in every variant
        assert 100 * solved[variant] / len(records) < paper["success_percent"] / 2, variant


def test_sequential_construction_grows_to_four_blocks_one_at_a_time(stored):
    added = [r["milestones"].get("block_added", []) for r in stored["sequential"]]
    assert all(len(a) <= 3 and all(np.diff([0, *a]) >= 1000) for a in added)
    assert sum(len(a) == 3 for a in added) >= 20


def test_the_abused_cell_stays_in_block_1_with_staggered_biases(stored):
    final = {v: abuse.bias_like(*abuse.usage(records)) for v, records in stored.items()}
    assert final["staggered"][:, 0].mean() > 0.5 and final["staggered"][:, 0].mean() > final["zero"][:, 0].mean()


@pytest.fixture(scope="module")
def drift():
    lengths = [50, 100, 200, 500, 1000]
    return lengths, abuse.state_drift(lengths, input_gate_bias=0.0), abuse.state_drift(lengths)


def test_the_state_drifts_linearly_and_h_prime_vanishes_without_an_input_gate_bias(drift):
    lengths, zero, biased = drift
    s = np.median(zero[:, :2], axis=1)
    np.testing.assert_allclose(s / s[0], np.array(lengths) / lengths[0], rtol=0.25)   # linear in T
    assert np.median(zero[0, 2:4]) > 0.2 and max(zero[-1, 2:4]) < 1e-15
    assert np.median(zero[-1, :2]) / biased[-1, 0] > 10 and biased[-1, 2] > 0.1 and biased[-1, 1] < 0.5
    assert 0.04 < activations.f(-3.0) < 0.05


def test_the_input_gate_bias_trades_gradient_on_short_sequences_for_gradient_on_long_ones(drift):
    lengths, zero, biased = drift
    short = np.array(lengths) <= 200
    assert np.all(zero[short, 4] / biased[short, 4] > 3)          # unbiased nets: larger cell gradient
    assert np.all(biased[~short, 4] > zero[~short, 4])            # overtaken from T = 500 on
    assert biased[-1, 4] / zero[-1, 4] > 10 and biased[-1, 5] / zero[-1, 5] > 50


def test_biases_from_minus_2_to_minus_4_work_about_equally_well_and_minus_8_is_too_much():
    biases = np.array([0.0, -1.0, -2.0, -3.0, -4.0, -6.0, -8.0])
    h_end, g_cell = abuse.bias_scan(biases)
    good = (biases <= -2) & (biases >= -4)
    assert np.all(g_cell[good] / g_cell[0] > 2)
    assert 0.5 < g_cell[biases == -6][0] / g_cell[0] < 2 and g_cell[0] / g_cell[biases == -8][0] > 3
    assert np.all(np.diff(h_end) >= 0)  # a more negative bias, less drift: h' nearer its maximum 1/2


def test_exercise_the_tradeoff_in_a_formula():
    """Solution of "The trade-off in a formula": with mu = 0.1, f(b) h'(T f(b) mu) peaks at b about -1.7, -4.2 and
    -6.5 for T = 100, 1000, 10,000 (x tanh(x/2) = 1 at x about 1.54), about ln 10 apart."""
    from lstm_edu import analysis

    b = np.linspace(-10, 2, 120_001)
    f = activations.f(b)
    best = [b[np.argmax(f * activations.h_prime(T * f * 0.1))] for T in (100, 1000, 10_000)]
    np.testing.assert_allclose(best, [-1.7, -4.2, -6.5], atol=0.06)
    assert analysis.logistic_factor_maximum(1.0)[1] == pytest.approx(1.54, abs=0.01)
