"""The bench command: output format and its synthetic adding-problem batch (speed itself is never asserted)."""

import json

import numpy as np

from lstm_edu import bench
from lstm_edu.__main__ import main


def test_adding_like_batch_follows_the_adding_problem():
    x, y, m = bench.adding_like_batch(np.random.default_rng(0), 6, 20)
    assert x.shape == (6, 20, 2) and y.shape == (6, 20, 1) and m.shape == (6, 20)
    assert np.all(np.abs(x[:, :, 0]) <= 1.0)
    marked = x[:, :, 1] == 1.0
    assert np.all(marked.sum(axis=1) == 2)
    expected = 0.5 + (x[:, :, 0] * marked).sum(axis=1) / 4.0
    np.testing.assert_allclose(y[:, -1, 0], expected)
    assert np.all(m[:, -1]) and m.sum() == 6


def test_bench_json_reports_every_population_and_ratios(capsys):
    assert main(["bench", "--json", "--populations", "1", "4", "--steps", "5", "--seconds", "0.01"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["weights"] == 93 and report["network"] == "4-1"
    assert set(report["ns_per_network_step"]) == {"1", "4"}
    assert report["speedup_over_P1"]["1"] == 1.0
    ratio = report["ns_per_network_step"]["1"] / report["ns_per_network_step"]["4"]
    assert abs(report["speedup_over_P1"]["4"] - ratio) <= 0.051 * ratio


def test_bench_table(capsys):
    assert main(["bench", "--populations", "1", "2", "--steps", "3", "--seconds", "0.01"]) == 0
    out = capsys.readouterr().out
    assert "ns/network/step" in out and "93 weights" in out
