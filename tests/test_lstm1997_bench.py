"""The bench command: output format and ratios (speed itself is never asserted)."""

import json

from lstm_edu.__main__ import main


def test_bench_json_reports_every_population_and_ratios(capsys):
    assert main(["bench", "--json", "--populations", "1", "4", "--steps", "22", "--seconds", "0.01"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["weights"] == 93 and report["network"] == "4-1"
    assert set(report["ns_per_network_step"]) == {"1", "4"}
    assert report["speedup_over_P1"]["1"] == 1.0
    ratio = report["ns_per_network_step"]["1"] / report["ns_per_network_step"]["4"]
    assert abs(report["speedup_over_P1"]["4"] - ratio) <= 0.051 * ratio


def test_bench_table(capsys):
    assert main(["bench", "--populations", "1", "2", "--steps", "22", "--seconds", "0.01"]) == 0
    out = capsys.readouterr().out
    assert "ns/network/step" in out and "93 weights" in out
