"""Claims of the Experiment 2 chapter (book/experiments/long_lags.md): the generators of 2a and 2c, Table 10's
weight counts, why the 2a cell is added late, how the failed 2a nets fail, why 2b is out of reach of its net,
the drift through the gates of the initial 2c nets (Table 10's caption ranges included), a trained 2c-1 net,
and what the stored records of 2b, 2c and their variants say.
"""

import numpy as np
import pytest

from lstm_edu import activations, diagnostics, experiments, reproduction
from lstm_edu.lstm1997 import build, config
from lstm_edu.tasks import long_lag

ROWS_2C = [f"2c-{k}" for k in range(1, 10)]
LONG = ROWS_2C[3:]                                   # q = 500 and q = 1000, run with the paper's mean as budget


def test_2a_is_two_fixed_sequences_predicted_one_step_ahead():
    p = 100
    seqs = long_lag.noise_free(1000, p, seed=0)
    symbols = np.concatenate([seqs.x.argmax(axis=2), seqs.targets[:, -1:].argmax(axis=2)], axis=1)
    first = np.where(seqs.labels == 1, p, p - 1)
    assert np.array_equal(symbols, np.column_stack([first, np.tile(np.arange(p - 1), (1000, 1)), first]))
    assert np.array_equal(seqs.targets[:, :-1], seqs.x[:, 1:])
    assert abs(seqs.labels.mean() - 0.5) < 0.07


def test_2c_lengths_are_q_plus_13_on_average_not_the_printed_q_plus_14():
    q, p = 50, 2
    lengths, per_symbol = diagnostics.lengths_and_distractors(p, q, n=100_000, seed=2024)
    assert lengths.min() == q + 4
    assert abs(lengths.mean() - (q + 13)) < 4 * lengths.std() / np.sqrt(lengths.size)
    assert abs(lengths.mean() - (q + 14)) > 0.5
    assert np.all(np.abs(per_symbol.mean(axis=0) - (q + 9) / p) < 0.2)


@pytest.mark.parametrize("row", ["2a", "2b"] + ROWS_2C)
def test_weight_counts_match_table_10(row):
    assert build(row, 1, seed=0).n_weights == config(row).paper_weights
    assert config("2a").paper_weights == 101 * 102 + 2 * 101 and config("2c-1").paper_weights == 6 * 60 + 2 * 2


def test_a_fresh_2a_cell_pushes_every_output_down_in_one_sequence():
    """'Why not start with the cell?': one update moves the 101 weights cell -> output down, each by at most
    4/27 sum_t s_c(t), the median by more than a quarter of that."""
    state, change = diagnostics.first_update_from_cell(seed=1, sequence_seed=0)
    bound = 4 / 27 * state.sum()
    assert 20 < state[99] < 30                                       # about 1/4 per step
    assert change.min() >= -bound - 1.0 and change.max() < 0 and np.median(change) < -0.25 * bound


def test_the_2b_cell_keeps_a_constant_class_difference():
    """(ll-2b-split): two sequences with the same middle and another first symbol keep a constant
    difference of their cell states; about 63% of the middles repeat their last symbol."""
    p, gen, repeat = experiments.experiment("2b").params["p"], np.random.default_rng(3), []
    for _ in range(10):                                   # 10,000 middles, 1,000 at a time (100 x 101 one-hot)
        check = long_lag.no_local_regularities(1000, p, gen)
        symbols = check.x[:, 1:p, :].argmax(axis=2)
        repeat.append((symbols[:, :-1] == symbols[:, -1:]).any(axis=1))
    assert abs(np.concatenate(repeat).mean() - (1 - (98 / 99) ** 98)) < 0.02
    for gap in diagnostics.class_difference(build("2b", 4, seed=5), check.x[:1])[:, :, 0]:
        assert np.ptp(gap) < 1e-12 and abs(gap[0]) > 1e-6


def test_the_2b_nets_never_notice_the_end():
    """Every 2b trial failed; at the end its x and y units stay near 0: a mean squared error over the 101
    outputs of about 1/101, every one of the 10,000 test sequences wrong."""
    recs = reproduction.records("2b")
    assert recs and not any(r["success"] for r in recs)
    for r in recs:
        assert abs(r["test"]["mse"] - 1 / 101) < 2e-4 and r["test"]["wrong"] == r["test"]["n"] == 10_000


