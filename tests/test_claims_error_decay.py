"""The claims of the chapter "The error-decay analysis" (book/vanishing/error_decay.md).

Each test recomputes, from the chapter's seeds and through the same public functions, a number the chapter
shows, and asserts what its prose says about it.
"""

import numpy as np
from test_analysis import _autograd_flow

from lstm_edu import analysis, recurrent, tasks


def test_recursion_and_path_sum_match_autograd_and_the_transpose_does_not():
    """"The recursion and the path sum agree with autograd to rounding error; with the transposed weights
    the sum is a different number at every lag"."""
    P, n, Q = 3, 3, 6
    W, nets = analysis.random_networks(P, n, 2.0, seed=0, steps=Q, net_scale=1.5)
    flow = analysis.local_error_flow(W, nets)
    for q in range(1, Q + 1):
        ref = _autograd_flow(W, nets[:, Q - q], q, "logistic")
        scale = np.abs(ref).max()

        def path_sum(weights):
            return np.stack([[analysis.path_terms(weights, nets[:, Q - q:], u, v).sum(axis=1) for v in range(n)]
                             for u in range(n)]).transpose(2, 0, 1)

        assert np.abs(flow[:, q - 1] - ref).max() < 1e-14 * scale
        assert np.abs(path_sum(W) - ref).max() < 1e-14 * scale
        assert np.abs(path_sum(W.transpose(0, 2, 1)) - ref).max() > 0.1 * scale


def test_path_terms_have_both_signs_and_cancel():
    """4096 terms for n = 4, q = 7: about as many negative as positive, and their sum is a small part of
    the sum of their magnitudes."""
    W, nets = analysis.random_networks(1, 4, 2.0, seed=1, steps=7, net_scale=1.5)
    terms = analysis.path_terms(W, nets, u=0, v=3)[0]
    assert terms.size == 4096
    assert 0.4 < np.mean(terms > 0) < 0.6
    assert abs(terms.sum()) < 0.3 * np.abs(terms).sum()


def _median_flow_at_50(activation, scale):
    """The chapter's `flow_by_lag` (500 nets of 10 units, random drive), median over nets at lag 50."""
    W, nets = analysis.random_networks(500, 10, scale, 0, steps=50, activation=activation, drive_scale=1.0)
    return np.median(np.abs(analysis.local_error_flow(W, nets, activation)).max(axis=(2, 3))[:, -1])


def test_logistic_flow_decays_at_every_scale_and_tanh_flow_explodes_only_near_one_to_two():
    """Logistic: decays at every scale, least at an intermediate one. tanh: explodes around s = 1 to 2 (ten
    units; the chapter glues which) and the flow falls again for larger weights."""
    logistic = {s: _median_flow_at_50("logistic", s) for s in (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)}
    assert max(logistic.values()) < 1e-5
    best = max(logistic, key=logistic.get)
    assert best not in (0.5, 32.0)
    tanh = {s: _median_flow_at_50("tanh", s) for s in (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)}
    exploding = [s for s, v in tanh.items() if v > 1]
    assert exploding and set(exploding) <= {1.0, 2.0}
    assert tanh[8.0] < 1


def test_logistic_factor_maximum_and_the_factor_below_one_for_small_weights():
    """y = 1: the factor peaks at 0.2239 at net = 1.5434 (a dense grid finds no more); below 1 for |w| < 4;
    above 1 only for y below the peak value."""
    w_star, net_star, peak = analysis.logistic_factor_maximum(y=1.0)
    assert abs(peak - 0.2239) < 1e-4 and abs(net_star - 1.5434) < 1e-4
    assert analysis.logistic_factor(np.linspace(-20, 20, 400_001)).max() <= peak + 1e-15
    w_in = np.linspace(-4, 4, 4001)[1:-1]
    y_all = np.concatenate([-np.logspace(-4, 0, 200), np.logspace(-4, 0, 200)])
    assert analysis.logistic_factor(w_in[:, None], y_all[None, :]).max() < 1.0
    assert analysis.logistic_factor_maximum(peak * 1.01)[2] < 1.0 < analysis.logistic_factor_maximum(peak * 0.99)[2]


def test_weak_upper_bound_holds_and_is_loose():
    """300 nets of 5 units, w_max = 0.7: measured flow <= n tau^q at every lag, by orders of magnitude."""
    n, w_max, Q = 5, 0.7, 40
    tau = n * w_max / 4.0
    W, nets = analysis.random_networks(300, n, w_max, seed=2, steps=Q, drive_scale=1.0)
    measured = np.abs(analysis.local_error_flow(W, nets)).max(axis=(2, 3))
    bound = n * tau ** np.arange(1, Q + 1)
    assert np.all(measured <= bound)
    assert np.all(measured <= analysis.weak_upper_bound(W, nets) * (1 + 1e-12))
    assert np.median(measured[:, 0] / bound[0]) < 0.1
    assert np.median(measured[:, -1] / bound[-1]) < 1e-20


