"""Issue 21, item 9 (and the ``bench`` part of item 8): every bad input to the API gets a clear error that
names the parameter and what is allowed; nothing is coerced silently (a string for a bool, a complex value cut
to its real part, a float mask of 0.5 taken as True, lengths of 2.5 truncated to 2).

Each case: a call, the exception type, and a regular expression the message must match (the parameter's
name and the rule). The bench cases exit 2 with ``error: argument --flag: ...`` and no traceback.
"""

import numpy as np
import pytest

from lstm_edu import carousel, criteria, latching, lstm_autograd, recurrent
from lstm_edu.__main__ import main
from lstm_edu.analysis import local_error_flow
from lstm_edu.lstm1997 import build, config, end_mask, every_step_mask
from lstm_edu.tasks import bengio, long_lag, noise_signal, reber
from lstm_edu.tasks.adding import adding, multiplication

NAN, INF = float("nan"), float("inf")
COMPLEX = "must hold real numbers, got complex"
MASK = r"must be a bool array \(True/False or exactly 0/1\)"
INTEGERS = "must hold integers"


def _net(P=1):
    return build("4-1", P, seed=0)


def _data(P=1, T=3):
    """A valid (inputs, targets, mask) for row 4-1: error at the last step."""
    mask = np.zeros((P, T), dtype=bool)
    mask[:, -1] = True
    return np.zeros((P, T, 2)), np.zeros((P, T, 1)), mask


def _with(index, value):
    """_data() with argument ``index`` (0 inputs, 1 targets, 2 mask) replaced by ``value(arg)``."""
    args = list(_data())
    args[index] = value(args[index])
    return args


def _set(array, value, where=(0, -1)):
    out = np.array(array, dtype=np.result_type(array, value))
    out[where] = value
    return out


# ------------------------------------------------------------------------ LSTMConfig: every field's type
CONFIG_CASES = [
    (dict(output_gate="False"), TypeError, "output_gate must be True or False, got 'False'"),
    (dict(output_gate="True"), TypeError, "output_gate must be True or False"),
    (dict(output_gate=1), TypeError, "output_gate must be True or False, got 1"),
    (dict(output_gate=0.0), TypeError, "output_gate must be True or False"),
    (dict(output_gate=None), TypeError, "output_gate must be True or False, got None"),
    (dict(n_blocks=2.5), TypeError, r"n_blocks must be an integer >= 0, got 2.5"),
    (dict(n_blocks=2.0), TypeError, r"n_blocks must be an integer >= 0, got 2.0"),
    (dict(n_blocks=True), TypeError, r"n_blocks must be an integer >= 0, got True"),
    (dict(n_blocks="2"), TypeError, r"n_blocks must be an integer >= 0"),
    (dict(n_blocks=-1), ValueError, r"n_blocks must be an integer >= 0, got -1"),
    (dict(block_size=2.5), TypeError, r"block_size must be an integer >= 1"),
    (dict(block_size=0), ValueError, r"block_size must be an integer >= 1, got 0"),
    (dict(block_size=False), TypeError, r"block_size must be an integer >= 1"),
    (dict(n_in=1.5), TypeError, r"n_in must be an integer >= 1"),
    (dict(n_in=0), ValueError, r"n_in must be an integer >= 1"),
    (dict(n_out=True), TypeError, r"n_out must be an integer >= 1"),
    (dict(n_out=-3), ValueError, r"n_out must be an integer >= 1"),
    (dict(connectivity="X"), ValueError, r"connectivity must be one of \['F', 'B'\]"),
    (dict(connectivity=1), ValueError, r"connectivity must be one of"),
    (dict(bias="gates"), ValueError, r"bias must be one of \['ga', 'b1', 'all', 'none'\]"),
    (dict(bias=None), ValueError, r"bias must be one of"),
    (dict(squashing="tanh"), ValueError, r"squashing must be one of \['1997'"),
    (dict(init_range=NAN), ValueError, r"init_range must be a finite number >= 0, got nan"),
    (dict(init_range=INF), ValueError, r"init_range must be a finite number >= 0"),
    (dict(init_range=-0.1), ValueError, r"init_range must be a finite number >= 0"),
    (dict(init_range="0.1"), TypeError, r"init_range must be a real number"),
    (dict(init_range=0.1j), TypeError, r"init_range must be a real number"),
    (dict(init_range=True), TypeError, r"init_range must be a real number"),
    (dict(alpha=0), ValueError, r"alpha must be a finite number > 0, got 0"),
    (dict(alpha=-0.5), ValueError, r"alpha must be a finite number > 0"),
    (dict(alpha=NAN), ValueError, r"alpha must be a finite number > 0, got nan"),
    (dict(alpha=INF), ValueError, r"alpha must be a finite number > 0, got inf"),
    (dict(alpha=1 + 0j), TypeError, r"alpha must be a real number"),
    (dict(alpha="0.5"), TypeError, r"alpha must be a real number"),
    (dict(alpha=True), TypeError, r"alpha must be a real number"),
    (dict(input_gate_bias=(-1 + 1j, -2)), TypeError, "input_gate_bias " + COMPLEX),
    (dict(input_gate_bias=(NAN, -2.0)), ValueError, r"input_gate_bias contains 1 non-finite"),
    (dict(input_gate_bias=(-1.0, -2.0, -3.0)), ValueError, r"input_gate_bias must hold one value per block \(2\)"),
    (dict(input_gate_bias=("a", "b")), TypeError, r"input_gate_bias must be an array of numbers"),
    (dict(input_gate_bias=INF), ValueError, r"input_gate_bias contains 2 non-finite"),
    (dict(output_gate_bias=(1j, 2j)), TypeError, "output_gate_bias " + COMPLEX),
    (dict(output_gate_bias=(-1.0,)), ValueError, r"output_gate_bias must hold one value per block"),
    (dict(learning_rate=0.1), TypeError, r"unknown override\(s\) \['learning_rate'\]; allowed:"),
]


