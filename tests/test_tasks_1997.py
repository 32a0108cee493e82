"""The task generators of the 1997 LSTM paper's Experiments 1-6 against the paper's definitions (Section 5).

Every check recomputes the definition independently from the generated inputs: a regular expression
for the Reber grammar, the marker rules and target formulas of the adding and multiplication problems,
the class of a temporal-order sequence from its X/Y symbols. Property-based tests (hypothesis) check
the invariants over random seeds and sizes.
"""

import re
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_edu.tasks import adding, long_lag, noise_signal, reber, temporal_order

# ----------------------------------------------------------------------------------- Experiment 1
# The Reber graph written as a regular expression (derived by hand from the graph of Section 5.1):
# from state 4: (X T* V P)* (S | X T* V V); from state 3: T* V (V | P <state 4>).
_STATE4 = r"(?:XT*VP)*(?:S|XT*VV)"
_REBER = rf"B(?:TS*X{_STATE4}|PT*V(?:V|P{_STATE4}))E"
EMBEDDED = re.compile(rf"B(?:T{_REBER}T|P{_REBER}P)E")


def test_reber_strings_follow_the_grammar_and_branch_probabilities():
    gen = np.random.default_rng(0)
    strings = [reber.embedded_reber_string(gen) for _ in range(4000)]
    assert all(EMBEDDED.fullmatch(s) for s in strings)
    assert 0.47 < np.mean([s[1] == "T" for s in strings]) < 0.53
    # the shortest Reber strings BTXSE and BPVVE each have probability 1/8
    inner = [s[2:-2] for s in strings]
    assert 0.105 < np.mean([s == "BTXSE" for s in inner]) < 0.145
    assert 0.105 < np.mean([s == "BPVVE" for s in inner]) < 0.145
    assert min(len(s) for s in strings) == 9  # minimal lag 9 (Table 10)


def test_possible_next_matches_the_continuations_seen_in_many_strings():
    gen = np.random.default_rng(1)
    seen, count = defaultdict(set), defaultdict(int)
    strings = [reber.embedded_reber_string(gen) for _ in range(6000)]
    for s in strings:
        for t in range(len(s) - 1):
            seen[s[:t + 1]].add(s[t + 1])
            count[s[:t + 1]] += 1
    checked = 0
    for s in strings[:500]:
        allowed = reber.possible_next(s)
        for t in range(len(s) - 1):
            symbols = {reber.SYMBOLS[i] for i in np.flatnonzero(allowed[t])}
            assert seen[s[:t + 1]] <= symbols
            if count[s[:t + 1]] >= 40:  # a missing continuation would have shown up
                assert seen[s[:t + 1]] == symbols
                checked += 1
    assert checked > 3000
    # the embedded T/P is the only possible symbol after the inner E
    s = "BTBTXSETE"
    assert [reber.SYMBOLS[i] for i in np.flatnonzero(reber.possible_next(s)[6])] == ["T"]


@pytest.mark.parametrize("bad", ["BTBTXSEPE", "BTBTXXE", "BTBTXSETEE", "BTBXXSETE", "XTBTXSETE"])
def test_possible_next_rejects_strings_outside_the_grammar(bad):
    with pytest.raises(ValueError, match="embedded Reber string"):
        reber.possible_next(bad)


def test_training_and_test_sets_are_disjoint_and_encoded_for_next_symbol_prediction():
    train, test = reber.training_and_test_strings(3)
    assert len(train) == 256 and len(test) == 256
    assert not set(train) & set(test)
    assert all(EMBEDDED.fullmatch(s) for s in train + test)
    batch, possible = reber.encode(train[:20])
    for p, s in enumerate(train[:20]):
        L = len(s) - 1
        assert batch.lengths[p] == L
        assert "".join(reber.SYMBOLS[i] for i in batch.x[p, :L].argmax(axis=1)) == s[:-1]
        assert "".join(reber.SYMBOLS[i] for i in batch.targets[p, :L].argmax(axis=1)) == s[1:]
        assert np.all(batch.x[p, :L].sum(axis=1) == 1) and np.all(batch.x[p, L:] == 0)
        assert np.all(batch.target_mask[p, :L]) and not np.any(batch.target_mask[p, L:])
        assert np.array_equal(possible[p, :L], reber.possible_next(s)) and not possible[p, L:].any()
        assert possible[p, np.arange(L), batch.targets[p, :L].argmax(axis=1)].all()  # the actual next is possible
        assert batch.labels[p] == (s[1] == "P")


# ----------------------------------------------------------------------------------- Experiment 2
def _symbols(x, lengths):
    return [list(x[p, :lengths[p]].argmax(axis=1)) for p in range(x.shape[0])]


def test_task_2a_is_the_two_fixed_sequences():
    p = 7
    b = long_lag.noise_free(400, p, seed=4)
    assert b.x.shape == (400, p, p + 1) and np.all(b.lengths == p)
    for seq, target, label in zip(_symbols(b.x, b.lengths), b.targets.argmax(axis=2), b.labels):
        end = p if label == 1 else p - 1  # y = a_{p+1}, x = a_p
        assert seq == [end] + list(range(p - 1))
        assert list(target) == list(range(p - 1)) + [end]
    assert b.target_mask.all()
    assert 0.4 < b.labels.mean() < 0.6
    both = long_lag.noise_free_both(p)
    assert np.array_equal(both.labels, [0, 1]) and both.x[0, 0, p - 1] == 1 and both.x[1, 0, p] == 1


