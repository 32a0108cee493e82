"""The claims of the chapter "The input and output weight conflicts" (book/lstm/weight_conflicts.md).

Each test recomputes, from the chapter's seeds and through the same public functions, a number the chapter
shows, and asserts what its prose says about it. tests/test_carousel.py checks the two floors against
independent fits on larger samples; here they are checked on the chapter's own samples.
"""

from functools import cache

import numpy as np
import pytest

from lstm_edu import activations, carousel

A = 0.1   # the chapter's distractor scale


def _floor(conflict, T):
    return carousel.input_conflict_floor(T, A) if conflict == "input" else carousel.output_conflict_floor(T)


def test_least_squares_fits_sit_at_the_floors_which_grow_with_the_lag():
    """The fit on the chapter's samples agrees with eqs. wc-input-floor (8 %) and wc-output-floor (2 %); the
    summary's floors: 0.50 and 0.91 (input, T = 100 and 1000), 0.99 (output, T = 100)."""
    for i, T in enumerate([2, 5, 10, 30, 100, 300, 1000]):
        for conflict, rtol in (("input", 0.08), ("output", 0.02)):
            x, y, m = carousel.store_recall_task(1, 4000 if T <= 300 else 1500, T, conflict=conflict,
                                                 distractor_scale=A, seed=i)
            weights, _ = carousel.naive_least_squares(x, y, m)
            error = carousel.carousel_error(weights, x, y, m)[0] / np.mean(y[0, :, -1] ** 2)
            assert error == pytest.approx(_floor(conflict, T), rel=rtol)
    assert carousel.input_conflict_floor(100, A) == pytest.approx(0.50, abs=0.005)
    assert carousel.input_conflict_floor(1000, A) == pytest.approx(0.91, abs=0.005)
    assert carousel.output_conflict_floor(100) == pytest.approx(0.99, abs=0.005)


def test_at_the_best_weights_the_per_step_updates_cancel_instead_of_vanishing():
    """T = 100: the store (recall) step's part of the gradient and the other steps' part are equal and
    opposite, each far from zero."""
    T = 100
    x, y, m = carousel.store_recall_task(1, 4000, T, conflict="input", distractor_scale=A, seed=7)
    w, _ = carousel.naive_least_squares(x, y, m)
    out = carousel.carousel_net(w, x)
    terms = (2 * (out[0, :, -1] - y[0, :, -1]) * w["output"][0])[:, None] * x[0, :, :, carousel.VALUE]
    store, distractors = terms[:, 0].mean(), terms[:, 1:].sum(axis=1).mean()
    assert store < -0.1 and abs(store + distractors) < 1e-6 * abs(store)
    x, y, m = carousel.store_recall_task(1, 4000, T, conflict="output", seed=8)
    w, _ = carousel.naive_least_squares(x, y, m)
    out, state = carousel.carousel_net(w, x, return_state=True)
    terms = 2 * (out[0] - y[0]) * state[0]
    recall, quiet = terms[:, -1].mean(), terms[:, :-1].sum(axis=1).mean()
    assert recall < -1e-3 and abs(recall + quiet) < 1e-6 * abs(recall)


@cache
def _gated_and_naive(conflict, T, P=8):
    """The chapter's training: 8 gated nets (200 Adam steps on 32 sequences) and the best naive weights for
    the same sequences, each with its test errors on 256 fresh sequences relative to silence (computed once
    per module run: two tests read them)."""
    gate = {"input_gate": conflict == "input", "output_gate": conflict == "output"}
    x, y, m = carousel.store_recall_task(P, 32, T, conflict=conflict, distractor_scale=A, seed=T)
    w0 = carousel.initial_weights(P, seed=100 + T, **gate)
    gated, _ = carousel.train_carousel_net(w0, x, y, m, iterations=200, learning_rate=0.1, **gate)
    naive, _ = carousel.naive_least_squares(x, y, m)
    xt, yt, mt = carousel.store_recall_task(P, 256, T, conflict=conflict, distractor_scale=A, seed=1000 + T)
    scale = np.mean(yt[:, :, -1] ** 2, axis=1)
    return (gated, carousel.carousel_error(gated, xt, yt, mt, **gate) / scale,
            carousel.carousel_error(naive, xt, yt, mt) / scale)


@pytest.mark.parametrize("conflict", ["input", "output"])
def test_one_gate_removes_its_conflict_at_every_lag(conflict):
    """Naive nets: test errors at their floors (medians within 20 %). Gated nets: every one of 8 below a
    tenth of the floor, errors between 0.001 and 0.005 whatever the lag."""
    for T in (10, 50):
        _, gated, naive = _gated_and_naive(conflict, T)
        assert np.median(naive) == pytest.approx(_floor(conflict, T), rel=0.2)
        assert np.all(gated < 0.1 * _floor(conflict, T))
        assert 0.001 < gated.min() and gated.max() < 0.005


def test_learned_gates_open_at_the_step_that_matters():
    """T = 50: the input gate is several times more open at the store step than later; the output gate of
    the nets that solved the task stays nearly shut until the recall step."""
    T, P = 50, 8
    w, _, _ = _gated_and_naive("input", T)
    x, _, _ = carousel.store_recall_task(P, 4, T, conflict="input", distractor_scale=A, seed=5)
    gate = activations.traceable_f(np.einsum("pbtm,pm->pbt", x, w["input_gate"]) + w["input_gate_bias"][:, None, None])
    assert gate[:, :, 0].mean() > 3 * gate[:, :, 1:].mean()
    w, error, _ = _gated_and_naive("output", T)
    x, _, _ = carousel.store_recall_task(P, 4, T, conflict="output", seed=5)
    gate = activations.traceable_f(np.einsum("pbtm,pm->pbt", x, w["output_gate"]) + w["output_gate_bias"][:, None, None])
    good = error < 0.1 * carousel.output_conflict_floor(T)
    assert gate[good, :, :-1].mean() < 0.01 and gate[good, :, -1].mean() > 0.5


def test_exercise_a_fixed_gate():
    """Solution of "A fixed gate": with w_in,S = 10, b_in = -5, w_cV = w_k = 1 the error relative to silence is
    f(-5)^2 (1 + (T-1) a^2), about 9e-5 at T = 100 and 5e-4 at T = 1000 (a = 0.1), up to sampling error."""
    f5 = activations.f(-5.0)
    for T, about in ((100, 9e-5), (1000, 5e-4)):
        predicted = f5 ** 2 * (1 + (T - 1) * 0.01)
        assert abs(predicted / about - 1) < 0.05
        w = carousel.initial_weights(1, input_gate=True, seed=0)
        w = {k: np.zeros_like(v) for k, v in w.items()}
        w["cell"][0, carousel.VALUE], w["output"][0] = 1.0, 1.0
        w["input_gate"][0, carousel.STORE], w["input_gate_bias"][0] = 10.0, -5.0
        x, y, m = carousel.store_recall_task(1, 3000, T, conflict="input", distractor_scale=0.1, seed=T)
        measured = carousel.carousel_error(w, x, y, m, input_gate=True)[0] / (1 / 3)
        assert abs(measured / predicted - 1) < 0.15
