"""The checks the two labs (notebooks/*.ipynb) show their readers, recomputed with the labs' settings.

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
