"""An independent autograd reference of the 1997 LSTM's gradient, truncated (Appendix A) or full.

Written directly from the equations of S. Hochreiter and J. Schmidhuber, "Long Short-Term Memory",
Neural Computation 9(8), 1997 (Appendix A.1) with ``autograd.numpy``, sharing no code with the NumPy
reference or the compiled engine; the tests and the book check both against it. Re-exported by
:mod:`lstm_edu.lstm1997`.
"""

from __future__ import annotations

from . import _checks


def reference_loss(net, inputs, targets, target_mask, *, truncate: bool = True):
    """An independent autograd reference: ``(loss (P,), dE/dw_hidden (P, H, M), dE/dw_output (P, K, M_out))``.

    Written directly from the paper's equations with ``autograd.numpy`` (per unit type, logistic as
    ``1 / (1 + exp(-x))``, g and h as ``2 tanh(x/2)`` and ``tanh(x/2)``, swapped for ``squashing="caption"``),
    sharing no code with the NumPy reference of :mod:`lstm_edu.lstm1997` or the compiled engine. With ``truncate=True`` the previous step's hidden
    activations enter the net inputs through ``autograd.tracer.getval`` (stop-gradient): autograd then
    differentiates exactly the truncated graph of Appendix A. ``truncate=False`` gives the full gradient
    (backpropagation through time through the whole graph), used to measure what the truncation changes
    and to train with it.
    The ``P`` networks are independent, so the gradient of the summed loss holds each network's own
    gradient. Meant for checks and short sequences (it stores the whole graph).
    """
    import autograd
    import autograd.numpy as anp
    from autograd.tracer import getval

    truncate = _checks.boolean("truncate", truncate)
    cfg = net.cfg
    B, S, C, n_in, P = cfg.n_blocks, cfg.block_size, cfg.n_cells, cfg.n_in, net.P
    x = _checks.array("inputs", inputs, shape=(P, None, n_in))
    y = _checks.array("targets", targets, shape=(P, x.shape[1], cfg.n_out))
    m = _checks.array("target_mask", target_mask, shape=(P, x.shape[1]), dtype=bool).astype(float)
    has_bias = cfg.bias != "none"
    losses = {}

    def sigmoid(z):
        return 1.0 / (1.0 + anp.exp(-z))

    # (g, h) of each squashing: 4 f - 2 = 2 tanh(x/2) and 2 f - 1 = tanh(x/2); the caption swaps the ranges
    g, h = {"1997": (lambda z: 2.0 * anp.tanh(0.5 * z), lambda s: anp.tanh(0.5 * s)),
            "caption": (lambda z: anp.tanh(0.5 * z), lambda s: 2.0 * anp.tanh(0.5 * s)),
            "logistic-identity": (sigmoid, lambda s: s)}[cfg.squashing]

    def loss_of(w_h, w_o):
        w_cell, w_in, w_out = w_h[:, :C], w_h[:, C:C + B], w_h[:, C + B:]
        if cfg.bias == "ga":  # cells have no bias weight
            w_cell = anp.concatenate([w_cell[:, :, :-1], anp.zeros((P, C, 1))], axis=2)
        prev = anp.zeros((P, len(net.source_names) - n_in - has_bias))
        state = anp.zeros((P, C))
        total = anp.zeros(P)
        for t in range(x.shape[1]):
            prev_in = getval(prev) if truncate else prev
            src = anp.concatenate([x[:, t], prev_in] + ([anp.ones((P, 1))] if has_bias else []), axis=1)
            gate_in = sigmoid(anp.einsum("pjm,pm->pj", w_in, src))
            net_c = anp.einsum("pcm,pm->pc", w_cell, src)
            state = state + anp.repeat(gate_in, S, axis=1) * g(net_c)
            squashed_out = h(state)
            if cfg.output_gate:
                gate_out = sigmoid(anp.einsum("pjm,pm->pj", w_out, src))
                cell_out = anp.repeat(gate_out, S, axis=1) * squashed_out
                hidden = [cell_out, gate_in, gate_out]
            else:
                cell_out = squashed_out
                hidden = [cell_out, gate_in]
            osrc = anp.concatenate(([x[:, t]] if cfg.connectivity == "B" else []) + [cell_out]
                                   + ([anp.ones((P, 1))] if cfg.bias == "all" else []), axis=1)
            out = sigmoid(anp.einsum("pkm,pm->pk", w_o, osrc))
            total = total + 0.5 * m[:, t] * anp.sum((y[:, t] - out) ** 2, axis=1)
            if cfg.connectivity == "F":
                prev = anp.concatenate(hidden, axis=1)
        losses["value"] = getval(total)
        return anp.sum(total)

    grad_h, grad_o = autograd.grad(loss_of, (0, 1))(net.w_hidden, net.w_output)
    return losses["value"], grad_h, grad_o
