"""Diagrams of the book, drawn from the package's own objects so that they stay true to the code.

Three pictures a student would draw while reading S. Hochreiter and J. Schmidhuber, "Long Short-Term Memory",
Neural Computation 9(8), 1997:

- :func:`memory_cell`: one memory cell of a net (the paper's Figure 1): input gate, output gate, the two
  multiplicative junctions, the constant error carousel with its self-connection, g and h (Section 4, eq. 7-9);
- :func:`unrolled`: a cell of a net unrolled over a few time steps, with the connections whose error the
  truncated gradient of Appendix A drops and the carousel along which error flows back;
- :func:`error_flow`: one path of Hochreiter's error-flow analysis (Section 3.1, eq. 2) through the units of an
  unrolled network, each step scaling the error by ``f'(net) w``.

Each function draws into a matplotlib ``Axes`` it is given and returns what it drew (a :class:`Diagram` or a
:class:`FlowPath`): the net's units by their :attr:`~lstm_edu.lstm_layout.LSTMLayout.unit_names`, the edges and
their kinds, the numbers written on them. The tests compare these with the net (``tests/test_diagrams.py``):
the units are the net's, the cut edges are exactly those the truncated gradient drops.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from . import _checks, analysis, lstm1997
from .recurrent import activation_function

#: Colours of the diagrams: forward connections, the carousel, cut connections, the gates.
COLORS = {"forward": "0.35", "carousel": "tab:blue", "cut": "tab:red", "gate": "tab:orange", "cell": "tab:blue"}


class Edge(NamedTuple):
    """One arrow of a diagram: ``source`` -> ``target`` (node names, see the drawing function), into time step
    ``step`` (0 for a single step), of ``kind`` ``"forward"``, ``"gate"`` (a multiplicative junction),
    ``"carousel"`` (the cell state's self-connection) or ``"cut"`` (error not propagated back), with ``label``."""

    source: str
    target: str
    step: int
    kind: str
    label: str = ""


class Diagram(NamedTuple):
    """What a diagram shows: the net's ``units`` (its :attr:`unit_names`) and every ``edges`` drawn."""

    units: tuple
    edges: tuple


class FlowPath(NamedTuple):
    """One path of the error flow: units ``path`` (``l_0 = u`` at time t back to ``l_q = v`` at t - q), the
    factor ``f'(net_{l_m}(t-m)) w_{l_{m-1} l_m}`` of every step back and their ``product`` (paper eq. 2)."""

    path: tuple
    factors: np.ndarray
    product: float


# ------------------------------------------------------------------------------------ drawing pieces
def _node(ax, xy, text, color, *, round_box=False, size=0.42):
    """A unit: a circle (a squashing function or a junction) or a rounded box (a unit with weights)."""
    if round_box:
        ax.add_patch(FancyBboxPatch((xy[0] - size, xy[1] - 0.6 * size), 2 * size, 1.2 * size, ec=color,
                                    fc="white", lw=1.6, boxstyle="round,pad=0.08", zorder=2))
    else:
        ax.add_patch(Circle(xy, size, ec=color, fc="white", lw=1.6, zorder=2))
    ax.text(*xy, text, ha="center", va="center", fontsize=11, zorder=3)


def _arrow(ax, a, b, kind, *, rad=0.0, shrink=17, label="", label_offset=(0, 0.18)):
    style = {"forward": dict(color=COLORS["forward"], lw=1.2), "gate": dict(color=COLORS["gate"], lw=1.4),
             "carousel": dict(color=COLORS["carousel"], lw=2.6),
             "cut": dict(color=COLORS["cut"], lw=1.0, ls=(0, (4, 3)), alpha=0.75)}[kind]
    shrink_a, shrink_b = shrink if isinstance(shrink, tuple) else (shrink, shrink)
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=12, shrinkA=shrink_a, shrinkB=shrink_b,
                                 connectionstyle=f"arc3,rad={rad}", zorder=1, **style))
    mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    if label:
        ax.text(mid[0] + label_offset[0], mid[1] + label_offset[1], label, ha="center", va="bottom",
                fontsize=9, color=style["color"], zorder=4)


