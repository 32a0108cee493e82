"""Claims of the truncated-gradient chapter (book/lstm/truncated_gradient.md): both implementations equal
autograd's gradient of the graph with stop-gradients, and the gradient's memory does not grow with T."""

import tracemalloc

import numpy as np
import pytest

from lstm_edu import lstm1997


@pytest.mark.parametrize("engine", lstm1997.ENGINES)
@pytest.mark.parametrize("every_step", [True, False])
@pytest.mark.parametrize("row, overrides", [("4-1", {}), ("1-2", {}), ("2a", {"n_in": 8, "n_out": 8})])
def test_the_chapter_nets_match_autograd_to_rounding(row, overrides, every_step, engine):
    net = lstm1997.build(row, n_networks=1, seed=0, **overrides)
    gen = np.random.default_rng(0)
    T = 30
    x, y = gen.normal(size=(1, T, net.cfg.n_in)), gen.uniform(size=(1, T, net.cfg.n_out))
    mask = lstm1997.every_step_mask(1, T) if every_step else lstm1997.end_mask([T], T)
    loss, grad = net.gradient(x, y, mask, engine=engine)
    ref_loss, ref_h, ref_o = lstm1997.reference_loss(net, x, y, mask)
    assert loss[0] == pytest.approx(ref_loss[0], rel=1e-13)
    assert np.abs(grad.hidden - ref_h).max() / np.abs(ref_h).max() < 1e-14
    assert np.abs(grad.output - ref_o).max() / np.abs(ref_o).max() < 1e-14


def peak_bytes(call):
    call()
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_the_gradient_keeps_no_memory_per_step_and_a_recorded_pass_keeps_17_numbers_per_step():
    net = lstm1997.build("4-1", n_networks=1, seed=0)
    assert 2 * net.C * net.M == 88                                 # running sums of eqs. 25 and 27
    peaks = {}
    for T in (100, 1600):
        gen = np.random.default_rng(T)
        x, y, mask = gen.normal(size=(1, T, 2)), gen.uniform(size=(1, T, 1)), lstm1997.end_mask([T], T)
        peaks[T] = (peak_bytes(lambda: net.gradient(x, y, mask, engine="numpy")),
                    peak_bytes(lambda: net.forward(x)))
    gradient_growth = (peaks[1600][0] - peaks[100][0]) / 1500
    forward_growth = (peaks[1600][1] - peaks[100][1]) / 1500
    assert abs(gradient_growth) < 1.0                              # bytes per extra step: none
    assert forward_growth == pytest.approx(8 * (2 * net.B + 3 * net.C + net.cfg.n_out), rel=0.01)  # 17 numbers


def test_exercise_running_sums_of_6b():
    """Solution of "Running sums of 6b": 21 sources, 2 x 6 x 21 = 252 running sums, 189 weights into cells and
    input gates, 12 x 308 = 3,696 derivatives for full RTRL of the hidden units."""
    net = lstm1997.build("6b")
    assert (net.M, net.C, net.H, net.n_weights) == (21, 6, 12, 308)
    assert 2 * net.C * net.M == 252 and (net.C + net.B) * net.M == 189 and net.H * net.n_weights == 3696


def test_exercise_the_full_gradient_leaves_the_output_weights():
    """Solution of "The full gradient": without the cut the gradients of the weights into gates and cells change,
    those of the output weights do not."""
    net = lstm1997.build("4-1", seed=0)
    gen = np.random.default_rng(0)
    x, y = gen.normal(size=(1, 20, 2)), gen.uniform(size=(1, 20, 1))
    mask = lstm1997.every_step_mask(1, 20)
    _, grad = net.gradient(x, y, mask)
    _, full_h, full_o = lstm1997.reference_loss(net, x, y, mask, truncate=False)
    np.testing.assert_allclose(grad.output, full_o, rtol=1e-10, atol=1e-15)
    changed = np.abs(grad.hidden - full_h).max(axis=2)[0] > 1e-8 * np.abs(full_h).max()
    assert changed.all(), changed
