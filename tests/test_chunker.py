"""Tests of lstm_edu.chunker: both levels' RTRL gradients against autograd, what the higher level sees,
the paper's weight count, independence of trials, and bad inputs; and the study's chunker trainer."""

import autograd
import numpy as np
import pytest

from lstm_edu import chunker, chunker_engine, competitor_nets, constructive_study, runner
from lstm_edu.results import read_record
from lstm_edu.tasks import long_lag


def _relative_error(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


def _sequences(P, p, seed, task=long_lag.no_local_regularities):
    b = task(P, p, seed)
    return np.concatenate([b.x, b.targets[:, -1:]], axis=1), b.lengths + 1


def _reference_gradients(config, W_A, W_C, x, lengths, trained):
    """autograd's gradients: A's error over its prediction steps with targets (next symbol, C's hidden value),
    and C's error on the sequence of its own events (each input read with its time, predicting the next)."""
    lo, up, n = config.lower, config.upper, config.n_symbols
    P, T = x.shape[:2]
    extra = [trained.hidden_C[:, :-1, None]] if config.absorb else []
    targets = np.concatenate([x[:, 1:]] + extra, axis=2)
    mask = np.broadcast_to((np.arange(T - 1)[None, :] < (lengths - 1)[:, None])[..., None], targets.shape)

    def loss_A(W):
        y, _ = competitor_nets.forward_pass(lo, W * lo.mask, x[:, :-1])
        return competitor_nets.squared_error(lo, y, targets, mask).sum()

    K = int(trained.events.sum(axis=1).max())
    xc, tc, mc = np.zeros((P, K, n + 1)), np.zeros((P, K, n)), np.zeros((P, K, n))
    for i in range(P):
        steps = np.flatnonzero(trained.events[i])
        xc[i, :len(steps), :n], xc[i, :len(steps), n] = x[i, steps], steps / config.time_scale
        tc[i, :len(steps) - 1], mc[i, :len(steps) - 1] = x[i, steps[1:]], 1.0

    def loss_C(W):
        y, _ = competitor_nets.forward_pass(up, W * up.mask, xc)
        return competitor_nets.squared_error(up, y, tc, mc).sum()

    return autograd.grad(loss_A)(W_A) * lo.mask, autograd.grad(loss_C)(W_C) * up.mask


@pytest.mark.parametrize("absorb, threshold, seed", [(True, 0.3, 0), (False, 0.3, 1), (True, 0.45, 2)])
def test_both_levels_gradients_equal_autograd(absorb, threshold, seed):
    config = chunker.ChunkerConfig(6, time_scale=5.0, absorb=absorb, threshold=threshold)
    W_A, W_C = chunker.initial_weights(config, [seed, seed + 10, seed + 20], scale=1.5)
    x, lengths = _sequences(3, 5, seed)
    lengths[1] -= 1
    x[1, lengths[1]:] = 0.0
    trained = chunker.train_sequence(config, W_A, W_C, x, lengths, learning_rate=0.0)
    assert trained.events[:, 0].all() and 1 < trained.events.sum() < trained.events.size  # some inputs expected
    ref_A, ref_C = _reference_gradients(config, W_A, W_C, x, lengths, trained)
    assert _relative_error(trained.gradient_A, ref_A) < 1e-10
    assert _relative_error(trained.gradient_C, ref_C) < 1e-10
    np.testing.assert_array_equal(trained.W_A, W_A * config.lower.mask)


def test_the_higher_level_sees_only_the_inputs_the_lower_level_missed():
    config = chunker.ChunkerConfig(6, time_scale=5.0, threshold=0.3)
    W_A, W_C = chunker.initial_weights(config, [0, 1])
    x, lengths = _sequences(2, 5, 3)
    trained = chunker.train_sequence(config, W_A, W_C, x, lengths, learning_rate=0.0)
    missed = np.abs(trained.outputs[:, :-1] - x[:, 1:]).max(axis=2) > 0.3
    np.testing.assert_array_equal(trained.events, np.concatenate([np.ones((2, 1), bool), missed], axis=1))
    # C's hidden unit changes only where C stepped
    changes = np.diff(trained.hidden_C, axis=1) != 0
    np.testing.assert_array_equal(changes, trained.events[:, 1:])
    # a net that never errs by more than 0.99: C steps only on the first input
    lazy = chunker.ChunkerConfig(6, time_scale=5.0, threshold=0.99)
    trained = chunker.train_sequence(lazy, *chunker.initial_weights(lazy, [0, 1]), x, lengths, 0.0)
    assert trained.events.sum(axis=1).tolist() == [1, 1]


def test_weights_match_the_papers_count():
    # Table 2: CH with 10,506 weights at p = 100: A's 102 hidden + 102 x 103 output weights (the extra output)
    config = chunker.ChunkerConfig(101, time_scale=100.0)
    assert config.n_weights["automatiser"] == 10_506
    assert chunker.ChunkerConfig(101, 100.0, absorb=False).n_weights["automatiser"] == 10_404  # RTRL's net


def test_chunkers_learn_task_2a_at_p4_and_trials_are_independent():
    config = chunker.ChunkerConfig(5, time_scale=4.0)
    W_A, W_C = chunker.initial_weights(config, [0, 1, 2])
    gen = np.random.default_rng(0)
    alone = W_A[1:2], W_C[1:2]
    for _ in range(300):
        x, lengths = _sequences(3, 4, gen, long_lag.noise_free)
        out = chunker.train_sequence(config, W_A, W_C, x, lengths, 1.0)
        one = chunker.train_sequence(config, *alone, x[1:2], lengths[1:2], 1.0)
        W_A, W_C, alone = out.W_A, out.W_C, (one.W_A, one.W_C)
    np.testing.assert_allclose(W_A[1], alone[0][0], rtol=1e-10, atol=1e-12)
    assert out.events.sum(axis=1).max() <= 2   # the middle a_1 .. a_3 is predicted: C sees first and last
    both = long_lag.noise_free_both(4)
    y = chunker.predictions(config, W_A[:1], both.x)
    assert y.shape == both.targets.shape


@pytest.mark.parametrize("kwargs, match", [
    ({"n_symbols": 1}, "n_symbols"), ({"time_scale": 0.0}, "time_scale"), ({"threshold": 1.0}, "threshold"),
    ({"threshold": 0.0}, "threshold"), ({"absorb": "yes"}, "absorb"),
])
def test_bad_configurations_are_refused_by_name(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        chunker.ChunkerConfig(**{"n_symbols": 5, "time_scale": 4.0, **kwargs})


def test_bad_sequences_and_rates_are_refused_by_name():
    config = chunker.ChunkerConfig(5, time_scale=4.0)
    W_A, W_C = chunker.initial_weights(config, [0])
    x, lengths = _sequences(1, 4, 0)
    with pytest.raises(ValueError, match="learning_rate"):
        chunker.train_sequence(config, W_A, W_C, x, lengths, -1.0)
    with pytest.raises(ValueError, match="lengths"):
        chunker.train_sequence(config, W_A, W_C, x, lengths + 1, 1.0)
    with pytest.raises(ValueError, match="x"):
        chunker.train_sequence(config, W_A, W_C, x[:, :, :4], lengths, 1.0)
    with pytest.raises(ValueError, match="W_C"):
        chunker.train_sequence(config, W_A, W_C[:, :, :-1], x, lengths, 1.0)
    with pytest.raises(ValueError, match="seeds"):
        chunker.initial_weights(config, [])


def _small_entry(task="2a", p=4):
    task_fields = {"name": f"Task {task}", "p": p, "alpha": 1.0}
    return constructive_study.Entry(f"{task}-chunker-test", "chunker", task, "CH", 2, 300, task_fields, {}, "test")


def test_the_study_entry_writes_valid_records_and_resumes_exactly(tmp_path):
    entries = constructive_study.ENTRIES
    assert entries["2a-chunker-p100"].budget == 20 * 5040 and entries["2a-chunker-p100"].table == 2
    assert entries["2b-chunker-p100"].budget == 20 * 5680 and entries["2b-chunker-p100"].table is None
    entry = _small_entry()
    paths = runner.run(entry, 2, 300, 0, tmp_path, 64, 60.0, progress=False)
    records = [read_record(path) for path in paths]
    for r in records:
        assert r["budget"] == 300 and r["label"] == "CH" and r["lstm_rows"] == ["2a"]
        assert r["sequences"] % 100 == 0 and len(r["curve"]["mean_loss"]) == r["sequences"] // 100
        assert r["success"] == (r["test"]["wrong"] == 0)
    # a chunk checkpointed after one step and resumed trains on exactly as one never interrupted
    whole = entry.start([5, 6], 300, "v")
    whole.step()
    whole.save(tmp_path / "chunk.npz")
    resumed = entry.resume(tmp_path / "chunk.npz", "v", 300)
    whole.step()
    resumed.step()
    np.testing.assert_array_equal(whole.W_A, resumed.W_A)
    np.testing.assert_array_equal(whole.W_C, resumed.W_C)
    assert whole.finish(0, False, False)["curve"] == resumed.finish(0, False, False)["curve"]


def test_task_2b_tests_only_after_a_clean_run_of_training_sequences(tmp_path):
    trainer = _small_entry("2b").start([0], 300, "v")
    trainer.step()
    record = trainer.finish(0, False, False)
    assert record["test"] is None or record["test"]["n"] == 10_000


def test_a_check_of_stored_chunker_trials_finds_them_equal(tmp_path):
    entry = _small_entry()
    runner.run(entry, 2, 300, 0, tmp_path, 2, 60.0, progress=False)
    for budget in (200, 300):   # a trial that went on beyond the check's budget, and whole records
        report = runner.check(entry, budget, 2, 0, tmp_path, batch=1, progress=False)  # other chunks
        assert all(r["equal"] for r in report), report


@pytest.mark.parametrize("absorb, task, p", [(True, long_lag.noise_free, 5), (False, long_lag.no_local_regularities, 5),
                                             (True, long_lag.noise_free, 100)])
def test_the_compiled_twin_trains_to_the_references_weights(absorb, task, p):
    config = chunker.ChunkerConfig(p + 1, time_scale=float(p), absorb=absorb)
    W_A, W_C = chunker.initial_weights(config, [0, 1])
    n = 30 if p < 100 else 4
    drawn = [_sequences(n, p, np.random.default_rng(k), task) for k in range(2)]
    x, lengths = np.stack([d[0] for d in drawn]), np.stack([d[1] for d in drawn])
    lengths[1, 3] -= 1                        # a shorter sequence: its final symbol one step earlier
    x[1, 3, lengths[1, 3]:] = 0.0
    A, C, loss, events, ends, done = chunker_engine.train_sequences(config, W_A, W_C, x, lengths, 1.0)
    ref_A, ref_C = W_A, W_C
    for q in range(n):
        out = chunker.train_sequence(config, ref_A, ref_C, x[:, q], lengths[:, q], 1.0)
        ref_A, ref_C = out.W_A, out.W_C
        np.testing.assert_allclose(loss[:, q], out.loss_A, rtol=1e-12)
        np.testing.assert_array_equal(events[:, q], out.events.sum(axis=1))
        last = np.abs(out.outputs[[0, 1], lengths[:, q] - 2] - x[[0, 1], q, lengths[:, q] - 1]).max(axis=1)
        np.testing.assert_allclose(ends[:, q], last, rtol=1e-12)
    np.testing.assert_allclose(A, ref_A, rtol=0, atol=1e-12)
    np.testing.assert_allclose(C, ref_C, rtol=0, atol=1e-12)
    assert list(done) == [n, n]


def test_the_twin_refuses_bad_inputs_by_name():
    config = chunker.ChunkerConfig(5, time_scale=4.0)
    W_A, W_C = chunker.initial_weights(config, [0])
    x, lengths = _sequences(2, 4, 0)
    with pytest.raises(ValueError, match="lengths"):
        chunker_engine.train_sequences(config, W_A, W_C, x[None], (lengths + 1)[None])
    with pytest.raises(ValueError, match="learning_rate"):
        chunker_engine.train_sequences(config, W_A, W_C, x[None], lengths[None], -0.5)
    with pytest.raises(TypeError, match="config"):
        chunker_engine.train_sequences(config.lower, W_A, W_C, x[None], lengths[None])