def _ratio(n_units, scale):
    """flow(q) / flow(1) of 300 nets at the chapter's seed, for q = 20 and 100."""
    W, nets = analysis.random_networks(300, n_units, scale, seed=3, steps=100, drive_scale=1.0)
    f = np.abs(analysis.local_error_flow(W, nets)).max(axis=(2, 3))
    with np.errstate(divide="ignore", invalid="ignore"):
        return {q: f[:, q - 1] / f[:, 0] for q in (20, 100)}


def _near_one(ratio):
    return np.mean((ratio > 0.1) & (ratio < 10))


def test_larger_initial_weights_do_not_help_small_nets_and_give_a_knife_edge_for_large_ones():
    """3 units: the median ratio at q = 20 stays orders of magnitude below 1 at every scale and few nets
    come near 1. 30 units: in the band, many nets have order-1 flow over 20 steps, far fewer over 100."""
    scales = np.logspace(-1, 2, 25)
    small = [_ratio(3, s) for s in scales]
    assert max(np.median(r[20]) for r in small) < 1e-4
    assert max(_near_one(r[20]) for r in small) < 0.15
    band = [_ratio(30, s) for s in scales[10:15]]          # s = 1.8 to 4.2
    near_20, near_100 = max(_near_one(r[20]) for r in band), max(_near_one(r[100]) for r in band)
    assert near_20 > 0.4
    assert near_100 < near_20 / 2


def test_larger_learning_rates_do_not_help():
    """2-sequence problem, T = 20, 64 nets, 300 sequences: the long/short ratio of the first gradient is the
    same for every rate, stays far below 1, and no rate brings the error below that of answering 0.5."""
    config = recurrent.RecurrentConfig(n_in=1, n_hidden=4, n_out=1)
    P, T, n_sequences = 64, 20, 300
    batches = [tasks.two_sequence(P, T, T, seed=1000 + k) for k in range(n_sequences)]
    first = set()
    for alpha in (0.01, 0.1, 1.0, 10.0):
        W = recurrent.init_weights(config, P, seed=0, scale=0.1)
        ratios, errors = [], []
        for batch in batches:
            E, per_step = recurrent.bptt_gradient(config, W, batch.x, batch.targets, batch.target_mask,
                                                  per_step=True)
            ratios.append(np.median(np.abs(per_step[:, 0]).sum(axis=(1, 2))
                                    / np.abs(per_step[:, -5:]).sum(axis=(1, 2, 3))))
            errors.append(E.mean())
            W = W - alpha * per_step.sum(axis=1)
        first.add(ratios[0])
        assert max(ratios) < 1e-5
        assert np.mean(errors[-50:]) > 0.124
    assert len(first) == 1


def test_the_error_flow_figure():
    """The figure of one path (and its alt text): logistic units, weights in [-1, 1], every factor below 1/4 and
    a product far below 1; tanh units, weights in [-3, 3], most factors above 1 and a product above 1."""
    import matplotlib.pyplot as plt

    from lstm_edu import diagrams

    fig, axes = plt.subplots(1, 2)
    W, nets = analysis.random_networks(1, 4, 1.0, seed=0, steps=6, net_scale=0.5, activation="logistic")
    flow = diagrams.error_flow(axes[0], W, nets, u=0, v=3, activation="logistic")
    assert np.all(np.abs(flow.factors) < 0.25) and abs(flow.product) < 1e-3
    W, nets = analysis.random_networks(1, 4, 3.0, seed=0, steps=6, net_scale=0.5, activation="tanh")
    flow = diagrams.error_flow(axes[1], W, nets, u=0, v=3, activation="tanh")
    assert np.mean(np.abs(flow.factors) > 1) > 0.5 and abs(flow.product) > 1
    plt.close(fig)


def test_exercise_the_bound_without_n():
    """Solution of "Drop the n": the flow of the 300 nets of the bound figure is below (f'_max ||W||_A)^q."""
    W5, nets5 = analysis.random_networks(300, 5, 0.7, seed=2, steps=40, drive_scale=1.0)
    measured = np.abs(analysis.local_error_flow(W5, nets5)).max(axis=(2, 3))
    assert np.all(measured <= analysis.weak_upper_bound(W5, nets5) / 5 * (1 + 1e-12))