@pytest.mark.parametrize("overrides, error, message", CONFIG_CASES, ids=[repr(c[0]) for c in CONFIG_CASES])
def test_config_field_of_wrong_type_or_value_is_refused(overrides, error, message):
    with pytest.raises(error, match=message):
        config("4-1", **overrides)


def test_config_accepts_the_valid_forms_it_documents():
    assert config("4-1", output_gate=np.bool_(False)).output_gate is False
    assert config("4-1", n_blocks=np.int64(3)).n_blocks == 3
    assert config("4-1", input_gate_bias=-2).input_gate_bias == (-2.0, -2.0)
    assert config("2a").output_gate is False


# ------------------------------------------------------------------------ the network's public methods
NET_CASES = [
    ("forward complex inputs", lambda: _net().forward(np.zeros((1, 3, 2)) + 1j), TypeError, "inputs " + COMPLEX),
    ("forward complex inputs numpy", lambda: _net().forward(np.zeros((1, 3, 2)) + 1j, engine="numpy"),
     TypeError, "inputs " + COMPLEX),
    ("forward NaN inputs", lambda: _net().forward(_set(np.zeros((1, 3, 2)), NAN)), ValueError,
     r"inputs contains 2 non-finite value\(s\) \(NaN or inf\)"),
    ("forward inf inputs", lambda: _net().forward(_set(np.zeros((1, 3, 2)), INF)), ValueError,
     r"inputs contains 2 non-finite"),
    ("forward 2-d inputs", lambda: _net().forward(np.zeros((3, 2))), ValueError, r"inputs must have 3 dimensions"),
    ("forward wrong n_in", lambda: _net().forward(np.zeros((1, 3, 5))), ValueError,
     r"inputs must have shape \(P=1, T, n_in=2\), got \(1, 3, 5\)"),
    ("forward wrong P", lambda: _net(2).forward(np.zeros((1, 3, 2))), ValueError, r"inputs must have shape \(P=2"),
    ("forward T=0", lambda: _net().forward(np.zeros((1, 0, 2))), ValueError, r"inputs must hold at least one"),
    ("forward string inputs", lambda: _net().forward("abc"), TypeError, r"inputs must be an array of numbers"),
    ("forward unknown engine", lambda: _net().forward(np.zeros((1, 3, 2)), engine="gpu"), ValueError,
     r"engine must be one of \['compiled', 'numpy'\]"),
    ("forward_one float network", lambda: _net().forward_one(np.zeros((1, 3, 2)), 0.0), ValueError,
     r"network must be an int index"),
    ("forward_one complex inputs", lambda: _net().forward_one(np.zeros((4, 3, 2)) + 1j), TypeError,
     "inputs " + COMPLEX),
    ("gradient complex targets", lambda: _net().gradient(*_with(1, lambda t: t + 1j)), TypeError,
     "targets " + COMPLEX),
    ("gradient complex inputs", lambda: _net().gradient(*_with(0, lambda x: x * 1j)), TypeError,
     "inputs " + COMPLEX),
    ("gradient complex mask", lambda: _net().gradient(*_with(2, lambda m: m + 0j)), TypeError,
     "target_mask " + COMPLEX),
    ("gradient NaN target", lambda: _net().gradient(*_with(1, lambda t: _set(t, NAN))), ValueError,
     r"targets contains 1 non-finite"),
    ("gradient float mask 0.5", lambda: _net().gradient(*_with(2, lambda m: _set(m, 0.5))), ValueError,
     MASK + ", got the value 0.5"),
    ("gradient mask 2", lambda: _net().gradient(*_with(2, lambda m: _set(m, 2))), ValueError,
     MASK + ", got the value 2"),
    ("gradient mask -1", lambda: _net().gradient(*_with(2, lambda m: _set(m, -1))), ValueError, MASK),
    ("gradient mask NaN", lambda: _net().gradient(*_with(2, lambda m: _set(m, NAN))), ValueError, MASK),
    ("gradient mask strings", lambda: _net().gradient(*_with(2, lambda m: np.array([["y", "n", "y"]]))),
     TypeError, r"target_mask must be an array of numbers"),
    ("gradient mask wrong shape", lambda: _net().gradient(*_with(2, lambda m: m[:, :2])), ValueError,
     r"target_mask must have shape \(P=1, T=3\)"),
    ("gradient targets wrong shape", lambda: _net().gradient(*_with(1, lambda t: t[:, :2])), ValueError,
     r"targets must have shape \(1, 3, 1\)"),
    ("train complex inputs", lambda: _net().train(*_with(0, lambda x: x + 2j)), TypeError, "inputs " + COMPLEX),
    ("train complex targets numpy", lambda: _net().train(*_with(1, lambda t: t + 1j), engine="numpy"),
     TypeError, "targets " + COMPLEX),
    ("train float mask 0.5", lambda: _net().train(*_with(2, lambda m: _set(m, 0.5))), ValueError,
     MASK + ", got the value 0.5"),
    ("train inf target", lambda: _net().train(*_with(1, lambda t: _set(t, -INF))), ValueError,
     r"targets contains 1 non-finite"),
    ("train NaN inputs", lambda: _net().train(*_with(0, lambda x: _set(x, NAN))), ValueError,
     r"inputs contains 2 non-finite"),
    ("train alpha NaN", lambda: _net().train(*_data(), alpha=NAN), ValueError, r"alpha must be a finite number > 0"),
    ("train alpha complex", lambda: _net().train(*_data(), alpha=0.1j), TypeError, r"alpha must be a real number"),
    ("train alpha 0", lambda: _net().train(*_data(), alpha=0), ValueError, r"alpha must be a finite number > 0"),
    ("train schedule", lambda: _net().train(*_data(), schedule="batch"), ValueError,
     r"schedule must be one of \['sequence', 'step'\]"),
    ("train on_divergence", lambda: _net().train(*_data(), on_divergence="ignore"), ValueError,
     r"on_divergence must be one of \['raise', 'report'\]"),
    ("train frozen not a pair", lambda: _net().train(*_data(), frozen=np.zeros(3)), ValueError,
     r"frozen must be None or a pair"),
    ("train frozen 0.5", lambda: _net().train(*_data(), frozen=(np.full_like(_net().w_hidden, 0.5),
                                                                 np.zeros_like(_net().w_output))),
     ValueError, r"frozen\[0\] must be a bool array \(True/False or exactly 0/1\), got the value 0.5"),
    ("train frozen complex", lambda: _net().train(*_data(), frozen=(np.zeros_like(_net().w_hidden),
                                                                     np.zeros_like(_net().w_output) + 1j)),
     TypeError, r"frozen\[1\] " + COMPLEX),
    ("train frozen wrong shape", lambda: _net().train(*_data(), frozen=(np.zeros(2, bool), np.zeros(2, bool))),
     ValueError, r"frozen\[0\] must have shape"),
    ("reference_loss float mask 0.5", lambda: lstm_autograd.reference_loss(_net(), *_with(2, lambda m: _set(m, 0.5))),
     ValueError, "target_mask " + MASK),
    ("reference_loss complex inputs", lambda: lstm_autograd.reference_loss(_net(), *_with(0, lambda x: x + 1j)),
     TypeError, "inputs " + COMPLEX),
]

