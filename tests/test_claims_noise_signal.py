"""Claims of the Experiment 3 chapter (book/experiments/noise_signal.md): the generators, the floor of 3b, the
best output of 3c, Table 10's weight count, the stored rows against the paper's, and what the solved nets
of row 3b-T1000-N1 learned.
"""

from math import sqrt

import numpy as np
import pytest

from lstm_edu import criteria, diagnostics, reproduction
from lstm_edu.lstm1997 import build, config
from lstm_edu.tasks import noise_signal

MAKERS = {"3a": noise_signal.task_3a, "3b": noise_signal.task_3b, "3c": noise_signal.task_3c}


@pytest.mark.parametrize("variant", list(MAKERS))
def test_the_generators_follow_the_definitions(variant):
    T, N, P = 100, 3, 20_000
    b = MAKERS[variant](P, T, N, np.random.default_rng(11))
    sign = np.where(b.labels == 1, 1.0, -1.0)[:, None]
    inside = np.arange(b.x.shape[1])[None, :] < b.lengths[:, None]
    noise = b.x[:, N:, 0][inside[:, N:]]
    ends = b.targets[np.arange(P), b.lengths - 1, 0]
    assert b.lengths.min() >= T and b.lengths.max() <= T + T // 10
    assert abs(noise.var() - 0.2) < 0.005 and abs(noise.mean()) < 0.005
    assert abs(b.labels.mean() - 0.5) < 0.02
    if variant == "3b":
        assert abs(np.var(b.x[:, :N, 0] - sign) - 0.2) < 0.01
    else:
        assert np.array_equal(b.x[:, :N, 0], np.broadcast_to(sign, (P, N)))
    if variant == "3c":
        for label, clean in noise_signal.TARGETS_3C.items():
            assert abs(ends[b.labels == label].mean() - clean) < 0.01
            assert abs(ends[b.labels == label].var() - 0.1) < 0.005
    else:
        assert np.array_equal(ends, b.labels.astype(float))


@pytest.mark.parametrize("N", [1, 3])
def test_the_sign_of_the_informative_mean_reaches_the_floor(N):
    """(ns-bayes): the best classifier of 3b errs with probability Phi(-sqrt(5N)), 1.27% for N = 1."""
    b = noise_signal.task_3b(100_000, 10, N, np.random.default_rng(0))      # only the first N steps matter
    guess = (b.x[:, :N, 0].mean(axis=1) > 0).astype(int)
    floor = diagnostics.bayes_error(N)
    se = sqrt(floor * (1 - floor) / len(guess))
    assert abs(np.mean(guess != b.labels) - floor) < 4 * se + 1e-5
    assert round(100 * diagnostics.bayes_error(1), 2) == 1.27


def test_the_best_constant_output_of_3c_is_the_clean_target():
    b = noise_signal.task_3c(100_000, 10, 1, np.random.default_rng(3))
    ends = b.targets[np.arange(len(b.lengths)), b.lengths - 1, 0]
    grid = np.linspace(0.0, 1.0, 1001)
    for label, clean in noise_signal.TARGETS_3C.items():
        t = ends[b.labels == label]
        mse = ((t[:, None] - grid[None, :]) ** 2).mean(axis=0)
        assert abs(grid[mse.argmin()] - clean) < 0.005 and abs(mse.min() - 0.1) < 0.003


@pytest.mark.parametrize("row", ["3a", "3b", "3c"])
def test_weight_count_matches_table_10(row):
    assert build(row, 1, seed=0).n_weights == config(row).paper_weights == 9 * 11 + 3


def plateau_end(record):
    return diagnostics.left_plateau(record, 0.12)


def test_every_solved_3b_t1000_net_opens_one_gate_once_after_a_long_plateau():
    """'In every solved net one block's input gate opens at the first step, wide for one class, and stays
    shut for the rest of the sequence'; the curves sit on the plateau for most of the run."""
    recs = reproduction.records("3b-T1000-N1")
    solved = [r for r in recs if r["success"]]
    assert len(solved) == len(recs) == 10
    for r in solved:
        gate = diagnostics.first_step_gate(r, n=200)
        assert gate["first"].max() > 0.5 and gate["later"] < 0.01, r["seed"]
        assert plateau_end(r) > 0.9 * r["sequences"], r["seed"]


