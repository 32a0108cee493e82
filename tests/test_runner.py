"""The runner (lstm_edu.runner): records, chunks, checkpoints, resuming after a kill, budgets, --check."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from lstm_edu import __main__ as cli
from lstm_edu import experiments as E
from lstm_edu import lstm_trials as T
from lstm_edu import runner as R

ROOT = Path(__file__).resolve().parent.parent

#: An experiment built for the resume test: the adding problem's net with the periodic ABS test of
#: Experiment 2 and a loose bound, so that trials stop at different sequence counts (10, 20, ...) or
#: run out of budget: trials leave their chunk at different times.
MIXED = ("import dataclasses, sys; import lstm_edu.experiments as E; "
         "E.EXPERIMENTS['mixed'] = dataclasses.replace(E.EXPERIMENTS['4-1'], name='mixed', stop='abs_test', "
         "success_bound=0.35, check_every=10, check_size=10, test_size=40, eval_chunk=40, curve_every=10)")


def _mixed(monkeypatch):
    namespace = {}
    exec(MIXED.replace("E.EXPERIMENTS['mixed'] =", "mixed ="), namespace)
    monkeypatch.setitem(E.EXPERIMENTS, "mixed", namespace["mixed"])


def test_trials_stop_early_and_records_say_so(tmp_path, monkeypatch):
    _mixed(monkeypatch)
    paths = E.run("mixed", n_trials=6, budget=60, out=tmp_path, batch=3, progress=False)
    records = [json.loads(p.read_text()) for p in paths]
    assert [r["seed"] for r in records] == list(range(6))
    for r in records:
        assert r["budget"] == 60 and r["experiment"] == "mixed" and r["configuration"]["name"] == "4-1"
        if r["success"]:  # stopped at a periodic test that it passed
            assert r["sequences"] % 10 == 0 and r["milestones"]["tests"] >= 1
        else:
            assert r["sequences"] == 60
        assert r["test"]["n"] == 40
        assert r["code_version"].startswith("0.")
        curve = r["curve"]["mean_loss"]  # one point per 10 sequences, the mean training error E
        assert r["curve"]["every"] == 10 and len(curve) == r["sequences"] // 10
        assert all(0 < e < 0.5 for e in curve)  # E = 1/2 (t - y)^2 with t, y in [0, 1]
        net = E.trained_net(r)  # the stored weights give back the trained net: its final test again
        task = E.EXPERIMENTS["mixed"].make(r["seed"])
        test_gen = T.trial_streams(E.EXPERIMENTS["mixed"], r["seed"])[2]
        for _ in range(r["milestones"].get("tests", 0)):  # periodic tests drew from the test stream first
            task.test(10, test_gen)
        again = T.public(T.evaluate(E.EXPERIMENTS["mixed"], net, 0, task, test_gen, 40))
        assert again == r["test"]
    assert len({r["sequences"] for r in records}) >= 2  # trials left their chunk at different times
    assert any(r["success"] for r in records)
    assert not list((tmp_path / ".partial").rglob("*.npz"))  # no checkpoint left behind
    with pytest.raises(ValueError, match="budget must match the stored records"):
        E.run("mixed", n_trials=6, budget=70, out=tmp_path, batch=3, progress=False)


def test_a_trial_that_blows_up_ends_as_a_failure_and_the_others_go_on(tmp_path, monkeypatch):
    """A NaN put into trial 1's weights before its 5th update (as an overflow would) ends that trial as a
    failure with ``diverged`` in its record; trials 0 and 2 train on exactly as they would alone."""
    _mixed(monkeypatch)
    calls = []
    original = T.LSTM1997._train  # the trainer's call (train without the argument checks)

    def train(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 5 and self.w_hidden.shape[0] == 3:
            self.w_hidden[1, 0, 0] = np.nan
        return original(self, *args, **kwargs)

    monkeypatch.setattr(T.LSTM1997, "_train", train)
    records = [json.loads(p.read_text()) for p in E.run("mixed", n_trials=3, budget=30, out=tmp_path, batch=3,
                                                        progress=False)]
    assert not records[1]["success"] and records[1]["test"] is None
    assert records[1]["milestones"]["diverged"] == records[1]["sequences"] == 5
    for seed in (0, 2):
        alone = E.run("mixed", n_trials=1, budget=30, seed=seed, out=tmp_path / "alone", progress=False)
        mine, theirs = records[seed], json.loads(alone[0].read_text())
        assert mine["sequences"] == theirs["sequences"] and "diverged" not in mine["milestones"]
        assert mine["curve"]["mean_loss"] == theirs["curve"]["mean_loss"]


def _strip(record):
    """A record without its timing (``run``) and ``code_version``, which turns ``.dirty`` when anyone edits
    the package between the two runs (both are checked to be present)."""
    assert record["run"]["seconds"] >= 0 and record["code_version"]
    return {k: v for k, v in record.items() if k not in ("run", "code_version")}


def _records(out):
    """The records, skipping hidden files as results.read_trials does (a SIGKILL during write_record
    leaves its temporary ``.tmp-*.json`` file behind; the record itself is then simply written again)."""
    folder = out / "lstm1997" / "mixed"
    return {p.name: _strip(json.loads(p.read_text())) for p in sorted(folder.glob("[!.]*.json"))}


@pytest.mark.parametrize("checkpoint_seconds, drop_checkpoints", [(0, False), (1000, True)])
def test_a_killed_run_resumes_to_the_same_records(tmp_path, monkeypatch, checkpoint_seconds, drop_checkpoints):
    """SIGKILL once the first record exists (a trial that stopped early, mid-chunk), then resume: from the
    chunk's checkpoint, or (checkpoints deleted) by rerunning the chunk from scratch."""
    _mixed(monkeypatch)
    n, budget = 8, 400
    E.run("mixed", n_trials=n, budget=budget, out=tmp_path / "reference", batch=4, progress=False)
    reference = _records(tmp_path / "reference")
    assert len(reference) == n and len({r["sequences"] for r in reference.values()}) >= 2

    out = tmp_path / "killed"
    args = ["--trials", str(n), "--budget", str(budget), "--batch", "4", "--workers", "1", "--out", str(out),
            "--checkpoint-seconds", str(checkpoint_seconds), "--no-progress"]
    code = MIXED + "; from lstm_edu.__main__ import main; sys.exit(main(['run', 'mixed'] + sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    folder = out / "lstm1997" / "mixed"
    deadline = time.monotonic() + 120
    while not (folder.is_dir() and any(folder.glob("[!.]*.json"))):
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    written = len(list(folder.glob("[!.]*.json")))
    assert 1 <= written < n, "the run must be killed midway"
    if drop_checkpoints:
        for path in (out / ".partial").rglob("*.npz"):
            path.unlink()

    resumed = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert _records(out) == reference
    assert not list((out / ".partial").rglob("[!.]*.npz"))  # checkpoints are removed when a chunk ends


