"""The 1997 LSTM: Table 10 architectures, trial axis, truncated gradient (Appendix A) vs autograd, training."""

import numpy as np
import pytest

from lstm_edu import lstm1997 as L
from lstm_edu._checks import NumericalError

# Table 10 of the paper, typed in independently of lstm_edu.table10.
TABLE_10_WEIGHTS = {
    "1-1": 264, "1-2": 276, "1-3": 276, "1-4": 264, "1-5": 276, "2a": 10504, "2b": 10504,
    "2c-1": 364, "2c-2": 664, "2c-3": 1264, "2c-4": 3064, "2c-5": 6064,
    "2c-6": 3064, "2c-7": 1264, "2c-8": 664, "2c-9": 364,
    "3a": 102, "3b": 102, "3c": 102, "4-1": 93, "4-2": 93, "4-3": 93, "5": 93, "6a": 156, "6b": 308,
}


def random_problem(net, T, seed, every_step):
    gen = np.random.default_rng(seed)
    x = gen.normal(size=(net.P, T, net.cfg.n_in))
    y = gen.uniform(size=(net.P, T, net.cfg.n_out))
    lengths = gen.integers(max(1, T - 4), T + 1, net.P)
    mask = L.every_step_mask(net.P, T) if every_step else L.end_mask(lengths, T)
    return x, y, mask


# ------------------------------------------------------------------------------ configurations
def test_every_row_of_table_10_exists():
    assert set(L.ROWS) == set(TABLE_10_WEIGHTS)


@pytest.mark.parametrize("row", sorted(TABLE_10_WEIGHTS))
def test_weight_counts_match_table_10(row):
    net = L.build(row)
    assert net.n_weights == TABLE_10_WEIGHTS[row]
    assert L.config(row).paper_weights == TABLE_10_WEIGHTS[row]
    # masked weights are 0: the nonzero pattern never exceeds the count
    assert np.count_nonzero(net.w_hidden) + np.count_nonzero(net.w_output) <= TABLE_10_WEIGHTS[row]


def test_rows_follow_the_paper():
    c = L.config("4-1")
    assert (c.n_blocks, c.block_size, c.n_in, c.n_out, c.bias, c.alpha, c.init_range) == (2, 2, 2, 1, "all", 0.5, 0.1)
    assert c.input_gate_bias == (-3.0, -6.0) and c.output_gate_bias is None
    assert L.config("1-1").output_gate_bias == (-1.0, -2.0, -3.0, -4.0)  # Table 10, not the text's -1..-3
    assert "Table 10" in L.config("1-1").note
    assert L.config("1-1").init_range == 0.2 and L.config("2c-3").init_range == 0.2
    c = L.config("2a")
    assert not c.output_gate and c.squashing == "logistic-identity" and c.connectivity == "B"
    assert L.config("3c").alpha == 0.1 and L.config("3a").input_gate_bias == (-1.0, -3.0, -5.0)
    assert L.config("2c-9").n_in == 54 and L.config("2c-6").n_in == 504


def test_initial_gate_biases_are_set_per_block():
    net = L.build("3a", 4, seed=1)
    bias = net.source_index("bias")
    np.testing.assert_array_equal(net.input_gate_weights[:, :, bias], np.tile([-1.0, -3.0, -5.0], (4, 1)))
    np.testing.assert_array_equal(net.output_gate_weights[:, :, bias], np.tile([-2.0, -4.0, -6.0], (4, 1)))
    others = np.delete(net.w_hidden, bias, axis=2)
    assert np.abs(others).max() <= 0.1 and np.abs(others).max() > 0.05  # uniform in [-0.1, 0.1]