# ------------------------------------------------------------------------ seeds and sizes
SEED_CASES = [
    ("select 0.5", lambda: _net(2).select(0.5), ValueError, r"networks must be indices in \[0, 2\), got 0.5"),
    ("select bools", lambda: _net(2).select([True, False]), ValueError, r"networks must be indices in \[0, 2\)"),
    ("select -1", lambda: _net(2).select(-1), ValueError, r"networks must be indices in \[0, 2\)"),
    ("select out of range", lambda: _net(2).select([2]), ValueError, r"networks must be indices in \[0, 2\)"),
    ("forward_one network 3", lambda: _net(2).forward_one(np.zeros((1, 3, 2)), 3), ValueError,
     r"networks must be indices in \[0, 2\)"),
    ("cell_input_from_gates 1.5", lambda: _net().cell_input_from_gates(1.5), ValueError,
     r"gate_level must lie in \[0, 1\]"),
    ("cell_input_from_gates NaN", lambda: _net().cell_input_from_gates(NAN), ValueError,
     r"gate_level must be a finite number >= 0"),
    ("source_index unknown", lambda: _net().source_index("cell[9,9]"), ValueError, r"name must be one of"),
    ("build seed -1", lambda: build("4-1", seed=-1), ValueError,
     r"seed must be a non-negative integer or a numpy Generator, got -1"),
    ("build seed 1.5", lambda: build("4-1", seed=1.5), ValueError, r"seed must be a non-negative integer"),
    ("build seed 2.0", lambda: build("4-1", seed=2.0), ValueError, r"seed must be a non-negative integer"),
    ("build seed str", lambda: build("4-1", seed="0"), ValueError, r"seed must be a non-negative integer"),
    ("build seed True", lambda: build("4-1", seed=True), ValueError, r"seed must be a non-negative integer"),
    ("build n_networks 0", lambda: build("4-1", 0), ValueError, r"n_networks must be an integer >= 1, got 0"),
    ("build n_networks 1.5", lambda: build("4-1", 1.5), TypeError, r"n_networks must be an integer >= 1"),
    ("build n_networks True", lambda: build("4-1", True), TypeError, r"n_networks must be an integer >= 1"),
    ("build unknown row", lambda: build("4-9"), ValueError, r"name must be a row of Table 10"),
    ("adding seed -3", lambda: adding(2, 22, -3), ValueError, r"seed must be a non-negative integer"),
    ("adding seed 0.5", lambda: adding(2, 22, 0.5), ValueError, r"seed must be a non-negative integer"),
    ("adding T 5", lambda: adding(2, 5, 0), ValueError, r"T must be an integer >= 22, got 5"),
    ("adding P 0", lambda: adding(0, 22, 0), ValueError, r"P must be an integer >= 1"),
]

