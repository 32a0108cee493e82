"""The study of Bengio et al.'s alternatives and random guessing (lstm_edu.bengio_study) on the one runner:
its entries, its records, reruns of stored trials, and the migration of the old records."""

import importlib.util
import io
import json
import subprocess
import tarfile

import numpy as np
import pytest

from conftest import ROOT
from lstm_edu import bengio_study as B
from lstm_edu import runner
from lstm_edu.results import OUTCOME_FIELDS, RESULTS_DIR, validate

#: The last commit that holds the records in the old layout (results/alternatives/{comparison,guessing}).
OLD_LAYOUT = "367708d"
#: Fields of a record that two identical runs may differ in.
RUN_FIELDS = ("run", "code_version")


def _stored(name, seed):
    return json.loads((RESULTS_DIR / B.STUDY / name / f"trial-{seed:06d}.json").read_text())


def _without_run(record):
    return {k: v for k, v in record.items() if k not in RUN_FIELDS}


def test_entries_name_every_cell_and_variant():
    assert len(B.ENTRIES) == len(B.TASKS) * len(B.LENGTHS) * len(B.METHODS) + len(B.GUESSING) == 126
    cell = B.ENTRIES["latch-T5-simulated_annealing"]
    assert (cell.study, cell.method, cell.task["T"], cell.n_trials) == ("alternatives", "simulated_annealing", 5, 20)
    assert cell.budget == 1000 * 20 and cell.evaluations == B.EVALUATIONS
    guess = B.ENTRIES["guessing-parity_A1"]
    assert (guess.method, guess.n_trials, guess.budget, guess.paper) == ("random_guessing", 10, 20_000 * 100,
                                                                         {"mean_guesses": 2906})
    assert len({c.seed_prefix for c in B.ENTRIES.values()}) == len(B.TASKS) * len(B.LENGTHS) + len(B.GUESSING)
    assert B.cell_name("two_sequence", 200, "gradient_descent") in B.ENTRIES
    few = B.ENTRIES["guessing-latch_II_train3"]
    assert (few.n_train, few.budget, few.task["n_train"], few.seed_prefix) == (3, 30_000, 3, (108,))
    order = B.ENTRIES["guessing-parity_A2_sequential"]
    assert (order.task["order"], order.task["readout_steps"]) == ("sequential", 0)
    assert order.make(0, 2)[0].config.order == "sequential" and "order" not in B.ENTRIES["guessing-parity_A2"].task
    assert B.ENTRIES["guessing-latch_I_equal"].task["lengths"] == [500, 500]


def test_guessing_variants_draw_the_data_their_reading_says():
    """Equal lengths: every sequence 500 steps; the sequential parity: no read-out step, the first ``n``
    elements as in the synchronous task's (same seed); A1 without output bias: 7 free weights."""
    _, equal = B.guessing_variant("latch_II_equal", 3, 20)
    assert np.all(equal.lengths == 500)
    (sync, sync_data), (seq, seq_data) = (B.guessing_variant(v, 3, 20) for v in ("parity_A1", "parity_A1_sequential"))
    assert np.array_equal(sync_data.lengths, seq_data.lengths + 1)
    assert np.array_equal(sync_data.x[:, :-1], seq_data.x) and np.array_equal(sync_data.labels, seq_data.labels)
    assert (sync.config.order, seq.config.order, sync.n_free, seq.n_free) == ("synchronous", "sequential", 8, 8)
    unbiased = B.guessing_variant("parity_A1_sequential_unbiased", 3, 2)[0]
    assert unbiased.n_free == 7 and not unbiased.free[1, 0]
    no_out_self = B.guessing_variant("parity_A2_sequential_no_output_self", 3, 2)[0]
    assert no_out_self.n_free == 4 * 10 + 12 and not no_out_self.free[10, 12]


def test_every_stored_entry_is_complete_and_valid():
    """Every entry has its trials stored, each a schema-1 record at its own path, nothing else lies there."""
    folders = {p.name for p in (RESULTS_DIR / B.STUDY).iterdir() if p.is_dir()}
    assert folders == set(B.ENTRIES)
    for name, cell in B.ENTRIES.items():
        paths = sorted((RESULTS_DIR / B.STUDY / name).glob("*.json"))
        assert [p.name for p in paths] == [f"trial-{s:06d}.json" for s in range(cell.n_trials)]
        for p in paths:
            r = validate(json.loads(p.read_text()), p)
            assert r["budget"] == cell.budget and r["method"] == B.LABELS[cell.method]
            assert r["success"] == (r["milestones"]["solved_training"] and r["test"]["wrong"] == 0)


SAMPLE = [B.cell_name(task, 5, m) for task in B.TASKS for m in B.METHODS] + \
    ["two_sequence-T20-simulated_annealing", "guessing-latch_I", "guessing-latch_II", "guessing-latch_II_train3"]