def _cell_indices(net, cell):
    """``cell[j,v]`` -> (j, v), checked against the net's units."""
    if not isinstance(net, lstm1997.LSTMLayout):
        raise TypeError(f"net must be an LSTM1997 (e.g. lstm1997.build('4-1')), got {type(net).__name__}")
    cells = net.unit_names[:net.C]
    if cell not in cells:
        raise ValueError(f"cell must be one of the net's cells {cells}, got {cell!r}")
    j, v = map(int, re.fullmatch(r"cell\[(\d+),(\d+)\]", cell).groups())
    return j, v


def _squash_range(pair, name):
    """The range of a squashing function ``offset + scale tanh(x/2)``, e.g. ``g in [-2, 2]``."""
    if pair is None:
        return f"{name}(s) = s"
    low, high = pair[0] - pair[1], pair[0] + pair[1]
    return f"{name} in [{low:g}, {high:g}]"


def carousel_weight(net) -> float:
    """The weight of the carousel's self-connection, measured on the package's own update
    (:func:`lstm_edu.lstm1997.cell_states`): ``ds_c(t) / ds_c(t-1)`` with the input gate closed."""
    s_prev = np.ones((1, net.C))
    closed = np.zeros((1, net.B))
    return float(lstm1997.cell_states(s_prev, closed, np.zeros((1, net.C)), net.S)[0, 0])


# ------------------------------------------------------------------------------------ the memory cell
def memory_cell(ax, net, cell: str = "cell[0,0]") -> Diagram:
    """The memory cell ``cell`` of ``net`` (an :class:`~lstm_edu.lstm1997.LSTM1997`) as in the paper's Figure 1.

    From left to right: the cell input net_c squashed by g, the input gate's junction (y^in times g), the
    state s_c with its self-connection (weight :func:`carousel_weight`), h, the output gate's junction
    (y^out times h(s_c)) and the cell output y^c. Nets without output gates (2a, 2b) have no second junction;
    an identity h is left out. The ranges of g and h are the net's own (:attr:`squashing`). Returns the
    :class:`Diagram` (its units: the cell and its block's gates, named as in ``net.unit_names``).
    """
    j, v = _cell_indices(net, cell)
    c = f"c_{{{j + 1}}}^{{{v + 1}}}"
    gates = [f"input_gate[{j}]"] + ([f"output_gate[{j}]"] if net.cfg.output_gate else [])
    y_mid, y_gate = 1.2, 3.0
    pos = {"net_c": (0.3, y_mid), "g": (1.5, y_mid), "x_in": (3.1, y_mid), gates[0]: (3.1, y_gate),
           "net_in": (1.9, y_gate), "s_c": (5.1, y_mid)}
    edges = [Edge("net_c", "g", 0, "forward"), Edge("g", "x_in", 0, "forward"),
             Edge(gates[0], "x_in", 0, "gate"), Edge("net_in", gates[0], 0, "forward"),
             Edge("x_in", "s_c", 0, "forward"), Edge("s_c", "s_c", 0, "carousel", f"{carousel_weight(net):.1f}")]
    x = 5.1
    if net.squashing.h is not None:
        x += 1.8
        pos["h"] = (x, y_mid)
        edges.append(Edge("s_c", "h", 0, "forward"))
    last = "h" if "h" in pos else "s_c"
    if net.cfg.output_gate:
        x += 1.6
        pos.update({"x_out": (x, y_mid), gates[1]: (x, y_gate), "net_out": (x + 1.2, y_gate)})
        edges += [Edge(last, "x_out", 0, "forward"), Edge(gates[1], "x_out", 0, "gate"),
                  Edge("net_out", gates[1], 0, "forward")]
        last = "x_out"
    pos["y_c"] = (x + 1.3, y_mid)
    edges.append(Edge(last, "y_c", 0, "forward"))
    _draw_cell(ax, pos, edges, c, j, net)
    return Diagram(units=tuple(sorted([cell] + gates)), edges=tuple(edges))