def test_overrides_stretch_bias_progressions():
    c = L.config("4-1", n_blocks=4)
    assert c.input_gate_bias == (-3.0, -6.0, -9.0, -12.0) and c.name == "4-1*" and c.paper_weights is None
    c = L.config("3a", output_gate_bias=-1.0, n_blocks=2)
    assert c.output_gate_bias == (-1.0, -1.0) and c.input_gate_bias == (-1.0, -3.0)
    assert L.config("6a", input_gate_bias=None).input_gate_bias is None
    assert L.build("4-1", n_blocks=3).n_weights == 12 * (2 + 12 + 1) + 6 + 1


# ------------------------------------------------------------------------------------- forward
def test_forward_follows_the_equations():
    net = L.build("6a", 2, seed=4)
    x, _, _ = random_problem(net, 15, 0, True)
    tr = net.forward(x)
    S = net.S
    y_in_per_cell = np.repeat(tr.input_gate, S, axis=2)
    # CEC: s_c(t) = s_c(t-1) + y_in(t) g(net_c(t)), s_c(0) = 0
    np.testing.assert_allclose(tr.cell_state, np.cumsum(y_in_per_cell * tr.cell_input, axis=1), atol=1e-14)
    # y_c = y_out h(s_c), h = tanh(s/2)
    np.testing.assert_allclose(tr.cell_output, np.repeat(tr.output_gate, S, axis=2) * np.tanh(tr.cell_state / 2))
    # outputs from the cells of the SAME step: y_k = f(W [y_c(t), 1])
    net_k = np.einsum("pkc,ptc->ptk", net.w_output[:, :, :-1], tr.cell_output) + net.w_output[:, None, :, -1]
    np.testing.assert_allclose(tr.outputs, 1 / (1 + np.exp(-net_k)), atol=1e-15)
    # input gate at t = 0 sees only the input and bias (activations reset to 0)
    net_in0 = np.einsum("pjm,pm->pj", net.input_gate_weights[:, :, :8], x[:, 0]) + net.input_gate_weights[:, :, -1]
    np.testing.assert_allclose(tr.input_gate[:, 0], 1 / (1 + np.exp(-net_in0)), atol=1e-15)


def test_caption_squashing_swaps_the_ranges_of_g_and_h():
    """squashing="caption": g = 2 f - 1 in [-1, 1] and h = 4 f - 2 in [-2, 2], as Table 10's caption says."""
    net = L.build("1-5", 2, seed=3, squashing="caption")
    net.w_hidden *= 20.0                  # drive cell inputs and states far into saturation
    x, _, _ = random_problem(net, 30, 1, True)
    tr = net.forward(x)
    net_c = np.einsum("pcm,pm->pc", net.cell_weights[:, :, :7], x[:, 0]) + net.cell_weights[:, :, -1]
    np.testing.assert_allclose(tr.cell_input[:, 0], 2 / (1 + np.exp(-net_c)) - 1, atol=1e-14)
    h = 4 / (1 + np.exp(-tr.cell_state)) - 2
    np.testing.assert_allclose(tr.cell_output, np.repeat(tr.output_gate, net.S, axis=2) * h, atol=1e-14)
    assert np.abs(tr.cell_input).max() <= 1 and 1.5 < np.abs(h).max() <= 2
    with pytest.raises(ValueError, match="squashing must be one of"):
        L.config("1-5", squashing="tanh")


def test_no_output_gate_and_identity_h_in_2a():
    net = L.build("2a", 1, seed=0, n_in=5, n_out=5)
    x = np.eye(5)[None, [0, 1, 2, 3, 0]]
    tr = net.forward(x)
    np.testing.assert_array_equal(tr.output_gate, 1.0)
    np.testing.assert_allclose(tr.cell_output, tr.cell_state)
    assert net.output_cells == slice(5, 6)               # connectivity B: the inputs come first
    assert L.build("4-1").output_cells == slice(0, 4)    # F: the output units read the cells and a bias
    assert np.all(tr.cell_input > 0) and np.all(tr.cell_input < 1)  # g logistic