# ------------------------------------------------------------------------ masks and lengths
MASK_CASES = [
    ("end_mask [2.5]", lambda: end_mask([2.5], 5), ValueError, r"lengths " + INTEGERS + r".*got 2.5"),
    ("end_mask [1.5, 2.9]", lambda: end_mask([1.5, 2.9], 5), ValueError, r"lengths " + INTEGERS + r".*got 1.5"),
    ("end_mask NaN", lambda: end_mask([NAN], 5), ValueError, r"lengths " + INTEGERS),
    ("end_mask inf", lambda: end_mask([INF], 5), ValueError, r"lengths " + INTEGERS),
    ("end_mask bools", lambda: end_mask([True, False], 5), TypeError, r"lengths must hold integers, got bools"),
    ("end_mask complex", lambda: end_mask([2 + 0j], 5), TypeError, "lengths " + COMPLEX),
    ("end_mask strings", lambda: end_mask(["2"], 5), TypeError, r"lengths must be an array of numbers"),
    ("end_mask 0", lambda: end_mask([0, 2], 5), ValueError, r"lengths must lie in \[1, n_steps=5\]"),
    ("end_mask too long", lambda: end_mask([6], 5), ValueError, r"lengths must lie in \[1, n_steps=5\]"),
    ("end_mask 2-d", lambda: end_mask([[2]], 5), ValueError, r"lengths must have 1 dimensions"),
    ("end_mask n_steps 2.5", lambda: end_mask([2], 2.5), TypeError, r"n_steps must be an integer >= 1"),
    ("end_mask n_steps 0", lambda: end_mask([2], 0), ValueError, r"n_steps must be an integer >= 1"),
    ("every_step_mask 0", lambda: every_step_mask(0, 3), ValueError, r"n_networks must be an integer >= 1"),
    ("every_step_mask 1.5", lambda: every_step_mask(2, 1.5), TypeError, r"n_steps must be an integer >= 1"),
    ("end_values [1.5, 2.9]", lambda: criteria.end_values(np.zeros((2, 5, 1)), [1.5, 2.9]), ValueError,
     r"lengths " + INTEGERS + r".*got 1.5"),
    ("end_values 2.9 alone", lambda: criteria.end_values(np.zeros((2, 5, 1)), [1, 2.9]), ValueError,
     r"lengths " + INTEGERS + r".*got 2.9"),
    ("end_values complex", lambda: criteria.end_values(np.zeros((1, 5, 1)) + 1j, [1]), TypeError,
     "sequence_array " + COMPLEX),
    ("end_values 0", lambda: criteria.end_values(np.zeros((1, 5, 1)), [0]), ValueError, r"lengths must lie in"),
    ("end_values shape", lambda: criteria.end_values(np.zeros((2, 5)), [1, 2]), ValueError,
     r"sequence_array must have shape \(N=2, T, K\)"),
    ("push correct 0.5", lambda: criteria.RollingWindow(1).push([0.5], [0.1]), ValueError,
     r"correct " + MASK + ", got the value 0.5"),
    ("push correct 2", lambda: criteria.RollingWindow(2).push([1, 2], [0.1, 0.2]), ValueError,
     r"correct " + MASK + ", got the value 2"),
    ("push correct NaN", lambda: criteria.RollingWindow(1).push([NAN], [0.1]), ValueError, r"correct " + MASK),
    ("push correct complex", lambda: criteria.RollingWindow(1).push([1j], [0.1]), TypeError, "correct " + COMPLEX),
    ("push correct str", lambda: criteria.RollingWindow(1).push(["yes"], [0.1]), TypeError,
     r"correct must be an array of numbers"),
    ("push error complex", lambda: criteria.RollingWindow(1).push([True], [0.1j]), TypeError, "error " + COMPLEX),
    ("push wrong shape", lambda: criteria.RollingWindow(2).push([True], [0.1]), ValueError,
     r"correct must have shape \(2\)"),
    ("RollingWindow n_trials 0", lambda: criteria.RollingWindow(0), ValueError, r"n_trials must be an integer >= 1"),
    ("RollingWindow size 2.5", lambda: criteria.RollingWindow(1, 2.5), TypeError, r"size must be an integer >= 1"),
    ("st3 bound 0", lambda: criteria.RollingWindow(1).st3(0), ValueError, r"bound must be a finite number > 0"),
    ("fewer_wrong_than 1.5", lambda: criteria.RollingWindow(1).fewer_wrong_than(1.5), TypeError,
     r"n_seq must be an integer >= 1"),
    ("max_abs_error mask 0.5", lambda: criteria.max_abs_error(np.zeros((1, 2, 1)), np.zeros((1, 2, 1)),
                                                              np.full((1, 2, 1), 0.5)),
     ValueError, r"target_mask " + MASK),
    ("max_abs_error complex outputs", lambda: criteria.max_abs_error(np.zeros((1, 2, 1)) + 1j, np.zeros((1, 2, 1)),
                                                                     np.ones((1, 2, 1), bool)),
     TypeError, "outputs " + COMPLEX),
    ("abs_correct bound -1", lambda: criteria.abs_correct(np.zeros((1, 2, 1)), np.zeros((1, 2, 1)),
                                                          np.ones((1, 2, 1), bool), -1),
     ValueError, r"bound must be a finite number > 0"),
    ("end_error complex", lambda: criteria.end_error(np.zeros((1, 2)), np.zeros((1, 2)) + 1j), TypeError,
     "end_targets " + COMPLEX),
    ("reber_correct possible 0.5", lambda: criteria.reber_correct(np.zeros((1, 2, 7)), np.full((1, 2, 7), 0.5), [2]),
     ValueError, r"possible " + MASK),
    ("reber_correct lengths 1.5", lambda: criteria.reber_correct(np.zeros((1, 2, 7)), np.ones((1, 2, 7), bool),
                                                                 [1.5]),
     ValueError, r"lengths " + INTEGERS),
    ("exp3_criteria variant", lambda: criteria.exp3_criteria("d", np.zeros((1, 1)), np.zeros((1, 1))), ValueError,
     r"variant must be one of"),
]

