"""Claims of the Experiment 6 chapter (book/experiments/temporal_order.md): the generator against its
definition, the plateaus (to-plateau), Table 10's weight counts, ST3(0.1) on outputs made by hand, and what
the stored records of 6a and 6b say.
"""

import numpy as np
import pytest

from lstm_edu import activations, criteria, diagnostics_456, lstm1997, reproduction, verdict
from lstm_edu.tasks import temporal_order

ROWS = ["6a", "6b"]


@pytest.mark.parametrize("task, table10_lag", [("6a", 40), ("6b", 24)])
def test_the_generator_follows_the_definition(task, table10_lag):
    P = 8000
    b = temporal_order.temporal_order(P, task, seed=1)
    n_cls = len(temporal_order.CLASS_NAMES[task])
    L, rows = b.lengths, np.arange(P)
    sym = np.argmax(b.x, axis=2)
    inside = np.arange(b.x.shape[1])[None, :] < L[:, None]
    rel = (sym >= 6) & inside
    pos = np.sort(np.nonzero(rel)[1].reshape(P, -1), axis=1) + 1                  # positions from 1
    bits = (sym[rows[:, None], pos - 1] == 7).astype(int)                         # X = 0, Y = 1
    middle = inside.copy()
    middle[rows, 0] = middle[rows, L - 1] = False
    ranges = temporal_order.POSITIONS[task]
    counts = np.bincount(b.labels, minlength=n_cls)
    assert np.array_equal(b.x.sum(axis=2), inside * 1.0)
    assert np.all((L >= 100) & (L <= 110))
    assert np.all(sym[:, 0] == 0) and np.all(sym[rows, L - 1] == 1)
    assert np.all(sym[middle] >= 2)
    assert pos.shape[1] == len(ranges)
    assert all(np.all((pos[:, i] >= lo) & (pos[:, i] <= hi)) for i, (lo, hi) in enumerate(ranges))
    assert np.array_equal(bits @ (2 ** np.arange(bits.shape[1])[::-1]), b.labels)
    assert np.array_equal(b.targets[rows, L - 1], np.eye(n_cls)[b.labels]) and b.target_mask.sum() == P * n_cls
    assert np.sum((counts - P / n_cls) ** 2 / (P / n_cls)) < 3 * n_cls
    assert (L - pos[:, -1]).min() == table10_lag


@pytest.mark.parametrize("task", ROWS)
def test_the_plateaus_are_the_best_errors_knowing_j_symbols(task):
    """(to-plateau): knowing j of m symbols leaves r = 2^(m-j) classes and the best error (r - 1) / (2r)."""
    b = temporal_order.temporal_order(20_000, task, seed=2)
    d = b.targets[np.arange(len(b.lengths)), b.lengths - 1]
    m = len(temporal_order.POSITIONS[task])
    for j in range(m + 1):
        group = b.labels >> (m - j)
        best = np.array([d[group == g].mean(axis=0) for g in range(2 ** j)])[group]
        r = 2 ** (m - j)
        assert abs(np.mean(0.5 * ((d - best) ** 2).sum(axis=1)) - (r - 1) / (2 * r)) < 0.005


@pytest.mark.parametrize("name", ROWS)
def test_weight_counts_match_table_10(name):
    net = lstm1997.build(name, 1, seed=0)
    assert net.n_weights == net.cfg.paper_weights


def test_st3_on_outputs_made_by_hand():
    """Correct needs every output within 0.3; ST3(0.1) needs a mean error below 0.1 as well."""
    target = np.array([[0.0, 1.0, 0.0, 0.0]])
    cases = (([0.05, 0.9, 0.1, 0.0], True, True), ([0.05, 0.69, 0.1, 0.0], False, False),
             ([0.29, 0.71, 0.29, 0.29], True, False))
    for outputs, expect_correct, expect_st3 in cases:
        outputs = np.array([outputs])
        correct = bool(np.all(np.abs(outputs - target) < 0.3))
        w = criteria.RollingWindow(1)
        for _ in range(2000):
            w.push(np.array([correct]), criteria.end_error(outputs, target))
        assert correct == expect_correct and bool(w.st3(0.1)[0]) == expect_st3


def test_successful_trials_are_not_slower_than_the_papers_and_meet_its_error_bound():
    """'Our nets that succeed learn about as fast as the paper's or faster; what differs is that some trials
    fail'; the successful nets' mean absolute test errors are below the paper's 0.1."""
    for name in ROWS:
        s = reproduction.row_summary(name)
        assert s["ours"]["sequences_mean"] < 1.25 * s["paper"]["sequences_mean"]
        assert s["ours"]["successes"] < s["ours"]["trials"]
        assert max(r["test"]["mean_abs_error"] for r in reproduction.records(name) if r["success"]) < 0.1