def _draw_cell(ax, pos, edges, c, j, net):
    texts = {"g": "$g$", "h": "$h$", "x_in": r"$\times$", "x_out": r"$\times$", "s_c": f"$s_{{{c}}}$",
             f"input_gate[{j}]": f"$y^{{in_{{{j + 1}}}}}$", f"output_gate[{j}]": f"$y^{{out_{{{j + 1}}}}}$"}
    for name, xy in pos.items():
        if name in texts:
            color = COLORS["gate"] if "gate" in name or name.startswith("x_") else COLORS["cell"]
            _node(ax, xy, texts[name], color, round_box=name == "s_c" or "gate" in name,
                  size=0.3 if name.startswith("x_") else 0.42)
    ends = {"net_c": (f"$net_{{{c}}}$", "right"), "net_in": (f"$net_{{in_{{{j + 1}}}}}$", "right"),
            "net_out": (f"$net_{{out_{{{j + 1}}}}}$", "left"), "y_c": (f"$y^{{{c}}}$", "left")}
    for name, (text, side) in ends.items():
        if name in pos:
            ax.text(pos[name][0] + (0.08 if side == "left" else -0.08), pos[name][1], text, ha=side, va="center",
                    fontsize=11)
    for e in edges:
        if e.kind == "carousel":
            a = (pos["s_c"][0] + 0.3, pos["s_c"][1] - 0.3)
            b = (pos["s_c"][0] - 0.3, pos["s_c"][1] - 0.3)
            ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=12, lw=2.6,
                                         color=COLORS["carousel"], connectionstyle="arc3,rad=-2.2", zorder=1))
            ax.text(pos["s_c"][0], pos["s_c"][1] - 1.25, f"{e.label}  (constant error carousel)", ha="center",
                    fontsize=9, color=COLORS["carousel"])
        else:
            _arrow(ax, pos[e.source], pos[e.target], e.kind, shrink=(2, 17) if e.source.startswith("net_") else 17)
    g_h = ", ".join(_squash_range(pair, name) for name, pair in (("g", net.squashing.g), ("h", net.squashing.h)))
    ax.text(pos["g"][0], -0.6, g_h, fontsize=9, color="0.3", ha="left")
    ax.set(xlim=(-0.9, pos["y_c"][0] + 1.0), ylim=(-0.8, 3.7), aspect="equal")
    ax.axis("off")


# ------------------------------------------------------------------------------------ the unrolled net
def unrolled(ax, net, steps: int = 3, cell: str = "cell[0,0]") -> Diagram:
    """``cell`` of ``net`` and its block's gates unrolled over ``steps`` time steps, with the truncated gradient.

    Per step (a column): the inputs x, the input gate, the cell input g(net_c) and the output gate (which read
    the inputs and, in connectivity F, the previous step's cells and gates), the state s_c, the cell output
    y^c and the output units y^k. Across steps: the carousel s_c(t-1) -> s_c(t) (error flows back through it
    unchanged) and the recurrent connections, which the truncated gradient of Appendix A cuts: an error that
    reaches a gate's or a cell's net input is not propagated to the previous step's activations (drawn dashed
    with a cross). Node names: ``inputs``, ``outputs``, the gates' unit names, ``cell[j,v]`` (its output
    y^c), ``cell[j,v].g`` (its input) and ``cell[j,v].s`` (its state). Returns the :class:`Diagram`.
    """
    j, _ = _cell_indices(net, cell)
    steps = _checks.positive_int("steps", steps, minimum=2)
    gate_in, gate_out = f"input_gate[{j}]", (f"output_gate[{j}]" if net.cfg.output_gate else None)
    readers = [gate_in, cell + ".g"] + ([gate_out] if gate_out else [])   # units with a net input
    recurrent = [u for u in (cell, gate_in, gate_out) if u and u in net.source_names]
    edges = []
    for k in range(steps):
        edges += [Edge("inputs", r, k, "forward") for r in readers]
        edges += [Edge(gate_in, cell + ".s", k, "gate"), Edge(cell + ".g", cell + ".s", k, "forward"),
                  Edge(cell + ".s", cell, k, "forward"), Edge(cell, "outputs", k, "forward")]
        edges += [Edge(gate_out, cell, k, "gate")] if gate_out else []
        edges += [Edge("inputs", "outputs", k, "forward")] if "input[0]" in net.output_source_names else []
        if k:
            edges.append(Edge(cell + ".s", cell + ".s", k, "carousel", f"{carousel_weight(net):.1f}"))
            edges += [Edge(s, r, k, "cut") for s in recurrent for r in readers]
    _draw_unrolled(ax, net, steps, cell, gate_in, gate_out, edges)
    return Diagram(units=tuple(sorted(u for u in (cell, gate_in, gate_out) if u)), edges=tuple(edges))


