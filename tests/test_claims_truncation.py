"""The claims of the chapter "Why truncation does little harm" (book/lstm/truncation.md).

Each test recomputes, from the chapter's seeds and through the same public functions, the numbers the
chapter shows, and asserts what its prose says about them. The side-by-side training runs autograd through
16 networks x 1000 sequences, as the chapter does (about 13 s of CPU time).
"""

import numpy as np

from lstm_edu import lstm1997

SETUP = dict(n_in=1, alpha=1.0, input_gate_bias=0.0, init_range=0.5)   # the chapter's row 4-1 variant
P, T = 16, 15


def _memory_batch(gen, P, T):
    """The chapter's task: first element +1 or -1, then noise; target 0.5 + 0.3 * first element at the end."""
    sign = gen.choice([-1.0, 1.0], P)
    x = gen.normal(0.0, 0.2, (P, T, 1))
    x[:, 0, 0] = sign
    y = np.zeros((P, T, 1))
    y[:, -1, 0] = 0.5 + 0.3 * sign
    return x, y, lstm1997.end_mask(np.full(P, T), T)


def _relative(a, b):
    return np.linalg.norm((a - b).reshape(len(a), -1), axis=1) / np.linalg.norm(b.reshape(len(b), -1), axis=1)


def test_truncated_and_full_gradient_differ_in_size_but_not_in_direction():
    """Every 50 of 1201 training sequences: cosine near 1 (median) and always positive; tens of percent
    apart overall, more for the gates; the output weights' gradients equal to rounding."""
    net = lstm1997.build("4-1", P, seed=1, **SETUP)
    probe = _memory_batch(np.random.default_rng(99), P, T)
    gates = slice(net.C, net.H)
    gen = np.random.default_rng(0)
    cosine, relative, gate_relative, output_relative = [], [], [], []
    for sequence in range(1201):
        if sequence % 50 == 0:
            _, truncated = net.gradient(*probe)
            _, full_h, full_o = lstm1997.reference_loss(net, *probe, truncate=False)
            a = np.concatenate([truncated.hidden.reshape(P, -1), truncated.output.reshape(P, -1)], axis=1)
            b = np.concatenate([full_h.reshape(P, -1), full_o.reshape(P, -1)], axis=1)
            cosine.append((a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)))
            relative.append(_relative(a, b))
            gate_relative.append(_relative(truncated.hidden[:, gates], full_h[:, gates]))
            output_relative.append(_relative(truncated.output, full_o))
        net.train(*_memory_batch(gen, P, T))
    assert np.min(cosine) > 0
    assert np.median(cosine) > 0.9
    assert 0.1 < np.median(relative) < 0.5
    assert np.median(gate_relative) > np.median(relative)
    assert np.max(output_relative) < 1e-10   # rounding: 7e-13 at worst when written


def _train(full_gradient, n_sequences=1000, seed=1):
    """The chapter's `train_population`: errors |target - output| per sequence and network, and the norm
    ratio |full| / |truncated| during the full-gradient run."""
    net = lstm1997.build("4-1", P, seed=seed, **SETUP)
    gen = np.random.default_rng(seed + 100)
    errors, norm_ratio = np.empty((n_sequences, P)), np.empty((n_sequences, P))
    for i in range(n_sequences):
        x, y, mask = _memory_batch(gen, P, T)
        if full_gradient:
            _, truncated = net.gradient(x, y, mask)
            loss, grad_h, grad_o = lstm1997.reference_loss(net, x, y, mask, truncate=False)
            norm_ratio[i] = (np.sqrt((grad_h ** 2).sum(axis=(1, 2)) + (grad_o ** 2).sum(axis=(1, 2)))
                             / np.sqrt((truncated.hidden ** 2).sum(axis=(1, 2))
                                       + (truncated.output ** 2).sum(axis=(1, 2))))
            net.w_hidden -= net.cfg.alpha * grad_h * net.mask_hidden
            net.w_output -= net.cfg.alpha * grad_o
        else:
            loss = net.train(x, y, mask).loss
        errors[i] = np.sqrt(2.0 * loss)
    return errors, norm_ratio


def _solving(errors, window=50, level=0.05):
    cumulative = np.cumsum(np.vstack([np.zeros(errors.shape[1]), errors]), axis=0)
    i = np.arange(1, len(errors) + 1)
    start = np.maximum(0, i - window)
    return (cumulative[i] - cumulative[start]) / (i - start)[:, None] < level


def test_both_learn_alike_at_first_and_only_the_full_gradient_loses_solutions_later():
    """Nearly as many nets solve the task with either gradient, after a similar number of sequences; some
    full-gradient nets lose their solution, no truncated one does; the full gradient is usually about as
    large as the truncated one, now and then several times larger."""
    solved = {}
    for full in (False, True):
        errors, ratio = _train(full)
        solved[full] = _solving(errors)
    ever = {full: s.any(axis=0) for full, s in solved.items()}
    first = {full: np.median(s.argmax(axis=0)[ever[full]] + 1) for full, s in solved.items()}
    assert abs(int(ever[True].sum()) - int(ever[False].sum())) <= 2 and ever[False].sum() >= 12
    assert 0.7 < first[True] / first[False] < 1.3
    assert solved[False][-1].sum() == ever[False].sum()
    assert solved[True][-1].sum() <= ever[True].sum() - 2
    assert 0.9 < np.median(ratio) < 1.2 and ratio.max() > 3
