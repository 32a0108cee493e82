"""The latch, 2-sequence and parity generators against their definitions."""

import numpy as np
import pytest

from lstm_edu.tasks import latch, parity, two_sequence


def test_latch_inputs_targets_and_noise():
    b = latch(4000, 30, seed=1, noise_variance=0.2, n_free_steps=2)
    assert b.x.shape == (4000, 30, 3)
    assert np.array_equal(b.labels, np.arange(4000) % 2)
    cls1 = b.labels == 1
    assert np.all(b.x[cls1, :2, 0] == 1.0) and np.all(b.x[~cls1, :2, 0] == 0.0)
    assert np.all(b.x[~cls1, :2, 1] == 1.0) and np.all(b.x[cls1, :2, 1] == 0.0)
    assert np.all(b.x[:, 2:, :2] == 0.0) and np.all(b.x[:, :2, 2] == 0.0)
    noise = b.x[:, 2:, 2]
    assert abs(noise.mean()) < 0.01
    assert noise.var() == pytest.approx(0.2, rel=0.02)
    assert np.all(b.target_mask[:, -1, 0]) and b.target_mask.sum() == 4000
    assert np.array_equal(b.targets[:, -1, 0], np.where(cls1, 0.8, -0.8))


def test_latch_length_range():
    b = latch(500, 10, seed=5, max_length=14)
    assert b.lengths.min() == 10 and b.lengths.max() == 14
    inside = np.arange(14)[None, :] < b.lengths[:, None]
    assert np.all(b.x[~inside] == 0.0) and np.all(b.x[:, 1:, 2][inside[:, 1:]] != 0.0)
    assert np.all(b.target_mask[np.arange(500), b.lengths - 1, 0]) and b.target_mask.sum() == 500


def test_two_sequence_definition():
    b = two_sequence(5000, 50, 100, seed=2, n_informative=3, noise_variance=0.2)
    assert b.lengths.min() >= 50 and b.lengths.max() == 100 and b.lengths.min() <= 52
    sign = np.where(b.labels == 1, 1.0, -1.0)
    assert np.array_equal(b.x[:, :3, 0], np.repeat(sign[:, None], 3, axis=1))
    inside = np.arange(b.x.shape[1])[None, :] < b.lengths[:, None]
    noise = b.x[:, 3:, 0][inside[:, 3:]]
    assert noise.var() == pytest.approx(0.2, rel=0.02) and abs(noise.mean()) < 0.01
    assert np.all(b.x[~inside] == 0.0)
    last = b.lengths - 1
    assert np.all(b.target_mask[np.arange(5000), last, 0]) and b.target_mask.sum() == 5000
    assert np.array_equal(b.targets[np.arange(5000), last, 0], b.labels.astype(float))
    assert 0.45 < b.labels.mean() < 0.55


def test_parity_labels_and_noise():
    b = parity(3000, 5, 9, seed=3, readout_steps=0)
    for p in range(3000):
        seq = b.x[p, :b.lengths[p], 0]
        assert set(np.unique(seq)) <= {-1.0, 1.0}
        assert b.labels[p] == np.count_nonzero(seq == 1.0) % 2
        assert b.targets[p, b.lengths[p] - 1, 0] == b.labels[p]
        assert np.all(b.x[p, b.lengths[p]:, 0] == 0.0)
    noisy = parity(2000, 25, 50, seed=3, input_noise=0.2, readout_steps=0)
    inside = np.arange(noisy.x.shape[1])[None, :] < noisy.lengths[:, None]
    dev = noisy.x[..., 0][inside] - np.sign(noisy.x[..., 0][inside])
    assert np.abs(dev).max() <= 0.2 and np.abs(dev).max() > 0.19
    assert dev.var() == pytest.approx(0.04 / 3, rel=0.03)  # variance of uniform [-0.2, 0.2]
    assert noisy.lengths.min() == 25 and noisy.lengths.max() == 50


@pytest.mark.parametrize("readout_steps", [1, 3])
def test_parity_readout_steps(readout_steps):
    plain = parity(500, 5, 9, seed=11, readout_steps=0)
    b = parity(500, 5, 9, seed=11, readout_steps=readout_steps)
    assert b.x.shape == (500, 9 + readout_steps, 1)
    assert np.array_equal(b.lengths, plain.lengths + readout_steps)
    assert b.lengths.min() == 5 + readout_steps and b.lengths.max() == 9 + readout_steps
    rows = np.arange(500)
    for p in rows:
        n = plain.lengths[p]
        elements = b.x[p, :n, 0]
        assert set(np.unique(elements)) <= {-1.0, 1.0}
        assert np.all(b.x[p, n:, 0] == 0.0)  # read-out steps and padding
        assert b.labels[p] == np.count_nonzero(elements == 1.0) % 2
    assert np.array_equal(b.x[:, :9], plain.x) and np.array_equal(b.labels, plain.labels)
    assert np.all(b.target_mask[rows, b.lengths - 1, 0]) and b.target_mask.sum() == 500
    assert np.array_equal(b.targets[rows, b.lengths - 1, 0], b.labels.astype(float))
    assert b.targets.sum() == b.labels.sum()
    assert 0.45 < b.labels.mean() < 0.55
    assert np.array_equal(parity(500, 5, 9, seed=11).lengths, plain.lengths + 1)  # default: 1 step


def test_same_seed_same_data():
    a, b = parity(10, 5, 9, seed=7), parity(10, 5, 9, seed=7)
    assert np.array_equal(a.x, b.x) and not np.array_equal(a.x, parity(10, 5, 9, seed=8).x)


@pytest.mark.parametrize("call, match", [
    (lambda: latch(0, 10, 1), "P must be"),
    (lambda: latch(4, 1, 1), "T must be"),
    (lambda: latch(4, 10, 1, n_free_steps=10), "n_free_steps must be < T"),
    (lambda: latch(4, 10, 1, noise_variance=-1.0), "noise_variance"),
    (lambda: latch(4, 10, 1, max_length=9), "max_length must be >= min_length"),
    (lambda: two_sequence(4, 10, 5, 1), "max_length must be >= min_length"),
    (lambda: two_sequence(4, 2, 3, 1, n_informative=3), "n_informative must be < min_length"),
    (lambda: parity(4, 5, 9, 1, input_noise=-0.1), "input_noise"),
    (lambda: parity(4, 5, 9, -1), "seed"),
    (lambda: parity(4, 5, 9, 1, readout_steps=-1), "readout_steps must be an integer >= 0"),
    (lambda: parity(4, 5, 9, 1, readout_steps=1.0), "readout_steps must be an integer"),
])
def test_bad_inputs_raise(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