@pytest.mark.parametrize("name", SAMPLE)
def test_rerun_through_the_runner_gives_the_stored_records(name, tmp_path):
    """Every trial of the cell, rerun by the runner now, equals its stored (migrated) record in every field
    but the run's timing and code version: all outcome fields to the last bit."""
    cell = B.ENTRIES[name]
    for path in runner.run(cell, out=tmp_path, batch=7, progress=False):
        fresh = json.loads(path.read_text())
        assert _without_run(fresh) == _without_run(_stored(name, fresh["seed"]))


@pytest.mark.parametrize("name", ["guessing-parity_A1", "guessing-parity_A2_no_self_sequential"])
def test_check_of_a_solved_parity_guessing_run(name):
    """runner.check reruns run 0 of parity A1 (solved after 423 guesses) and of A2 without hidden
    self-connections in the sequential order within its sequences: the same."""
    report = runner.check(B.ENTRIES[name], _stored(name, 0)["sequences"], n_trials=1, progress=False)
    assert [r["equal"] for r in report] == [True], report


@pytest.mark.parametrize("name, budget", [("latch-T10-simulated_annealing", 1100),
                                          ("guessing-latch_II", 300), ("guessing-latch_I", 112)])
def test_a_smaller_budget_keeps_every_trial_that_fits(name, budget):
    """Under a budget below the stored one, every trial whose stored sequences fit is the same, and every
    other stops within the budget, unsolved."""
    cell = B.ENTRIES[name]
    outcome, accuracy = cell.run_trials(range(cell.n_trials), budget)
    stored = [_stored(name, s) for s in range(cell.n_trials)]
    fits = np.array([r["sequences"] <= budget for r in stored])
    assert 0 < fits.sum() < cell.n_trials
    assert outcome.sequences[fits].tolist() == [r["sequences"] for r, f in zip(stored, fits) if f]
    assert outcome.theta[fits].tolist() == [r["weights"]["theta"] for r, f in zip(stored, fits) if f]
    assert accuracy[fits].tolist() == [r["test"]["accuracy"] for r, f in zip(stored, fits) if f]
    assert np.all(outcome.sequences <= budget) and not outcome.solved[~fits].any()


@pytest.mark.parametrize("name, budget", [("latch-T10-simulated_annealing", 1100), ("guessing-latch_II", 300)])
def test_check_under_a_smaller_budget(name, budget):
    """runner.check with fewer sequences than stored: trials that fit are compared whole, the others on
    not having solved their training set earlier; every one is the same."""
    cell = B.ENTRIES[name]
    report = runner.check(cell, budget, progress=False)
    assert all(r["equal"] for r in report), [r for r in report if not r["equal"]]
    whole = [r["compared"].startswith("the whole record") for r in report]
    assert 0 < sum(whole) < cell.n_trials
    old = _stored(name, next(r["seed"] for r, w in zip(report, whole) if not w))
    early = {**old, "success": False, "milestones": {"evaluations": 3, "solved_training": True}}
    assert "solved training True" in cell.went_on(old, early, budget)[1]


def test_trainer_follows_the_runner_protocol(tmp_path):
    cell = B.ENTRIES["latch-T5-random_guessing"]
    trainer = cell.start([4, 5, 6], cell.budget, "v1")
    trainer.save(tmp_path / "chunk.npz")
    again = cell.resume(tmp_path / "chunk.npz", "v2", cell.budget)
    assert (again.seeds, again.chunk_seeds, again.n_seen, again.version) == ([4, 5, 6], [4, 5, 6], 0, "v2")
    stop, diverged = trainer.step()
    assert trainer.n_seen == cell.budget and not diverged.any() and stop.dtype == bool
    records = [trainer.finish(p, bool(stop[p]), False) for p in range(3)]
    trainer.keep([2])
    assert trainer.seeds == [6] and trainer.finish(0, bool(stop[2]), False) == records[2]
    for r in records:
        assert _without_run(r) == _without_run({**_stored(cell.name, r["seed"]), "code_version": "v1"})
        assert r["run"]["batch"] == 3


def test_summarise_counts_success_and_cost():
    def rec(success, solved, evaluations):
        return {"success": success, "sequences": 20 * evaluations, "test": {"wrong": 0 if success else 3},
                "milestones": {"evaluations": evaluations, "solved_training": solved}}

    row = B.summarise([rec(True, True, 10), rec(False, True, 50), rec(True, True, 30), rec(False, False, 70)])
    assert row["n"] == 4 and row["success_rate"] == 0.5 and row["solved_rate"] == 0.75
    assert row["evaluations_successful"] == 20.0 and row["evaluations_all"] == 40.0
    assert row["sequences_successful"] == 400.0 and row["n_solved"] == 3
    assert row["evaluations_solved"] == 30.0 and row["median_evaluations_solved"] == 30.0
    assert row["evaluations_per_solution"] == 160 / 3 and row["test_ok"] == 2 / 3
    none = B.summarise([rec(False, False, 70)])
    assert np.isnan(none["evaluations_successful"]) and none["evaluations_per_solution"] == np.inf


