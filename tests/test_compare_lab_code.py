"""scripts/compare_lab_code.py: its argument errors and weight layout always; the comparison with the lab's
LSTM simulator only where a copy of it is named by the environment variable LSTM_LAB_CODE (the path of
lstm.c from portegys/Mona, projects/meta-maze/work/lstm; never part of this repository)."""

import importlib.util
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from lstm_edu import experiments

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "compare_lab_code.py"
LAB_CODE = os.environ.get("LSTM_LAB_CODE")
spec = importlib.util.spec_from_file_location("compare_lab_code", SCRIPT)
lab = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lab)


@pytest.mark.parametrize("args, message", [
    (["/no/such/lstm.c"], "PATH_TO_LSTM_C must be a file"),
    ([str(SCRIPT), "--row", "7-1"], "--row must be a row of Tables 1-9"),
    ([str(SCRIPT), "--row", "2a"], "--row must be a row whose net the lab code has"),
    ([str(SCRIPT), "--sequences", "0"], "--sequences >= 1"),
    ([str(SCRIPT), "--seed", "-1"], "--seed must be >= 0"),
    ([str(SCRIPT), "--cc", "no-such-compiler-here"], "--cc must name a C compiler"),
])
def test_argument_errors_name_the_argument(args, message, capsys):
    with pytest.raises(SystemExit) as stop:
        lab.main(args)
    assert stop.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.parametrize("row", ["1-5", "4-1", "2c-2", "6a"])
def test_the_lab_layout_holds_every_weight_once(row):
    """lstm_edu's weights -> the lab's W[to, from] -> back: the same weights; the mask counts Table 10's."""
    net = experiments.initial_net(row, [0])
    W, mask = lab.lab_weights(net)
    w_hidden, w_output = lab.from_lab(W, net)
    assert np.array_equal(w_hidden, net.w_hidden[0]) and np.array_equal(w_output, net.w_output[0])
    assert mask.sum() == net.n_weights and np.all(W[mask == 0] == 0)


def test_a_lab_code_the_script_does_not_know_is_refused():
    with pytest.raises(ValueError, match="not the version this script knows: the patch 'declare exit"):
        lab.patched_source("int main() { return 0; }\n", {})


needs_lab_code = pytest.mark.skipif(
    not LAB_CODE or shutil.which("cc") is None,
    reason="set LSTM_LAB_CODE to the path of the lab's lstm.c (portegys/Mona, projects/meta-maze/work/lstm) "
           "and have a C compiler 'cc' to compare with it")


@needs_lab_code
@pytest.mark.parametrize("row", ["1-5", "4-1", "2c-2"])
def test_the_lab_code_ends_with_the_same_weights(row):
    result = lab.compare(LAB_CODE, row, seed=1, n_sequences=30)
    assert result["largest_change"] > 1e-4  # the nets did learn, so equal weights say something
    assert max(result["numpy"], result["compiled"]) < 1e-12 * max(1.0, result["largest_weight"]), result


@needs_lab_code
def test_the_comparison_sees_the_lab_codes_own_reset(monkeypatch):
    """Without the patch that resets activations to 0 (the lab resets them to 0.5) the weights differ."""
    monkeypatch.setattr(lab, "PATCHES", tuple(p for p in lab.PATCHES if not p[0].startswith("reset every")))
    assert lab.compare(LAB_CODE, "4-1", seed=0, n_sequences=30)["numpy"] > 1e-8
