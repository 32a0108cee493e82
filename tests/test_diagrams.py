"""The book's diagrams show the package's nets: their units, their carousel, the edges the truncated gradient cuts."""

import matplotlib

matplotlib.use("Agg")
import autograd  # noqa: E402
import autograd.numpy as anp  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from autograd.tracer import getval  # noqa: E402

from lstm_edu import analysis, diagrams, lstm1997  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def _texts(ax):
    return {t.get_text() for t in ax.texts}


@pytest.mark.parametrize("row, cell, gates", [("4-1", "cell[1,1]", ["input_gate[1]", "output_gate[1]"]),
                                              ("6b", "cell[2,0]", ["input_gate[2]", "output_gate[2]"]),
                                              ("2a", "cell[0,0]", ["input_gate[0]"])])
def test_memory_cell_shows_the_cell_and_its_blocks_gates(ax, row, cell, gates):
    net = lstm1997.build(row)
    d = diagrams.memory_cell(ax, net, cell)
    assert set(d.units) == {cell, *gates} and set(d.units) <= set(net.unit_names)
    assert [e.source for e in d.edges if e.kind == "gate"] == gates          # one junction per gate
    loops = [e for e in d.edges if e.kind == "carousel"]
    assert len(loops) == 1 and loops[0].source == loops[0].target == "s_c" and loops[0].label == "1.0"
    j, v = int(cell[5]) + 1, int(cell[7]) + 1
    assert f"$s_{{c_{{{j}}}^{{{v}}}}}$" in _texts(ax) and f"$y^{{in_{{{j}}}}}$" in _texts(ax)
    low, high = net.squashing.g[0] - net.squashing.g[1], net.squashing.g[0] + net.squashing.g[1]
    assert any(f"g in [{low:g}, {high:g}]" in t for t in _texts(ax))
    assert ("h" in {e.target for e in d.edges}) == (net.squashing.h is not None)   # 2a/2b: h is the identity


def test_the_carousel_weight_is_measured_on_the_package_update():
    assert diagrams.carousel_weight(lstm1997.build("4-1")) == 1.0


def test_memory_cell_refuses_a_cell_the_net_lacks(ax):
    with pytest.raises(ValueError, match=r"cell must be one of the net's cells .*cell\[1,1\]"):
        diagrams.memory_cell(ax, lstm1997.build("4-1"), "cell[2,0]")
    with pytest.raises(TypeError, match="net must be an LSTM1997"):
        diagrams.memory_cell(ax, "4-1")


def _loss_with_cuts(net, x, y, m, cuts, cut_carousel=False):
    """dE/dw of a one-cell net (1 block of 1 cell, connectivity F, bias 'all', squashing 1997) in which the
    error does not flow through the connections ``cuts`` = {(source unit, reader)} from step t-1 to step t
    (stop-gradient on exactly those), nor, if ``cut_carousel``, through s_c(t-1) -> s_c(t)."""
    rows = {"cell[0,0].g": 0, "input_gate[0]": 1, "output_gate[0]": 2}
    sources = ["cell[0,0]", "input_gate[0]", "output_gate[0]"]
    assert net.source_names == ["input[0]", "input[1]", *sources, "bias"]

    def sigmoid(z):
        return 1.0 / (1.0 + anp.exp(-z))

    def loss(w_h, w_o):
        prev, s, total = {u: anp.zeros(1) for u in sources}, anp.zeros(1), 0.0
        for t in range(x.shape[1]):
            net_in = {}
            for reader, row in rows.items():
                past = [getval(prev[u]) if (u, reader) in cuts else prev[u] for u in sources]
                src = anp.concatenate([x[0, t], *past, anp.ones(1)])
                net_in[reader] = anp.reshape(anp.sum(w_h[0, row] * src), (1,))
            y_in, y_out = sigmoid(net_in["input_gate[0]"]), sigmoid(net_in["output_gate[0]"])
            s = (getval(s) if cut_carousel else s) + y_in * 2.0 * anp.tanh(0.5 * net_in["cell[0,0].g"])
            y_c = y_out * anp.tanh(0.5 * s)
            out = sigmoid(w_o[0, 0, 0] * y_c + w_o[0, 0, 1])
            total = total + 0.5 * m[0, t] * (y[0, t, 0] - out) ** 2
            prev = {"cell[0,0]": y_c, "input_gate[0]": y_in, "output_gate[0]": y_out}
        return anp.sum(total)

    return np.concatenate([g.ravel() for g in autograd.grad(loss, (0, 1))(net.w_hidden, net.w_output)])


