"""Claims of the gates chapter (book/lstm/gates.md): Table 10's weight counts, the forward pass of both
implementations against the equations evaluated unit by unit, and the hand-wired memory cell."""

import numpy as np
import pytest

from lstm_edu import activations, lstm1997


def test_every_row_counts_the_weights_table_10_prints():
    counted = {row: lstm1997.build(row).n_weights for row in lstm1997.ROWS}
    assert counted == {row: lstm1997.config(row).paper_weights for row in lstm1997.ROWS}


def unit_by_unit(net, x):
    """Eqs. 6-10 for network 0 of ``net`` (connectivity F, bias "all"), one unit at a time: (states, outputs)."""
    f, g, h = activations.f, activations.g, activations.h
    S, previous = net.S, np.zeros(net.H)
    state, states, outputs = np.zeros(net.C), [], []
    for x_t in x[0]:
        y = np.concatenate([x_t, previous, [1.0]])
        y_in = [f(w @ y) for w in net.input_gate_weights[0]]
        y_out = [f(w @ y) for w in net.output_gate_weights[0]]
        for c, w in enumerate(net.cell_weights[0]):
            state[c] += y_in[c // S] * g(w @ y)
        cells = [y_out[c // S] * h(state[c]) for c in range(net.C)]
        outputs.append(f(net.w_output[0] @ np.concatenate([cells, [1.0]])))
        states.append(state.copy())
        previous = np.concatenate([cells, y_in, y_out])
    return np.array(states), np.array(outputs)


@pytest.mark.parametrize("engine", lstm1997.ENGINES)
def test_forward_equals_the_equations_unit_by_unit(engine):
    net = lstm1997.build("6a", n_networks=1, seed=3)
    x = np.random.default_rng(0).normal(size=(1, 25, net.cfg.n_in))
    states, outputs = unit_by_unit(net, x)
    trace = net.forward(x, engine=engine)
    assert np.abs(trace.cell_state[0] - states).max() < 1e-12
    assert np.abs(trace.outputs[0] - outputs).max() < 1e-12


def test_the_hand_wired_cell_stores_holds_and_releases_a_value():
    net = lstm1997.build("4-1", n_networks=1, seed=0, n_blocks=1, block_size=1, n_in=3)
    net.w_hidden[:] = 0.0
    net.w_output[:] = 0.0
    bias = net.source_index("bias")
    net.cell_weights[0, 0, net.source_index("input[0]")] = 1.0
    net.input_gate_weights[0, 0, [bias, net.source_index("input[1]")]] = [-5.0, 10.0]
    net.output_gate_weights[0, 0, [bias, net.source_index("input[2]")]] = [-5.0, 10.0]
    net.w_output[0, 0, net.output_source_names.index("cell[0,0]")] = 4.0
    T, store, recall = 30, 4, 25
    x = np.zeros((1, T, 3))
    x[0, :, 0] = np.random.default_rng(1).uniform(-1, 1, T)
    x[0, store, 1] = x[0, recall, 2] = 1.0
    tr = net.forward(x)
    leak = activations.f(-5.0)                      # a closed gate still passes f(-5) of g(x_1(t))
    assert leak == pytest.approx(0.0067, abs=5e-5)
    jump = tr.cell_state[0, store, 0] - tr.cell_state[0, store - 1, 0]
    assert jump == pytest.approx(activations.g(x[0, store, 0]), rel=0.01)        # the gate opens once
    drift = np.abs(np.diff(tr.cell_state[0, store:recall, 0])).max()
    assert drift <= 2 * leak                          # held through noise: |g| <= 2 per step at most
    assert np.abs(tr.cell_output[0, :recall, 0]).max() < 0.01                    # invisible before recall
    assert abs(tr.cell_output[0, recall, 0]) > 0.15                              # read out at the recall step


def test_exercise_weight_counts():
    """Solutions of "Counting the weights of 6b" (12 x 21 + 8 x 7 = 308) and "Row 2a with an output gate"
    (10,504 becomes 10,605: 303 hidden weights instead of 202, the outputs' 10,302 unchanged)."""
    assert lstm1997.build("6b").n_weights == 12 * 21 + 8 * 7 == 308
    assert lstm1997.build("2a").n_weights == 202 + 10_302 == 10_504
    assert lstm1997.LSTM1997(lstm1997.config("2a", output_gate=True)).n_weights == 303 + 10_302 == 10_605


def test_the_memory_cell_figure():
    """The figure's caption: the cell of row 4-1 drawn with its block's gates input_gate[0], output_gate[0] and a
    carousel weight of 1.0 measured on lstm1997.cell_states."""
    import matplotlib.pyplot as plt

    from lstm_edu import diagrams

    fig, ax = plt.subplots()
    d = diagrams.memory_cell(ax, lstm1997.build("4-1"), "cell[0,0]")
    plt.close(fig)
    assert d.units == ("cell[0,0]", "input_gate[0]", "output_gate[0]")
    assert [e.label for e in d.edges if e.kind == "carousel"] == ["1.0"]
