"""The reproduction summary: statuses and figures from synthetic records, and the command line."""

import json

import numpy as np
import pytest

from lstm_edu import __main__ as cli
from lstm_edu import reproduction as R
from trial_records import write_trial


def _write(out, name, outcomes):
    """One record per (success, sequences) pair, shaped like the runner's."""
    for seed, (success, sequences) in enumerate(outcomes):
        write_trial(out, name, seed, {
            "experiment": name, "seed": seed, "success": success, "sequences": sequences, "budget": 160_000,
            "milestones": {} if success or sequences == 160_000 else {"diverged": sequences},
            "test": {"n": 2560, "wrong": 2 * seed, "mse": 0.01, "mean_abs_error": 0.05} if success else None,
            "code_version": "0.1.0+gabc", "curve": {"every": 1000, "mean_loss": [0.4, 0.1]},
            "run": {"batch": 2, "seconds": 10.0 * (seed + 1)}})


def test_paper_figures_of_rows():
    assert R.paper_sequences("6a") == 31390 and R.paper_sequences("3a-T100-N3") == 39850
    assert R.paper_sequences("3c-T100-N1") == 565640 and R.paper_success_percent("1-3") == 97
    assert R.paper_success_percent("4-1") == 100


@pytest.mark.parametrize("outcomes, status", [
    ([(True, 30000)] * 20, "reproduced"),
    ([(True, 62780)] * 20, "reproduced"),              # exactly twice the paper's 31,390
    ([(True, 62781)] * 20, "slower"),
    ([(True, 20000)] * 19 + [(False, 160_000)], "fewer successes"),
])
def test_status_follows_the_books_target(tmp_path, outcomes, status):
    _write(tmp_path, "6a", outcomes)
    row = R.row_summary("6a", tmp_path)
    assert row["status"] == status and not row["partial"]
    assert row["ours"]["trials"] == 20 and row["paper"]["sequences_mean"] == 31390


def test_figures_and_partial_rows(tmp_path):
    _write(tmp_path, "6a", [(True, 10000), (True, 30000), (False, 1234)])
    o = R.row_summary("6a", tmp_path)
    assert o["partial"] and o["status"] == "fewer successes"
    ours = o["ours"]
    assert ours["successes"] == 2 and ours["success_percent"] == pytest.approx(200 / 3)
    assert (ours["sequences_mean"], ours["sequences_min"], ours["sequences_max"]) == (20000, 10000, 30000)
    assert ours["test_wrong_mean"] == 1 and ours["diverged"] == 1 and ours["budgets"] == [160_000]
    assert ours["wall_seconds"] == 20 + 30  # chunks {0, 1} and {2}: the last finish of each
    assert R.row_summary("6b", tmp_path)["status"] == "not run" and not R.row_summary("6b", tmp_path)["capped"]
    assert not o["capped"]  # 160,000 is row 6a's default budget
    _write(tmp_path, "6b", [(False, 160_000)] * 10)  # row 6b's default is 2,900,000: these ran under a cap
    capped = R.row_summary("6b", tmp_path)
    assert capped["capped"] and not capped["partial"] and capped["default_budget"] == 2_900_000
    assert R.table_rows([capped])[1][-1] == "fewer successes (capped budget)"