# ------------------------------------------------------------------------ the other modules' arrays
OTHER_CASES = [
    ("recurrent complex x", lambda: recurrent.forward(_rnn(), np.zeros((1, _rnn().n_units, _rnn().n_sources)),
                                                      np.zeros((1, 3, _rnn().n_in)) + 1j),
     TypeError, "x " + COMPLEX),
    ("recurrent complex W", lambda: recurrent.forward(_rnn(), np.zeros((1, _rnn().n_units, _rnn().n_sources)) + 1j,
                                                      np.zeros((1, 3, _rnn().n_in))),
     TypeError, "W " + COMPLEX),
    ("carousel mask 0.5", lambda: carousel.naive_least_squares(*_carousel_mask(0.5)), ValueError, r"mask " + MASK),
    ("carousel complex inputs", lambda: carousel.naive_least_squares(*_carousel_complex()), TypeError,
     "inputs " + COMPLEX),
    ("latching complex w", lambda: latching.fixed_points(1.5 + 1j), TypeError, "w " + COMPLEX),
    ("analysis complex W", lambda: local_error_flow(np.zeros((1, 2, 2)) + 1j, np.zeros((1, 3, 2))), TypeError,
     "W " + COMPLEX),
]


def _rnn():
    return recurrent.RecurrentConfig(n_in=1, n_hidden=1, n_out=1)