def test_bad_options_get_clear_errors(tmp_path, capsys):
    with pytest.raises(ValueError, match=r"experiment must be one of \['1-1', '1-2'"):
        E.run("7z", out=tmp_path)
    with pytest.raises(ValueError, match="trials must be an integer >= 1, got -2"):
        E.run("6a", n_trials=-2, out=tmp_path)
    with pytest.raises(ValueError, match="budget must be an integer >= 1, got 0"):
        E.run("6a", budget=0, out=tmp_path)
    with pytest.raises(ValueError, match="batch must be an integer >= 1"):
        E.run("6a", batch=0, out=tmp_path)
    assert cli.main(["run", "6c", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "experiment must be one of" in err and "'6a', '6b'" in err
    assert cli.main(["run", "6a", "--budget", "-5", "--out", str(tmp_path)]) == 2
    assert "budget must be an integer >= 1, got -5" in capsys.readouterr().err
    assert not any(tmp_path.rglob("*.json"))


def test_records_name_the_code_version_the_run_started_with(tmp_path, monkeypatch):
    """A run that lasts hours must not stamp its records with a commit checked out while it trained: the
    version is taken once, when the run starts."""
    _mixed(monkeypatch)
    versions = iter(f"0.1.0+g{k:012d}" for k in range(1000))
    monkeypatch.setattr(R, "code_version", lambda: next(versions))
    paths = E.run("mixed", n_trials=4, budget=40, out=tmp_path, batch=2, progress=False)
    assert {json.loads(p.read_text())["code_version"] for p in paths} == {"0.1.0+g000000000000"}


def _interrupted_run(out, monkeypatch, steps):
    """Run 4 trials of "mixed" (budget 200, one chunk, a checkpoint at every step) as code version
    ``0.1.0+gaaaaaaaaaaaa`` and interrupt it after ``steps`` sequences, as a kill would."""
    original, calls = T.LSTMTrials.step, []

    def step(self):
        calls.append(1)
        if len(calls) > steps:
            raise KeyboardInterrupt
        return original(self)

    monkeypatch.setattr(T.LSTMTrials, "step", step)
    monkeypatch.setattr(R, "code_version", lambda: "0.1.0+gaaaaaaaaaaaa")
    with pytest.raises(KeyboardInterrupt):
        E.run("mixed", n_trials=4, budget=200, out=out, batch=4, checkpoint_seconds=0, progress=False)
    monkeypatch.setattr(T.LSTMTrials, "step", original)


def test_a_chunk_resumed_by_other_code_names_every_version_that_trained_it(tmp_path, monkeypatch):
    """Stop a run mid-chunk (a checkpoint at every step), resume it with another code version: trials that
    ended in the first run name its version alone; trials that ended after the resume name the resuming
    version and, under ``run``, both versions in order."""
    _mixed(monkeypatch)
    _interrupted_run(tmp_path, monkeypatch, 25)
    first = {p.name for p in (tmp_path / "lstm1997" / "mixed").glob("[!.]*.json")}
    monkeypatch.setattr(R, "code_version", lambda: "0.1.0+gbbbbbbbbbbbb")
    records = {p.name: json.loads(p.read_text())
               for p in E.run("mixed", n_trials=4, budget=200, out=tmp_path, batch=4, progress=False)}
    assert first and len(first) < 4, "the first run must end some trials and leave others in the checkpoint"
    for name, record in records.items():
        if name in first:
            assert record["code_version"] == "0.1.0+gaaaaaaaaaaaa" and "code_versions" not in record["run"]
        else:
            assert record["code_version"] == "0.1.0+gbbbbbbbbbbbb"
            assert record["run"]["code_versions"] == ["0.1.0+gaaaaaaaaaaaa", "0.1.0+gbbbbbbbbbbbb"]


def test_a_checkpoint_of_another_budget_serves_while_no_trial_has_ended(tmp_path, monkeypatch):
    """Stop a budget-200 run after 8 sequences (no trial has ended yet): a run with budget 40 continues
    from its checkpoint and ends with the records of a fresh budget-40 run; the budget-200 checkpoint is
    kept. It does not serve a budget it has already reached, nor another chunk."""
    _mixed(monkeypatch)
    _interrupted_run(tmp_path, monkeypatch, 8)
    kept = tmp_path / ".partial" / "lstm1997" / "mixed" / "chunk-000000-000003-budget200.npz"
    assert kept.exists() and not list((tmp_path / "lstm1997").rglob("*.json"))
    monkeypatch.setattr(R, "code_version", lambda: "0.1.0+gbbbbbbbbbbbb")
    capped = [json.loads(p.read_text()) for p in E.run("mixed", n_trials=4, budget=40, out=tmp_path, batch=4,
                                                       progress=False)]
    fresh = [json.loads(p.read_text()) for p in E.run("mixed", n_trials=4, budget=40, out=tmp_path / "fresh",
                                                      batch=4, progress=False)]
    assert [_strip(r) for r in capped] == [_strip(r) for r in fresh]
    assert all(r["budget"] == 40 and r["run"]["code_versions"] == ["0.1.0+gaaaaaaaaaaaa", "0.1.0+gbbbbbbbbbbbb"]
               for r in capped)  # trained first by the interrupted run
    assert kept.exists() and len(list(kept.parent.glob("*.npz"))) == 1
    assert R._other_budget(E.experiment("mixed"), kept.parent, [0, 1, 2, 3], 8) is None          # it has trained 8 sequences already
    assert R._other_budget(E.experiment("mixed"), kept.parent, [0, 1, 2, 3], 9) == kept
    assert R._other_budget(E.experiment("mixed"), kept.parent, [0, 1, 2], 40) is None            # another chunk


def _edit(path, change):
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record))