@pytest.fixture(scope="module")
def drift():
    return {row: diagnostics.drift_at_the_trigger(row) for row in ROWS_2C}


def test_the_drift_formula_explains_the_states_at_the_trigger(drift):
    for row, (pred, meas, _) in drift.items():
        assert np.corrcoef(pred.ravel(), meas.ravel())[0, 1] > 0.7, row


def test_the_drift_grows_with_the_lag_not_with_p(drift):
    size = {row: np.median(np.abs(meas)) for row, (_, meas, _) in drift.items()}
    assert size["2c-3"] > 2 * size["2c-1"]
    assert all(size[row] > 20 for row in ROWS_2C[4:])                        # q = 1000
    reach = {row: np.mean(activations.h_prime(meas) > 0.01) for row, (_, meas, _) in drift.items()}
    assert reach["2c-1"] > 0.5 and reach["2c-2"] > 0.5                      # most cells within reach at q <= 100
    assert all(reach[row] < 0.5 for row in ROWS_2C[2:])                      # most out of reach from q = 200


def test_the_first_gradient_shrinks_by_orders_of_magnitude_with_the_lag(drift):
    """'Smaller than at q = 50 by more than three orders of magnitude at q = 500 and by more than five at
    q = 1000'."""
    grad = {row: np.median(g) for row, (_, _, g) in drift.items()}
    assert grad["2c-3"] < 0.2 * grad["2c-1"]
    assert grad["2c-4"] < 1e-3 * grad["2c-1"]
    assert all(grad[row] < 1e-5 * grad["2c-1"] for row in ROWS_2C[4:])


def off_plateau(record):
    """The chapter's 'left the plateau': the learning curve first below E = 0.1."""
    return diagnostics.left_plateau(record, 0.1)


def test_2c_3_never_leaves_the_plateau_and_2c_2_learns_and_loses_it():
    assert all(off_plateau(r) is None for r in reproduction.records("2c-3"))
    recs = reproduction.records("2c-2")
    learned = [r for r in recs if off_plateau(r) is not None]
    lost = [r for r in learned if not r["success"] and r["curve"]["mean_loss"][-1] > 0.24]
    assert len(learned) > len(recs) / 2 and len(lost) > len(learned) / 2        # most learn, most of them lose it


def test_the_2c_2_nets_that_lost_the_class_have_saturated_cells():
    """Failed 2c-2 nets with (nearly) every test sequence wrong: mostly each cell on the same side of 0 for
    x and y, h'(s_c) about 0 at the trigger, input gates about half open during the distractors."""
    collapsed = []
    for r in reproduction.records("2c-2"):
        if r["success"] or r["test"]["wrong"] < 9000:
            continue
        kept = diagnostics.class_at_the_trigger(r, n=200, seed=3)
        collapsed.append((bool(np.all(np.sign(kept["x"]) == np.sign(kept["y"]))), kept["h_prime"], kept["gate"]))
    assert collapsed
    assert sum(c[0] for c in collapsed) >= 0.6 * len(collapsed)
    assert np.median([c[1] for c in collapsed]) < 1e-4
    assert all(0.3 < c[2] < 0.7 for c in collapsed)


@pytest.mark.parametrize("name", LONG)
def test_no_net_with_q_500_or_1000_leaves_the_plateau_within_the_paper_mean(name):
    recs = reproduction.records(name)
    assert len(recs) == 20
    assert {r["budget"] for r in recs} == {reproduction.paper_sequences(name)}
    assert all(off_plateau(r) is None and not r["success"] for r in recs)
    assert min(r["test"]["wrong"] for r in recs) >= 9_900                   # at least 99% of 10,000 wrong


def test_the_input_gate_bias_lets_2c_3_start_but_slowly():
    """2c-3_igb: most nets leave the plateau (none of 2c-3 did), later than the paper's nets succeeded
    (33,000), and fewer than half pass the test of 10,000; its initial cells are within reach."""
    recs = reproduction.records("2c-3_igb")
    left = [v for v in (off_plateau(r) for r in recs) if v is not None]
    assert len(left) > len(recs) / 2
    assert np.median(left) > reproduction.paper_sequences("2c-3")
    assert sum(r["success"] for r in recs) < len(recs) / 2
    assert diagnostics.reach_at_the_trigger("2c-3_igb", seeds=range(10))["within_reach"] > 0.5