def _carousel_mask(value):
    inputs, targets, mask = carousel.store_recall_task(1, 2, 4, conflict="input", seed=0)
    return inputs, targets, _set(mask, value, (0, 0, -1))


def _carousel_complex():
    inputs, targets, mask = carousel.store_recall_task(1, 2, 4, conflict="input", seed=0)
    return inputs + 1j, targets, mask


# ------------------------------------------------------------------------ LSTMConfig built directly
def _direct(**changes):
    import dataclasses
    fields = {f.name: getattr(config("4-1"), f.name) for f in dataclasses.fields(config("4-1"))}
    return type(config("4-1"))(**{**fields, **changes})


DIRECT_CASES = [
    ("LSTMConfig name 41", lambda: _direct(name=41), TypeError, r"name and note must be strings"),
    ("LSTMConfig note None", lambda: _direct(note=None), TypeError, r"name and note must be strings"),
    ("LSTMConfig paper_weights 93.5", lambda: _direct(paper_weights=93.5), TypeError,
     r"paper_weights must be an integer >= 1"),
    ("LSTMConfig paper_weights True", lambda: _direct(paper_weights=True), TypeError,
     r"paper_weights must be an integer >= 1"),
    ("LSTMConfig paper_weights 0", lambda: _direct(paper_weights=0), ValueError,
     r"paper_weights must be an integer >= 1"),
    ("LSTMConfig output_gate 'no'", lambda: _direct(output_gate="no"), TypeError,
     r"output_gate must be True or False"),
    ("LSTMConfig output_gate_bias without gate", lambda: _direct(output_gate=False, output_gate_bias=(-1.0, -2.0)),
     ValueError, r"output_gate_bias must be None when output_gate=False"),
]

# ------------------------------------------------------------------------ seeds of the other modules
MORE_SEED_CASES = [
    ("add_block seed -1", lambda: _net().add_block(-1), ValueError, r"seed must be a non-negative integer"),
    ("add_block seed 0.5", lambda: _net().add_block(0.5), ValueError, r"seed must be a non-negative integer"),
    ("add_block complex bias", lambda: _net().add_block(0, input_gate_bias=1j), TypeError,
     "input_gate_bias " + COMPLEX),
    ("latching simulate seed -1", lambda: latching.simulate(1.5, 0.5, 3, 0.1, -1), ValueError,
     r"seed must be a non-negative integer"),
    ("latching simulate noise NaN", lambda: latching.simulate(1.5, 0.5, 3, NAN, 0), ValueError,
     r"noise_std contains 1 non-finite"),
    ("latching simulate complex a0", lambda: latching.simulate(1.5, 0.5j, 3, 0.1, 0), TypeError, "a0 " + COMPLEX),
    ("recurrent init_weights seed -2", lambda: recurrent.init_weights(_rnn(), 1, -2), ValueError,
     r"seed must be a non-negative integer"),
    ("recurrent init_weights seed 1.5", lambda: recurrent.init_weights(_rnn(), 1, 1.5), ValueError,
     r"seed must be a non-negative integer"),
    ("carousel task seed -1", lambda: carousel.store_recall_task(1, 2, 4, conflict="input", seed=-1), ValueError,
     r"seed must be a non-negative integer"),
    ("from_weights complex", lambda: type(_net()).from_weights("4-1", _net().w_hidden + 1j, _net().w_output),
     TypeError, "w_hidden " + COMPLEX),
    ("from_weights NaN", lambda: type(_net()).from_weights("4-1", _net().w_hidden, _set(_net().w_output, NAN,
                                                                                         (0, 0, 0))),
     ValueError, r"w_output contains 1 non-finite"),
]


def test_add_block_with_a_bad_seed_leaves_the_networks_unchanged():
    net = _net()
    before = net.w_hidden.copy(), net.cfg
    with pytest.raises(ValueError, match="seed must be"):
        net.add_block(-1)
    assert net.cfg == before[1] and np.array_equal(net.w_hidden, before[0])