def test_the_caption_ranges_do_not_shorten_the_plateau_of_3b_t1000_n1():
    """'Table 10's caption ranges ... do not find it sooner: [0] of them left the plateau, while the row's
    trials with the same seeds left it after [1,577,000 to 2,271,000] sequences': all later than the
    variant's budget, so neither reading is near the paper's pace."""
    caption = reproduction.records("3b-T1000-N1_caption")
    assert len(caption) == 5 and not any(r["success"] for r in caption)
    assert all(plateau_end(r) is None for r in caption)
    budget = max(r["budget"] for r in caption)
    assert budget >= 3 * reproduction.paper_sequences("3b-T1000-N1")
    row = [r for r in reproduction.records("3b-T1000-N1") if r["seed"] in {c["seed"] for c in caption}]
    assert len(row) == 5 and all(budget < plateau_end(r) for r in row)
    assert min(r["sequences"] for r in row) > 2 * reproduction.paper_sequences("3b-T1000-N1")


def test_an_evenly_open_cell_separates_the_classes_worst_in_3b_t1000_n1():
    """d' = 2N / sqrt(0.2 * 1.05 T): 0.14 for 3b-T1000-N1, about three times that or more for every other
    row of Tables 4 and 5; a read-out of it gains half a percent on the plateau E = 0.125."""
    separation = diagnostics.even_sum_separation
    others = ["3a-T100-N3", "3a-T100-N1", "3a-T1000-N3", "3b-T100-N3", "3b-T100-N1"]
    d = separation("3b-T1000-N1")
    assert round(d, 2) == 0.14
    assert all(separation(row) > 2.8 * d for row in others)
    assert round(0.125 * (1 - d ** 2 / (4 + d ** 2)), 4) == 0.1244


ROWS = ["3a-T100-N3", "3a-T100-N1", "3a-T1000-N3", "3b-T100-N3", "3b-T100-N1", "3b-T1000-N1", "3c-T100-N3",
        "3c-T100-N1"]


def test_every_row_but_3b_t1000_n1_reproduces_and_that_one_is_solved_but_slower():
    """'Our nets solve [all] trials, and [7] of the 8 rows reproduce the paper's result ... The exception is
    3b-T1000-N1: solved every time, but after [4] times the paper's mean'."""
    summaries = {row: reproduction.row_summary(row) for row in ROWS}
    assert all(s["ours"]["successes"] == s["ours"]["trials"] == s["paper"]["trials"] for s in summaries.values())
    assert [row for row, s in summaries.items() if s["status"] != "reproduced"] == ["3b-T1000-N1"]
    assert summaries["3b-T1000-N1"]["status"] == "slower"


def test_3c_needs_more_sequences_than_3a_with_the_same_n():
    for n in ("N3", "N1"):
        c, a = (reproduction.row_summary(f"{task}-T100-{n}")["ours"]["sequences_mean"] for task in ("3c", "3a"))
        assert c > 2 * a


def test_our_nets_misclassify_more_than_the_papers_and_stop_just_good_enough():
    """'After ST2 our nets misclassify more sequences than the paper's'; the final mean absolute errors lie
    near ST2's bound (below it or a little above: the final test has 2,560 fresh sequences)."""
    for row in ROWS:
        s = reproduction.row_summary(row)
        assert s["ours"]["fraction_misclassified_mean"] > s["paper"]["fraction_misclassified"], row
        bound = criteria.EXP3_RULES[row[:2]]["st2_mean"]
        assert 0.5 * bound < s["ours"]["test_mean_abs_error_mean"] < 1.5 * bound, row


def test_an_output_equal_to_the_posterior_misclassifies_more_than_the_floor():
    """3b, N = 1: the posterior P(class 1 | x1) as output misclassifies (0.2 rule) about 2.7%, twice the floor."""
    b = noise_signal.task_3b(200_000, 10, 1, np.random.default_rng(4))
    m, var = b.x[:, 0, 0], 0.2
    posterior = 1 / (1 + np.exp(-2 * m / var))
    wrong = np.abs(b.labels - posterior) >= 0.2
    formula = diagnostics.posterior_output_rate(1)
    assert abs(wrong.mean() - formula) < 0.002
    assert formula > 2 * diagnostics.bayes_error(1)
