"""The bench command: output structure and ratios on a tiny run (speed itself is never asserted)."""

import json

import pytest

from lstm_edu.__main__ import main

TINY = ["--steps", "22", "--seconds", "0.01", "--rows"]


def test_bench_json_reports_both_engines_and_the_speedup_at_equal_population(capsys):
    assert main(["bench", "--json", "--numpy", "1", "3", "--compiled", "3", "5", *TINY]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == {}                                                # --rows with no row: skipped
    report = report["reference"]
    assert report["weights"] == 93 and report["network"] == "4-1"
    assert set(report["ns_per_network_step"]["numpy"]) == {"1", "3"}
    assert set(report["ns_per_network_step"]["compiled"]) == {"3", "5"}
    assert set(report["speedup_compiled_over_numpy"]) == {"3"}                 # timed with both engines
    ns = report["ns_per_network_step"]
    ratio = ns["numpy"]["3"] / ns["compiled"]["3"]
    assert abs(report["speedup_compiled_over_numpy"]["3"] - ratio) <= 0.051 * ratio


def test_bench_table(capsys):
    assert main(["bench", "--numpy", "2", "--compiled", "2", *TINY]) == 0
    out = capsys.readouterr().out
    assert "NumPy reference" in out and "compiled engine" in out and "93 weights" in out
    row = [line for line in out.splitlines() if line.split()[:1] == ["2"]]
    assert len(row) == 1 and row[0].rstrip().endswith("x")


def test_bench_rows_bare_engine_and_end_to_end(capsys):
    """Row 4-1 with 2 trials, runs of 3 and 6 sequences: the bare engine per real step, the run's difference."""
    assert main(["bench", "--json", "--numpy", "1", "--compiled", "1", "--steps", "22", "--seconds", "0.01",
                 "--rows", "4-1", "--trials", "2", "--sequences", "3", "--repeats", "1"]) == 0
    row = json.loads(capsys.readouterr().out)["rows"]["4-1"]
    assert (row["trials"], row["schedule"], row["sequences"]) == (2, "sequence", [3, 6])
    assert 100 <= row["mean_length"] <= 110                              # T = 100 to 110 (Experiment 4)
    assert row["bare_engine_ns"] > 0                      # (a difference of two tiny runs may be anything)
    assert abs(row["ratio"] - row["end_to_end_ns"] / row["bare_engine_ns"]) <= 0.006 * abs(row["ratio"]) + 0.005


def test_bench_unknown_row_exits_2_naming_the_flag(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", "--rows", "9-9"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "error: argument --rows: must name an LSTM row or variant" in err and "'9-9'" in err


def test_bench_workers_reports_sequences_per_second_at_one_and_n_workers(capsys):
    """--workers 2: the 10 trials of 4-1 (30 sequences each): one chunk and two in this process, two workers."""
    assert main(["bench", "--json", "--numpy", "1", "--compiled", "1", *TINY, "--workers", "2",
                 "--workers-budget", "30"]) == 0
    w = json.loads(capsys.readouterr().out)["workers"]
    assert (w["n_workers"], w["trials"]) == (2, 10) and w["one"] > 0 and w["workers"] > 0 and w["one_chunk"] > 0
    assert abs(w["speedup"] - w["workers"] / w["one"]) <= 1e-12 * w["speedup"]
    assert abs(w["speedup_over_one_chunk"] - w["workers"] / w["one_chunk"]) <= 1e-12 * w["speedup"]