def _draw_unrolled(ax, net, steps, cell, gate_in, gate_out, edges):
    dx = 4.4
    rows = {"inputs": (0.0, 0.4), gate_in: (-1.15, 1.9), cell + ".g": (0.0, 1.9), cell + ".s": (0.0, 3.2),
            cell: (0.0, 4.4), "outputs": (0.0, 5.6)}
    if gate_out:
        rows[gate_out] = (1.15, 1.9)
    j = net.unit_names.index(gate_in) - net.C + 1
    texts = {"inputs": "$x$", gate_in: f"$y^{{in_{j}}}$", cell + ".g": "$g$", cell + ".s": "$s_c$",
             cell: "$y^c$", "outputs": "$y^k$", gate_out: f"$y^{{out_{j}}}$"}
    pos = {(n, k): (k * dx + x, y) for k in range(steps) for n, (x, y) in rows.items()}
    for (name, k), xy in pos.items():
        color = COLORS["gate"] if "gate" in name else ("0.3" if name in ("inputs", "outputs") else COLORS["cell"])
        _node(ax, xy, texts[name], color, round_box=name == cell + ".s", size=0.36)
    for e in edges:
        if e.kind == "cut":   # all-to-all: drawn through one hub per gap, marked once
            continue
        a, b = pos[e.source, e.step - (e.kind == "carousel")], pos[e.target, e.step]
        _arrow(ax, a, b, e.kind, rad=0.35 if (e.source, e.target) == ("inputs", "outputs") else 0.0,
               shrink=12, label=e.label, label_offset=(0, 0.12))
    cut_sources = sorted({e.source for e in edges if e.kind == "cut"})
    cut_readers = sorted({e.target for e in edges if e.kind == "cut"})
    for k in range(1, steps):
        hub = ((k - 0.5) * dx, 2.45)
        for name in cut_sources:
            ax.add_patch(FancyArrowPatch(pos[name, k - 1], hub, arrowstyle="-", shrinkA=12, shrinkB=0,
                                         color=COLORS["cut"], lw=1.0, ls=(0, (4, 3)), alpha=0.75, zorder=1))
        for name in cut_readers:
            _arrow(ax, hub, pos[name, k], "cut", shrink=0)
        ax.plot(*hub, marker="X", ms=11, color=COLORS["cut"], mec="white", zorder=5)
    names = [f"t{k - steps + 1:+d}" if k < steps - 1 else "t" for k in range(steps)]
    for k, name in enumerate(names):
        ax.text(k * dx, -0.5, name, ha="center", fontsize=11)
    handles = [Line2D([], [], color=COLORS[k], lw=w, ls=ls) for k, w, ls in
               (("forward", 1.2, "-"), ("carousel", 2.6, "-"), ("cut", 1.0, "--"))]
    ax.legend(handles, ["connection: error flows back along it", "carousel (weight 1.0): error flows back unchanged",
                        "recurrent connection: cut by the truncated gradient"], loc="upper center",
              bbox_to_anchor=(0.5, 0.0), ncol=1, fontsize=9, frameon=False)
    ax.set(xlim=(-1.8, (steps - 1) * dx + 1.8), ylim=(-0.9, 6.2), aspect="equal")
    ax.axis("off")


