"""The checks the labs (notebooks/*.ipynb) show their readers, recomputed with the labs' settings.

tests/test_notebooks.py runs the labs; these tests assert what their "A check" sections say.
"""

import numpy as np
from autograd import jacobian

from lstm_edu import analysis, lstm1997
from lstm_edu.tasks import noise_signal


def test_error_flow_lab_recursion_equals_autograd():
    """error_flow_lab, "A check you can trust": the flow at lag 8 of a 4-unit net is autograd's Jacobian."""
    n = 4
    W, nets = analysis.random_networks(1, n, 2.0, seed=1, steps=8)
    flow = analysis.local_error_flow(W, nets)[0, -1]
    J = jacobian(lambda start: analysis.unroll(W, start[None], 8)[0, -1])(nets[0, 0])
    np.testing.assert_allclose(flow, J, rtol=1e-10, atol=1e-14)


def test_memory_cell_lab_cell_state_is_the_running_sum_of_gated_cell_inputs():
    """memory_cell_lab, "A check": after 3000 training sequences of row 3a, the shown network's cell states
    are the running sums of y_in g(net_c) on both test sequences (no forget gate: the state only adds)."""
    P, T, n_informative = 16, 50, 3
    net = lstm1997.build("3a", n_networks=P, seed=0)
    data = np.random.default_rng(1)
    correct = np.zeros((500, P), dtype=bool)
    for i in range(3000):
        batch = noise_signal.task_3a(P, T, n_informative, data)
        result = net.train(batch.x, batch.targets, batch.target_mask)
        if i >= 2500:
            end_target = batch.targets[np.arange(P), batch.lengths - 1, 0]
            correct[i - 2500] = np.abs(result.last_output[:, 0] - end_target) < 0.2
    recent = correct.mean(axis=0)
    shown = int(np.argmax(recent > 0.99)) if np.any(recent > 0.99) else 0
    test = noise_signal.task_3a(2, T, n_informative, seed=123)
    x = test.x[np.argsort(-test.labels)]
    one = lstm1997.LSTM1997.from_weights(net.cfg, np.repeat(net.w_hidden[shown:shown + 1], 2, axis=0),
                                         np.repeat(net.w_output[shown:shown + 1], 2, axis=0))
    tr = one.forward(x)
    running_sum = np.cumsum(tr.input_gate[:, :, [0, 1, 2]] * tr.cell_input, axis=1)
    np.testing.assert_allclose(tr.cell_state, running_sum, rtol=0, atol=1e-12)


def truncated_gradient_lab_steps():
    """truncated_gradient_lab's stepping: row 3a after 1000 training sequences, one sequence of T = 50 stepped
    through with lstm1997's public step functions. Returns the net, the sequence and what the lab keeps."""
    T, n_informative = 50, 3
    net = lstm1997.build("3a", n_networks=1, seed=0)
    data = np.random.default_rng(1)
    for _ in range(1000):
        batch = noise_signal.task_3a(1, T, n_informative, data)
        net.train(batch.x, batch.targets, batch.target_mask)
    seq = noise_signal.task_3a(1, T, n_informative, seed=7)
    n = int(seq.lengths[0])
    x, targets, mask = seq.x[:, :n], seq.targets[:, :n], lstm1997.end_mask(seq.lengths, n)
    s, hidden = lstm1997.sequence_start(net, 1)
    dS_in, dS_c = np.zeros((1, net.C, net.M)), np.zeros((1, net.C, net.M))
    partials_c = []
    for t in range(n):
        step = lstm1997.forward_step(net, x[:, t], hidden, s)
        dS_in = lstm1997.input_gate_partials(dS_in, step.g_c, step.f_in_prime, step.y_src, net.S)
        dS_c = lstm1997.cell_partials(dS_c, step.g_prime, step.y_in, step.y_src, net.S)
        partials_c.append(dS_c[0])
        s, hidden = step.s, lstm1997.hidden_activations(net, step)
    e_k = lstm1997.output_errors(targets[:, -1], step.y_k, step.f_k_prime)
    back = lstm1997.errors_at_cells(net.w_output[:, :, net.output_cells], e_k)
    e_s = lstm1997.state_errors(step.y_out, step.h_s, back, net.squashing.h, net.S)
    changes = lstm1997.cell_changes(e_s, dS_c), lstm1997.input_gate_changes(e_s, dS_in, net.S)
    return net, (x, targets, mask), np.array(partials_c), changes


def test_truncated_gradient_lab_stepping_equals_autograd_and_the_bias_partial_only_grows():
    """truncated_gradient_lab: "the changes computed by stepping forward are autograd's truncated gradient,
    negated", and "the bias partial of the cell can only grow" (each step adds g'(net_c) y_in > 0)."""
    net, (x, targets, mask), partials_c, (change_c, change_in) = truncated_gradient_lab_steps()
    _, grad_hidden, _ = lstm1997.reference_loss(net, x, targets, mask, truncate=True)
    np.testing.assert_allclose(change_c, -grad_hidden[:, :net.C], rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(change_in, -grad_hidden[:, net.C:net.C + net.B], rtol=1e-10, atol=1e-15)
    bias = partials_c[:, :, net.source_index("bias")]
    assert np.all(np.diff(bias, axis=0) > 0) and np.all(bias[0] > 0)
