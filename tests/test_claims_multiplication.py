"""Claims of the Experiment 5 chapter (book/experiments/multiplication.md): the generator, why a function of
the sum cannot pass the stopping rule, Table 10's weight count, the n_seq rule on a window fed by hand, and
why the stored nets test worse than the window that stopped them, why Table 8's "MSE" is no mean
squared error, and what Experiment 4's input-gate biases do for row 5-13.
"""

from math import exp, lgamma, log

import numpy as np

from lstm_edu import criteria, diagnostics_456, lstm1997, reproduction
from lstm_edu.tasks import adding


def test_the_generator_multiplies_the_marked_values():
    P, T = 20_000, 100
    b = adding.multiplication(P, T, seed=5)
    v, m = b.x[..., 0], b.x[..., 1]
    ones = m == 1.0
    inside = np.arange(b.x.shape[1])[None, :] < b.lengths[:, None]
    d = b.targets[np.arange(P), b.lengths - 1, 0]
    assert np.all(ones.sum(axis=1) == 2)
    assert np.all((v[inside] >= 0) & (v[inside] <= 1))
    assert np.all(v[ones[:, 0], 0] == 1.0)
    assert np.allclose(d, np.where(ones, v, 1.0).prod(axis=1))


def test_no_function_of_the_sum_passes_the_lenient_rule():
    """The best function of X1 + X2 alone gets hundreds of every 2000 sequences wrong (n_seq = 140)."""
    wrong_of_2000 = 2000 * np.mean(np.abs(diagnostics_456.sum_only_errors(50_000)) >= 0.04)
    assert wrong_of_2000 > 200 > 140


def test_weight_count_matches_table_10():
    net = lstm1997.build("5", 1, seed=0)
    assert net.n_weights == net.cfg.paper_weights == 93


def test_the_nseq_rule_on_a_window_fed_by_hand():
    for k in (0, 12, 13, 139, 140, 500):
        w = criteria.RollingWindow(1)
        for i in range(2000):
            w.push(np.array([i >= k]), np.array([0.05 if i < k else 0.01]))
        assert [bool(w.fewer_wrong_than(n_seq)[0]) for n_seq in (140, 13)] == [k < 140, k < 13]


def poisson_below(k, mean):
    return sum(exp(i * log(mean) - mean - lgamma(i + 1)) for i in range(k))


BOUNDS = {"5-140": (0.026, 170), "5-13": (0.013, 15)}    # Section 5.5: "always below", "never more than"


def test_the_rule_stops_the_nets_in_a_lucky_window():
    """Both rows' successful nets test worse than the paper's 'never more than' (their largest count), within
    its mean error bound; at their tested rate a window below n_seq is a rare dip at n_seq = 13 (median chance
    below 5 %) and 'a less rare dip but still the exception' at 140 (below 1/2)."""
    for name, (err_bound, wrong_bound) in BOUNDS.items():
        rare = 0.05 if name == "5-13" else 0.5
        n_seq = int(name.split("-")[1])
        ok = [r for r in reproduction.records(name) if r["success"] and r.get("test")]
        per_window = [2000 * r["test"]["wrong"] / r["test"]["n"] for r in ok]
        assert max(r["test"]["wrong"] for r in ok) > wrong_bound
        assert max(r["test"]["mean_abs_error"] for r in ok) < err_bound
        assert np.median(per_window) > n_seq
        assert np.median([poisson_below(n_seq, m) for m in per_window]) < rare


def test_table_8_mse_cannot_be_a_mean_squared_error_at_n_seq_13():
    """With w of 2560 wrong and the others below 0.04, the MSE is at most ((n - w) 0.04^2 + w) / n: Table 8's
    figure exceeds that bound for n_seq = 13 (not for 140)."""
    ratio = {}
    for name in BOUNDS:
        paper = reproduction.row_summary(name)["paper"]
        w, n = paper["wrong_of_2560"], 2560
        ratio[name] = paper["test_mse"] / (((n - w) * 0.04 ** 2 + w) / n)
    assert ratio["5-13"] > 1 > ratio["5-140"]