def test_check_reruns_stored_trials_and_finds_a_changed_record(tmp_path, monkeypatch, capsys):
    """--check runs stored trials again up to a budget: a trial that ended within it is compared whole
    (success, sequences, milestones, test, curve, weights), one that went on by its curve and milestones so
    far. A flipped success, a changed test count, a weight one ulp off, a curve point one ulp off all show."""
    _mixed(monkeypatch)
    records = {json.loads(p.read_text())["seed"]: p
               for p in E.run("mixed", n_trials=8, budget=60, out=tmp_path, batch=4, progress=False)}
    stored = {s: json.loads(p.read_text()) for s, p in records.items()}
    ended = [s for s, r in stored.items() if r["sequences"] <= 30]
    went_on = [s for s, r in stored.items() if r["sequences"] > 30]
    assert len(ended) >= 3 and len(went_on) >= 2  # both kinds (see test_trials_stop_early_and_records_say_so)
    report = R.check(E.experiment("mixed"), 30, n_trials=8, out=tmp_path, batch=2, progress=False)
    assert [r["equal"] for r in report] == [True] * 8 and [r["seed"] for r in report] == list(range(8))
    assert all(("whole record" in r["compared"]) == (r["seed"] in ended) for r in report)
    assert all("first 3 curve points" in r["compared"] for r in report if r["seed"] in went_on)
    a, b, c = ended[:3]
    ulp = np.nextafter(stored[c]["weights"]["w_hidden"][1][2], np.inf)
    edits = {a: lambda r: r.__setitem__("success", not r["success"]),
             b: lambda r: r["test"].__setitem__("wrong", r["test"]["wrong"] + 1),
             c: lambda r: r["weights"]["w_hidden"][1].__setitem__(2, float(ulp)),
             went_on[0]: lambda r: r["curve"]["mean_loss"].__setitem__(1, float(np.nextafter(
                 r["curve"]["mean_loss"][1], 1.0)))}
    for seed, change in edits.items():
        _edit(records[seed], change)
    report = {r["seed"]: r for r in R.check(E.experiment("mixed"), 30, n_trials=8, out=tmp_path, progress=False)}
    assert report[a]["difference"] == f"success: stored {not stored[a]['success']}, now {stored[a]['success']}"
    assert report[b]["difference"] == f"test.wrong: stored {stored[b]['test']['wrong'] + 1}, now {stored[b]['test']['wrong']}"
    assert report[c]["difference"].startswith(f"weights.w_hidden[1][2]: stored {float(ulp)!r}, now")
    assert report[went_on[0]]["difference"].startswith("curve point 1 (sequences 10-20)")
    assert sum(r["equal"] for r in report.values()) == 4
    # without --trials: the 8 stored trials (the entry's count is 10), as for a variant stored with 5 of 20
    assert E.experiment("mixed").n_trials == 10
    assert cli.main(["run", "mixed", "--check", "30", "--out", str(tmp_path), "--no-progress"]) == 1
    printed = capsys.readouterr().out
    assert f"mixed trial {went_on[0]}: DIFFERENT" in printed
    assert [line.split(":")[0] for line in printed.splitlines()] == [f"mixed trial {s}" for s in range(8)]
    assert [r["seed"] for r in R.check(E.experiment("mixed"), 30, seed=5, out=tmp_path, progress=False)] == [5, 6, 7]
    assert cli.main(["run", "mixed", "--check", "30", "--trials", "1", "--seed", str(went_on[1]), "--out",
                     str(tmp_path), "--no-progress"]) == 0
    with pytest.raises(ValueError, match=r"trials \[8, 9\] of mixed have no record"):
        R.check(E.experiment("mixed"), 30, n_trials=10, out=tmp_path, progress=False)
    assert cli.main(["run", "mixed", "--check", "30", "--budget", "30", "--out", str(tmp_path)]) == 2
    assert "--budget and --check exclude each other" in capsys.readouterr().err


