"""The lag sweep (lstm_edu.lag_sweep): its cells, where each puts the lag, its budgets, the skip rule, the table
of success rates from real (tiny) runs, the Wilson interval, bad arguments, and --check of a stored trial."""

import json

import numpy as np
import pytest

from lstm_edu import __main__ as cli
from lstm_edu import lag_sweep as S
from lstm_edu import registry
from lstm_edu.lag_sweep_entries import SweepCell, SweepExperiment, SweepRow
from lstm_edu.results import read_trials


def test_cell_names_round_trip_and_reach_the_registry():
    assert len(S.ENTRIES) == sum(len(f.methods) * len(f.lags) for f in S.FAMILIES.values())
    for name, item in S.ENTRIES.items():
        family, method, lag = S.parse_cell(name)
        assert S.cell_name(family, method, lag) == name == item.name and item.study == "sweep"
        assert registry.entry(name) is item and S.entry(family, method, lag) is item
    assert S.cell_name("noise_free", "lstm", 100) == "sweep-noise_free-lstm-L100"
    with pytest.raises(ValueError, match="name must be a cell of the sweep"):
        S.parse_cell("sweep-latch-lstm-L5")  # LSTM is not run on the latch


def _batch(item, lag, n=6):
    """``n`` training sequences drawn by the cell's own generator."""
    gen = np.random.default_rng(7)
    if isinstance(item, SweepExperiment):
        return item.make(0).train(n, gen)
    if isinstance(item, SweepRow):
        return item.draw(n, gen, None)
    if isinstance(item, SweepCell):
        return item.make(np.random.SeedSequence(7), n)[1]
    assert item.kind in ("chunker", "rcc") and item.experiment == "2a" and item.task["p"] == lag  # Task 2a at p
    from lstm_edu.tasks import long_lag
    return long_lag.noise_free(n, lag, gen)


def _informative_steps(family, b):
    """Per sequence, the steps whose input carries the class (or the adding problem's first marked value)."""
    if family == "noise_free":   # the first element: x (unit p - 1) or y (unit p)
        return [np.flatnonzero(b.x[i, :, -2:].any(axis=1) & (np.arange(b.x.shape[1]) < 1)) for i in range(len(b.x))]
    if family == "latch":        # the free input lines 0 and 1
        return [np.flatnonzero(b.x[i, :, :2].any(axis=1)) for i in range(len(b.x))]
    if family == "two_sequence":  # +-1 exactly, where the noise is continuous
        return [np.flatnonzero(np.abs(b.x[i, :, 0]) == 1.0) for i in range(len(b.x))]
    return [np.flatnonzero(b.x[i, :, 1] == 1.0)[:1] for i in range(len(b.x))]  # adding: the first mark


@pytest.mark.parametrize("family", list(S.FAMILIES))
def test_every_cell_puts_the_lag_where_its_family_says(family):
    f = S.FAMILIES[family]
    for method in f.methods:
        for lag in f.lags:
            b = _batch(S.entry(family, method, lag), lag)
            end = b.lengths - 1                       # the step that must answer
            assert np.all(b.target_mask[np.arange(len(end)), end].any(axis=1))
            for i, steps in enumerate(_informative_steps(family, b)):
                assert steps.size == 1, (method, lag, steps)
                distance = end[i] - steps[0] + 1      # steps from the informative input to the answer, both in
                if family in ("noise_free", "latch"):
                    assert distance == lag
                elif family == "two_sequence":        # Task 3a's lengths T .. T + T/10
                    assert lag <= distance <= lag + lag // 10 and steps[0] == 0
                else:                                 # the first mark within the first 10 of >= T steps
                    assert steps[0] < 10 and end[i] + 1 >= lag and distance >= lag - 9
            if family == "noise_free":                # the answer is the first element
                assert np.array_equal(b.targets[np.arange(len(end)), end].argmax(axis=1), b.x[:, 0].argmax(axis=1))


def test_every_method_of_a_family_gets_the_same_budget():
    for family, f in S.FAMILIES.items():
        budgets = {S.entry(family, m, lag).budget for m in f.methods for lag in f.lags}
        assert budgets == {f.budget}, family
    # Bengio's methods spend it as passes over their 20 training sequences
    assert S.entry("latch", "gradient_descent", 5).limits(S.FAMILIES["latch"].budget)[0] == 1000