def test_the_cut_edges_are_exactly_those_the_truncated_gradient_drops(ax):
    net = lstm1997.LSTM1997(lstm1997.config("4-1", n_blocks=1, block_size=1, input_gate_bias=0.0), 1, seed=3)
    net.w_hidden[:] = np.random.default_rng(4).uniform(-1, 1, net.w_hidden.shape)   # error flows everywhere
    d = diagrams.unrolled(ax, net, steps=3)
    assert set(d.units) == set(net.unit_names)
    cuts = {(e.source, e.target) for e in d.edges if e.kind == "cut"}
    assert len(cuts) == 9 and {e.step for e in d.edges if e.kind == "cut"} == {1, 2}
    rng = np.random.default_rng(5)
    x, y, m = rng.uniform(-1, 1, (1, 12, 2)), rng.uniform(0, 1, (1, 12, 1)), rng.uniform(size=(1, 12)) < 0.5
    _, grad = net.gradient(x, y, m)
    truncated = np.concatenate([grad.hidden.ravel(), grad.output.ravel()])
    np.testing.assert_allclose(_loss_with_cuts(net, x, y, m, cuts), truncated, rtol=1e-10, atol=1e-14)
    scale = np.abs(truncated).max()
    for edge in cuts:                                    # each cut matters: letting it through changes dE/dw
        assert np.abs(_loss_with_cuts(net, x, y, m, cuts - {edge}) - truncated).max() > 1e-6 * scale, edge
    carousel_cut = _loss_with_cuts(net, x, y, m, cuts, cut_carousel=True)   # and the carousel is not cut
    assert np.abs(carousel_cut - truncated).max() > 1e-3 * scale


def test_a_net_without_recurrent_connections_has_nothing_to_cut(ax):
    """Connectivity B (2a): only the carousel links the steps, so the truncated gradient is the full one."""
    net = lstm1997.build("2a", seed=1)
    d = diagrams.unrolled(ax, net, steps=2)
    assert not [e for e in d.edges if e.kind == "cut"] and [e.kind for e in d.edges].count("carousel") == 1
    assert ("inputs", "outputs") in {(e.source, e.target) for e in d.edges}     # B: outputs read the inputs
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(1, 6, net.cfg.n_in))
    y, m = rng.uniform(size=(1, 6, net.cfg.n_out)), np.ones((1, 6), dtype=bool)
    _, grad = net.gradient(x, y, m)
    _, full_h, full_o = lstm1997.reference_loss(net, x, y, m, truncate=False)
    np.testing.assert_allclose(grad.hidden, full_h, atol=1e-12)
    np.testing.assert_allclose(grad.output, full_o, atol=1e-12)


def test_unrolled_draws_one_column_per_step(ax):
    net = lstm1997.build("4-1")
    d = diagrams.unrolled(ax, net, steps=4, cell="cell[1,0]")
    assert set(d.units) == {"cell[1,0]", "input_gate[1]", "output_gate[1]"}
    assert sorted(e.step for e in d.edges if e.kind == "carousel") == [1, 2, 3]
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("t")] == ["t-3", "t-2", "t-1", "t"]
    with pytest.raises(ValueError, match="steps"):
        diagrams.unrolled(ax, net, steps=1)


@pytest.mark.parametrize("activation, scale", [("logistic", 1.0), ("tanh", 3.0)])
def test_error_flow_draws_the_strongest_path_and_its_factors(ax, activation, scale):
    n, q = 4, 5
    W, nets = analysis.random_networks(1, n, scale, seed=2, steps=q, activation=activation)
    flow = diagrams.error_flow(ax, W, nets, u=0, v=3, activation=activation)
    terms = analysis.path_terms(W, nets, 0, 3, activation)[0]
    assert flow.path[0] == 0 and flow.path[-1] == 3 and len(flow.path) == q + 1
    assert flow.product == pytest.approx(terms[np.argmax(np.abs(terms))], rel=1e-12)
    assert flow.product == pytest.approx(np.prod(flow.factors), rel=1e-12)
    middle = np.ravel_multi_index(flow.path[1:-1], (n,) * (q - 1))
    assert flow.product == pytest.approx(terms[middle], rel=1e-12)
    assert len(ax.patches) == n * (q + 1) + q                     # every unit at every step, one arrow per step
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"unit {i}" for i in range(1, n + 1)]


def test_error_flow_refuses_more_than_one_network(ax):
    W, nets = analysis.random_networks(2, 3, 1.0, seed=0, steps=3)
    with pytest.raises(ValueError, match="one network"):
        diagrams.error_flow(ax, W, nets, 0, 1)