def plateau_left(record, top):
    below = np.flatnonzero(np.asarray(record["curve"]["mean_loss"]) < 0.9 * top)
    return record["curve"]["every"] * (below[0] + 1)


def test_successful_trials_spend_much_of_their_time_on_the_top_plateau():
    for name in ROWS:
        top = (2 ** len(temporal_order.POSITIONS[name]) - 1) / 2 ** (len(temporal_order.POSITIONS[name]) + 1)
        share = [plateau_left(r, top) / r["sequences"] for r in reproduction.records(name) if r["success"]]
        assert np.median(share) > 0.3


def test_failed_trials_came_down_and_fell_back():
    """Every failed trial came down well below the plateau of knowing nothing (the mean error over windows of
    5 % of the budget below half that level), at least one per row climbed back by more than 0.03, in 6b one
    even above that plateau; a failed 6a trial had reached the learned milestone before."""
    for name in ROWS:
        m = len(temporal_order.POSITIONS[name])
        nothing_known = (2 ** m - 1) / (2 * 2 ** m)
        fell_back = above = 0
        failed = [r for r in reproduction.records(name) if not r["success"]]
        for r in failed:
            assert r["sequences"] == r["budget"]
            w = diagnostics_456.fell_back(r, share=0.05)
            assert w["lowest"] < nothing_known / 2, (name, r["seed"])
            fell_back += w["last"] > w["lowest"] + 0.03
            above += w["last"] > nothing_known
        assert fell_back >= 1
        if name == "6b":
            assert above >= 1
        else:
            assert any("learned" in r["milestones"] for r in failed)


def test_most_successful_6a_nets_hold_the_answer_in_one_block():
    """The paper's 'typical' one-block solution: in more than half of the successful 6a nets one block's end
    states alone classify at least 99 % of held-out fresh sequences (nearest class mean)."""
    found = [max(diagnostics_456.block_accuracy(r, 800, seed=13)) >= 0.99
             for r in reproduction.records("6a") if r["success"] and r.get("weights")]
    assert found and sum(found) > len(found) / 2


def test_the_failed_nets_input_gates_stand_open_and_more_negative_biases_shut_them():
    """On fresh sequences the failed nets' input gates stand more open (median over nets of the largest mean
    input-gate activation) in both rows; the states' size separates the outcomes only in 6a (failed median |s_c|
    at the trigger more than twice the successful nets'), in 6b both medians lie where h's slope is below 1 % of
    its slope at 0. Under 6b_igb every net's gate stays below every failed 6b net's, and the states stay small."""
    found = {}
    for name in ROWS + ["6b_igb"]:
        for r in reproduction.records(name):
            if r.get("weights"):
                found.setdefault((name, r["success"]), []).append(diagnostics_456.trigger_state(r))
    size = {k: np.median([f["state"] for f in v]) for k, v in found.items()}
    gate = {k: np.median([f["gate"] for f in v]) for k, v in found.items()}
    for name in ROWS:
        assert gate[name, False] > 1.5 * gate[name, True]
    assert size["6a", False] > 2 * size["6a", True]
    assert max(activations.h_prime(size["6b", k]) for k in (True, False)) < 0.01 * activations.h_prime(0.0)
    assert ("6b_igb", False) not in found and len(found["6b_igb", True]) == 10
    assert max(f["gate"] for f in found["6b_igb", True]) < min(f["gate"] for f in found["6b", False])
    assert max(f["state"] for f in found["6b_igb", True]) < 0.5 * min(size["6b", k] for k in (True, False))


def test_the_caption_ranges_lift_6b_and_more_negative_input_gate_biases_solve_it():
    """'The caption's ranges lift 6b from [4] to [6] of 10. Input-gate biases twice Table 10's ... solve [10] of
    [10], after [1.3] times the paper's mean number of sequences: ... 6b reproduces under that reading.'"""
    row, caption, igb = (reproduction.row_summary(n)["ours"] for n in ("6b", "6b_caption", "6b_igb"))
    assert row["trials"] == caption["trials"] == igb["trials"] == 10
    assert row["successes"] < caption["successes"] < caption["trials"] == igb["successes"]
    assert igb["sequences_mean"] <= 2 * reproduction.paper_sequences("6b") == 1_142_200
    assert lstm1997.config("6b", input_gate_bias=(-4.0, -8.0, -12.0)).input_gate_bias == tuple(
        2 * b for b in lstm1997.config("6b").input_gate_bias)
    assert verdict.row_verdict("6b")["verdict"] == "reproduced under a reading"
