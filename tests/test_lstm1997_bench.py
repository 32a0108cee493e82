"""The bench command: output structure and ratios on a tiny run (speed itself is never asserted)."""

import json

from lstm_edu.__main__ import main

TINY = ["--steps", "22", "--seconds", "0.01"]


def test_bench_json_reports_both_engines_and_the_speedup_at_equal_population(capsys):
    assert main(["bench", "--json", "--numpy", "1", "3", "--compiled", "3", "5", *TINY]) == 0
    report = json.loads(capsys.readouterr().out)
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