def test_summary_command_prints_every_row(tmp_path, capsys):
    _write(tmp_path, "6a", [(True, 30000)] * 20)
    assert cli.main(["summary", "--json", "--out", str(tmp_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    lstm = [r for r in rows if r["study"] == "lstm1997"]
    assert [r["experiment"] for r in rows][:2] == ["1-1", "1-2"] and len(lstm) == 31 and rows[:31] == lstm
    assert {r["experiment"]: r["status"] for r in rows}["6a"] == "reproduced"
    assert cli.main(["summary", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "6a" in text and "1 reproduced" in text and "30 not run" in text
    table = R.markdown_table(R.table_rows(lstm[-2:]))
    assert table.count("\n") == 3 and "| 6a |" in table


def _write_competitor(out, name, outcomes):
    """Records of competitor entry ``name``, one per (success, sequences) pair, with the entry's own fields."""
    from lstm_edu.competitors import ENTRIES
    from lstm_edu.results import SCHEMA, validate, write_record
    from lstm_edu.runner import record_path
    row = ENTRIES[name]
    for seed, (success, sequences) in enumerate(outcomes):
        path = record_path(out, "competitors", name, seed)
        record = {"schema": SCHEMA, "study": "competitors", "experiment": name, "seed": seed, "budget": row.budget,
                  "success": success, "sequences": sequences, "milestones": {}, "test": None, "curve": None,
                  "weights": None, **row.record_fields(), "code_version": "0.1.0+gabc",
                  "run": {"batch": 18, "seconds": 5.0}}
        write_record(path, validate(record, path))


@pytest.mark.parametrize("name, outcomes, status", [
    ("2a-rtrl-p4-a1", [(True, 900_000)] * 14 + [(False, 5_000_000)] * 4, "as in the paper"),  # 78% vs 78%
    ("2a-rtrl-p4-a1", [(True, 900_000)] * 9 + [(False, 5_000_000)] * 9, "fewer successes"),  # 50% vs 78%
    ("2a-rtrl-p4-a10", [(True, 90_000)] * 9 + [(False, 5_000_000)] * 9, "more successes"),  # 50% vs 22%
    ("2a-rtrl-p10", [(False, 5_000_000)] * 18, "as in the paper"),
    ("1-rtrl-3", [(True, 100_000)] * 3 + [(False, 400_000)] * 27, "as in the paper"),  # "some fraction"
    ("1-rtrl-3", [(False, 400_000)] * 30, "fewer successes"),
    ("1-rtrl-12", [(True, 20_000)] * 30, "more successes"),
])
def test_competitor_status_against_the_papers_rate(tmp_path, name, outcomes, status):
    _write_competitor(tmp_path, name, outcomes)
    row = R.competitor_row_summary(name, tmp_path)
    assert row["status"] == status and not row["partial"] and not row["capped"]
    assert row["ours"]["trials"] == len(outcomes) and row["ours"]["weights"] == row["paper"]["weights"]
    assert [x["experiment"] for x in row["lstm"]] == list(R.registry.entry(name).lstm_rows)


def test_competitor_rows_in_the_summary_command(tmp_path, capsys):
    _write(tmp_path, "2a", [(True, 5000)] * 18)
    _write_competitor(tmp_path, "2a-rtrl-p10", [(False, 5_000_000)] * 9)
    assert R.competitor_row_summary("2a-bptt-p100", tmp_path)["status"] == "not run"
    assert cli.main(["summary", "--json", "--out", str(tmp_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    competitors = {r["experiment"]: r for r in rows if r["study"] == "competitors"}
    assert set(R.registry.study_names("competitors")) == set(competitors)
    p10 = competitors["2a-rtrl-p10"]
    assert p10["partial"] and p10["status"] == "as in the paper" and p10["paper"]["success_after_more_than"] == 5e6
    assert p10["lstm"][0] == {"experiment": "2a", "success_percent": 100.0, "sequences_mean": 5000.0,
                              "paper_success_percent": 100.0, "paper_sequences_mean": 5040}
    assert cli.main(["summary", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "2a-rtrl-p10" in text and "1 as in the paper" in text
    table = R.markdown_table(R.competitor_table_rows([p10]))
    assert "| 0 (0) | - (>5,000,000) | 100 (100) | as in the paper (partial) |" in table
    with pytest.raises(ValueError, match="name must be an entry of the study 'competitors'"):
        R.competitor_row_summary("2a", tmp_path)


# ------------------------------------------------------------------------------------------------ verdict
from lstm_edu import diagnostics, diagnostics_456, verdict as V  # noqa: E402


@pytest.mark.parametrize("rate, k, n, expected", [
    (0.95, 20, 20, 0.95 ** 20), (0.5, 1, 2, 0.75), (0.0, 1, 10, 0.0), (1.0, 29, 30, 1.0)])
def test_tail_probability(rate, k, n, expected):
    assert V.tail_probability(rate, k, n) == pytest.approx(expected)


@pytest.mark.parametrize("outcomes, verdict", [
    ([(True, 30000)] * 19 + [(False, 160_000)], "reproduced as written"),   # 0.95^20 = 0.36 >= 0.025
    ([(True, 30000)] * 17 + [(False, 160_000)] * 3, "reproduced as written"),  # 0.85^20 = 0.039
    ([(True, 30000)] * 16 + [(False, 160_000)] * 4, "not reproduced"),      # 0.8^20 = 0.012
    ([(True, 62781)] * 20, "not reproduced"),                               # more than twice 31,390
])
def test_verdict_of_a_row_follows_the_interval_and_the_speed_rule(tmp_path, outcomes, verdict):
    _write(tmp_path, "6a", outcomes)
    found = V.row_verdict("6a", tmp_path)
    assert found["verdict"] == verdict and (found["paper_successes"], found["paper_trials"]) == (20, 20)
    assert found["closest"]["experiment"] == "6a" and found["reading"] is None and found["variants"] == []
    assert (found["learned_trials"], found["learned_mean"]) == (0, None)  # row 6a's rule names it; none reached


def test_verdict_under_a_reading_and_the_closest_result(tmp_path):
    _write(tmp_path, "2c-1", [(True, 30000)] * 10 + [(False, 150_000)] * 10)
    _write(tmp_path, "2c-1_caption", [(True, 50000)] * 20)
    found = V.row_verdict("2c-1", tmp_path)
    assert found["verdict"] == "reproduced under a reading"
    assert found["reading"] == "Table 10's caption's ranges of g and h" == V.reading("2c-1_caption")
    assert found["cause"]["where"] == "/book/experiments/long_lags"
    assert found["closest"] == {"experiment": "2c-1_caption", "trials": 20, "successes": 20,
                                "success_percent": 100.0, "sequences_mean": 50000.0, "agrees": True,
                                "reading": "Table 10's caption's ranges of g and h"}
    _write(tmp_path, "2c-1_caption", [(True, 70000)] * 20)  # 20 of 20, but more than twice 30,000
    found = V.row_verdict("2c-1", tmp_path)
    assert found["verdict"] == "not reproduced" and found["reading"] is None and found["cause"] is None
    assert found["closest"]["experiment"] == "2c-1_caption" and found["strict_mean"] == 30000
    assert V.row_verdict("2a", tmp_path)["verdict"] == "not run"
    counts = V.counts(V.verdicts(tmp_path))
    assert counts == {"reproduced as written": 0, "reproduced under a reading": 0, "not reproduced": 1,
                      "not run": 30}
    table = V.table_rows(V.verdicts(tmp_path, ["2c-1"]), tmp_path)
    assert table[1][:4] == ["2c-1", "20 of 20, mean 30,000", "10 of 20, mean 30,000", "not reproduced"]
    assert table[1][4].startswith("closest: Table 10's caption's ranges of g and h, 20 of 20, mean 70,000")
    # the closest variant's cause, measured on the initial nets of the row and of the variant
    (caption,) = V.verdicts(tmp_path, ["2c-1"])[0]["variants"]
    figures = caption["cause"]["measured"]
    assert figures["row"] == diagnostics.reach_at_the_trigger("2c-1")
    assert figures["variant"] == diagnostics.reach_at_the_trigger("2c-1", squashing="caption")
    assert figures["variant"]["median_state"] < figures["row"]["median_state"]
    assert table[1][4].endswith("; measured: " + figures["text"])
    assert f"median |s_c| {figures['row']['median_state']:.1f} as written" in figures["text"]


def test_measured_causes_where_a_function_measures_them(tmp_path):
    """Experiment 1's caption reading: the share of saturated cells at the memory step, over the stored
    trials of the row and of the variant, once both are stored; readings no function measures: None."""
    assert V.measured("1-4_zero", tmp_path) is None and V.cause("1-4_zero", tmp_path)["measured"] is None
    assert V.measured("1-5_caption", tmp_path) is None                    # no records in tmp_path
    assert V.cause("4-1_long") is None
    assert V.cause("1-4_zero")["where"] == "/book/lstm/abuse_drift" and V.cause("1-5_igb") is None  # by row
    with pytest.raises(ValueError, match="name must be a variant"):
        V.measured("1-5")
    for name in ("5-13_igb", "5-13_igb_alpha", "5-13_caption"):           # Experiment 5: drift of untrained nets
        found = V.cause(name, tmp_path)
        assert found["where"] == "/book/experiments/multiplication"
        assert found["measured"]["row"] == diagnostics_456.drift_at_the_end("5-13")
        assert found["measured"]["variant"] == diagnostics_456.drift_at_the_end(name)
        assert found["measured"]["text"].startswith(
            f"at the end of a sequence, on the untrained nets, median |s_c| "
            f"{found['measured']['row']['median_state']:.2f} as written")
    found = V.measured("1-5_caption")
    if found is not None:                                                  # both stored in results/
        for key, name in (("row", "1-5"), ("variant", "1-5_caption")):
            recs = R.records(name)
            assert found[key]["saturated"] == pytest.approx(np.mean([diagnostics.saturated_share(r) for r in recs]))


def test_learned_milestone_and_readings_of_variants(tmp_path):
    for seed, learned in enumerate((50_000, None, 70_000)):
        write_trial(tmp_path, "4-1", seed, {"success": False, "sequences": 370_000, "budget": 370_000,
                                            "milestones": {} if learned is None else {"learned": learned}})
    found = V.row_verdict("4-1", tmp_path)
    assert (found["learned_trials"], found["learned_mean"], found["strict_mean"]) == (2, 60000.0, None)
    assert "learned: 2 of 3, mean 60,000" in V.table_rows([found], tmp_path)[1][2]
    assert V.reading("4-1_long") == "a budget of 1,100,000 sequences instead of 370,000"
    assert V.reading("2c-3_igb") == "input gates' biases -2" and V.reading("1-4_zero") == "output gates' biases 0"
    assert V.variants_of("1-4") == ["1-4_caption", "1-4_zero", "1-4_sequential"]
    with pytest.raises(ValueError, match="name must be a variant"):
        V.reading("4-1")
    with pytest.raises(ValueError, match="name must be a row of experiments.EXPERIMENTS"):
        V.row_verdict("4-1_long", tmp_path)


def test_summary_json_carries_the_verdict(tmp_path, capsys):
    _write(tmp_path, "6a", [(True, 30000)] * 19 + [(False, 160_000)])
    assert cli.main(["summary", "--json", "--out", str(tmp_path)]) == 0
    rows = {r["experiment"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["6a"]["verdict"] == "reproduced as written" and rows["6a"]["status"] == "fewer successes"
    for key in ("verdict", "reading", "cause", "closest", "learned_trials", "learned_mean", "strict_mean", "capped",
                "paper_successes", "variants"):
        assert key in rows["6a"] and key in rows["1-1"], key
    assert rows["1-1"]["verdict"] == "not run"
    assert cli.main(["summary", "--out", str(tmp_path)]) == 0
    assert "1 reproduced as written; 0 reproduced under a reading; 0 not reproduced; 30 not run" in (
        capsys.readouterr().out)


def test_the_evidence_functions_measure_agreement():
    """The reference and the engine against autograd, and against each other after training (rows 4-1, 1-5)."""
    for name in ("4-1", "1-5"):
        grad = V.gradient_check(name, seeds=(0, 1))
        assert set(grad) == {"numpy", "compiled"} and max(grad.values()) < 1e-12, grad
        assert 0 <= V.twin_check(name, sequences=5, seeds=(0, 1)) < 1e-12
    with pytest.raises(ValueError, match="sequences"):
        V.twin_check("4-1", sequences=0)


def test_twin_difference_trains_copies_and_finds_rounding():
    """verdict.twin_difference: both engines on the same batches under either schedule agree to rounding,
    and the given nets stay untouched."""
    from lstm_edu import lstm1997
    net = lstm1997.build("4-1", n_networks=2, seed=3)
    before = net.w_hidden.copy()
    gen = np.random.default_rng(5)
    batches = [(gen.normal(size=(2, 12, 2)), gen.uniform(size=(2, 12, 1)), lstm1997.every_step_mask(2, 12))
               for _ in range(4)]
    for schedule in ("sequence", "step"):
        assert 0 <= V.twin_difference(net, batches, schedule=schedule) < 1e-12
    assert np.array_equal(net.w_hidden, before)
    with pytest.raises(ValueError, match="schedule"):
        V.twin_difference(net, batches, schedule="epoch")
