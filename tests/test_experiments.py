"""The experiment runner: registry, per-trial randomness, bad options, and resuming after a kill."""

import dataclasses
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
from lstm_edu.lstm1997 import build

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


def test_registry_holds_every_lstm_row_of_tables_1_to_9():
    expected = ([f"1-{k}" for k in range(1, 6)] + ["2a", "2b"] + [f"2c-{k}" for k in range(1, 10)]
                + ["3a-T100-N3", "3a-T100-N1", "3a-T1000-N3", "3b-T100-N3", "3b-T100-N1", "3b-T1000-N1",
                   "3c-T100-N3", "3c-T100-N1", "4-1", "4-2", "4-3", "5-140", "5-13", "6a", "6b"])
    assert list(E.EXPERIMENTS) == expected
    trials = {"1": 30, "2a": 18, "2b": 18, "2c": 20, "3": 10, "4": 10, "5": 10, "6a": 20, "6b": 10}
    for name, exp in E.EXPERIMENTS.items():
        key = name if name in trials else name.split("-")[0][:2] if name.startswith("2c") else name[0]
        assert exp.n_trials == trials[key], name
        net = build(exp.row)
        assert net.n_weights == net.cfg.paper_weights, name
        task = exp.make(0)
        gen = np.random.default_rng(0)
        batch = task.fixed_test if exp.stop == "reber" else task.train(2, gen)
        assert batch.x.shape[2] == net.cfg.n_in and batch.targets.shape[2] == net.cfg.n_out, name
        assert exp.paper, name
    assert E.EXPERIMENTS["2c-9"].params == {"q": 1000, "p": 50}
    assert E.EXPERIMENTS["3b-T1000-N1"].paper["ST2"] == 485080
    assert E.EXPERIMENTS["5-13"].n_seq == 13 and E.EXPERIMENTS["4-3"].stop_bound == 0.01
    # default budgets: five times the paper's mean, two significant digits up, at least 50,000
    assert [E.budget_for(n) for n in (31390, 5040, 853000, 39850)] == [160_000, 50_000, 4_300_000, 200_000]
    assert E.EXPERIMENTS["6a"].budget == 160_000 and E.EXPERIMENTS["3b-T1000-N1"].budget == 2_500_000