def test_check_help_says_what_a_short_check_cannot_see(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "compared whole: success, sequences, milestones, final test, learning curve and weights" in help_text
    assert "went on beyond them is compared only on its learning curve and milestones so far" in help_text


def test_a_trial_that_went_on_must_not_end_early_nor_lose_a_milestone():
    """The comparison of a trial that went on beyond the check's budget: its rerun may not succeed, diverge
    or stop before the budget, and every milestone the rerun reached must be the stored one."""
    old = {"seed": 3, "sequences": 500, "success": True, "milestones": {"ST1": 40, "tests": 3, "block_added": [10, 90]},
           "curve": {"every": 10, "mean_loss": [0.5, 0.4, 0.3]}}
    new = {"seed": 3, "sequences": 50, "success": False, "milestones": {"ST1": 40, "tests": 1, "block_added": [10]},
           "curve": {"every": 10, "mean_loss": [0.5, 0.4]}}
    assert R.compare(old, new, 50)["equal"]
    for change, message in ((dict(success=True), "ended after 50 sequences (success True)"),
                            (dict(sequences=40), "ended after 40 sequences"),
                            (dict(milestones={"ST1": 41}), "milestones.ST1: stored 40, now 41"),
                            (dict(milestones={"tests": 4}), "milestones.tests: stored 3, now 4"),
                            (dict(milestones={"block_added": [20]}), "milestones.block_added"),
                            (dict(milestones={}), "milestones.ST1: stored 40, now absent")):
        assert R.compare(old, {**new, **change}, 50)["difference"].startswith(message), change


def test_the_registry_maps_every_name_to_its_entry():
    from lstm_edu import registry
    names = registry.names()
    assert names[:len(E.EXPERIMENTS)] == list(E.EXPERIMENTS) and set(E.VARIANTS) <= set(names)
    for name in names:
        item = registry.entry(name)
        assert item.name == name and item.n_trials >= 1 and item.budget >= 1 and item.max_batch >= 1
        assert isinstance(item.study, str) and callable(item.start) and callable(item.resume)
    assert registry.entry("1-4_sequential") is E.VARIANTS["1-4_sequential"]
    with pytest.raises(ValueError, match=r"experiment must be one of \['1-1', '1-2'"):
        registry.entry("7z")


def test_the_progress_bar_counts_sequences_and_active_trials(tmp_path, monkeypatch, capsys):
    _mixed(monkeypatch)
    R.run(E.experiment("mixed"), n_trials=4, budget=60, out=tmp_path, batch=4, progress=True)
    err = capsys.readouterr().err
    assert "mixed: 4 trials" in err and "240/240" in err and "seq" in err and "ended=4/4" in err
    R.run(E.experiment("mixed"), n_trials=4, budget=60, out=tmp_path / "quiet", batch=4, progress=False)
    assert capsys.readouterr().err == ""


def test_a_checkpoint_of_the_one_cell_construction_resumes(tmp_path):
    """A 2a checkpoint written before sequential construction knew blocks (its state said which nets had
    their cell, ``added``) resumes to the records of an uninterrupted run."""
    import dataclasses
    exp = dataclasses.replace(E.experiment("2a"), construction_window=20, budget=120, check_every=40)
    whole = T.LSTMTrials(exp, [0, 1], 120, "test")
    part = T.LSTMTrials(exp, [0, 1], 120, "test")
    for _ in range(50):
        whole.step(), part.step()
    part.save(tmp_path / "c.npz")
    with np.load(tmp_path / "c.npz") as data:
        arrays = {k: data[k] for k in data.files}
    arrays["construction_added"] = arrays.pop("construction_blocks") > 0
    del arrays["construction_last"]
    np.savez(tmp_path / "old.npz", **arrays)
    old = T.LSTMTrials.load(exp, tmp_path / "old.npz", "test")
    for _ in range(70):
        whole.step(), old.step()
    np.testing.assert_array_equal(old.net.w_hidden, whole.net.w_hidden)
    assert old.milestones == whole.milestones and old.curves == whole.curves