def test_row_5_140_ran_at_five_times_the_paper_mean():
    s = reproduction.row_summary("5-140")
    assert s["ours"]["budgets"] == [s["default_budget"]]
    assert s["default_budget"] >= 5 * reproduction.paper_sequences("5-140")


def test_in_most_successful_nets_an_input_gate_carries_x1_when_x2_arrives():
    """'This is how our nets multiply': in more than half of the successful nets of 5-140 and 5-13 the
    input-gate activation of some block at the second mark correlates with X1 (|r| above 0.5 on 1000 fresh
    sequences), the product of (mult-gate-product)."""
    successful = [r for name in ("5-140", "5-13") for r in reproduction.records(name)
                  if r["success"] and r.get("weights")]
    carried = [max(abs(r) for r in diagnostics_456.gate_carries_x1(rec)) > 0.5 for rec in successful]
    assert carried and sum(carried) > len(carried) / 2


def test_the_trials_out_of_budget_learned_a_product_but_not_the_precision():
    """Every trial that spent its budget ends with a training error below the best function of the sum's
    (estimated as in the chapter) and tests above its threshold (wrong per 2000 of at least n_seq)."""
    E_sum = np.mean(0.5 * diagnostics_456.sum_only_errors(200_000) ** 2)
    for name in BOUNDS:
        n_seq = int(name.split("-")[1])
        for r in reproduction.records(name):
            if not r["success"]:
                assert r["curve"]["mean_loss"][-1] < E_sum
                assert 2000 * r["test"]["wrong"] / r["test"]["n"] >= n_seq


def test_row_5_13_reproduces_under_experiment_4s_input_gate_biases_which_stop_the_drift():
    """Readings: 'a rate under which the paper's 10 of 10 would come up less than once in a hundred tries';
    with the biases [10 of 10] 'within the summary's factor of 2'; with the rate as well '[4.5] times fewer
    sequences than with the biases alone, about the factor of 5'; the caption's 'successes lie between the two';
    drift: row median [2.5] and [65 %] flat, biases [0.03] and 0 %, the caption's g 'halves the drift'; the
    exercise's estimate 'about 2.6' and 'about seventy-fold'."""
    from lstm_edu import verdict
    s = {n: reproduction.row_summary(n)["ours"] for n in ("5-13", "5-13_caption", "5-13_igb", "5-13_igb_alpha")}
    rate = s["5-13"]["successes"] / s["5-13"]["trials"]
    assert rate ** 10 < 0.01 and not verdict.agrees(reproduction.row_summary("5-13"))
    assert verdict.agrees(reproduction.row_summary("5-13_igb")) and s["5-13_igb"]["successes"] == 10
    assert s["5-13_igb"]["sequences_mean"] <= 2 * reproduction.paper_sequences("5-13")
    assert 3 < s["5-13_igb"]["sequences_mean"] / s["5-13_igb_alpha"]["sequences_mean"] < 7
    assert s["5-13"]["successes"] < s["5-13_caption"]["successes"] < s["5-13_igb"]["successes"]
    assert verdict.row_verdict("5-13")["verdict"] == "reproduced under a reading"
    drift = {n: diagnostics_456.drift_at_the_end(n) for n in ("5-13", "5-13_caption", "5-13_igb")}
    assert drift["5-13"]["median_state"] > 1 and drift["5-13"]["flat_share"] > 0.5
    assert drift["5-13_igb"]["median_state"] < 0.1 and drift["5-13_igb"]["flat_share"] == 0
    assert 0.35 < drift["5-13_caption"]["median_state"] / drift["5-13"]["median_state"] < 0.65
    assert drift["5-13"]["flat_share"] > drift["5-13_caption"]["flat_share"] > drift["5-13_igb"]["flat_share"]
    assert abs(drift["5-13"]["median_state"] - 2.6) < 0.5
    assert 40 < drift["5-13"]["median_state"] / drift["5-13_igb"]["median_state"] < 120
