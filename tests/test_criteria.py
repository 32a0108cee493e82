"""The paper's success and stopping criteria (Table 11, Section 5) on hand-computed cases."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_edu import criteria


def test_abs_and_max_abs_error_by_hand():
    # 3 sequences, 2 steps, 2 outputs; targets only where the mask says
    y = np.array([[[0.1, 0.9], [0.5, 0.5]],
                  [[0.3, 0.0], [0.0, 0.0]],
                  [[0.0, 0.0], [0.95, 0.06]]])
    t = np.array([[[0.0, 1.0], [9.0, 9.0]],
                  [[0.0, 0.0], [0.0, 0.0]],
                  [[0.0, 0.0], [1.0, 0.0]]])
    m = np.array([[[True, True], [False, False]],
                  [[True, True], [True, True]],
                  [[False, False], [True, True]]])
    assert np.allclose(criteria.max_abs_error(y, t, m), [0.1, 0.3, 0.06])
    assert list(criteria.abs_correct(y, t, m, 0.25)) == [True, False, True]
    assert list(criteria.abs_correct(y, t, m, 0.1)) == [False, False, True]   # 0.1 is not below 0.1
    y[2, 1, 0] = np.nan
    assert list(criteria.abs_correct(y, t, m, 0.25)) == [True, False, False]  # NaN output is wrong
    with pytest.raises(ValueError, match="bound must be a finite number > 0"):
        criteria.abs_correct(y, t, m, -1)


def test_end_values_and_end_error():
    a = np.arange(2 * 4 * 2, dtype=float).reshape(2, 4, 2)
    assert np.array_equal(criteria.end_values(a, [2, 4]), [[2.0, 3.0], [14.0, 15.0]])
    assert np.allclose(criteria.end_error([[0.5, 0.0], [1.0, 1.0]], [[0.0, 0.1], [1.0, 0.0]]), [0.3, 0.5])
    with pytest.raises(ValueError, match="lengths must lie in"):
        criteria.end_values(a, [0, 4])


def test_reber_rule_by_hand():
    possible = np.zeros((2, 2, 7), dtype=bool)
    possible[:, 0, [1, 2]] = True     # T or P may follow
    possible[:, 1, 6] = True          # only E may follow
    y = np.full((2, 2, 7), 0.1)
    y[0, 0, [1, 2]] = [0.6, 0.5]      # both possible symbols most active
    y[0, 1, 6] = 0.9
    y[1, 0, [1, 2, 3]] = [0.6, 0.4, 0.5]  # S (impossible) beats P (possible): wrong
    y[1, 1, 6] = 0.9
    assert list(criteria.reber_correct(y, possible, [2, 2])) == [True, False]
    y[1, 0, 3] = 0.1
    assert list(criteria.reber_correct(y, possible, [2, 2])) == [True, True]
    y[0, 1, :] = 0.9                  # a tie with impossible symbols at step 1 ...
    assert list(criteria.reber_correct(y, possible, [2, 2])) == [False, True]
    assert list(criteria.reber_correct(y, possible, [1, 2])) == [True, True]  # ... beyond the string's end


def test_exp3_st1_st2_by_hand():
    n = 256
    t = np.tile(np.r_[np.ones(128), np.zeros(128)], (3, 1))
    y = t.copy()
    y[0] += np.where(t[0] == 1, -0.005, 0.005)           # all correct, mean error 0.005
    y[1] = t[1] + 0.02                                    # all correct, mean error 0.02
    y[2] = t[2] + 0.005
    y[2, :1] = 0.75                                        # error 0.25: misclassified
    c = criteria.exp3_criteria("3a", y, t)
    assert list(c["wrong"]) == [0, 0, 1]
    assert np.allclose(c["mean_abs_error"], [0.005, 0.02, (0.25 + 255 * 0.005) / n])
    assert list(c["st1"]) == [True, True, False] and list(c["st2"]) == [True, False, False]
    # 3b: fewer than 6 of 256 wrong, mean below 0.04
    y = t + 0.01
    y[0, :5] = 0.5
    y[1, :6] = 0.5
    c = criteria.exp3_criteria("3b", y[:2], t[:2])
    assert list(c["wrong"]) == [5, 6] and list(c["st1"]) == [True, False]
    assert c["mean_abs_error"][0] == pytest.approx((5 * 0.5 + 251 * 0.01) / n)
    assert list(c["st2"]) == [True, False]
    # 3c: misclassified when more than 0.1 away from the noise-free target; stop below 0.015 mean
    clean = np.tile(np.r_[np.full(128, 0.2), np.full(128, 0.8)], (2, 1))
    y = clean + 0.01
    y[1, 0] = 0.2 + 0.11
    c = criteria.exp3_criteria("3c", y, clean)
    assert list(c["wrong"]) == [0, 1] and list(c["st2"]) == [True, False]
    y = clean + 0.016
    assert not criteria.exp3_criteria("3c", y, clean)["st2"][0]
    with pytest.raises(ValueError, match="variant must be one of"):
        criteria.exp3_criteria("3d", y, clean)


def test_rolling_window_st3_and_n_seq_by_hand():
    w = criteria.RollingWindow(2, size=3)
    w.push([True, True], [0.05, 0.2])
    w.push([True, False], [0.05, 0.2])
    assert list(w.full) == [False, False] and list(w.n_wrong()) == [0, 1]
    assert not w.st3(0.1).any()                            # window not yet full
    w.push([True, True], [0.05, 0.2])
    assert list(w.full) == [True, True]
    assert list(w.st3(0.1)) == [True, False]               # trial 1: a wrong sequence in the window
    assert list(w.fewer_wrong_than(1)) == [True, False] and list(w.fewer_wrong_than(2)) == [True, True]
    w.push([True, True], [0.25, 0.0])                      # the oldest entry drops out
    assert np.allclose(w.mean_error(), [0.35 / 3, 0.4 / 3])
    assert list(w.n_wrong()) == [0, 1]
    assert list(w.st3(0.1)) == [False, False]              # trial 0: mean 0.117 is not below 0.1
    w.push([True, True], [0.1, 0.0])                       # trial 1's wrong sequence leaves the window
    assert np.allclose(w.mean_error(), [0.4 / 3, 0.2 / 3])
    assert list(w.st3(0.1)) == [False, True] and list(w.st3(0.2)) == [True, True]
    one = w.select([1])
    assert list(one.n_wrong()) == [0] and one.count[0] == 5
    again = criteria.RollingWindow.from_state(w.state())
    assert np.array_equal(again.mean_error(), w.mean_error()) and again.size == 3
    with pytest.raises(ValueError, match="correct must have shape"):
        w.push([True], [0.0])
    assert criteria.WINDOW == 2000


@settings(max_examples=30, deadline=None)
@given(size=st.integers(1, 7),
       steps=st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=1, max_size=25))
def test_window_wrong_counts_match_a_recount_of_the_recent_sequences(size, steps):
    w = criteria.RollingWindow(3, size)
    for k, flags in enumerate(steps):
        w.push(flags, np.arange(3.0) * k)
        recent = np.array(steps[max(0, k + 1 - size):k + 1])
        assert list(w.n_wrong()) == list((~recent).sum(axis=0))
        assert np.allclose(w.mean_error(), np.arange(3.0) * np.arange(max(0, k + 1 - size), k + 1).mean())
    again = criteria.RollingWindow.from_state(w.state())
    assert list(again.n_wrong()) == list(w.n_wrong())
    assert list(w.select([2, 0]).n_wrong()) == [w.n_wrong()[2], w.n_wrong()[0]]
