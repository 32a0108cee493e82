"""Claims of the Experiment 4 chapter (book/experiments/adding.md): the generator against its definition, the
constant answer's error, ST3 on a window fed by hand, the run-length formula (adding-run), and what the stored
records of rows 4-1 to 4-3 and variant 4-1_long say: learned milestones, where the trained nets err, when
learning begins, and the error against the lag.
"""

import numpy as np
import pytest

from lstm_edu import activations, criteria, diagnostics, diagnostics_456, lstm1997, reproduction
from lstm_edu.tasks import adding

ROWS = ["4-1", "4-2", "4-3"]


@pytest.mark.parametrize("T, P", [(100, 4000), (1000, 500)])
def test_the_generator_follows_the_definition(T, P):
    b = adding.adding(P, T, seed=T)
    L, rows, steps = b.lengths, np.arange(P), np.arange(b.x.shape[1])
    inside = steps[None, :] < L[:, None]
    v, m = b.x[..., 0], b.x[..., 1]
    ones = m == 1.0
    first = np.argmax(ones, axis=1)
    second = steps.size - 1 - np.argmax(ones[:, ::-1], axis=1)
    ends = np.zeros_like(inside)
    ends[rows, 0] = ends[rows, L - 1] = True
    assert np.all((L >= T) & (L <= T + T // 10))
    assert np.all(ones.sum(axis=1) == 2)
    assert np.all(first < 10) and np.all(second <= T // 2 - 2)
    assert np.array_equal(m, np.where(ones, 1.0, np.where(ends, -1.0, 0.0)) * inside)
    assert np.all(v[ones[:, 0], 0] == 0.0)
    assert np.all(np.abs(v) <= 1) and not np.any(b.x[~inside])
    assert np.allclose(b.targets[rows, L - 1, 0], 0.5 + np.where(ones, v, 0.0).sum(axis=1) / 4.0)
    assert b.target_mask.sum() == P and np.all(b.target_mask[rows, L - 1, 0])
    # "about one sequence in ten" has a marked first pair: the first mark lands there, or the second one
    expected = 0.1 + 0.9 / (T // 2 - 2)
    assert abs(ones[:, 0].mean() - expected) < 4 * np.sqrt(expected * (1 - expected) / P)


def test_the_constant_answer_costs_about_one_48th():
    """(adding-const): E of the constant answer 0.5 is (2/3 - p0/3) / 32, p0 the share of marked first pairs."""
    b = adding.adding(40_000, 100, seed=7)
    rows = np.arange(len(b.lengths))
    d = b.targets[rows, b.lengths - 1, 0]
    p0 = (b.x[:, 0, 1] == 1.0).mean()
    E = 0.5 * (d - 0.5) ** 2
    assert abs((2 / 3 - p0 / 3) / 32 - E.mean()) < 4 * E.std() / np.sqrt(E.size)
    assert abs((2 / 3 - p0 / 3) / 32 - 1 / 48) < 2e-3


def test_one_net_serves_every_row_and_matches_table_10():
    weights = {name: lstm1997.build(name).n_weights for name in ROWS}
    assert set(weights.values()) == {lstm1997.config("4-1").paper_weights}
    assert all(lstm1997.config(name).paper_weights == weights[name] for name in ROWS)


def test_st3_on_a_window_fed_by_hand():
    w = criteria.RollingWindow(1)
    steps = [(1999, True, 0.005, False), (1, True, 0.005, True), (1, False, 0.05, False),
             (1999, True, 0.005, False), (1, True, 0.005, True), (2000, True, 0.02, False)]
    for n, correct, error, expected in steps:
        for _ in range(n):
            w.push(np.array([correct]), np.array([error]))
        assert bool(w.st3(0.01)[0]) == expected


n_2000 = diagnostics_456.n_2000


@pytest.mark.parametrize("q", [0.001, 0.002])
def test_the_run_length_formula_against_a_simulation(q):
    gen, runs = np.random.default_rng(0), []
    for _ in range(200):
        wrong = np.flatnonzero(gen.random(400_000) < q)
        edges = np.concatenate(([-1], wrong))
        gaps = np.diff(np.concatenate((edges, [400_000]))) - 1
        k = np.flatnonzero(gaps >= 2000)[0]
        runs.append(edges[k] + 1 + 2000)
    runs = np.array(runs)
    assert abs(runs.mean() - n_2000(q)) < 4 * runs.std() / np.sqrt(runs.size)
    assert n_2000(0.005) > 1e6 > 1e4 > n_2000(0.001)             # "a few thousand ... millions"


def test_two_cells_at_two_scales_read_the_edges_better_than_one():
    """'Two cells storing the sum at different scales do much better' than any single stored sum."""
    b = adding.adding(20_000, 100, seed=7)
    d = b.targets[np.arange(len(b.lengths)), b.lengths - 1, 0]
    S = 4.0 * (d - 0.5)
    h = lambda x: np.tanh(x / 2.0)
    one = min(np.mean(np.abs(activations.f(a * h(c * S)) - d) >= 0.04)
              for a in np.linspace(2, 60, 59) for c in np.geomspace(0.01, 2, 60))
    two = np.mean(np.abs(activations.f(9 * h(0.8 * S) - 3 * h(2 * S)) - d) >= 0.04)
    assert two < one / 2


def left_constant(name):
    """Sequences until each trial's curve fell below half the constant answer's E (trials that did)."""
    E_const = 1 / 48
    return [v for v in (diagnostics.left_plateau(r, 0.5 * E_const) for r in reproduction.records(name))
            if v is not None]


def test_the_time_to_leave_the_constant_answer_grows_much_faster_than_the_lag():
    """Every 4-1 and 4-2 net left the constant answer, every 4-2 net later than every 4-1 net, more than
    five times later (median against median: faster than the lag grows); the paper's nets needed only about
    four times as long at T = 1000 as at T = 500."""
    t100, t500 = left_constant("4-1"), left_constant("4-2")
    assert len(t100) == len(reproduction.records("4-1")) and len(t500) == len(reproduction.records("4-2"))
    assert min(t500) > max(t100)
    assert np.median(t500) > 5 * np.median(t100)
    assert 3.5 < reproduction.paper_sequences("4-3") / reproduction.paper_sequences("4-2") < 4.5


def test_from_t500_to_t1000_the_start_grows_about_as_the_papers_training():
    """'At T = 1000, [7] of the [10] nets left it within the budget ... the median of all of them ... is [4.8]
    times T = 500's': between 3 and 6, about the paper's 4.1 from 500 to 1000; from 100 to 500 the start
    grows [17] times, over five times the paper's [2.8]."""
    t500, t1000 = left_constant("4-2"), left_constant("4-3")
    recs = reproduction.records("4-3")
    assert len(recs) == 10 and 5 <= len(t1000) < len(recs)
    ratio = np.median(t1000 + [np.inf] * (len(recs) - len(t1000))) / np.median(t500)
    assert 3 < ratio < 6
    paper_500 = reproduction.paper_sequences("4-2") / reproduction.paper_sequences("4-1")
    assert np.median(t500) / np.median(left_constant("4-1")) > 5 * paper_500


def test_at_t1000_the_biases_alone_do_worse_than_the_text():
    """'At T = 1000 the biases alone (4-3_igb, [5] trials at [2,559,000] sequences ...) do worse than the
    text's: [0] of them left the constant answer, where [2] of the row's [5] trials with the same seeds had
    by then ... [67 %] of their states end where h' has lost half its slope, against the row's [38 %]'."""
    igb = reproduction.records("4-3_igb")
    cap = max(r["budget"] for r in igb)
    assert len(igb) == 5 and cap >= 3 * reproduction.paper_sequences("4-3")
    assert not left_constant("4-3_igb")
    same = [r for r in reproduction.records("4-3") if r["seed"] in {v["seed"] for v in igb}]
    row_left = [v for v in (diagnostics.left_plateau(r, 0.5 / 48) for r in same) if v is not None and v <= cap]
    assert len(same) == 5 and len(row_left) >= 1
    drift = [diagnostics_456.drift_at_the_end(n)["flat_share"] for n in ("4-3", "4-3_igb")]
    assert drift[1] > 1.5 * drift[0]


def test_at_t1000_the_caption_ranges_and_the_rate_add_nothing_within_three_times_the_papers_mean():
    """'at T = 1000 [1] of [5] within [2,559,000] sequences ... (the row's trials with the same seeds: [1] by
    then)'; 'With the rate 1.0 as well (4-3_igb_alpha), [0] of [5] ... (the row's same trials: [1])'."""
    for name, most in (("4-3_caption", 1), ("4-3_igb_alpha", 0)):
        recs = reproduction.records(name)
        cap = max(r["budget"] for r in recs)
        assert len(recs) == 5 and cap >= 3 * reproduction.paper_sequences("4-3")
        row = [r for r in reproduction.records("4-3") if r["seed"] in {v["seed"] for v in recs}]
        assert sum(r["success"] for r in recs) == most
        assert sum(r["success"] and r["sequences"] <= cap for r in row) == 1, name


def test_drift_grows_with_the_lag_but_does_not_delay_the_start_at_t500():
    """'The drift grows with the lag ... But it is not what delays learning at T = 500: Table 10's caption
    ranges shrink the drift there ... and leave the start where it was': the untrained nets' median |s_c| at
    the end rises from T = 100 to 500 to 1000 (no state flat at T = 100); at T = 500 the caption's is smaller,
    and its nets leave the constant answer within 5 % of the row's median."""
    drift = {name: diagnostics_456.drift_at_the_end(name) for name in ("4-1", "4-2", "4-3", "4-2_caption")}
    assert drift["4-1"]["median_state"] < drift["4-2"]["median_state"] < drift["4-3"]["median_state"]
    assert drift["4-1"]["flat_share"] == 0 < drift["4-2"]["flat_share"] < drift["4-3"]["flat_share"]
    assert drift["4-2_caption"]["median_state"] < 0.8 * drift["4-2"]["median_state"]
    row, caption = left_constant("4-2"), left_constant("4-2_caption")
    assert len(caption) == len(reproduction.records("4-2_caption"))
    assert abs(np.median(caption) / np.median(row) - 1) < 0.05


def test_the_nets_learn_the_bulk_early_and_the_paper_precision_late():
    """4-1: every net had at most 1 % of a fresh test wrong around the paper's mean (the earliest by 1.5 times
    it, the mean within twice it); the paper's precision came later, to fewer nets; the final tests count more
    wrong than the paper's mean; our nets meet ST3 later than the paper's (4-1 fails, 4-2 is slower)."""
    recs = reproduction.records("4-1")
    paper = reproduction.paper_sequences("4-1")
    pct = [r["milestones"]["learned_1pct"] for r in recs if "learned_1pct" in r["milestones"]]
    assert len(pct) == len(recs)
    assert min(pct) <= 1.5 * paper and np.mean(pct) < 2 * paper
    strict = [r for r in recs if "learned" in r["milestones"]]
    assert len(strict) < len(recs)
    assert all(r["milestones"]["learned"] >= r["milestones"]["learned_1pct"] for r in strict)
    assert min(r["test"]["wrong"] for r in recs) > reproduction.row_summary("4-1")["paper"]["wrong_of_2560"]
    assert reproduction.row_summary("4-1")["ours"]["successes"] < len(recs)
    assert reproduction.row_summary("4-2")["ours"]["sequences_mean"] > reproduction.paper_sequences("4-2")


def test_successful_nets_meet_the_paper_test_error_bound():
    """'The largest mean absolute test error of a successful trial' is below the paper's 0.01."""
    names = ["4-1", "4-1_long", "4-2", "4-3"]
    errors = [r["test"]["mean_abs_error"] for n in names for r in reproduction.records(n) if r["success"]]
    assert errors and max(errors) < 0.01


def test_row_4_1_trained_longer():
    """4-1_long: at least as many successes as 4-2 ('as reliably as at T = 500'), a trial that succeeded within
    4-1's budget ends where it did there, and 4-2's fewest sequences exceed 4-1's whole budget."""
    short = {r["seed"]: r for r in reproduction.records("4-1")}
    long_ = {r["seed"]: r for r in reproduction.records("4-1_long")}
    assert set(long_) == set(short)
    rate = sum(r["success"] for r in long_.values()) / len(long_)
    assert rate >= reproduction.row_summary("4-2")["ours"]["success_percent"] / 100
    assert all(long_[k]["sequences"] == s["sequences"] for k, s in short.items() if s["success"])
    assert reproduction.row_summary("4-2")["ours"]["sequences_min"] > max(r["budget"] for r in short.values())


def test_the_4_1_nets_err_at_the_edges_and_st3_waits_beyond_the_budget():
    """Wrong sequences have targets within 0.05 of 0 or 1 (ten times the rate of the others, at least); at the
    median net's error rate (adding-run) expects ST3 after more sequences than the budget; the failed nets'
    mean absolute error is below 0.01 (the 2000-in-a-row condition holds them back)."""
    recs = [r for r in reproduction.records("4-1") if r.get("weights")]
    found = [diagnostics_456.end_errors(r, 1000, seed=500 + 7 * k + 100) for k, r in enumerate(recs)]
    errs, dist = np.array([e for e, _ in found]), np.abs(np.array([d for _, d in found]) - 0.5)
    extreme = dist > 0.45
    assert (errs[extreme] >= 0.04).mean() > 10 * (errs[~extreme] >= 0.04).mean()
    q = np.median((errs >= 0.04).mean(axis=1))
    assert n_2000(q) > recs[0]["budget"]
    paper = reproduction.paper_sequences("4-1")
    assert recs[0]["budget"] == reproduction.row_summary("4-1")["default_budget"] == 5 * paper
    failed = [k for k, r in enumerate(recs) if not r["success"]]
    assert errs[failed].mean(axis=1).max() < 0.01


def test_the_error_does_not_grow_with_the_lag():
    """One successful net per row: the least-squares trend of |error| over the lags is below 10 % of 0.04."""
    for name in ["4-1", "4-2", "4-3"]:
        ok = [r for r in reproduction.records(name) if r["success"] and r.get("weights")]
        if ok:
            T = ok[0]["task"]["T"]
            assert abs(diagnostics_456.error_by_lag(ok[0], max(200, 100_000 // T), seed=100 + T)["trend"]) < 0.1 * 0.04


def shut_second_blocks(name):
    return sum(diagnostics_456.second_block(r)["shut"] for r in reproduction.records(name) if r.get("weights"))


def test_the_second_block_stays_shut_at_t_100_and_opens_at_t_500():
    assert shut_second_blocks("4-1") == len(reproduction.records("4-1"))
    assert shut_second_blocks("4-2") < len(reproduction.records("4-2")) / 2


def test_the_gate_biases_and_the_rate_close_the_success_rate_at_t_100_but_not_the_speed():
    """'The biases and the rate close the success rate at T = 100; the speed stays above the paper's, since ST3
    still waits for 2000 correct sequences in a row' (variant 4-1_igb_alpha against the paper's 10 of 10 after
    74,000; the row as written met ST3 in 1 of 10)."""
    row, closing = (reproduction.row_summary(n)["ours"] for n in ("4-1", "4-1_igb_alpha"))
    assert row["successes"] < closing["successes"] == closing["trials"] == 10
    assert closing["sequences_mean"] > 2 * reproduction.paper_sequences("4-1") == 148_000


def test_at_t_500_the_reading_does_worse_and_its_failed_nets_cut_the_cells_off():
    """'At T = 500 the same reading does worse than the text's ... The other nets never left the constant answer
    ... their output weights from the cells are at most [0.02]' (variant 4-2_igb_alpha against row 4-2)."""
    row, reading = (reproduction.row_summary(n)["ours"] for n in ("4-2", "4-2_igb_alpha"))
    assert reading["trials"] == row["trials"] == 10 and reading["successes"] < row["successes"] / 2
    stuck = [r for r in reproduction.records("4-2_igb_alpha") if not r["success"]]
    assert len(stuck) == reading["trials"] - reading["successes"]
    for r in stuck:
        assert r["sequences"] == r["budget"] == 1_100_000
        assert diagnostics.left_plateau(r, 0.5 / 48) is None
        assert max(diagnostics_456.second_block(r, j)["out_weight"] for j in range(2)) < 0.05


def test_the_caption_ranges_change_little():
    """'Table 10's caption ranges ... change little here: [0] of 10 trials of row 4-1 meet ST3 with them (the row
    [1]) and [8] of 10 of row 4-2 (the row [9]), after [4.3] times the paper's mean.'"""
    for row in ("4-1", "4-2"):
        text, caption = (reproduction.row_summary(n)["ours"] for n in (row, f"{row}_caption"))
        assert caption["trials"] == text["trials"] == 10 and abs(caption["successes"] - text["successes"]) <= 2
    assert reproduction.row_summary("4-2_caption")["ours"]["sequences_mean"] > 3 * reproduction.paper_sequences("4-2")


def test_of_the_two_changes_the_rate_does_most():
    """'Of the two changes, the rate does most of it: with the biases alone (4-2_igb) [2] nets stay on the constant
    answer and [8] of 10 succeed; as written, [0]' (against 4-2_igb_alpha's 8)."""
    def stuck(name):
        return sum(diagnostics.left_plateau(r, 0.5 / 48) is None for r in reproduction.records(name))
    assert stuck("4-2") < stuck("4-2_igb") < stuck("4-2_igb_alpha") / 2
    assert reproduction.row_summary("4-2_igb")["ours"]["successes"] > 2 * reproduction.row_summary(
        "4-2_igb_alpha")["ours"]["successes"]