# ------------------------------------------------------------------------------ trial axis P
@pytest.mark.parametrize("row, every_step", [("4-1", False), ("1-2", True), ("2c-1", False)])
def test_population_equals_separate_networks(row, every_step):
    P, T = 4, 12
    pop = L.build(row, P, seed=7)
    x, y, m = random_problem(pop, T, 3, every_step)
    singles = [pop.select(p) for p in range(P)]
    tr = pop.forward(x)
    for p, single in enumerate(singles):
        tr1 = single.forward(x[p:p + 1])
        for a, b in zip(tr, tr1):
            np.testing.assert_allclose(a[p:p + 1], b, rtol=0, atol=1e-12)
    for schedule in L.SCHEDULES:
        pop_s = pop.select(range(P))
        singles_s = [pop.select(p) for p in range(P)]
        for _ in range(3):
            res = pop_s.train(x, y, m, schedule=schedule)
            for p, single in enumerate(singles_s):
                r1 = single.train(x[p:p + 1], y[p:p + 1], m[p:p + 1], schedule=schedule)
                np.testing.assert_allclose(res.loss[p], r1.loss[0], rtol=1e-12)
                np.testing.assert_allclose(res.last_output[p], r1.last_output[0], rtol=0, atol=1e-12)
        for p, single in enumerate(singles_s):
            np.testing.assert_allclose(pop_s.w_hidden[p], single.w_hidden[0], rtol=0, atol=1e-12)
            np.testing.assert_allclose(pop_s.w_output[p], single.w_output[0], rtol=0, atol=1e-12)


def test_forward_one_runs_one_network_on_every_sequence():
    """forward_one(x, k): network k on each of n sequences, as network k alone on each one."""
    pop = L.build("4-1", 3, seed=2)
    x = np.random.default_rng(4).normal(size=(5, 9, pop.cfg.n_in))
    tr = pop.forward_one(x, 2)
    assert tr.outputs.shape == (5, 9, pop.cfg.n_out)
    for i in range(5):
        alone = L.LSTM1997.from_weights(pop.cfg, pop.w_hidden[2:3], pop.w_output[2:3]).forward(x[i:i + 1])
        for a, b in zip(tr, alone):
            np.testing.assert_array_equal(a[i:i + 1], b)
    assert not np.allclose(tr.outputs, pop.forward_one(x, 0).outputs)     # another network, other outputs


# ------------------------------------------------------------------- truncated gradient vs autograd
FAMILIES = [
    ("4-1", {}),                                    # F, bias all, S=2, 2 blocks
    ("1-1", {}),                                    # F, gates-only bias, S=1, 4 blocks
    ("1-2", {}),                                    # F, gates-only bias, S=2, 3 blocks
    ("3a", {}),                                     # F, bias b1, S=1, 3 blocks
    ("2a", {"n_in": 6, "n_out": 6}),                # B, no output gate, g logistic, h identity
    ("2c-1", {"n_in": 5}),                          # F, no biases at all
    ("6b", {"block_size": 3, "n_blocks": 2}),       # F, S=3
    ("1-5", {"squashing": "caption"}),              # g in [-1, 1], h in [-2, 2] (Table 10's caption)
]