# ------------------------------------------------------------------------------------ the error flow
def error_flow(ax, W, nets, u: int, v: int, activation: str = "logistic") -> FlowPath:
    """The strongest path of Hochreiter's error flow (Section 3.1, eq. 2) from unit ``u`` at time t back to ``v``.

    ``W`` (1, n, n) and ``nets`` (1, q + 1, n) are one network and its unrolled net inputs, as
    :func:`lstm_edu.analysis.random_networks` makes them (q <= 8). Every unit at every step is a node; faint
    lines are all connections between neighbouring steps (every path of eq. 2); the path whose product term
    (:func:`lstm_edu.analysis.path_terms`) is largest in magnitude is drawn bold from t back to t - q, each step
    labelled with its factor ``f'(net) w``, blue where its magnitude is below 1, red where above. Returns the
    :class:`FlowPath`.
    """
    W = _checks.array("W", W, ndim=3)
    nets = _checks.array("nets", nets, ndim=3)
    if W.shape[0] != 1 or nets.shape[0] != 1:
        raise ValueError(f"W and nets must hold one network (P = 1), got P = {W.shape[0]} and {nets.shape[0]}")
    n, q = W.shape[1], nets.shape[1] - 1
    if not 1 <= q <= 8:
        raise ValueError(f"nets must span 2 to 9 time steps (q = 1..8) to be drawn, got q = {q}")
    terms = analysis.path_terms(W, nets, u, v, activation)[0]
    best = int(np.argmax(np.abs(terms)))
    middle = np.unravel_index(best, (n,) * (q - 1)) if q > 1 else ()
    path = (u, *map(int, middle), v)
    f, f_prime = activation_function(activation)
    fp = f_prime(f(nets[0]))
    factors = np.array([fp[q - m, path[m]] * W[0, path[m - 1], path[m]] for m in range(1, q + 1)])
    for m in range(q):                                   # time t - m is drawn at x = q - m
        for a in range(n):
            for b in range(n):
                ax.plot([q - m, q - m - 1], [a, b], color="0.85", lw=0.6, zorder=0)
    for m in range(q + 1):
        for a in range(n):
            on_path = path[m] == a
            ax.add_patch(Circle((q - m, a), 0.16, fc="white", ec="k" if on_path else "0.6", lw=1.5 if on_path else 0.8,
                                zorder=2))
    for m in range(1, q + 1):
        kind_color = COLORS["carousel"] if abs(factors[m - 1]) < 1 else COLORS["cut"]
        ax.add_patch(FancyArrowPatch((q - m + 1, path[m - 1]), (q - m, path[m]), arrowstyle="-|>", mutation_scale=12,
                                     shrinkA=8, shrinkB=8, color=kind_color, lw=2.2, zorder=3))
        ax.text(q - m + 0.5, (path[m - 1] + path[m]) / 2 + 0.22, f"{factors[m - 1]:.2f}", ha="center",
                fontsize=9, color=kind_color, zorder=4, bbox=dict(fc="white", ec="none", pad=0.5, alpha=0.8))
    ax.set_xticks(range(q + 1), [f"t-{q - x}" if x < q else "t" for x in range(q + 1)])
    ax.set_yticks(range(n), [f"unit {a + 1}" for a in range(n)])
    ax.set(xlim=(-0.5, q + 0.5), ylim=(-0.6, n - 0.4))
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    product = float(np.prod(factors))
    ax.set_title(f"strongest of {n ** (q - 1):,} paths: product of the factors {product:.2g}", fontsize=10)
    return FlowPath(path=path, factors=factors, product=product)