def test_the_caption_ranges_help_2c_1_and_reproduce_its_success_rate():
    text, caption = (reproduction.row_summary(n)["ours"] for n in ("2c-1", "2c-1_caption"))
    assert caption["successes"] > text["successes"]
    assert caption["successes"] == caption["trials"] == 20                  # the paper's 100% of 20 trials
    assert caption["sequences_mean"] > reproduction.paper_sequences("2c-1")  # "though more slowly"


def test_at_q_100_the_caption_ranges_free_more_trials_from_the_plateau_but_few_pass():
    """'At q = 100 (row 2c-2) it lets more trials leave the plateau, and sooner ... But leaving the plateau is
    not passing the test of 10,000 fresh sequences: [2 of 20] did within 160,000 sequences ([0 of 20] as
    written), where the paper's nets all passed after 31,000 on average.'"""
    left = {n: [v for v in (off_plateau(r) for r in reproduction.records(n)) if v is not None]
            for n in ("2c-2", "2c-2_caption")}
    assert len(left["2c-2_caption"]) > len(left["2c-2"])
    assert np.median(left["2c-2_caption"]) < np.median(left["2c-2"])
    text, caption = (reproduction.row_summary(n)["ours"] for n in ("2c-2", "2c-2_caption"))
    assert text["successes"] <= caption["successes"] < caption["trials"] / 2
    assert caption["trials"] == 20 and caption["budgets"] == [160_000]
    assert experiments.experiment("2c-2").test_size == 10_000 and reproduction.paper_sequences("2c-2") == 31_000
    # 'At q = 200 (row 2c-3) the caption's ranges free [6 of 20] trials from the plateau ... (as written [0 of
    # 20]), and [0 of 20] pass ... less and less as q grows'
    left3 = [v for v in (off_plateau(r) for r in reproduction.records("2c-3_caption")) if v is not None]
    assert not [r for r in reproduction.records("2c-3") if off_plateau(r) is not None]
    assert 0 < len(left3) < len(left["2c-2_caption"])
    assert reproduction.row_summary("2c-3_caption")["ours"]["successes"] <= caption["successes"]
    # '... on 2c-4 (q = 500, within [114,000], three times the paper's mean) [0 of 20] leave it'
    four = reproduction.row_summary("2c-4_caption")["ours"]
    assert four["trials"] == 20 and four["budgets"] == [3 * reproduction.paper_sequences("2c-4")]
    assert not [r for r in reproduction.records("2c-4_caption") if off_plateau(r) is not None]
    # '... and at q = 1000 (rows 2c-5 ..., [5] trials each, three times the paper's mean) [0 of 5 ...]'
    q1000 = [n for n in (f"2c-{k}_caption" for k in range(5, 10)) if reproduction.records(n)]
    assert q1000[0] == "2c-5_caption"
    for name in q1000:
        o = reproduction.row_summary(name)["ours"]
        assert o["trials"] == 5 and o["budgets"] == [3 * reproduction.paper_sequences(name[:4])]
        assert o["successes"] == 0 and not [r for r in reproduction.records(name) if off_plateau(r) is not None]


@pytest.mark.parametrize("row", ["2c-1", "2c-2"])
def test_the_caption_ranges_keep_the_cells_within_reach_at_the_trigger(row):
    """The caption's g (slope 1/2 at 0) halves the drift: smaller states at the trigger, and h's slope there
    relative to its slope at 0, 4 f'(s) under both readings, several times larger."""
    reach = {reading: diagnostics.reach_at_the_trigger(row, squashing=reading) for reading in (None, "caption")}
    assert reach["caption"]["median_state"] < 0.6 * reach[None]["median_state"]
    assert reach["caption"]["h_slope"] > 3 * reach[None]["h_slope"]


@pytest.mark.parametrize("squashing", [activations.SQUASH_1997, activations.SQUASH_CAPTION])
def test_h_relative_slope_is_4_f_prime_under_both_readings(squashing):
    s = np.linspace(-30, 30, 601)
    slope = activations.tanh_affine_and_prime(s, *squashing.h)[1]
    slope_0 = activations.tanh_affine_and_prime(0.0, *squashing.h)[1]
    assert np.allclose(slope / slope_0, 4 * activations.f_prime(s))


