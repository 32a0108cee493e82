"""The competitor rows as runner entries (lstm_edu.competitors): the paper's settings, records, resume, check."""

import json

import numpy as np
import pytest

from lstm_edu import competitors, registry, runner
from lstm_edu.experiments import reber_task
from lstm_edu.results import read_trials


def test_rows_follow_the_paper():
    rows = competitors.ENTRIES
    assert registry.study_names("competitors")[:len(rows)] == list(rows)
    for row in rows.values():
        assert row.config.n_weights == row.paper.get("weights", 10404)
        assert row.n_trials == (30 if row.experiment == "1" else 18)
        assert row.curve_every % row.check_every == 0
    assert [rows[f"2a-rtrl-p4-a{a}"].learning_rate for a in (1, 4, 10)] == [1.0, 4.0, 10.0]
    assert rows["1-rtrl-3"].learning_rate == 0.05 and rows["1-rtrl-12"].learning_rate == 0.1
    assert rows["1-elman-15"].h == 1 and rows["2a-bptt-p100"].h is None
    assert rows["2a-rtrl-p10"].budget == 5_000_000 and rows["1-rtrl-3"].budget >= 20 * 18_694
    assert rows["2a-rtrl-p100"].budget == 20 * 5040 and rows["2b-bptt-p100"].budget == 20 * 5680


def test_table1_trials_use_lstms_training_and_test_sets():
    trials = competitors.ENTRIES["1-rtrl-3"].start([0, 13], 1000, "test")
    for task, seed in zip(trials.tasks, (0, 13)):
        np.testing.assert_array_equal(task.fixed_test.x, reber_task(seed).fixed_test.x)


@pytest.mark.parametrize("name, trials, budget", [("1-elman-15", 2, 1000), ("2a-rtrl-p4-a10", 2, 2500),
                                                  ("2b-bptt-p100", 1, 100)])
def test_records_of_a_short_run(tmp_path, name, trials, budget):
    row = competitors.ENTRIES[name]
    paths = runner.run(row, trials, budget, 0, tmp_path, progress=False)
    records = read_trials(paths[0].parent)
    assert [r["seed"] for r in records] == list(range(trials))
    for r in records:
        assert not r["success"] and r["sequences"] == budget and r["budget"] == budget
        assert r["configuration"]["n_weights"] == row.config.n_weights and r["label"] == row.label
        assert len(r["curve"]["mean_loss"]) == budget // row.curve_every
        assert r["test"]["n"] == {"1": r["test"]["n"], "2a": 2, "2b": 10_000}[row.experiment]
        assert (r["weights"] is None) == (row.config.n_weights > 1000)
    if name == "2a-rtrl-p4-a10":  # the budget's last, clipped step trains on part of a full step's draw
        report = runner.check(row, 2000, trials, 0, tmp_path, progress=False)
        assert all(r["equal"] for r in report), report


def test_a_resumed_chunk_ends_as_an_uninterrupted_one(tmp_path):
    row = competitors.ENTRIES["2a-rtrl-p4-a1"]
    whole = row.start([3, 4], 3000, "v")
    for _ in range(3):
        whole.step()
    part = row.start([3, 4], 3000, "v")
    part.step()
    part.save(tmp_path / "chunk.npz")
    resumed = row.resume(tmp_path / "chunk.npz", "v", 3000)
    resumed.step(), resumed.step()
    np.testing.assert_array_equal(resumed.W, whole.W)
    a, b = resumed.finish(1, False, False), whole.finish(1, False, False)
    assert {k: a[k] for k in ("curve", "test", "sequences")} == {k: b[k] for k in ("curve", "test", "sequences")}
    resumed.keep([1])
    assert resumed.seeds == [4] and resumed.W.shape[0] == 1


def test_a_broken_checkpoint_is_refused(tmp_path):
    row = competitors.ENTRIES["2a-rtrl-p4-a1"]
    trials = row.start([0, 1], 1000, "v")
    trials.save(tmp_path / "chunk.npz")
    with np.load(tmp_path / "chunk.npz") as data:
        meta = json.loads(str(data["meta"]))
        meta["seeds"] = [0]
        np.savez(tmp_path / "bad.npz", meta=np.array(json.dumps(meta)), W=data["W"], curve_sum=data["curve_sum"])
    with pytest.raises(ValueError, match="metadata disagrees"):
        row.resume(tmp_path / "bad.npz", "v", 1000)
