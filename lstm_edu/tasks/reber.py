"""Experiment 1 of the 1997 LSTM paper: the embedded Reber grammar (Section 5.1, Table 1).

A Reber string starts with B, follows the Reber graph (every branch with probability 0.5) and ends
with E. An *embedded* Reber string is ``B, T or P, a Reber string, the same T or P, E``: to predict the
second-to-last symbol the net must remember the second one across the whole inner string (minimal lag 9).

Symbols are represented locally over 7 units in the order :data:`SYMBOLS`. The net sees the symbols of
a string one at a time and predicts the next one at every step: the input of step ``t`` is symbol ``t``,
the target is the one-hot code of symbol ``t + 1`` (so a string of ``L`` symbols gives ``L - 1`` steps).
The paper's success rule does not look at the target but at the *set* of symbols that may follow:
:func:`possible_next` gives that set for every step.

Training and test sets (Section 5.1, "Training/Testing", following Fahlman 1991): 256 training strings
generated at random (repeats allowed: the paper says only "generated randomly"; the grammar makes short
strings so likely that a random set of 256 repeats many of them) and 256 test strings generated at random,
rejecting every string that occurs in the training set (the paper: "sequences already used in the
training set are not used for testing").
"""

from __future__ import annotations

import numpy as np

from .. import _checks
from . import SequenceBatch
from ._symbols import one_hot

#: The 7 symbols, in the order of the input and output units.
SYMBOLS = "BTPSXVE"

#: The Reber graph: state -> ((symbol, next state), (symbol, next state)), each branch with probability
#: 0.5; state 0 is the end (followed by E). State 1 is the state after the initial B.
REBER_GRAPH = {1: (("T", 2), ("P", 3)), 2: (("S", 2), ("X", 4)), 3: (("T", 3), ("V", 5)),
               4: (("X", 3), ("S", 0)), 5: (("P", 4), ("V", 0))}


def reber_string(seed) -> str:
    """One random Reber string (B ... E), drawn by walking :data:`REBER_GRAPH` from state 1."""
    gen = _checks.rng(seed)
    out, state = ["B"], 1
    while state:
        symbol, state = REBER_GRAPH[state][int(gen.integers(2))]
        out.append(symbol)
    out.append("E")
    return "".join(out)


def embedded_reber_string(seed) -> str:
    """One random embedded Reber string: B, T or P (probability 0.5 each), a Reber string, the same T or P, E."""
    gen = _checks.rng(seed)
    branch = "TP"[int(gen.integers(2))]
    return "B" + branch + reber_string(gen) + branch + "E"


def possible_next(string: str) -> np.ndarray:
    """(len(string) - 1, 7) bool: the symbols the embedded grammar allows after each prefix ``string[:t+1]``.

    Raises ``ValueError`` if ``string`` is not an embedded Reber string.
    """
    def bad(reason):
        return ValueError(f"string must be an embedded Reber string, got {string!r}: {reason}")

    if not isinstance(string, str):
        raise TypeError(f"string must be a str (an embedded Reber string), got {type(string).__name__}")

    if len(string) < 9 or string[0] != "B" or string[1] not in "TP" or string[2] != "B":
        raise bad("it must start with B, T or P, B")
    if string[-2:] != string[1] + "E" or string[-3] != "E":
        raise bad("it must end with E, the second symbol, E")
    allowed = [{"T", "P"}, {"B"}, {"T", "P"}]           # after B, after T/P, after the inner B
    state = 1
    for symbol in string[3:-2]:                        # the inner string after its B, up to its E
        if state == 0:
            if symbol != "E":
                raise bad(f"the inner string must end with E after its last branch, found {symbol!r}")
            allowed.append({string[1]})                # after the inner E: the remembered T or P
            state = None
            continue
        if state is None:
            raise bad("symbols after the inner string's E")
        moves = dict(REBER_GRAPH[state])
        if symbol not in moves:
            raise bad(f"{symbol!r} cannot follow state {state} of the Reber graph")
        state = moves[symbol]
        allowed.append({"E"} if state == 0 else {s for s, _ in REBER_GRAPH[state]})
    if state is not None:
        raise bad("the inner string does not end with E")
    allowed.append({"E"})                              # after the second T/P
    out = np.zeros((len(string) - 1, len(SYMBOLS)), dtype=bool)
    for t, symbols in enumerate(allowed):
        out[t, [SYMBOLS.index(s) for s in symbols]] = True
    return out