def relative_error(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


@pytest.mark.parametrize("engine", L.ENGINES)
@pytest.mark.parametrize("every_step", [True, False], ids=["error-every-step", "error-at-end"])
@pytest.mark.parametrize("row, overrides", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_truncated_gradient_equals_autograd_with_stop_gradient(row, overrides, every_step, engine):
    """Both implementations, the NumPy reference and the compiled engine, against autograd."""
    net = L.build(row, 2, seed=11, **overrides)
    net.w_hidden *= 2.0   # larger weights than at initialisation: gates away from 0.5, stronger recurrence
    net.w_output *= 2.0
    x, y, m = random_problem(net, 10, 5, every_step)
    loss, grad = net.gradient(x, y, m, engine=engine)
    ref_loss, ref_h, ref_o = L.reference_loss(net, x, y, m, truncate=True)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-12)
    for p in range(net.P):
        assert relative_error(grad.hidden[p], ref_h[p]) < 1e-10
        assert relative_error(grad.output[p], ref_o[p]) < 1e-10
    # weights the architecture lacks get exactly 0
    assert np.all(grad.hidden[:, net.mask_hidden == 0] == 0)


def test_truncation_changes_the_gradient():
    """The reference really stops gradients: the full gradient differs (Section 6 / Appendix A)."""
    net = L.build("4-1", 1, seed=2)
    net.w_hidden *= 2.0
    x, y, m = random_problem(net, 20, 1, True)
    _, grad = net.gradient(x, y, m)
    _, full_h, full_o = L.reference_loss(net, x, y, m, truncate=False)
    assert relative_error(grad.hidden[0], full_h[0]) > 1e-3
    assert relative_error(grad.output[0], full_o[0]) < 1e-12  # output weights are not affected


def test_truncated_gradient_matches_finite_differences_of_output_weights():
    """Output weights see no truncation: their gradient is the plain derivative of E."""
    net = L.build("6a", 1, seed=3)
    x, y, m = random_problem(net, 8, 2, False)
    _, grad = net.gradient(x, y, m)
    k, c, eps = 2, 1, 1e-6
    plus, minus = net.select(0), net.select(0)
    plus.w_output[0, k, c] += eps
    minus.w_output[0, k, c] -= eps
    numeric = (plus.gradient(x, y, m)[0][0] - minus.gradient(x, y, m)[0][0]) / (2 * eps)
    assert grad.output[0, k, c] == pytest.approx(numeric, rel=1e-6)


@pytest.mark.parametrize("engine", L.ENGINES)
def test_gradient_of_a_grown_network_equals_autograd(engine):
    net = L.build("4-1", 1, seed=5)
    net.add_block(9)
    x, y, m = random_problem(net, 9, 6, True)
    _, grad = net.gradient(x, y, m, engine=engine)
    _, ref_h, ref_o = L.reference_loss(net, x, y, m)
    assert relative_error(grad.hidden[0], ref_h[0]) < 1e-10
    assert relative_error(grad.output[0], ref_o[0]) < 1e-10


# -------------------------------------------------------------------------------------- training
def test_sequence_schedule_applies_minus_alpha_times_the_gradient():
    net = L.build("3a", 3, seed=1)
    x, y, m = random_problem(net, 12, 4, False)
    loss, grad = net.gradient(x, y, m)
    before_h, before_o = net.w_hidden.copy(), net.w_output.copy()
    result = net.train(x, y, m, alpha=0.3)
    np.testing.assert_allclose(result.loss, loss)
    np.testing.assert_allclose(net.w_hidden, before_h - 0.3 * grad.hidden, rtol=0, atol=1e-15)
    np.testing.assert_allclose(net.w_output, before_o - 0.3 * grad.output, rtol=0, atol=1e-15)


def test_schedules_coincide_with_error_only_at_the_end_and_differ_otherwise():
    a, b = L.build("6a", 2, seed=8), L.build("6a", 2, seed=8)
    x, y, m = random_problem(a, 10, 9, False)
    a.train(x, y, m, schedule="sequence")
    b.train(x, y, m, schedule="step")
    np.testing.assert_allclose(a.w_hidden, b.w_hidden, rtol=0, atol=1e-15)
    c, d = L.build("6a", 2, seed=8), L.build("6a", 2, seed=8)
    m_all = L.every_step_mask(2, 10)
    c.train(x, y, m_all, schedule="sequence")
    d.train(x, y, m_all, schedule="step")
    assert np.abs(c.w_hidden - d.w_hidden).max() > 1e-8


@pytest.mark.parametrize("schedule", L.SCHEDULES)
def test_weights_the_architecture_lacks_stay_zero(schedule):
    net = L.build("1-2", 2, seed=0)   # bias on the gates only: the cells' bias weights do not exist
    x, y, m = random_problem(net, 8, 0, True)
    for _ in range(3):
        net.train(x, y, m, schedule=schedule)
    assert np.all(net.w_hidden[:, net.mask_hidden == 0] == 0)
    assert net.n_weights == 276 and np.count_nonzero(net.w_hidden) + np.count_nonzero(net.w_output) == 2 * 276


@pytest.mark.parametrize("schedule", L.SCHEDULES)
def test_frozen_weights_do_not_change_and_the_others_learn_as_without_freezing(schedule):
    """``frozen`` holds chosen weights of chosen networks fixed (in "step" within the sequence too): frozen
    at 0, the weights from a cell to the outputs silence that cell, and every other weight of that net then
    changes exactly as in a net whose cell has no outgoing weights to learn."""
    net = L.build("6a", 3, seed=4)
    x, y, m = random_problem(net, 9, 5, True)
    cell = net.output_cells.start        # the first cell's column in w_output
    frozen_h = np.zeros(net.w_hidden.shape, dtype=bool)
    frozen_o = np.zeros(net.w_output.shape, dtype=bool)
    frozen_h[1, :2, :] = True            # network 1: two hidden units' incoming weights
    frozen_o[1, :, cell] = True          # and the first cell's outgoing weights
    net.w_output[1, :, cell] = 0.0
    free = net.select([0, 1, 2])
    before_h, before_o = net.w_hidden.copy(), net.w_output.copy()
    net.train(x, y, m, schedule=schedule, frozen=(frozen_h, frozen_o))
    free.train(x, y, m, schedule=schedule)
    np.testing.assert_array_equal(net.w_hidden[frozen_h], before_h[frozen_h])
    np.testing.assert_array_equal(net.w_output[frozen_o], before_o[frozen_o])
    assert np.all(net.w_output[1, :, cell] == 0.0)
    for p in (0, 2):                     # networks without frozen weights learn as usual
        np.testing.assert_allclose(net.w_hidden[p], free.w_hidden[p], rtol=0, atol=1e-14)
        np.testing.assert_allclose(net.w_output[p], free.w_output[p], rtol=0, atol=1e-14)
    moved = ~frozen_h[1] & (net.mask_hidden > 0)
    assert np.abs(net.w_hidden[1][moved] - before_h[1][moved]).min() > 0  # the rest of network 1 learned
    with pytest.raises(ValueError, match=r"frozen\[1\] must have shape"):
        net.train(x, y, m, frozen=(frozen_h, frozen_o[:, :, :2]))
    with pytest.raises(ValueError, match="frozen must be None or a pair"):
        net.train(x, y, m, frozen=frozen_h)


def test_on_line_training_reduces_the_error():
    """A tiny memory task: report at the last step the sign of the first input (lag 3)."""
    gen = np.random.default_rng(0)
    P, T = 16, 4
    net = L.build("4-1", P, seed=0, n_in=1, alpha=1.0, input_gate_bias=0.0, init_range=0.5)
    losses = []
    for _ in range(600):
        sign = gen.choice([-1.0, 1.0], P)
        x = gen.normal(0, 0.2, (P, T, 1))
        x[:, 0, 0] = sign
        y = np.zeros((P, T, 1))
        y[:, -1, 0] = 0.5 + 0.3 * sign
        losses.append(net.train(x, y, L.end_mask(np.full(P, T), T)).loss.mean())
    assert np.mean(losses[:50]) > 0.04          # at first the output ignores the sign (E = 0.3^2 / 2)
    assert np.mean(losses[-50:]) < 0.005        # then it stores it in a cell


def test_keep_outputs_returns_every_step():
    net = L.build("1-1", 2, seed=0)
    x, y, m = random_problem(net, 6, 0, True)
    expected = net.forward(x).outputs
    result = net.train(x, y, m, schedule="sequence", keep_outputs=True)
    np.testing.assert_allclose(result.outputs, expected)
    np.testing.assert_allclose(result.last_output, expected[:, -1])


# ------------------------------------------------------------------------------------- growing
def test_add_block_keeps_existing_weights_and_counts_like_a_built_net():
    net = L.build("3a", 2, seed=0, n_blocks=2)
    old_h, old_names, old_src = net.w_hidden.copy(), list(net.unit_names), list(net.source_names)
    net.add_block(1)
    assert net.cfg.n_blocks == 3 and net.n_weights == L.build("3a").n_weights
    assert net.cfg.input_gate_bias == (-1.0, -3.0, -5.0) and net.cfg.output_gate_bias == (-2.0, -4.0, -6.0)
    for i, unit in enumerate(old_names):
        for j, src in enumerate(old_src):
            assert net.w_hidden[0, net.unit_names.index(unit), net.source_names.index(src)] == old_h[0, i, j]
    assert net.input_gate_weights[0, 2, net.source_index("bias")] == -5.0
    net.add_block(2, input_gate_bias=-0.5)
    assert net.input_gate_weights[1, 3, net.source_index("bias")] == -0.5 and net.cfg.input_gate_bias[-1] == -0.5


def test_sequential_construction_from_zero_blocks_2a():
    net = L.build("2a", 1, seed=0, n_in=4, n_out=4, n_blocks=0)
    assert net.n_weights == 4 * 4
    x, y, m = random_problem(net, 5, 0, True)
    net.train(x, y, m)
    net.add_block(3)
    assert net.n_weights == L.build("2a", n_in=4, n_out=4).n_weights == 4 * 5 + 4 + 4


# ------------------------------------------------------------------------------------ bad input
def test_unknown_row_lists_valid_names():
    with pytest.raises(ValueError, match="name must be a row of Table 10.*'4-1'"):
        L.config("4-4")


@pytest.mark.parametrize("kwargs, match", [
    ({"n_blocks": -1}, "n_blocks"), ({"block_size": 0}, "block_size"), ({"n_in": 0}, "n_in"),
    ({"alpha": 0.0}, "alpha"), ({"alpha": float("nan")}, "alpha"), ({"bias": "some"}, "bias"),
    ({"connectivity": "X"}, "connectivity"), ({"input_gate_bias": (-1.0,)}, "input_gate_bias"),
    ({"input_gate_bias": (-1.0, float("nan"))}, "input_gate_bias"), ({"init_range": -0.1}, "init_range"),
])
def test_bad_configuration_names_the_parameter(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        L.config("4-1", **kwargs)


def test_bad_overrides_and_sizes():
    with pytest.raises(TypeError, match="unknown override"):
        L.config("4-1", n_cells=3)
    with pytest.raises(ValueError, match="output_gate_bias must be None"):
        L.config("2a", output_gate_bias=-1.0, bias="ga")
    with pytest.raises(ValueError, match="bias='none'"):
        L.config("2c-1", input_gate_bias=-1.0)
    with pytest.raises(ValueError, match="n_networks"):
        L.build("4-1", 0)
    with pytest.raises(TypeError, match="n_networks"):
        L.build("4-1", 2.5)
    with pytest.raises(TypeError, match="cfg"):
        L.LSTM1997(42)


def test_bad_sequences_name_the_parameter():
    net = L.build("4-1", 2)
    x, y, m = random_problem(net, 5, 0, False)
    with pytest.raises(ValueError, match=r"inputs must have shape \(P=2, T, n_in=2\)"):
        net.forward(x[:1])
    with pytest.raises(ValueError, match="inputs must have 3 dimensions"):
        net.forward(x[0])
    bad = x.copy()
    bad[1, 2, 0] = np.nan
    with pytest.raises(ValueError, match="inputs contains 1 non-finite"):
        net.train(bad, y, m)
    with pytest.raises(ValueError, match="targets must have shape"):
        net.train(x, y[:, :4], m)
    with pytest.raises(ValueError, match="target_mask must have shape"):
        net.gradient(x, y, m[:, :3])
    with pytest.raises(ValueError, match="schedule must be one of"):
        net.train(x, y, m, schedule="epoch")
    with pytest.raises(ValueError, match="lengths must lie in"):
        L.end_mask([0, 3], 5)
    with pytest.raises(ValueError, match="networks must be indices"):
        net.select([2])
    with pytest.raises(ValueError, match="networks must be indices"):
        net.forward_one(x, 5)
    with pytest.raises(ValueError, match="network must be an int index"):
        net.forward_one(x, 0.5)
    with pytest.raises(ValueError, match="inputs must have 3 dimensions"):
        net.forward_one(x[0])
    with pytest.raises(ValueError, match="w_hidden must have shape"):
        L.LSTM1997.from_weights("4-1", np.zeros((1, 3, 3)), net.w_output[:1])
    with pytest.raises(ValueError, match="name must be one of"):
        net.source_index("cell[9,9]")


@pytest.mark.parametrize("engine", L.ENGINES)
def test_blow_up_raises_numerical_error(engine):
    """A learning rate far too large makes a weight overflow to inf: reported, never hidden."""
    net = L.build("4-1", 1)
    net = L.LSTM1997.from_weights("4-1", np.zeros_like(net.w_hidden), np.ones_like(net.w_output))
    x = np.full((1, 5, 2), 1e3)   # large (finite) inputs: large forward partials ds_c/dw
    y = np.ones((1, 5, 1))
    with np.errstate(over="ignore", invalid="ignore"):
        with pytest.raises(NumericalError, match=r"network\(s\) \[0\] became non-finite.*smaller alpha"):
            net.train(x, y, L.end_mask([5], 5), alpha=1e308, engine=engine)


@pytest.mark.parametrize("engine", L.ENGINES)
def test_blow_up_of_one_network_is_reported_and_the_others_learn_on(engine):
    """on_divergence="report": the diverged network is marked, its neighbours get their normal update."""
    net = L.build("4-1", 3, seed=2)
    wh, wo = net.w_hidden.copy(), net.w_output.copy()
    wh[1], wo[1] = 0.0, 1.0
    x = np.zeros((3, 5, 2))
    x[1] = 1e3                      # huge inputs for network 1 only
    y = np.ones((3, 5, 1))
    alone = [L.LSTM1997.from_weights("4-1", wh[[p]], wo[[p]]) for p in (0, 2)]
    net = L.LSTM1997.from_weights("4-1", wh, wo)
    result = net.train(x, y, L.end_mask([5] * 3, 5), alpha=1e308, on_divergence="report", engine=engine)
    assert result.diverged.tolist() == [False, True, False]
    for p, single in zip((0, 2), alone):
        with np.errstate(over="ignore", invalid="ignore"):
            single.train(x[[p]], y[[p]], L.end_mask([5], 5), alpha=1e308, on_divergence="report", engine=engine)
        np.testing.assert_allclose(net.w_hidden[p], single.w_hidden[0], rtol=1e-12)
        assert np.isfinite(net.w_hidden[p]).all()
    with pytest.raises(ValueError, match="on_divergence must be one of"):
        net.train(x, y, L.end_mask([5] * 3, 5), on_divergence="ignore")


def test_a_task_batch_mask_per_output_unit_is_accepted_when_it_is_per_step():
    """SequenceBatch masks are (P, T, n_out); the net takes them when all outputs agree, else refuses."""
    net = L.build("6a", 2, seed=3)
    x, y, m = random_problem(net, 6, 0, False)
    loss_2d, grad_2d = net.gradient(x, y, m)
    loss_3d, grad_3d = net.gradient(x, y, np.repeat(m[:, :, None], net.cfg.n_out, axis=2))
    np.testing.assert_array_equal(loss_2d, loss_3d)
    np.testing.assert_array_equal(grad_2d.hidden, grad_3d.hidden)
    uneven = np.repeat(m[:, :, None], net.cfg.n_out, axis=2)
    uneven[0, -1, 0] = not uneven[0, -1, 0]
    with pytest.raises(ValueError, match="same for every output unit"):
        net.gradient(x, y, uneven)


def test_task_2b_net_keeps_the_class_as_a_constant_offset_of_its_state():
    """The 2b net's cell and input gate read the inputs only, so the state is s(t) = c + r(t) with the class in
    c alone (long_lags chapter, eq. ll-2b-split): checked against the increments f(w_in . u) f(w_c . u)
    computed by hand from the weights, for two sequences that differ only in their first symbol."""
    from lstm_edu.tasks import long_lag
    net = L.build("2b", 3, seed=11)
    assert net.source_names == [f"input[{i}]" for i in range(101)]  # no recurrent sources, no bias
    seq = long_lag.no_local_regularities(1, 100, seed=2).x[0]
    other = seq.copy()
    other[0] = 0.0
    other[0, 199 - int(seq[0].argmax())] = 1.0                         # x (unit 99) <-> y (unit 100)
    x = np.stack([seq, other])
    f = lambda z: 1.0 / (1.0 + np.exp(-z))
    for k in range(3):
        w_cell, w_in = net.w_hidden[k, 0], net.w_hidden[k, 1]           # hidden units: cell, input gate
        by_hand = np.cumsum(f(x @ w_in) * f(x @ w_cell), axis=1)        # s(t) = sum of y_in(t) g(net_c(t))
        states = net.forward_one(x, k).cell_state[:, :, 0]
        np.testing.assert_allclose(states, by_hand, rtol=1e-12)
        gap = states[0] - states[1]
        assert abs(gap[0]) > 1e-4 and np.ptp(gap) < 1e-12


@pytest.mark.parametrize("row", ["2c-1", "3a"])  # no biases at all / cells and gates biased
def test_a_constant_cell_input_from_the_gates_makes_the_state_drift_linearly(row):
    """cell_input_from_gates against the forward pass: with gates whose weights are all 0 (every gate at
    f(0) = 1/2 at every step) and cells fed only by the gates (and their bias), net_c is the same at every
    step, so s_c(T) = T * 1/2 * g(beta_c) exactly (the state equation of Section 4's state drift)."""
    net = L.build(row, 3, seed=4)
    C, B = net.C, net.B
    keep = [i for i, n in enumerate(net.source_names) if n.startswith(("input_gate", "output_gate")) or n == "bias"]
    others = np.setdiff1d(np.arange(net.M), keep)
    net.w_hidden[:, :C, others] = 0.0       # the cells see neither inputs nor cells
    net.w_hidden[:, C:] = 0.0               # every gate at f(0) = 1/2 (biases included)
    net.w_hidden[:, :C, keep] = np.random.default_rng(1).uniform(-0.3, 0.3, (3, C, len(keep)))
    beta = net.cell_input_from_gates()
    by_hand = 0.5 * sum(net.cell_weights[:, :, net.source_index(f"{kind}_gate[{j}]")]
                        for kind in ("input", "output") for j in range(B))
    if row == "3a":
        by_hand = by_hand + net.cell_weights[:, :, net.source_index("bias")]
    np.testing.assert_allclose(beta, by_hand, rtol=1e-14)
    T = 57
    x = np.random.default_rng(2).normal(size=(3, T, net.cfg.n_in))
    s_T = net.forward(x).cell_state[:, -1]
    g = 4.0 / (1.0 + np.exp(-beta)) - 2.0
    # step 1 sees the gates of step 0, which are 0 (activations reset): net_c(1) is the bias alone
    bias = net.cell_weights[:, :, -1] if row == "3a" else 0.0
    g1 = 4.0 / (1.0 + np.exp(-bias)) - 2.0
    np.testing.assert_allclose(s_T, 0.5 * g1 + (T - 1) * 0.5 * g, rtol=1e-10, atol=1e-12)
    assert np.abs(s_T).min() > 0.1        # a real drift, not a trivially zero state
    with pytest.raises(ValueError, match="gate_level must lie in"):
        net.cell_input_from_gates(1.5)