def test_the_skip_rule_skips_the_lags_after_two_failed_ones(tmp_path):
    rows = S.run("two_sequence", ["elman"], [5, 10, 20], n_trials=2, budget=50, out=tmp_path, progress=False)
    assert [(r["lag"], r["status"], r["n_success"]) for r in rows] == [(5, "stored", 0), (10, "stored", 0),
                                                                        (20, "skipped", 0)]
    assert rows[2]["n_trials"] == 0 and "T = 5 and at T = 10" in rows[2]["note"]
    assert not list((tmp_path / "sweep").glob("sweep-two_sequence-elman-L20/trial-*.json"))
    manifest = json.loads((tmp_path / "sweep" / "skipped.json").read_text())
    skipped = {c["cell"]: c for c in manifest["cells"]}
    assert skipped["sweep-two_sequence-elman-L20"]["failed_lags"] == [5, 10]
    assert set(skipped) == {S.cell_name("two_sequence", "elman", lag) for lag in (20, 50, 100, 200, 500)}
    for lag in (5, 10):
        recs = read_trials(tmp_path / "sweep" / S.cell_name("two_sequence", "elman", lag))
        assert [r["budget"] for r in recs] == [50, 50] and not any(r["success"] for r in recs)


def test_the_table_sums_up_the_records_of_a_real_run(tmp_path):
    S.run("latch", ["multigrid_random_search", "guessing"], [5], n_trials=3, budget=400, out=tmp_path,
          progress=False)
    for row in S.table(tmp_path):
        recs = read_trials(tmp_path / "sweep" / S.cell_name(row["family"], row["method"], row["lag"]))
        wins = [r["sequences"] for r in recs if r["success"]]
        assert row["n_trials"] == 3 and row["n_success"] == len(wins) and row["rate"] == len(wins) / 3
        assert row["ci"] == S.wilson(len(wins), 3) and row["budget"] == 400 and row["status"] == "partial"
        assert row["mean_sequences"] == (np.mean(wins) if wins else None)
        assert row["median_sequences"] == (np.median(wins) if wins else None)
    assert {r["status"] for r in S.table(tmp_path, n_trials=3)} == {"stored"}
    assert any(r["n_success"] for r in S.table(tmp_path))  # guessing solves the latch at T = 5


def test_the_wilson_interval_is_the_hand_computed_one():
    # 7 of 20, z = 1.96: centre (0.35 + z^2/40) / (1 + z^2/20), half-width z / (1 + z^2/20) sqrt(.35 .65/20 + z^2/1600)
    assert S.wilson(7, 20) == pytest.approx((0.18119, 0.56715), abs=1e-5)
    assert S.wilson(0, 20) == pytest.approx((0.0, 0.16113), abs=1e-5)
    assert S.wilson(20, 20) == pytest.approx((0.83887, 1.0), abs=1e-5)


def test_the_wilson_interval_holds_the_rate_despite_rounding():
    """Unrounded, the interval always holds k / n; in floating point its ends can miss it by one ulp (10 of 10
    gave an upper end of 0.9999999999999999, and the figures' error bars went negative)."""
    for n in range(1, 101):
        for k in range(n + 1):
            low, high = S.wilson(k, n)
            assert 0.0 <= low <= k / n <= high <= 1.0, (k, n, low, high)


@pytest.mark.parametrize("kwargs, match", [
    (dict(family="nope"), "family must be one of"),
    (dict(family="latch", methods=["lstm"]), "method must be one of"),
    (dict(family="latch", lags=[7]), "lags must be among"),
    (dict(family="latch", n_trials=0), "n_trials"),
    (dict(family="latch", lags=[5], budget=0), "budget"),
    (dict(family="latch", lags=[5], workers=0), "workers"),
])
def test_bad_arguments_of_run_name_the_parameter(kwargs, match, tmp_path):
    with pytest.raises(ValueError, match=match):
        S.run(out=tmp_path, progress=False, **kwargs)


@pytest.mark.parametrize("argv, match", [
    (["--family", "nope"], "family must be one of"), (["--trials", "0"], "--trials"),
    (["--family", "adding", "--lags", "5"], "lags must be among"), (["--workers", "0"], "--workers"),
    (["--scheduler", "no where"], "--scheduler"),
])
def test_bad_arguments_of_the_command_name_the_option(argv, match, tmp_path, capsys):
    assert cli.main(["sweep", "--out", str(tmp_path), *argv]) == 2
    assert match in capsys.readouterr().err


def test_check_reproduces_a_stored_trial(tmp_path, capsys):
    args = ["sweep", "--family", "two_sequence", "--method", "rtrl", "--lags", "5", "--trials", "2", "--out",
            str(tmp_path), "--no-progress"]
    assert cli.main([*args, "--budget", "2000"]) == 0
    assert "sweep-two_sequence-rtrl-L5:" in capsys.readouterr().out
    assert cli.main([*args, "--check", "2000"]) == 0
    out = capsys.readouterr().out
    assert out.count("same (the whole record") == 2
    assert cli.main([*args, "--lags", "10", "--check", "2000"]) == 2  # --lags given twice: the last, not stored
    assert "none of the 1 chosen cells has 2 stored trials" in capsys.readouterr().err