def training_and_test_strings(seed, n_train: int = 256, n_test: int = 256,
                              distinct: bool = False) -> tuple[list[str], list[str]]:
    """A random training set and a disjoint random test set of embedded Reber strings (Section 5.1).

    The paper draws both sets at random and keeps training strings out of the test set; it does not say
    whether a set may repeat a string. By default strings are drawn independently (short strings then
    repeat); ``distinct=True`` draws until ``n_train`` different training strings are found.
    """
    gen = _checks.rng(seed)
    n_train = _checks.positive_int("n_train", n_train)
    n_test = _checks.positive_int("n_test", n_test)
    if _checks.boolean("distinct", distinct):
        unique = {}
        while len(unique) < n_train:
            unique.setdefault(embedded_reber_string(gen), None)
        train = list(unique)
    else:
        train = [embedded_reber_string(gen) for _ in range(n_train)]
    seen, test = set(train), []
    while len(test) < n_test:
        string = embedded_reber_string(gen)
        if string not in seen:
            test.append(string)
    return train, test


def encode(strings, T_max: int | None = None, targets: str = "next") -> tuple[SequenceBatch, np.ndarray]:
    """Next-symbol prediction data for ``strings``: ``(SequenceBatch, possible (P, T_max, 7) bool)``.

    Inputs are the symbols ``0 .. L-2`` of each string, targets the one-hot symbols ``1 .. L-1`` with a
    target at every step of the string (every output unit), ``lengths = L - 1``; ``labels`` are 0 for the
    T-embedding and 1 for the P-embedding. ``possible`` marks the symbols allowed after each prefix
    (:func:`possible_next`). ``T_max`` pads to a common length (default: the longest string).
    ``targets="possible"`` sets the target of every allowed next symbol to 1 instead (not the paper's
    task, which predicts the next symbol; used to measure how much the one-hot target's noise costs).
    """
    _checks.choice("targets", targets, ("next", "possible"))
    if isinstance(strings, str):
        raise TypeError("strings must be a list of embedded Reber strings, got one str (wrap it in a list)")
    strings = list(strings)
    if not strings:
        raise ValueError("strings must hold at least one embedded Reber string")
    allowed = [possible_next(s) for s in strings]
    lengths = np.array([len(s) - 1 for s in strings])
    T_max = int(lengths.max()) if T_max is None else _checks.positive_int("T_max", T_max)
    if T_max < lengths.max():
        raise ValueError(f"T_max must be >= the longest string's steps ({lengths.max()}), got {T_max}")
    codes = np.zeros((len(strings), T_max + 1), dtype=np.int64)
    possible = np.zeros((len(strings), T_max, len(SYMBOLS)), dtype=bool)
    for p, (s, ok) in enumerate(zip(strings, allowed)):
        codes[p, :len(s)] = [SYMBOLS.index(c) for c in s]
        possible[p, :len(s) - 1] = ok
    x = one_hot(codes[:, :-1], lengths, len(SYMBOLS))
    y = one_hot(codes[:, 1:], lengths, len(SYMBOLS)) if targets == "next" else possible.astype(float)
    mask = np.repeat((np.arange(T_max)[None, :] < lengths[:, None])[:, :, None], len(SYMBOLS), axis=2)
    labels = np.array([0 if s[1] == "T" else 1 for s in strings])
    return SequenceBatch(x, y, mask, lengths, labels), possible