# ------------------------------------------------------------------------ the task generators
TASK_CASES = [
    ("3c labels 0.5", lambda: noise_signal.clean_targets_3c([0, 0.5]), ValueError,
     r"labels " + MASK + ", got the value 0.5"),
    ("3c labels 2", lambda: noise_signal.clean_targets_3c([2]), ValueError, r"labels " + MASK),
    ("3c labels complex", lambda: noise_signal.clean_targets_3c([1j]), TypeError, "labels " + COMPLEX),
    ("3a n_informative 0", lambda: noise_signal.task_3a(2, 10, 0, 0), ValueError,
     r"n_informative must be an integer >= 1"),
    ("3a T 1.5", lambda: noise_signal.task_3a(2, 1.5, 3, 0), TypeError, r"T must be an integer >= 2"),
    ("reber encode one str", lambda: reber.encode(reber.embedded_reber_string(0)), TypeError,
     r"strings must be a list of embedded Reber strings, got one str"),
    ("reber encode ints", lambda: reber.encode([1, 2]), TypeError, r"string must be a str \(an embedded Reber"),
    ("reber encode bad letter", lambda: reber.encode(["BXZE"]), ValueError, r"string must be an embedded Reber"),
    ("reber encode T_max 1.5", lambda: reber.encode([reber.embedded_reber_string(0)], T_max=1.5), TypeError,
     r"T_max must be an integer >= 1"),
    ("reber encode T_max short", lambda: reber.encode([reber.embedded_reber_string(0)], T_max=2), ValueError,
     r"T_max must be >= the longest string's steps"),
    ("reber possible_next int", lambda: reber.possible_next(5), TypeError, r"string must be a str"),
    ("reber distinct 'no'", lambda: reber.training_and_test_strings(0, 2, 2, distinct="no"), TypeError,
     r"distinct must be True or False, got 'no'"),
    ("reber seed -1", lambda: reber.reber_string(-1), ValueError, r"seed must be a non-negative integer"),
    ("latch noise NaN", lambda: bengio.latch(2, 10, 0, noise_variance=NAN), ValueError,
     r"noise_variance must be a finite number >= 0, got nan"),
    ("latch target complex", lambda: bengio.latch(2, 10, 0, target=1j), TypeError, r"target must be a real number"),
    ("latch max_length 12.5", lambda: bengio.latch(2, 10, 0, max_length=12.5), TypeError,
     r"max_length must be an integer >= 1"),
    ("parity min > max", lambda: bengio.parity(2, 10, 5, 0), ValueError, r"max_length must be >= min_length"),
    ("parity input_noise inf", lambda: bengio.parity(2, 5, 10, 0, input_noise=INF), ValueError,
     r"input_noise must be a finite number >= 0"),
    ("two_sequence n_informative 20", lambda: bengio.two_sequence(2, 5, 10, 0, n_informative=20), ValueError,
     r"n_informative must be < min_length"),
    ("long_lag p 1.5", lambda: long_lag.no_local_regularities(2, 1.5, 0), TypeError, r"p must be an integer >= 2"),
    ("long_lag q -1", lambda: long_lag.very_long_lag(2, 5, -1, 0), ValueError, r"q must be an integer >= 1"),
    ("multiplication T 22.5", lambda: multiplication(2, 22.5, 0), TypeError, r"T must be an integer >= 22"),
]


# ------------------------------------------------------------------------ flags that must be real bools
def _evaluate(trial=(0,), hard=False, theta=((0.9, -1.3, 1.7),)):
    from lstm_edu import alternatives, bengio_study
    data = alternatives.TrainingData.stack([bengio.latch(4, 12, 100)])
    return alternatives.evaluate(bengio_study.latch_problem(), np.array(theta), trial, data, hard=hard)


FLAG_CASES = [
    ("alternatives evaluate trial 0.5", lambda: _evaluate(trial=[0.5]), ValueError, r"trial " + INTEGERS),
    ("alternatives evaluate trial complex", lambda: _evaluate(trial=[1j]), TypeError, "trial " + COMPLEX),
    ("alternatives evaluate hard 'yes'", lambda: _evaluate(hard="yes"), TypeError, r"hard must be True or False"),
    ("alternatives evaluate theta complex", lambda: _evaluate(theta=((0.9j, -1.3, 1.7),)), TypeError,
     "theta " + COMPLEX),
    ("train keep_outputs 'False'", lambda: _net().train(*_data(), keep_outputs="False"), TypeError,
     r"keep_outputs must be True or False, got 'False'"),
    ("train keep_outputs 1", lambda: _net().train(*_data(), keep_outputs=1), TypeError,
     r"keep_outputs must be True or False, got 1"),
    ("reference_loss truncate 'no'", lambda: lstm_autograd.reference_loss(_net(), *_data(), truncate="no"),
     TypeError, r"truncate must be True or False"),
    ("bptt per_step 'yes'", lambda: recurrent.bptt_gradient(_rnn(), recurrent.init_weights(_rnn(), 1, 0),
                                                          np.zeros((1, 2, 1)), np.zeros((1, 2, 1)),
                                                          per_step="yes"),
     TypeError, r"per_step must be True or False"),
    ("error_flow log10 'True'", lambda: carousel.error_flow(1.0, 3, log10="True"), TypeError,
     r"log10 must be True or False"),
    ("carousel initial_weights input_gate 'no'", lambda: carousel.initial_weights(1, input_gate="no"), TypeError,
     r"input_gate must be True or False"),
    ("carousel train output_gate 0", lambda: carousel.train_carousel_net(
        carousel.initial_weights(1), *carousel.store_recall_task(1, 2, 4, conflict="input"), output_gate=0),
     TypeError, r"output_gate must be True or False, got 0"),
]


