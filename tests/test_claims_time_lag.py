"""The claims of the chapter "Success against time lag" (book/experiments/time_lag.md).

Each test recomputes what the chapter states: the paper's figures it quotes (from the registries it glues them
from), the numbers of its derivation and exercises, and, on the stored sweep (lag_sweep.table()), the budget
rule, LSTM against the gradient-trained competitors and the three expectations of "Beside the paper". A claim
about stored cells is skipped only while none of its cells is stored.
"""

import math

import numpy as np
import pytest

from lstm_edu import activations, competitors, constructive_study, lag_sweep, reproduction, sweep_view

ROWS = lag_sweep.table()


def stored(family, methods, lag_from=0):
    """The stored cells (with trials) of ``methods`` on ``family`` from ``lag_from`` on; skip if there are none."""
    cells = [r for r in ROWS if r["family"] == family and r["method"] in methods and r["lag"] >= lag_from
             and sweep_view.ran(r)]
    if not cells:
        pytest.skip(f"no cell of {methods} on {family} from lag {lag_from} on is stored yet (python -m lstm_edu "
                    f"sweep --family {family})")
    return cells


def test_the_paper_figures_quoted_are_table_2_and_table_7():
    """'RTRL succeeded in 78% ... at p = 4 with learning rate 1.0 (after 1,043,000 sequences) and in 0% at p = 10
    and p = 100 within 5,000,000; BPTT in 0% at p = 100; the chunker in 33%; LSTM in 100% after 5,040';
    Table 7: 74,000, 209,000 and 853,000 (the spec of the 1997 paper)."""
    rtrl_p4 = competitors.ENTRIES["2a-rtrl-p4-a1"].paper
    assert (rtrl_p4["success_percent"], rtrl_p4["success_after"], rtrl_p4["alpha"]) == (78, 1_043_000, 1.0)
    for name in ("2a-rtrl-p10", "2a-rtrl-p100", "2a-bptt-p100"):
        paper = competitors.ENTRIES[name].paper
        assert (paper["success_percent"], paper["success_after_more_than"]) == (0, 5_000_000)
    assert constructive_study.ENTRIES["2a-chunker-p100"].paper["success_percent"] == 33
    assert (reproduction.paper_success_percent("2a"), reproduction.paper_sequences("2a")) == (100, 5040)
    assert [reproduction.paper_sequences(r) for r in ("4-1", "4-2", "4-3")] == [74_000, 209_000, 853_000]


def test_the_logistic_factor_stays_below_one_unless_the_weight_exceeds_four():
    """'With the logistic sigmoid, |f'| <= 1/4, so the factor stays below 1 unless |w| > 4.'"""
    net = np.linspace(-20, 20, 400_001)
    slope = activations.f_prime(net)
    step = 1e-5
    np.testing.assert_allclose(slope, (activations.f(net + step) - activations.f(net - step)) / (2 * step),
                               atol=1e-10)
    assert slope.max() == pytest.approx(0.25, abs=1e-12)
    assert (4.0 * slope).max() <= 1.0 and (4.01 * slope).max() > 1.0


def test_wilson_intervals_of_the_exercise_and_the_text():
    """Exercise 'What 0 of 20 allows': the upper end is z^2 / (n + z^2) = 3.84 / 23.84, about 0.16; the text
    glues wilson(0, n)[1] and wilson(n, n)[0] for the sweep's n trials a cell."""
    n, z = lag_sweep.N_TRIALS, 1.959963984540054
    assert n == 20
    assert lag_sweep.wilson(0, n) == (0.0, pytest.approx(z * z / (n + z * z), rel=1e-12))
    assert round(lag_sweep.wilson(0, n)[1], 2) == 0.16 and round(3.84 / 23.84, 2) == 0.16
    assert lag_sweep.wilson(n, n)[0] == pytest.approx(1 - z * z / (n + z * z), rel=1e-12)


def test_decay_exercise():
    """Exercise 'When does the gradient become noise?': about 66 steps for lambda = 0.9, about 10 for 0.5."""
    assert round(math.log(1e-3) / math.log(0.9)) == 66
    assert round(math.log(1e-3) / math.log(0.5)) == 10


def test_every_method_of_a_family_has_the_family_budget():
    """'A method's budget is counted in training sequences, the same number for every method of a family.'"""
    cells = [r for r in ROWS if sweep_view.ran(r)]
    if not cells:
        pytest.skip("no cell of the sweep is stored yet (python -m lstm_edu sweep)")
    assert all(r["budget"] == lag_sweep.FAMILIES[r["family"]].budget for r in cells), \
        [(r["family"], r["method"], r["lag"], r["budget"]) for r in cells
         if r["budget"] != lag_sweep.FAMILIES[r["family"]].budget]


def test_lstm_is_at_least_as_successful_as_every_gradient_trained_competitor_at_every_stored_lag():
    """What the sweep shows: 'at every lag where both cells are stored, LSTM succeeds in at least as large a
    fraction of its trials as each gradient-trained competitor (RTRL, BPTT, truncated BPTT, the Elman net)'."""
    pairs = [(r, sweep_view.cell(ROWS, r["family"], "lstm", r["lag"])) for r in ROWS
             if r["method"] in ("rtrl", "bptt", "bptt_h", "elman") and sweep_view.ran(r)]
    pairs = [(r, lstm) for r, lstm in pairs if lstm is not None and sweep_view.ran(lstm)]
    if not pairs:
        pytest.skip("no lag has both an LSTM cell and a gradient-trained competitor's cell stored yet")
    ahead = [(r["family"], r["method"], r["lag"], r["n_success"], lstm["n_success"]) for r, lstm in pairs
             if r["rate"] > lstm["rate"]]
    assert not ahead