def test_per_solution_interval_is_a_bootstrap_of_the_ratio():
    """Equal trials: a point; geometric counts of mean 50 (400 trials, some cut off at 120 guesses): the 95%
    interval holds 50 and is about +-10% wide (1.96 / sqrt(400)); no solution: inf."""
    def rec(evaluations, solved=True):
        return {"milestones": {"evaluations": int(evaluations), "solved_training": bool(solved)}}

    assert B.per_solution_interval([rec(7)] * 5) == (7.0, 7.0)
    counts = np.random.default_rng(1).geometric(1 / 50, size=400)
    low, high = B.per_solution_interval([rec(min(c, 120), c <= 120) for c in counts])
    assert low < 50 < high and 0.15 < (high - low) / 50 < 0.25
    assert B.per_solution_interval([rec(9, False)] * 3) == (np.inf, np.inf)


def test_a2_masks():
    with_self, without = B._a2_mask(True), B._a2_mask(False)
    assert with_self.shape == (11, 13)
    assert np.array_equal(with_self[:10].sum(axis=1), np.full(10, 4.0))  # bias, input, output, self
    assert np.array_equal(without[:10].sum(axis=1), np.full(10, 3.0))
    assert np.all(with_self[10] == 1.0) and np.all(np.diag(without[:10, 2:12]) == 0.0)
    no_output_self = B._a2_mask(True, output_self=False)
    assert no_output_self[10, 12] == 0.0 and np.array_equal(no_output_self[:, :12], with_self[:, :12])


@pytest.mark.parametrize("call, match", [
    (lambda: B.comparison_task("adding", 5, 0, 2), "task must be one of"),
    (lambda: B.guessing_variant("parity_A3", 0, 2), "name must be one of"),
    (lambda: B.records("latch-T7-gradient_descent"), "name must be one of"),
    (lambda: B.ENTRIES["latch-T5-gradient_descent"].run_trials([0], budget=19), "budget must be at least"),
    (lambda: B.ENTRIES["latch-T5-gradient_descent"].run_trials([-1]), "seed must be"),
    (lambda: B.per_solution_interval([], 0.95), "recs must hold"),
    (lambda: B.per_solution_interval([{}], 1.5), "level must be between"),
])
def test_bad_inputs_raise(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def _old_records(tmp_path):
    """The records in the old layout, extracted from git into ``tmp_path/results``."""
    try:
        archive = subprocess.run(["git", "archive", OLD_LAYOUT, "results/alternatives"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"the old records need the git history (commit {OLD_LAYOUT})")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp_path, filter="data")
    return tmp_path / "results"


def test_migration_kept_every_outcome_value(tmp_path):
    """results/migrate.py, run again on the old records, makes exactly the stored records; and every
    migrated record holds its old record's values, bit for bit."""
    old_root = _old_records(tmp_path)
    old = {p.relative_to(old_root).as_posix(): json.loads(p.read_text())
           for p in sorted((old_root / "alternatives").glob("*/*.json"))}
    assert len(old) == 2270
    spec = importlib.util.spec_from_file_location("migrate", ROOT / "results" / "migrate.py")
    migrate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migrate)
    assert migrate.migrate_alternatives(old_root) == {"migrated": 2270, "unchanged": 0}
    assert migrate.migrate_alternatives(old_root) == {"migrated": 0, "unchanged": 2270}  # twice: nothing to do
    made = sorted((old_root / "alternatives").glob("*/trial-*.json"))
    assert len({p.parent.name for p in made}) == len(B.ENTRIES) - len(B.GUESSING) + 5
    stored = sorted(p for p in (RESULTS_DIR / "alternatives").glob("*/trial-*.json")  # not the later runs
                    if "migrated_from" in json.loads(p.read_text())["run"])
    assert [p.relative_to(old_root) for p in made] == [p.relative_to(RESULTS_DIR) for p in stored]
    for a, b in zip(made, stored):
        assert a.read_bytes() == b.read_bytes()
    for path, o in old.items():
        new = json.loads((RESULTS_DIR / _new_path(o)).read_text())
        assert new["run"]["migrated_from"] == path
        assert (new["success"], new["sequences"], new["milestones"]["evaluations"],
                new["milestones"]["solved_training"], new["test"]["accuracy"], new["weights"]["theta"],
                new["code_version"], new["budget"]) == \
            (o["success"], o["sequences"], o["evaluations"], o["solved_training"], o["test_accuracy"], o["theta"],
             o["code_version"], o["budget"] * o["config"]["n_train"])
        assert new["configuration"]["settings"] == o["config"]["settings"]
        assert new["criteria"]["tolerance"] == o["config"]["tolerance"]


def _new_path(old):
    c = old["config"]
    name = B.guessing_name(c["variant"]) if "variant" in c else B.cell_name(c["task"], c["T"], c["method"])
    return f"alternatives/{name}/trial-{old['seed']:06d}.json"