def test_task_2b_random_middle_only_end_predictable():
    p = 10
    b = long_lag.no_local_regularities(3000, p, seed=5)
    sym = np.array(_symbols(b.x, b.lengths))
    tgt = b.targets.argmax(axis=2)
    assert np.array_equal(sym[:, 0], tgt[:, -1]) and np.array_equal(sym[:, 0], np.where(b.labels == 1, p, p - 1))
    middle = sym[:, 1:]
    assert middle.min() == 0 and middle.max() == p - 2  # a_1 .. a_{p-1}
    assert np.array_equal(tgt[:, :-1], middle)
    counts = np.bincount(middle.ravel(), minlength=p - 1)
    assert counts.min() > 0.9 * counts.mean()


@pytest.mark.parametrize("p, q", [(50, 50), (5, 40)])
def test_task_2c_prefix_trigger_and_distractors(p, q):
    b = long_lag.very_long_lag(4000, p, q, seed=6)
    assert b.x.shape[2] == p + 4 and b.targets.shape[2] == 2
    extra = b.lengths - (q + 3)
    assert extra.min() == 0
    assert np.mean(extra) == pytest.approx(9.0, abs=0.5)          # geometric, trigger probability 1/10
    assert np.mean(extra == 0) == pytest.approx(0.1, abs=0.015)
    for seq, L, label in zip(_symbols(b.x, b.lengths), b.lengths, b.labels):
        assert seq[0] == p + 1 and seq[1] == p + 2 + label and seq[-1] == p  # b, x|y, ..., e
        assert max(seq[2:-1]) < p                                            # distractors a_1 .. a_p only
    rows = np.arange(4000)
    assert np.array_equal(b.targets[rows, b.lengths - 1].argmax(axis=1), b.labels)
    assert b.target_mask.sum() == 2 * 4000 and b.target_mask[rows, b.lengths - 1].all()
    distractors = np.concatenate([s[2:-1] for s in _symbols(b.x[:500], b.lengths[:500])])
    assert set(np.unique(distractors)) == set(range(p))                 # every distractor occurs
    assert 0.45 < b.labels.mean() < 0.55


# ----------------------------------------------------------------------------------- Experiment 3
@pytest.mark.parametrize("T, N", [(100, 3), (100, 1), (1000, 1)])
def test_task_3a_3b_3c(T, N):
    P = 3000 if T == 100 else 300
    a = noise_signal.task_3a(P, T, N, seed=7)
    assert a.lengths.min() >= T and a.lengths.max() <= T + T // 10
    sign = np.where(a.labels == 1, 1.0, -1.0)
    assert np.array_equal(a.x[:, :N, 0], np.repeat(sign[:, None], N, axis=1))
    rows = np.arange(P)
    assert np.array_equal(a.targets[rows, a.lengths - 1, 0], a.labels.astype(float))
    b = noise_signal.task_3b(P, T, N, seed=7)
    assert np.array_equal(b.labels, a.labels) and np.array_equal(b.x[:, N:], a.x[:, N:])
    noise = (b.x[:, :N, 0] - sign[:, None]).ravel()
    assert noise.var() == pytest.approx(0.2, rel=0.15) and abs(noise.mean()) < 0.06
    c = noise_signal.task_3c(P, T, N, seed=7)
    assert np.array_equal(c.x, a.x)
    end = c.targets[rows, c.lengths - 1, 0]
    clean = noise_signal.clean_targets_3c(c.labels)
    assert set(np.unique(clean)) == {0.2, 0.8} and np.all(clean[c.labels == 1] == 0.2)
    assert (end - clean).var() == pytest.approx(0.1, rel=0.15) and abs((end - clean).mean()) < 0.05
    assert c.target_mask.sum() == P


# -------------------------------------------------------------------------------- Experiments 4, 5
def _check_marked_pairs(b, T, low, first_value):
    """Recompute every rule of Section 5.4 from the inputs; return the two marked values per sequence."""
    values, markers = b.x[..., 0], b.x[..., 1]
    P = len(b.lengths)
    X = np.zeros((P, 2))
    for p in range(P):
        L = b.lengths[p]
        assert T <= L <= T + T // 10
        v, m = values[p, :L], markers[p, :L]
        assert np.all(b.x[p, L:] == 0)
        marked = np.flatnonzero(m == 1.0)
        assert len(marked) == 2
        assert marked[0] < 10 and marked[1] <= T // 2 - 2  # within the first 10 and the first T/2 - 1
        others = np.setdiff1d(np.arange(L), marked)
        expected = np.zeros(L)
        expected[[0, L - 1]] = -1.0
        assert np.array_equal(m[others], expected[others])
        assert np.all((v >= low) & (v <= 1.0))
        if m[0] == 1.0:
            assert v[0] == first_value
        X[p] = v[marked]
    return X