def test_rtrl_and_bptt_fail_on_the_noise_free_sequences_from_p_10_on():
    """Beside the paper: 'RTRL and BPTT failing on the noise-free sequences from p = 10 on'."""
    against = [(r["method"], r["lag"], r["n_success"]) for r in stored("noise_free", ("rtrl", "bptt"), 10)
               if r["n_success"]]
    assert not against


def test_lstm_holds_on_the_noise_free_sequences_up_to_p_20_and_then_falls_as_row_2a_does():
    """'Our LSTM succeeds in at least 90% of its trials up to p = 20, and beyond that ...: the shortfall of our
    row 2a (fewer than all of 18 at p = 100) ... it sets in between p = 20 and p = 50'; 'on the 2-sequence
    problem LSTM keeps at least 90% ... far past the lags where RTRL and BPTT stop'."""
    lstm = {r["lag"]: r for r in stored("noise_free", ("lstm",))}
    if 50 not in lstm:
        pytest.skip("the noise-free LSTM cell at p = 50 is not stored yet")
    assert all(lstm[p]["rate"] >= 0.9 for p in (5, 10, 20)) and lstm[50]["rate"] < 0.9
    assert all(r["rate"] < 0.9 for p, r in lstm.items() if p >= 50)
    row_2a = reproduction.row_summary("2a")["ours"]
    assert row_2a["successes"] < row_2a["trials"] == 18
    two = {r["lag"]: r["rate"] for r in stored("two_sequence", ("lstm",))}
    gradient = [r for r in stored("two_sequence", ("rtrl", "bptt")) if r["n_success"]]
    assert all(two[T] >= 0.9 for T in two if T <= 50) and max(two) > max(r["lag"] for r in gradient)


def test_lstm_under_row_2as_closing_reading_holds_on_the_noise_free_sequences_at_every_lag():
    """'The same net under the reading that solves row 2a (an input-gate bias starting at -2, weights changed
    after every step) succeeds in at least 90% of its trials up to p = 100 ..., at p = 100 after ... sequences
    on average: the flat curve that the constant error carousel predicts, though slower than the paper's LSTM'
    (5,040 sequences at p = 100); and where the text's reading falls below 90% (p >= 50), this one does not."""
    igb = {r["lag"]: r for r in stored("noise_free", ("lstm_igb",))}
    if 100 not in igb:
        pytest.skip("the cell of lstm_igb at p = 100 is not stored yet")
    assert all(r["rate"] >= 0.9 for r in igb.values()) and set(igb) == set(lag_sweep.FAMILIES["noise_free"].lags)
    assert igb[100]["mean_sequences"] > reproduction.paper_sequences("2a")
    text = {r["lag"]: r for r in stored("noise_free", ("lstm",))}
    assert [p for p in text if text[p]["rate"] < 0.9] == [p for p in text if p >= 50]


def test_lstm_on_the_2_sequence_problem_runs_out_of_budget_on_the_plateau_not_of_signal():
    """'There its curve ends at the budget, not at a vanishing error signal. The sequences its successful trials
    needed grow with the lag ..., and each of the failed trials of the cells from T = 200 on ended on the plateau
    of a net that answers 0.5 whatever the class (mean training error over the last 1,000 sequences within
    0.001 of 0.125) ... Given the paper's budgets the same net learns far longer lags: rows 3b-T1000-N1 and
    3a-T1000-N3 solved all their trials ... No gradient-trained competitor learned T = 20 within the same
    budget.'"""
    lstm = {r["lag"]: r for r in stored("two_sequence", ("lstm",))}
    if 200 not in lstm:
        pytest.skip("the LSTM cell of the 2-sequence problem at T = 200 is not stored yet")
    medians = [lstm[T]["median_sequences"] for T in sorted(lstm) if lstm[T]["n_success"]]
    assert medians[-1] > 5 * medians[0]
    short = [T for T in lstm if lstm[T]["rate"] < 0.9]
    assert short and min(short) == 200
    records = lag_sweep.stored()
    ends = [r["curve"]["mean_loss"][-1] for T in short
            for r in records[lag_sweep.cell_name("two_sequence", "lstm", T)] if not r["success"]]
    assert len(ends) >= 20 and all(abs(e - 0.125) < 1e-3 for e in ends)
    assert lag_sweep.FAMILIES["two_sequence"].check_every == 1000
    for row in ("3b-T1000-N1", "3a-T1000-N3"):
        ours = reproduction.row_summary(row)["ours"]
        assert ours["successes"] == ours["trials"] == 10
        assert ours["sequences_mean"] > lag_sweep.FAMILIES["two_sequence"].budget
    assert not [r for r in stored("two_sequence", ("rtrl", "bptt", "bptt_h", "elman"), 20) if r["n_success"]]


def test_random_guessing_solves_the_latch_at_every_lag():
    """Beside the paper: 'random guessing solving the latch at every lag (again at least 90%)'."""
    against = [(r["lag"], r["n_success"], r["n_trials"]) for r in stored("latch", ("guessing",)) if r["rate"] < 0.9]
    assert not against