def test_a_trials_randomness_does_not_depend_on_its_chunk():
    exp = E.experiment("6a")
    alone, among = E._Chunk(exp, [5], 100, "test"), E._Chunk(exp, [3, 4, 5], 100, "test")
    assert np.array_equal(alone.net.w_hidden[0], among.net.w_hidden[2])
    assert np.array_equal(alone.net.w_output[0], among.net.w_output[2])
    assert not np.array_equal(among.net.w_hidden[0], among.net.w_hidden[2])
    for _ in range(40):  # crosses a block boundary of the training stream
        a, b = alone.train[0].next(), among.train[2].next()
        assert all(np.array_equal(u, v) for u, v in zip(a, b))
    among, pair = E._Chunk(exp, [3, 4, 5], 100, "test"), E._Chunk(exp, [5, 7], 100, "test")
    for _ in range(60):  # its training is bitwise the same in any chunk (each network computed on its own)
        among.step(), pair.step()
    np.testing.assert_array_equal(pair.net.w_hidden[0], among.net.w_hidden[2])
    np.testing.assert_array_equal(pair.net.w_output[0], among.net.w_output[2])
    assert not np.allclose(pair.net.w_hidden[0], alone.net.w_hidden[0], rtol=0, atol=1e-3)  # it did learn
    other = E.trial_streams(E.experiment("6b"), 5)[1].random()
    assert other != E.trial_streams(exp, 5)[1].random()  # the experiment enters the seed


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
        test_gen = E.trial_streams(E.EXPERIMENTS["mixed"], r["seed"])[2]
        for _ in range(r["milestones"].get("tests", 0)):  # periodic tests drew from the test stream first
            task.test(10, test_gen)
        again = E._public(E._evaluate(E.EXPERIMENTS["mixed"], net, 0, task, test_gen, 40))
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
    original = E.LSTM1997.train

    def train(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 5 and self.w_hidden.shape[0] == 3:
            self.w_hidden[1, 0, 0] = np.nan
        return original(self, *args, **kwargs)

    monkeypatch.setattr(E.LSTM1997, "train", train)
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
    """The records, skipping hidden files as results.read_records does (a SIGKILL during write_record
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
    args = ["--trials", str(n), "--budget", str(budget), "--batch", "4", "--out", str(out),
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


@pytest.mark.parametrize("schedule", ["sequence", "step"])
def test_sequential_construction_trains_without_the_cell_until_the_error_stops_falling(tmp_path, schedule):
    """Experiment 2a: before its cell is added a net learns exactly like a net with no cell (n_blocks=0), in
    either weight-update schedule (with "step" the absent cell must stay silent within the sequence too);
    the cell arrives with the weights drawn for it at the start, once a window's error fell by < 5%."""
    from lstm_edu.lstm1997 import LSTM1997, config
    import dataclasses
    exp = dataclasses.replace(E.experiment("2a"), construction_window=20, schedule=schedule)  # a fast test
    chunk = E._Chunk(exp, [0, 1], 10_000, "test")
    start_h, start_o = chunk.construction["w_hidden"].copy(), chunk.construction["w_output"].copy()
    cells = np.arange(chunk.net.M_out)[chunk.net._out_cells]
    no_cell = config("2a", n_blocks=0)
    bare = LSTM1997.from_weights(no_cell, np.zeros((2, 0, 101)),
                                 np.delete(chunk.net.w_output, cells, axis=2))
    twin = [E._TrainStream(chunk.tasks[i], E.trial_streams(exp, i)[1], exp.block) for i in range(2)]
    n = 0
    while not chunk.construction["added"].any():
        chunk.step()
        x, y, m, _ = E._assemble(twin, {})
        bare.train(x, y, m, alpha=chunk.net.cfg.alpha, schedule=schedule)
        n += 1
        assert n < 5000
        if not chunk.construction["added"].any():
            np.testing.assert_allclose(np.delete(chunk.net.w_output, cells, axis=2), bare.w_output, atol=1e-12)
            assert not chunk.net.w_hidden.any() and not chunk.net.w_output[:, :, cells].any()
    assert n % exp.construction_window == 0 and n >= 2 * exp.construction_window
    p = int(np.flatnonzero(chunk.construction["added"])[0])
    assert chunk.milestones[p]["cell_added"] == n
    np.testing.assert_array_equal(chunk.net.w_hidden[p], start_h[p])
    np.testing.assert_array_equal(chunk.net.w_output[p][:, cells], start_o[p][:, cells])
    chunk.save(tmp_path / "c.npz")  # the construction state survives a checkpoint
    again = E._Chunk.load(exp, tmp_path / "c.npz", "test")
    for key, value in chunk.construction.items():
        np.testing.assert_array_equal(again.construction[key], value)


def test_experiment_1_changes_the_weights_after_every_step():
    """Rows 1-x train with schedule "step" (Appendix A.1: the system is updated at every time t): one step of
    the runner equals LSTM1997.train(schedule="step") on the trial's first training string, not "sequence"."""
    exp = E.experiment("1-5")
    assert all(E.experiment(f"1-{k}").schedule == "step" for k in range(1, 6))
    chunk = E._Chunk(exp, [7], 100, "test")
    start_h, start_o = chunk.net.w_hidden.copy(), chunk.net.w_output.copy()
    replica = E._TrainStream(exp.make(7), E.trial_streams(exp, 7)[1], exp.block)
    x, y, m = (a[None] for a in replica.next())
    chunk.step()
    nets = {}
    for schedule in ("step", "sequence"):
        nets[schedule] = E.LSTM1997.from_weights(chunk.net.cfg, start_h, start_o)
        nets[schedule].train(x, y, m, schedule=schedule)
    assert np.allclose(chunk.net.w_hidden, nets["step"].w_hidden, rtol=0, atol=1e-12)
    assert np.allclose(chunk.net.w_output, nets["step"].w_output, rtol=0, atol=1e-12)
    assert not np.allclose(chunk.net.w_hidden, nets["sequence"].w_hidden, rtol=0, atol=1e-6)
    record = chunk.finish(0, False)
    assert record["schedule"] == "step" and "every step" in record["note"]


def test_variants_of_row_1_5_change_one_thing_and_share_the_rows_trials():
    """Each variant differs from row 1-5 in the one thing its name says; the trial seeds give the same
    initial weights and (with the same training set) the same training strings as the row itself."""
    from lstm_edu.tasks import reber
    row = E.experiment("1-5")
    assert set(E.VARIANTS) == {"1-5_sequence", "1-5_caption", "1-5_distinct", "1-5_possible",
                               "1-1_caption", "1-2_caption", "1-3_caption", "1-4_caption", "2c-1_caption",
                               "2c-3_igb", "4-1_long", "1-5_long"}
    for name in ("1-1", "1-2", "1-3", "1-4", "2c-1"):  # the caption's ranges on other rows, with their trials
        variant = E.experiment(f"{name}_caption")
        assert variant.base == variant.row == name and variant.overrides == {"squashing": "caption"}
        assert variant.budget == E.experiment(name).budget and variant.stop == E.experiment(name).stop
    assert not set(E.VARIANTS) & set(E.EXPERIMENTS)  # the summary and 'run all' cover the paper's rows only
    assert {name: v.changes for name, v in E.VARIANTS.items() if v.base == "1-5"} == {
        "1-5_sequence": "schedule", "1-5_caption": "squashing", "1-5_distinct": "training strings",
        "1-5_possible": "targets", "1-5_long": "budget"}
    assert all(not r.changes and not r.base for r in E.EXPERIMENTS.values())
    with pytest.raises(ValueError, match="changes must be one of"):
        dataclasses.replace(row, name="1-5_x", base="1-5", changes="everything")
    drift = E.experiment("2c-3_igb")  # 2c-3 with gate biases, input gates at -2: four more weights
    net = E.initial_net("2c-3_igb", [0, 1])
    assert drift.base == drift.row == "2c-3" and drift.budget == 100_000 and drift.stop == "abs_test"
    assert net.n_weights == 1264 + 4 and np.all(net.input_gate_weights[:, :, -1] == -2.0)
    assert np.all(np.abs(net.output_gate_weights[:, :, -1]) <= 0.2) and np.all(net.cell_weights[:, :, -1] == 0)
    long = E.experiment("4-1_long")  # row 4-1, trained as long as row 4-2's budget allows, from 4-1's trials
    assert long.base == long.row == "4-1" and long.budget == E.experiment("4-2").budget == 1_100_000
    assert (long.stop, long.overrides) == (E.experiment("4-1").stop, E.experiment("4-1").overrides)
    np.testing.assert_array_equal(E.initial_net("4-1_long", [3, 4]).w_hidden, E.initial_net("4-1", [3, 4]).w_hidden)
    reber_long = E.experiment("1-5_long")  # row 1-5 with the largest budget of Experiment 1 (row 1-1's)
    assert reber_long.base == reber_long.row == "1-5" and reber_long.budget == E.experiment("1-1").budget == 200_000
    assert (reber_long.stop, reber_long.schedule) == (row.stop, row.schedule) and row.budget == 50_000
    chunks = {name: E._Chunk(E.experiment(name), [12, 25], 100, "test") for name in ["1-5", *E.VARIANTS] if "1-5" in name}
    for name, chunk in chunks.items():
        np.testing.assert_array_equal(chunk.net.w_hidden, chunks["1-5"].net.w_hidden)
        np.testing.assert_array_equal(chunk.net.w_output, chunks["1-5"].net.w_output)
    assert E.experiment("1-5_sequence").schedule == "sequence" and row.schedule == "step"
    assert chunks["1-5_caption"].net.cfg.squashing == "caption" and chunks["1-5"].net.cfg.squashing == "1997"
    same = [np.array_equal(a, b) for a, b in zip(chunks["1-5"].train[0].next(), chunks["1-5_caption"].train[0].next())]
    assert all(same)
    base, possible = chunks["1-5"].train[1].next(), chunks["1-5_possible"].train[1].next()
    np.testing.assert_array_equal(base[0], possible[0])                  # the same strings ...
    assert np.all(possible[1][base[1] == 1] == 1) and possible[1].sum() > base[1].sum()  # ... more targets
    strings = reber.training_and_test_strings(np.random.SeedSequence([1, 5]), distinct=True)
    assert len(set(strings[0])) == len(strings[0]) == 256 and not set(strings[0]) & set(strings[1])
    # a variant's record names its change and rebuilds its own net
    chunk = chunks["1-5_caption"]
    record = chunk.finish(0, False)
    assert record["overrides"] == {"squashing": "caption"} and "caption" in record["description"]
    assert record["configuration"]["squashing"] == "caption" and "overrides" not in chunks["1-5"].finish(0, False)
    assert E.trained_net(record).cfg.squashing == "caption"


def test_records_name_the_code_version_the_run_started_with(tmp_path, monkeypatch):
    """A run that lasts hours must not stamp its records with a commit checked out while it trained: the
    version is taken once, when the run starts."""
    _mixed(monkeypatch)
    versions = iter(f"0.1.0+g{k:012d}" for k in range(1000))
    monkeypatch.setattr(E, "code_version", lambda: next(versions))
    paths = E.run("mixed", n_trials=4, budget=40, out=tmp_path, batch=2, progress=False)
    assert {json.loads(p.read_text())["code_version"] for p in paths} == {"0.1.0+g000000000000"}


def _interrupted_run(out, monkeypatch, steps):
    """Run 4 trials of "mixed" (budget 200, one chunk, a checkpoint at every step) as code version
    ``0.1.0+gaaaaaaaaaaaa`` and interrupt it after ``steps`` sequences, as a kill would."""
    original, calls = E._Chunk.step, []

    def step(self):
        calls.append(1)
        if len(calls) > steps:
            raise KeyboardInterrupt
        return original(self)

    monkeypatch.setattr(E._Chunk, "step", step)
    monkeypatch.setattr(E, "code_version", lambda: "0.1.0+gaaaaaaaaaaaa")
    with pytest.raises(KeyboardInterrupt):
        E.run("mixed", n_trials=4, budget=200, out=out, batch=4, checkpoint_seconds=0, progress=False)
    monkeypatch.setattr(E._Chunk, "step", original)


def test_a_chunk_resumed_by_other_code_names_every_version_that_trained_it(tmp_path, monkeypatch):
    """Stop a run mid-chunk (a checkpoint at every step), resume it with another code version: trials that
    ended in the first run name its version alone; trials that ended after the resume name the resuming
    version and, under ``run``, both versions in order."""
    _mixed(monkeypatch)
    _interrupted_run(tmp_path, monkeypatch, 25)
    first = {p.name for p in (tmp_path / "lstm1997" / "mixed").glob("[!.]*.json")}
    monkeypatch.setattr(E, "code_version", lambda: "0.1.0+gbbbbbbbbbbbb")
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
    monkeypatch.setattr(E, "code_version", lambda: "0.1.0+gbbbbbbbbbbbb")
    capped = [json.loads(p.read_text()) for p in E.run("mixed", n_trials=4, budget=40, out=tmp_path, batch=4,
                                                       progress=False)]
    fresh = [json.loads(p.read_text()) for p in E.run("mixed", n_trials=4, budget=40, out=tmp_path / "fresh",
                                                      batch=4, progress=False)]
    assert [_strip(r) for r in capped] == [_strip(r) for r in fresh]
    assert all(r["budget"] == 40 and r["run"]["code_versions"] == ["0.1.0+gaaaaaaaaaaaa", "0.1.0+gbbbbbbbbbbbb"]
               for r in capped)  # trained first by the interrupted run
    assert kept.exists() and len(list(kept.parent.glob("*.npz"))) == 1
    assert E._other_budget(kept.parent, [0, 1, 2, 3], 8) is None          # it has trained 8 sequences already
    assert E._other_budget(kept.parent, [0, 1, 2, 3], 9) == kept
    assert E._other_budget(kept.parent, [0, 1, 2], 40) is None            # another chunk


def test_initial_net_is_where_the_trials_start():
    chunk = E._Chunk(E.experiment("2c-1"), [4, 9], 100, "test")
    net = E.initial_net("2c-1", [4, 9])
    assert np.array_equal(net.w_hidden, chunk.net.w_hidden) and np.array_equal(net.w_output, chunk.net.w_output)
    assert not np.array_equal(net.w_hidden[0], net.w_hidden[1])
    variant = E.initial_net("2c-1_caption", 9)  # a variant starts from its row's weights, with its own g and h
    assert np.array_equal(variant.w_hidden[0], net.w_hidden[1]) and variant.cfg.squashing == "caption"
    with pytest.raises(TypeError, match="seeds must be an integer"):
        E.initial_net("2c-1", [1.5])
    with pytest.raises(ValueError, match="seeds must name at least one"):
        E.initial_net("2c-1", [])
    with pytest.raises(ValueError, match="experiment"):
        E.initial_net("2c-10", [0])


def test_check_reruns_stored_trials_and_finds_a_changed_record(tmp_path, monkeypatch, capsys):
    """--check runs stored trials again up to a budget: a trial that ended within it is compared whole,
    one that went on by its curve so far. An edit to a record, or a record made by other code, shows."""
    _mixed(monkeypatch)
    records = {json.loads(p.read_text())["seed"]: p
               for p in E.run("mixed", n_trials=6, budget=60, out=tmp_path, batch=3, progress=False)}
    ended = [s for s, p in records.items() if json.loads(p.read_text())["sequences"] <= 30]
    went_on = [s for s, p in records.items() if json.loads(p.read_text())["sequences"] > 30]
    assert len(ended) >= 2 and len(went_on) >= 2  # both kinds (see test_trials_stop_early_and_records_say_so)
    report = E.check("mixed", 30, n_trials=6, out=tmp_path, batch=2, progress=False)
    assert [r["equal"] for r in report] == [True] * 6 and [r["seed"] for r in report] == list(range(6))
    assert all(("whole" in r["compared"]) == (r["seed"] in ended) for r in report)
    assert all("first 3 curve points" in r["compared"] for r in report if r["seed"] in went_on)
    # a curve point one ulp off in a trial that went on, a test count changed in one that ended
    for seed, edit in ((went_on[0], lambda r: r["curve"]["mean_loss"].__setitem__(1, np.nextafter(
            r["curve"]["mean_loss"][1], 1.0))), (ended[0], lambda r: r["test"].__setitem__("wrong", 99))):
        record = json.loads(records[seed].read_text())
        edit(record)
        records[seed].write_text(json.dumps(record))
    report = {r["seed"]: r for r in E.check("mixed", 30, n_trials=6, out=tmp_path, progress=False)}
    assert report[went_on[0]]["difference"].startswith("curve point 1 (sequences 10-20)")
    assert report[ended[0]]["difference"].startswith("test: stored")
    assert sum(r["equal"] for r in report.values()) == 4
    assert cli.main(["run", "mixed", "--check", "30", "--trials", "6", "--out", str(tmp_path), "--no-progress"]) == 1
    assert f"mixed trial {went_on[0]}: DIFFERENT" in capsys.readouterr().out
    assert cli.main(["run", "mixed", "--check", "30", "--trials", "1", "--seed", str(went_on[1]), "--out",
                     str(tmp_path), "--no-progress"]) == 0
    with pytest.raises(ValueError, match=r"trials \[6, 7\] of mixed have no record"):
        E.check("mixed", 30, n_trials=8, out=tmp_path, progress=False)
    assert cli.main(["run", "mixed", "--check", "30", "--budget", "30", "--out", str(tmp_path)]) == 2
    assert "--budget and --check exclude each other" in capsys.readouterr().err


def test_a_stored_record_is_what_the_current_code_makes(tmp_path):
    """The stored results come from this code: trial 0 of row 1-5 (a success after 15,500 strings, with a
    weight change after every step at alpha = 0.5, so any change of rounding in the engine shows) run
    again gives its stored record, curve and final weights included. Regenerate the rows when it fails."""
    from lstm_edu.results import RESULTS_DIR
    stored = json.loads(E.record_path(RESULTS_DIR, "1-5", 0).read_text())
    fresh = json.loads(E.run("1-5", n_trials=1, out=tmp_path, progress=False)[0].read_text())
    assert stored["success"] and stored["sequences"] == 15_500
    assert _strip(fresh) == _strip(stored)
