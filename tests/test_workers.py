"""The runner over worker processes and a Dask cluster (lstm_edu.workers): the records of one process, to the
last bit; Ctrl-C and a killed worker lose nothing; a checkpoint fixes its chunk whatever the workers."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lstm_edu import runner as R
from lstm_edu import workers as W
from test_runner import MIXED, _mixed
from lstm_edu import experiments as E

ROOT = Path(__file__).resolve().parent.parent

#: Row 4-1's net under a bound no trial meets within its budget: every trial trains its whole budget, so a
#: chunk of 2 trials takes a few seconds, long enough to be interrupted or to lose its worker midway.
SLOW = MIXED.replace("'mixed'", "'slow'").replace("success_bound=0.35, check_every=10", "success_bound=0.001, "
                                                                                       "check_every=2000")
SLOW_ARGS = ["--trials", "4", "--budget", "12000", "--no-progress", "--checkpoint-seconds", "0.5"]


def _slow(monkeypatch):
    namespace = {}
    exec(SLOW.replace("E.EXPERIMENTS['slow'] =", "slow ="), namespace)
    monkeypatch.setitem(E.EXPERIMENTS, "slow", namespace["slow"])


def _records(out, name):
    """The records of entry ``name`` in ``out`` without the fields that differ between identical runs."""
    folder = Path(out) / "lstm1997" / name
    return {p.name: {k: v for k, v in json.loads(p.read_text()).items() if k not in ("run", "code_version")}
            for p in sorted(folder.glob("trial-*.json"))}


def _command(code: str, args: list[str], **popen):
    runner = code + "; from lstm_edu.__main__ import main; sys.exit(main(['run'] + sys.argv[1:]))"
    return subprocess.Popen([sys.executable, "-c", runner, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


def _wait_for(condition, proc, what: str, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc.poll() is None, f"the run ended before {what}: {proc.stderr.read()}"
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(0.05)


def test_two_workers_give_the_records_of_one_process(tmp_path, monkeypatch):
    """8 trials in one process (one chunk) and over 2 local worker processes (two chunks of 4): the same
    records, outcome fields to the last bit; each record says which chunk size trained it."""
    _mixed(monkeypatch)
    entry = E.experiment("mixed")
    one = R.run(entry, n_trials=8, budget=300, out=tmp_path / "one", progress=False)
    two = R.run(entry, n_trials=8, budget=300, out=tmp_path / "two", workers=2, progress=False)
    assert [p.name for p in one] == [p.name for p in two] == [f"trial-{s:06d}.json" for s in range(8)]
    reference = _records(tmp_path / "one", "mixed")
    assert _records(tmp_path / "two", "mixed") == reference
    assert len({r["sequences"] for r in reference.values()}) >= 2  # trials ended at different times
    assert {json.loads(p.read_text())["run"]["batch"] for p in one} == {8}
    assert {json.loads(p.read_text())["run"]["batch"] for p in two} == {4}
    report = R.check(entry, 300, n_trials=8, out=tmp_path / "one", workers=2, progress=False)
    assert [r["equal"] for r in report] == [True] * 8


def test_several_entries_train_at_once_over_the_workers(tmp_path, monkeypatch):
    """run all / run alternatives: the chunks of an LSTM row and of a Bengio-study cell go to the 2 workers
    together (one bar); each entry's records equal those of its own run in one process."""
    from lstm_edu import bengio_study as B
    _mixed(monkeypatch)
    entries = [E.experiment("mixed"), B.ENTRIES["latch-T5-simulated_annealing"]]
    jobs = [R.job(entries[0], 6, 200, out=tmp_path / "both"), R.job(entries[1], 4, out=tmp_path / "both")]
    R.run_jobs(jobs, progress=False, workers=2)
    alone = [R.run(entries[0], 6, 200, out=tmp_path / "one", progress=False),
             R.run(entries[1], 4, out=tmp_path / "one", progress=False)]
    for paths in alone:
        for path in paths:
            twin = tmp_path / "both" / path.relative_to(tmp_path / "one")
            fields = [{k: v for k, v in json.loads(p.read_text()).items() if k not in ("run", "code_version")}
                      for p in (path, twin)]
            assert fields[0] == fields[1], path