def test_2c_1_leaves_the_plateau_about_when_the_paper_succeeded_and_then_waits_for_the_test():
    """'About as soon as the paper's nets succeeded' (within a factor 1.5 of its mean); the successful trials
    passed a test of 10,000 only after many full tests (median more than 5)."""
    recs = reproduction.records("2c-1")
    left = [v for v in (off_plateau(r) for r in recs) if v is not None]
    assert len(left) > len(recs) / 2
    paper = reproduction.paper_sequences("2c-1")
    assert paper / 1.5 < np.median(left) < 1.5 * paper
    assert np.median([r["milestones"].get("tests", 0) for r in recs if r["success"]]) > 5


def test_a_trained_2c_1_net_rewrites_the_class_and_errs_rarely():
    """The first successful 2c-1 trial with weights: input gates about half open during the distractors, the
    x/y state difference growing more than tenfold up to the trigger, and fewer than 20 wrong of 20,000 fresh
    sequences (but the test of 10,000 is still a matter of luck)."""
    trained = next(r for r in reproduction.records("2c-1") if r["success"] and r.get("weights"))
    p, q = (experiments.experiment("2c-1").params[k] for k in ("p", "q"))
    net = experiments.trained_net(trained)
    batch = long_lag.very_long_lag(20, p, q, np.random.default_rng(12))
    pick = [int(np.flatnonzero(batch.labels == label)[0]) for label in (0, 1)]
    gap = diagnostics.class_gap(net.forward_one(batch.x[pick]), batch.lengths[pick])
    assert np.all((0.3 < gap["gates"]) & (gap["gates"] < 0.7))
    assert np.min(gap["end"] / gap["start"]) > 10
    assert diagnostics.fresh_wrong(trained, n=20_000, seed=21) < 20


def test_most_failed_2a_trials_end_with_a_confident_wrong_answer():
    failed = [r for r in reproduction.records("2a") if not r["success"]]
    assert failed
    assert sum(r["test"]["max_abs_error"] > 0.99 for r in failed) > len(failed) / 2


def test_the_two_open_choices_decide_2a_but_not_its_speed():
    """'With weights changed after every step alone, ...; with an input-gate bias of -2 alone, ...; with both,
    every trial, as in the paper, but ... times the paper's mean. No reading we tried reaches the paper's speed.'"""
    outcome = {name: reproduction.records(name) for name in ("2a", "2a_step", "2a_igb", "2a_igb_step")}
    solved = {name: sum(r["success"] for r in recs) for name, recs in outcome.items()}
    assert {name: len(recs) for name, recs in outcome.items()} == dict.fromkeys(outcome, 18)
    assert solved["2a_igb_step"] == 18 > solved["2a_igb"] and solved["2a_step"] < 18
    mean = np.mean([r["sequences"] for r in outcome["2a_igb_step"]])
    assert mean > 2 * reproduction.paper_sequences("2a")
    assert all(np.mean([r["sequences"] for r in recs if r["success"]]) > 2 * reproduction.paper_sequences("2a")
               for recs in outcome.values() if any(r["success"] for r in recs))


def test_a_2a_trial_races_the_middle_weights():
    """'By [5,000] sequences one class unit reads the cell with a weight of about [-6.6] ... one weight, from the
    last input, turns it on at the end. The other unit needs a positive weight from the cell ... the weights from
    all 98 middle inputs must fall in step' (2a_igb_step, two of the chapter's three trials, to 10,000)."""
    race = diagnostics.class_unit_weights("2a_igb_step", seeds=(0, 1), checkpoints=(5000, 10_000))
    assert race["cell"].shape == race["middle"].shape == race["last"].shape == (2, 2, 2)
    for k in range(2):
        neg = int(race["cell"][0, k].argmin())
        pos = 1 - neg
        assert race["cell"][0, k, neg] < -5 and race["last"][0, k, neg] > 8
        assert abs(race["middle"][1, k, neg] - race["middle"][0, k, neg]) < 0.1
        rise = race["cell"][1, k, pos] - race["cell"][0, k, pos]
        fall = race["middle"][0, k, pos] - race["middle"][1, k, pos]
        assert rise > 0.3 and fall > 0.5
    with pytest.raises(ValueError, match="name must be row 2a"):
        diagnostics.class_unit_weights("2c-1")
    with pytest.raises(ValueError, match="checkpoints must be increasing"):
        diagnostics.class_unit_weights(checkpoints=(5000, 2500))
