"""The claims of the chapter "The competitors" (book/experiments/competitors.md).

Each test recomputes a number the chapter shows, through the same public functions, and asserts what the
prose says about it; the results part reads the same records as the chapter.
"""

import numpy as np
import pytest

from lstm_edu import competitor_cost, competitor_nets, competitors, diagnostics, reproduction
from lstm_edu.tasks import long_lag


def test_the_weight_counts_pin_down_the_nets():
    """'n(7 + n) weights: 170 for 3 hidden units, 494 for 12'; Elman 435; Table 2: 36, 144, 10404."""
    assert [competitor_nets.fully_recurrent(7, h, 7).n_weights for h in (3, 12)] == [170, 494]
    assert competitor_nets.elman(7, 15, 7).n_weights == 15 * (7 + 15) + 7 * 15 == 435
    assert [(p + 2) + (p + 1) * (p + 2) for p in (4, 10, 100)] == [36, 144, 10404]
    assert [competitor_nets.self_recurrent(p + 1, 1, p + 1).n_weights for p in (4, 10, 100)] == [36, 144, 10404]


def test_rtrl_count_of_the_exercise():
    """Exercise: 9386 sensitivities, about 178,000 multiplications a step for the sensitivities; 17,000 for the
    3-hidden net; the reference's matrix products about ten times as many multiply-adds for the larger net."""
    big, small = competitor_nets.fully_recurrent(7, 12, 7), competitor_nets.fully_recurrent(7, 3, 7)
    assert competitor_cost.kept_numbers(big, "rtrl", 1) == 19 * 494 == 9386
    assert round(19 * 9386, -3) == 178_000 and 10 * competitor_cost.kept_numbers(small, "rtrl", 1) == 17_000
    ops = [competitor_cost.operations(net, "rtrl", 1) for net in (big, small)]
    assert ops == [19 * 26 + 19 ** 3 * 26 + 19 * 19 * 26, 10 * 17 + 10 ** 3 * 17 + 10 * 10 * 17] == [188_214, 18_870]