API_CASES = FLAG_CASES + TASK_CASES + DIRECT_CASES + MORE_SEED_CASES + NET_CASES + SEED_CASES + MASK_CASES + OTHER_CASES


@pytest.mark.parametrize("call, error, message", [c[1:] for c in API_CASES], ids=[c[0] for c in API_CASES])
def test_bad_array_or_seed_is_refused_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_valid_forms_that_callers_pass_still_work():
    """Exactly integral float lengths, 0/1 float masks and bool masks of (P, T, n_out) are accepted."""
    assert end_mask(np.array([3.0, 5.0]), 5).tolist() == end_mask([3, 5], 5).tolist()
    assert criteria.end_values(np.arange(10.0).reshape(2, 5, 1), np.array([1.0, 5.0])).ravel().tolist() == [0, 9]
    x, y, m = _data()
    loss_bool = _net().gradient(x, y, m)[0]
    loss_float = _net().gradient(x, y, m.astype(float))[0]
    assert loss_bool.tolist() == loss_float.tolist()
    window = criteria.RollingWindow(2)
    window.push(np.array([1.0, 0.0]), [0.1, 0.2])
    assert window.n_wrong().tolist() == [0, 1]
    assert _evaluate(trial=np.array([0.0])).shape == _evaluate().shape == (1, 4)


# ------------------------------------------------------------------------ the bench command (item 8)
BENCH_CASES = [
    (["--steps", "0"], "--steps", r"must be an integer >= 22, got 0: the adding problem's first mark"),
    (["--steps", "5"], "--steps", r"must be an integer >= 22, got 5"),
    (["--steps", "21"], "--steps", r"must be an integer >= 22, got 21"),
    (["--steps", "-3"], "--steps", r"must be an integer >= 22"),
    (["--steps", "2.5"], "--steps", r"must be an integer, got '2.5'"),
    (["--numpy", "0"], "--numpy", r"a population must be an integer >= 1 \(networks\), got 0"),
    (["--numpy", "-4"], "--numpy", r"a population must be an integer >= 1"),
    (["--numpy", "1.5"], "--numpy", r"must be an integer, got '1.5'"),
    (["--compiled", "0"], "--compiled", r"a population must be an integer >= 1"),
    (["--compiled", "-1"], "--compiled", r"a population must be an integer >= 1"),
    (["--seconds", "-1"], "--seconds", r"must be a finite number of seconds > 0, got -1"),
    (["--seconds", "0"], "--seconds", r"must be a finite number of seconds > 0, got 0"),
    (["--seconds", "nan"], "--seconds", r"must be a finite number of seconds > 0"),
    (["--seconds", "inf"], "--seconds", r"must be a finite number of seconds > 0"),
    (["--seconds", "soon"], "--seconds", r"must be a number of seconds, got 'soon'"),
]


@pytest.mark.parametrize("argv, flag, message", BENCH_CASES, ids=[" ".join(c[0]) for c in BENCH_CASES])
def test_bench_bad_flag_exits_2_naming_it(argv, flag, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"error: argument {flag}: " in err and "Traceback" not in err
    assert __import__("re").search(message, err), err


def test_bench_with_nothing_to_time_exits_2(capsys):
    assert main(["bench", "--numpy", "--compiled"]) == 2
    err = capsys.readouterr().err
    assert "error: --numpy and --compiled are both empty" in err and "Traceback" not in err


def test_bench_measure_refuses_bad_populations_and_steps():
    from lstm_edu.bench import measure
    with pytest.raises(ValueError, match=r"n_steps must be an integer >= 22, got 5"):
        measure({"numpy": (1,)}, n_steps=5)
    with pytest.raises(ValueError, match=r"populations\['numpy'\] entry must be an integer >= 1, got 0"):
        measure({"numpy": (0,)}, n_steps=22)
    with pytest.raises(ValueError, match=r"populations engine must be one of \['numpy', 'compiled'\]"):
        measure({"gpu": (1,)}, n_steps=22)