def test_adding_problem_definition():
    T = 100
    b = adding.adding(3000, T, seed=8)
    X = _check_marked_pairs(b, T, -1.0, 0.0)
    rows = np.arange(3000)
    assert np.allclose(b.targets[rows, b.lengths - 1, 0], 0.5 + X.sum(axis=1) / 4.0)
    assert b.target_mask.sum() == 3000 and b.target_mask[rows, b.lengths - 1, 0].all()
    first_marked = (b.x[:, 0, 1] == 1.0).mean()  # 1/10 + 9/10 * 1/(T/2 - 2)
    assert first_marked == pytest.approx(0.1 + 0.9 / 48, abs=0.02)
    assert b.lengths.min() == T and b.lengths.max() == T + T // 10


def test_multiplication_problem_definition():
    T = 60
    b = adding.multiplication(3000, T, seed=9)
    X = _check_marked_pairs(b, T, 0.0, 1.0)
    rows = np.arange(3000)
    assert np.allclose(b.targets[rows, b.lengths - 1, 0], X.prod(axis=1))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), T=st.integers(22, 400), P=st.integers(1, 12),
       multiply=st.booleans())
def test_marked_pair_rules_hold_for_any_seed_and_length(seed, T, P, multiply):
    fn, low, first = (adding.multiplication, 0.0, 1.0) if multiply else (adding.adding, -1.0, 0.0)
    b = fn(P, T, seed)
    X = _check_marked_pairs(b, T, low, first)
    end = b.targets[np.arange(P), b.lengths - 1, 0]
    assert np.allclose(end, X.prod(axis=1) if multiply else 0.5 + X.sum(axis=1) / 4.0)


# ----------------------------------------------------------------------------------- Experiment 6
def _check_temporal_order(b, task):
    ranges = temporal_order.POSITIONS[task]
    for p in range(len(b.lengths)):
        L = b.lengths[p]
        assert 100 <= L <= 110
        seq = b.x[p, :L].argmax(axis=1)
        assert np.all(b.x[p, :L].sum(axis=1) == 1) and np.all(b.x[p, L:] == 0)
        assert seq[0] == 0 and seq[-1] == 1 and np.all(seq[1:-1] >= 2)       # E ... B
        relevant = np.flatnonzero(seq >= 6) + 1                                # 1-based positions of X/Y
        assert len(relevant) == len(ranges)
        assert all(lo <= t <= hi for t, (lo, hi) in zip(relevant, ranges))
        cls = int("".join("0" if seq[t - 1] == 6 else "1" for t in relevant), 2)
        assert b.labels[p] == cls
        assert np.array_equal(b.targets[p, L - 1], np.eye(2 ** len(ranges))[cls])
        assert b.target_mask[p, L - 1].all() and b.target_mask[p].sum() == 2 ** len(ranges)


@pytest.mark.parametrize("task", ["6a", "6b"])
def test_temporal_order_definition_and_balance(task):
    b = temporal_order.temporal_order(4000, task, seed=10)
    _check_temporal_order(b, task)
    counts = np.bincount(b.labels, minlength=2 ** len(temporal_order.POSITIONS[task]))
    assert counts.min() > 0.85 * counts.mean()
    assert len(temporal_order.CLASS_NAMES[task]) == len(counts)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), P=st.integers(1, 8), task=st.sampled_from(["6a", "6b"]))
def test_temporal_order_invariants_for_any_seed(seed, P, task):
    _check_temporal_order(temporal_order.temporal_order(P, task, seed), task)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), P=st.integers(1, 6), p=st.integers(1, 30), q=st.integers(1, 60))
def test_task_2c_invariants_for_any_seed(seed, P, p, q):
    b = long_lag.very_long_lag(P, p, q, seed)
    for seq, label in zip(_symbols(b.x, b.lengths), b.labels):
        assert len(seq) >= q + 3 and seq[:2] == [p + 1, p + 2 + label] and seq[-1] == p
        assert all(s < p for s in seq[2:-1])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_reber_strings_for_any_seed(seed):
    s = reber.embedded_reber_string(seed)
    assert EMBEDDED.fullmatch(s) and s[1] == s[-2]
    assert reber.possible_next(s).shape == (len(s) - 1, 7)


def test_same_seed_same_data_and_bad_input():
    assert np.array_equal(adding.adding(5, 100, 1).x, adding.adding(5, 100, 1).x)
    assert not np.array_equal(adding.adding(5, 100, 1).x, adding.adding(5, 100, 2).x)
    with pytest.raises(ValueError, match="T must be an integer >= 22"):
        adding.adding(5, 20, 0)
    with pytest.raises(ValueError, match="task must be one of"):
        temporal_order.temporal_order(5, "6c", 0)
    with pytest.raises(ValueError, match="p must be an integer >= 2"):
        long_lag.noise_free(5, 1, 0)
    with pytest.raises(ValueError, match="n_informative must be < min_length"):
        noise_signal.task_3a(5, 2, 3, 0)