def test_a_checkpoint_fixes_its_chunk_whatever_the_batch():
    """plan: a checkpoint's chunk is kept (so a run resumes under any --batch or --workers); the other trials
    without a record follow in runs of at most ``batch``; checkpoints of trials outside the run are ignored."""
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        partial = Path(folder)
        for name in ("chunk-000002-000005-budget60.npz", "chunk-000020-000023-budget60.npz",
                     "chunk-000004-000006-budget60.npz"):
            (partial / name).write_bytes(b"")
        seeds = list(range(10))
        todo = [0, 1, 3, 5, 6, 7, 8, 9]
        assert R.plan(seeds, todo, 2, partial) == [[0, 1], [2, 3, 4, 5], [6, 7], [8, 9]]
        assert R.plan(seeds, todo, 64, partial) == [[0, 1, 6, 7, 8, 9], [2, 3, 4, 5]]
        assert R.plan(seeds, [0, 1, 8, 9], 3, partial) == [[0, 1, 8], [9]]
        assert R.plan(seeds, [], 3, partial) == []


def test_ctrl_c_stops_every_worker_and_the_run_resumes_bit_for_bit(tmp_path, monkeypatch):
    """Ctrl-C in a terminal reaches the whole process group: the 2 worker processes ignore it, this process
    tells both chunks to checkpoint and stop, exits 130 with one line; the same command resumes to the
    records of one process."""
    _slow(monkeypatch)
    assert R.run(E.experiment("slow"), n_trials=4, budget=12000, out=tmp_path / "one", progress=False)
    out = tmp_path / "interrupted"
    args = ["slow", *SLOW_ARGS, "--workers", "2", "--out", str(out)]
    proc = _command(SLOW, args, start_new_session=True)
    partial = out / ".partial" / "lstm1997" / "slow"
    _wait_for(lambda: len(list(partial.glob("chunk-*.npz"))) == 2, proc, "a checkpoint of both chunks")
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err and err.count("\n") == 1, err
    assert err.count("checkpointed after") == 2 and "resume with: python -m lstm_edu run slow" in err
    assert not list((out / "lstm1997" / "slow").glob("trial-*.json")), "the run must be interrupted midway"
    resumed = _command(SLOW, args)
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert _records(out, "slow") == _records(tmp_path / "one", "slow")
    assert not list(partial.glob("*.npz"))


@pytest.fixture
def cluster(tmp_path):
    """A Dask scheduler and two workers (one thread each, no nanny) on 127.0.0.1, as separate processes."""
    dask = Path(sys.executable).parent / "dask"
    file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", file], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not file.exists():
            assert time.monotonic() < deadline and procs[0].poll() is None, "the scheduler did not start"
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        procs += [subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
        from distributed import Client
        with Client(address, timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
        yield address, procs[1:]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def test_a_dask_cluster_gives_the_records_of_one_process_and_outlives_a_killed_worker(tmp_path, monkeypatch,
                                                                                       cluster):
    """--scheduler: the trials train on the cluster's 2 workers; one worker is killed (SIGKILL) once both
    chunks have a checkpoint: the scheduler gives its chunk to the other worker, which resumes it from the
    checkpoint. The records equal one process's; no checkpoint is left."""
    address, worker_procs = cluster
    _slow(monkeypatch)
    R.run(E.experiment("slow"), n_trials=4, budget=12000, out=tmp_path / "one", progress=False)
    out = tmp_path / "cluster"
    proc = _command(SLOW, ["slow", *SLOW_ARGS, "--scheduler", address, "--out", str(out)])
    partial = out / ".partial" / "lstm1997" / "slow"
    _wait_for(lambda: len(list(partial.glob("chunk-*.npz"))) == 2, proc, "a checkpoint of both chunks")
    worker_procs[0].kill()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert _records(out, "slow") == _records(tmp_path / "one", "slow")
    assert not list(partial.glob("*.npz"))


@pytest.mark.parametrize("options, workers, scheduler", [([], os.cpu_count(), None), (["--workers", "3"], 3, None),
                                                       (["--scheduler", "tcp://10.0.0.5:8786"], 1, "tcp://10.0.0.5:8786")])
def test_the_command_uses_every_core_by_default(options, workers, scheduler, tmp_path, monkeypatch):
    """run without --workers spreads over every core this process may use; --scheduler names the cluster."""
    from lstm_edu import __main__ as cli
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(os.cpu_count())))
    seen = {}
    monkeypatch.setattr(R, "run_jobs", lambda jobs, **kwargs: seen.update(kwargs))
    monkeypatch.setattr("lstm_edu.registry._print_run", lambda item, paths: None)
    assert cli.main(["run", "6a", "--out", str(tmp_path), *options]) == 0
    assert seen["workers"] == (workers if scheduler is None else W.cores()) and seen["scheduler"] == scheduler