def _counted_operations(monkeypatch, config, method, h, T):
    """Multiply-adds per step in the matrix products the NumPy reference actually runs (``einsum`` and
    ``matmul`` wrapped to count the product of every index's size) while it trains one net on one sequence."""
    total = [0]

    def counting(fn, kind):
        def wrapped(*args, **kwargs):
            if kind == "einsum":
                letters = args[0].replace("->", ",").split(",")
                size = {}
                for subscripts, operand in zip(letters, args[1:]):
                    size.update(zip(subscripts, np.shape(operand)))
                total[0] += int(np.prod(list(size.values())))
            else:
                total[0] += int(np.prod(np.shape(args[0]))) * np.shape(args[1])[-1]
            return fn(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(competitor_nets.np, "einsum", counting(np.einsum, "einsum"))
    monkeypatch.setattr(competitor_nets.np, "matmul", counting(np.matmul, "matmul"))
    monkeypatch.setattr(competitor_nets.anp, "einsum", counting(competitor_nets.anp.einsum, "einsum"))
    W = competitor_nets.init_weights(config, 1, 0)
    x = np.eye(config.n_in)[np.arange(T) % config.n_in][None]
    d = np.zeros((1, T, config.n_out))
    competitor_nets.train(config, W, x, d, None, method, 0.1, h)
    monkeypatch.undo()
    return total[0] / T


@pytest.mark.parametrize("config", [competitor_nets.fully_recurrent(4, 6, 2), competitor_nets.elman(3, 5, 2),
                                    competitor_nets.self_recurrent(5, 1, 5)], ids=["full", "elman", "self"])
@pytest.mark.parametrize("rule", [("rtrl", None), ("bptt", None), ("bptt", 3), ("bptt", 1)])
def test_the_operation_count_is_what_the_reference_computes(monkeypatch, config, rule):
    """``competitor_cost.operations`` equals the multiply-adds counted in the reference's products."""
    T = 7
    assert competitor_cost.operations(config, rule[0], T, rule[1]) == pytest.approx(
        _counted_operations(monkeypatch, config, *rule, T), rel=1e-12)


def test_the_cost_figure():
    """RTRL's multiply-adds per step grow like W^s with s near 2 (O(n^4)), full BPTT's like W; full BPTT's
    memory grows with T, RTRL's hardly. (The figure's measured times are shown, not asserted: timings depend
    on the machine and its load.)"""
    sizes = [12, 16, 24]
    weights = np.log([n * (4 + n) for n in sizes])
    slope = {rule: np.polyfit(weights, np.log([competitor_cost.operations(competitor_nets.fully_recurrent(
        4, n - 2, 2), rule[0], 50, rule[1]) for n in sizes]), 1)[0] for rule in (("rtrl", None), ("bptt", None))}
    assert 1.8 < slope["rtrl", None] < 2.2 and 0.9 < slope["bptt", None] < 1.1
    cfg = competitor_nets.fully_recurrent(4, 6, 2)
    growth = {rule: competitor_cost.cost(cfg, *rule, T=400, repeats=1)["peak_bytes"]
              / competitor_cost.cost(cfg, *rule, T=25, repeats=1)["peak_bytes"] for rule in (("rtrl", None),
                                                                                               ("bptt", None))}
    assert growth["rtrl", None] < 1.5 and growth["bptt", None] > 8


def _last_step_gradient(h=None):
    """At p = 4 (weights in [-0.2, 0.2]): the BPTT(h) gradient of the last step's error for the hidden unit's
    input weights, and the input units of the first and the last step."""
    cfg = competitor_nets.self_recurrent(5, 1, 5)
    b = long_lag.noise_free(1, 4, 0)
    W = competitor_nets.init_weights(cfg, 1, 0)
    last = np.zeros_like(b.target_mask)
    last[:, -1] = True
    grad = competitor_nets.gradient(cfg, W, b.x, b.targets, last, "bptt", h)[0, 0]
    return grad, int(np.argmax(b.x[0, 0])), int(np.argmax(b.x[0, -1]))


def test_a_window_shorter_than_the_lag_never_teaches_the_first_symbols_weight():
    """Exercise: at p = 4 the BPTT(h) gradient of step 4's error for the weight from the first symbol to the
    hidden unit is exactly 0 for h < 4, and not for h = 4."""
    grads = [_last_step_gradient(h)[0][_last_step_gradient(h)[1]] for h in (1, 2, 3, 4)]
    assert grads[:3] == [0.0, 0.0, 0.0] and grads[3] != 0.0


def test_the_table_reads_the_records():
    """Every competitor row is in the table; a row without records reads 'not run'; the plateau of an
    unlearned p = 4 net is at least the last step's 0.25 per sequence (more at larger rates, whose steps
    overshoot), and the nets sit on it until they succeed."""
    summary = reproduction.competitor_summary()
    assert [r["experiment"] for r in summary][:len(competitors.ENTRIES)] == list(competitors.ENTRIES)
    table = reproduction.competitor_table_rows(summary)
    assert len(table) == len(summary) + 1
    for r, line in zip(summary, table[1:]):
        assert (r["status"] == "not run") == (r["ours"]["trials"] == 0) and line[-1].startswith(r["status"])
    for name in ("2a-rtrl-p4-a1", "2a-rtrl-p4-a4", "2a-rtrl-p4-a10"):
        for r in reproduction.records(name):
            curve = r["curve"]["mean_loss"]
            if curve:  # on the plateau until success (a trial's curve ends there)
                assert 0.25 < curve[0] < 0.35 and np.ptp(curve[1:] or [0]) < 0.01


def test_the_first_symbols_error_is_shrunk_by_the_steps_back():
    """'With a self-weight near 0.2 three steps shrink it by a factor of about 20^3': the step-4 error's
    gradient for the first symbol's weight is below a thousandth of that for the last input's weight."""
    assert (0.2 / 4) ** 3 == pytest.approx(1 / 20 ** 3)
    grad, first, final = _last_step_gradient()
    assert 0 < abs(grad[first]) < 1e-3 * abs(grad[final])


def test_the_elman_nets_fail_only_at_the_embedded_symbol():
    """'In X% of the wrong strings the only wrong prediction is the embedded T or P' (X at least 90 when the
    row has records)."""
    recs = reproduction.records("1-elman-15")
    if not recs:
        pytest.skip("1-elman-15 not run")
    wrong = only_tp = 0
    for r in recs:
        found = diagnostics.embedded_symbol_errors(r)
        assert found["wrong"] == r["test"]["wrong"]
        wrong, only_tp = wrong + found["wrong"], only_tp + found["only_embedded"]
    assert only_tp / wrong >= 0.9


def _counted(names):
    recs = [r for name in names for r in reproduction.records(name)]
    return sum(r["success"] for r in recs), len(recs)


def test_the_comparison_splits_by_the_length_of_the_lag():
    """'At p = 100 RTRL, BPTT and the chunker solve 0 trials; LSTM is the only method that learns this lag';
    'on 2b nothing succeeds'; 'on Table 1 the abstract's claim does not hold for our LSTM as written: RTRL
    with 12 hidden units solves more'; 'Elman nets solve none'."""
    p100 = {x: _counted([f"{x}-{m}-p100" for m in ("rtrl", "bptt", "chunker")]) for x in ("2a", "2b")}
    assert p100["2a"] == (0, 54) and p100["2b"] == (0, 54)
    assert _counted(["2a"])[0] > 0 and _counted(["2b"])[0] == 0
    lstm, n_lstm = _counted(["1-1", "1-2", "1-3", "1-4", "1-5"])
    rtrl, n_rtrl = _counted(["1-rtrl-12"])
    assert n_lstm == 150 and n_rtrl == 30 and rtrl / n_rtrl > lstm / n_lstm
    assert _counted(["1-elman-15"]) == (0, 30)
