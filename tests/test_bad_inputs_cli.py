"""Bad inputs on the command line (issue 21, items 1-8): every one exits 2 (Ctrl-C: 130) with one message that
names the option or the file and what is allowed, never a traceback, and no work is lost.

The commands run in-process through ``lstm_edu.__main__.main``; Ctrl-C is also sent to a real process.
Small runs: row 6a, 2 trials of at most 50 sequences.
"""

import errno
import json
import os
import shutil
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
from lstm_edu import results
from lstm_edu import runner as R
from test_runner import MIXED, _mixed

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--trials", "2", "--budget", "50", "--no-progress", "--workers", "1"]
RECORD = Path("lstm1997") / "6a" / "trial-000000.json"
CHECKPOINT = Path(".partial") / "lstm1997" / "6a" / "chunk-000000-000001-budget50.npz"


def _fails(argv, capsys, code=2):
    """Run the command; assert it exits ``code`` with no traceback; return its stderr."""
    assert cli.main(argv) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith(("error: ", "interrupted")), err
    assert err.count("\n") == 1, err  # one line
    return err


def _strip(record):
    return {k: v for k, v in record.items() if k not in ("run", "code_version")}


def _records(out, name="6a"):
    folder = Path(out) / "lstm1997" / name
    return {p.name: _strip(json.loads(p.read_text())) for p in sorted(folder.glob("*.json"))}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A results folder with the 2 trials of row 6a (budget 50), and one record of row 6b."""
    out = tmp_path_factory.mktemp("stored")
    assert cli.main(["run", "6a", *SMALL, "--out", str(out)]) == 0
    assert cli.main(["run", "6b", "--trials", "1", "--budget", "50", "--no-progress", "--out", str(out)]) == 0
    return out


@pytest.fixture
def out(stored, tmp_path):
    """A fresh copy of :func:`stored`."""
    shutil.copytree(stored, tmp_path / "out")
    return tmp_path / "out"


@pytest.fixture
def no_training(monkeypatch):
    def train(*args, **kwargs):
        raise AssertionError("trained before checking its options")
    monkeypatch.setattr(R, "_train_chunk", train)


# ------------------------------------------------------------------------- 1. --out unwritable or a file
@pytest.mark.parametrize("where", ["/proc/x", "/proc/version", "/dev/null", "file", "file/below",
                                   "study-is-a-file", "entry-is-a-file"])
def test_out_that_cannot_hold_records_is_refused_before_training(where, tmp_path, capsys, no_training):
    (tmp_path / "file").write_text("not a folder")
    (tmp_path / "study-is-a-file").mkdir()
    (tmp_path / "study-is-a-file" / "lstm1997").write_text("")
    (tmp_path / "entry-is-a-file" / "lstm1997").mkdir(parents=True)
    (tmp_path / "entry-is-a-file" / "lstm1997" / "6a").write_text("")
    target = where if where.startswith("/") else str(tmp_path / where)
    err = _fails(["run", "6a", *SMALL, "--out", target], capsys)
    assert f"(--out) {target}" in err and ("not a writable folder" in err or "is a file" in err)


# ------------------------------------------------------------------ 2. corrupted or schema-violating records
def _valid_text(out):
    return (out / RECORD).read_text()


def _without(key):
    return lambda text: json.dumps({k: v for k, v in json.loads(text).items() if k != key})


def _with(key, value):
    return lambda text: json.dumps({**json.loads(text), key: value})


BAD_RECORDS = {
    "empty": lambda text: "",
    "blank": lambda text: "  \n",
    "truncated": lambda text: text[: len(text) // 2],
    "one brace": lambda text: "{",
    "empty object": lambda text: "{}",
    "a list": lambda text: "[]",
    "null": lambda text: "null",
    "no success": _without("success"),
    "no budget": _without("budget"),
    "success a string": _with("success", "yes"),
    "budget a string": _with("budget", "50"),
    "schema 0": _with("schema", 0),
    "sequences over budget": _with("sequences", 51),
}
COMMANDS = {"run": ["run", "6a", *SMALL], "check": ["run", "6a", "--trials", "2", "--check", "50", "--no-progress",
                                                    "--workers", "1"],
            "summary": ["summary"]}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("damage", list(BAD_RECORDS))
def test_a_bad_record_is_named_by_run_check_and_summary(damage, command, out, capsys, no_training):
    path = out / RECORD
    path.write_text(BAD_RECORDS[damage](path.read_text()))
    err = _fails([*COMMANDS[command], "--out", str(out)], capsys)
    assert str(path) in err


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("damage", ["binary", "directory"])
def test_a_record_that_cannot_be_read_is_named(damage, command, out, capsys, no_training):
    path = out / RECORD
    path.unlink()
    if damage == "binary":
        path.write_bytes(b"\xff\xfe\x00garbage")
    else:
        path.mkdir()
    err = _fails([*COMMANDS[command], "--out", str(out)], capsys)
    assert str(path) in err and "cannot be read" in err


def test_read_trials_raises_one_error_type_naming_the_file(out):
    path = out / RECORD
    path.write_text("{")
    with pytest.raises(results.RecordError, match="is not valid JSON") as caught:
        results.read_trials(path.parent)
    assert isinstance(caught.value, ValueError) and str(path) in str(caught.value)
    path.write_text("")
    with pytest.raises(results.RecordError, match=f"record {path} is empty; delete it"):
        results.read_record(path)


# ---------------------------------------------------------------------------------- 3. broken checkpoints
def _checkpoint(out, steps=3):
    """A real checkpoint of 6a's chunk (trials 0-1, budget 50) after ``steps`` sequences; its parts."""
    trainer = E.EXPERIMENTS["6a"].start([0, 1], 50, "test")
    for _ in range(steps):
        trainer.step()
    path = out / CHECKPOINT
    trainer.save(path)
    with np.load(path) as data:
        return path, json.loads(str(data["meta"])), {k: data[k] for k in data.files if k != "meta"}


def _resave(path, meta, arrays):
    with open(path, "wb") as fh:
        np.savez(fh, meta=np.array(json.dumps(meta)), **arrays)


def _break_checkpoint(kind, path, meta, arrays):
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif kind == "garbage":
        path.write_bytes(b"PK\x03\x04 not really a zip")
    elif kind == "pickled":
        with open(path, "wb") as fh:
            np.save(fh, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    elif kind == "meta not JSON":
        _resave(path, "{", arrays)
    elif kind == "no weights":
        _resave(path, meta, {k: v for k, v in arrays.items() if k != "w_hidden"})
    elif kind == "no meta":
        with open(path, "wb") as fh:
            np.savez(fh, **arrays)
    elif kind == "seeds vs weight rows":
        _resave(path, {**meta, "seeds": [0, 1, 2]}, arrays)
    elif kind == "weight rows vs seeds":
        _resave(path, meta, {**arrays, "w_output": arrays["w_output"][:1]})
    elif kind == "another chunk":
        _resave(path, {**meta, "chunk": [5, 6], "seeds": [5, 6]}, arrays)


CHECKPOINT_DAMAGE = ["empty", "truncated", "garbage", "pickled", "meta not JSON", "no weights", "no meta",
                     "seeds vs weight rows", "weight rows vs seeds", "another chunk"]


@pytest.mark.parametrize("kind", CHECKPOINT_DAMAGE)
def test_a_broken_checkpoint_is_named_with_the_way_to_discard_it(kind, tmp_path, capsys):
    path, meta, arrays = _checkpoint(tmp_path)
    _break_checkpoint(kind, path, meta, arrays)
    err = _fails(["run", "6a", *SMALL, "--out", str(tmp_path)], capsys)
    assert f"checkpoint {path} cannot be resumed" in err and f"rm '{path}'" in err
    if kind in ("seeds vs weight rows", "weight rows vs seeds"):
        assert "metadata disagrees with its arrays" in err
    if kind == "another chunk":
        assert "metadata names the chunk [5, 6]" in err
    path.unlink()  # discarded as the message says: the run goes on from scratch, as an uninterrupted one
    assert cli.main(["run", "6a", *SMALL, "--out", str(tmp_path)]) == 0
    capsys.readouterr()


def test_a_broken_checkpoint_of_another_budget_is_named(tmp_path, capsys):
    path, meta, arrays = _checkpoint(tmp_path)
    other = path.with_name("chunk-000000-000001-budget40.npz")
    path.rename(other)
    other.write_bytes(other.read_bytes()[:100])
    err = _fails(["run", "6a", *SMALL, "--out", str(tmp_path)], capsys)
    assert f"checkpoint {other} cannot be resumed" in err and "delete it" in err


# --------------------------------------------------------------------- 4. records that are not in their place
def _misplace(kind, out):
    folder = out / "lstm1997" / "6a"
    if kind == "6b's record":
        shutil.copy(out / "lstm1997" / "6b" / "trial-000000.json", folder / "trial-000000.json")
        return folder / "trial-000000.json", "key 'experiment' is '6b', but its path names '6a'"
    if kind == "a copy":
        shutil.copy(folder / "trial-000000.json", folder / "trial-000000 copy.json")
        return folder / "trial-000000 copy.json", "file name must be trial-<seed"
    if kind == "short name":
        shutil.copy(folder / "trial-000000.json", folder / "trial-7.json")
        return folder / "trial-7.json", "file name must be trial-<seed"
    if kind == "another seed":
        shutil.copy(folder / "trial-000000.json", folder / "trial-000005.json")
        return folder / "trial-000005.json", "key 'seed' is 0, but its path names 5"
    record = json.loads((folder / "trial-000001.json").read_text())  # "another study"
    (folder / "trial-000001.json").write_text(json.dumps({**record, "study": "alternatives"}))
    return folder / "trial-000001.json", "key 'study' is 'alternatives', but its path names 'lstm1997'"


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("kind", ["6b's record", "a copy", "short name", "another seed", "another study"])
def test_a_record_out_of_place_is_refused_naming_it(kind, command, out, capsys, no_training):
    path, why = _misplace(kind, out)
    err = _fails([*COMMANDS[command], "--out", str(out)], capsys)
    assert f"record {path}" in err and why in err and "move it" in err


# --------------------------------------------------------------------------- 5. one budget per folder
@pytest.mark.parametrize("other", [["--trials", "2", "--budget", "60"], ["--trials", "3", "--budget", "60"],
                                   ["--trials", "1", "--seed", "7", "--budget", "60"],
                                   ["--trials", "1", "--seed", "7"]])
def test_a_second_budget_in_one_folder_is_refused(other, out, capsys, no_training):
    err = _fails(["run", "6a", *other, "--no-progress", "--out", str(out)], capsys)
    assert "budget must match the stored records" in err and "use --budget 50 or another --out" in err
    assert not (out / "lstm1997" / "6a" / "trial-000007.json").exists()


# ------------------------------------------------------------------------------------------ 6. Ctrl-C
@pytest.fixture
def default_ctrl_c():
    """Python's own SIGINT handler during the test, whatever the suite was started with (a shell starts a
    background job with SIGINT ignored, and the runner puts back the handler it found)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("at_step, times", [(1, 1), (7, 1), (25, 1), (7, 2)])
def test_ctrl_c_checkpoints_says_how_to_resume_and_loses_nothing(at_step, times, tmp_path, monkeypatch, capsys,
                                                                  default_ctrl_c):
    """SIGINT during the ``at_step``-th training step (``times`` Ctrl-C: the second one interrupts the step
    at once); the run exits 130 with one line naming the command that resumes it, which gives the records
    of an uninterrupted run."""
    _mixed(monkeypatch)
    args = ["--trials", "6", "--budget", "60", "--batch", "3", "--no-progress", "--checkpoint-seconds", "1000",
            "--workers", "1"]
    assert cli.main(["run", "mixed", *args, "--out", str(tmp_path / "reference")]) == 0
    calls, step = [], T.LSTMTrials.step

    def interrupted_step(self):
        calls.append(1)
        if len(calls) == at_step:
            for _ in range(times):
                os.kill(os.getpid(), signal.SIGINT)
        return step(self)

    monkeypatch.setattr(T.LSTMTrials, "step", interrupted_step)
    out = tmp_path / "interrupted"
    err = _fails(["run", "mixed", *args, "--out", str(out)], capsys, code=130)
    assert f"resume with: python -m lstm_edu run mixed --seed 0 --out {out} --trials 6 --budget 60 --workers 1" in err
    if times == 1:
        assert f"checkpointed after {at_step} sequences" in err
        assert (out / ".partial" / "lstm1997" / "mixed" / "chunk-000000-000002-budget60.npz").exists()
    else:
        assert "interrupted twice" in err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back
    assert cli.main(["run", "mixed", *args, "--out", str(out)]) == 0
    assert _records(out, "mixed") == _records(tmp_path / "reference", "mixed")


def test_ctrl_c_during_a_check_says_it_stored_nothing(out, monkeypatch, capsys, default_ctrl_c):
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    step = T.LSTMTrials.step

    def interrupted_step(self):
        os.kill(os.getpid(), signal.SIGINT)
        return step(self)

    monkeypatch.setattr(T.LSTMTrials, "step", interrupted_step)
    err = _fails(COMMANDS["check"] + ["--out", str(out)], capsys, code=130)
    assert err == "interrupted: the check of 6a stopped and stored nothing; run it again to check\n"
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_ctrl_c_of_a_real_process_exits_130_and_resumes_bit_for_bit(tmp_path, monkeypatch):
    """Ctrl-C in a terminal (SIGINT to the process group) checkpoints the chunk; the same command resumes
    to the records of an uninterrupted run (with workers: tests/test_workers.py)."""
    _mixed(monkeypatch)
    args = ["--trials", "8", "--budget", "400", "--batch", "4", "--no-progress", "--checkpoint-seconds", "1000",
            "--workers", "1"]
    assert cli.main(["run", "mixed", *args, "--out", str(tmp_path / "reference")]) == 0
    out = tmp_path / "interrupted"
    code = MIXED + "; from lstm_edu.__main__ import main; sys.exit(main(['run', 'mixed'] + sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", code, *args, "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    folder, deadline = out / "lstm1997" / "mixed", time.monotonic() + 120
    while not (folder.is_dir() and any(folder.glob("trial-*.json"))):
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err and err.count("\n") == 1, err
    assert "checkpointed after" in err and "resume with: python -m lstm_edu run mixed" in err
    assert 1 <= len(list(folder.glob("trial-*.json"))) < 8, "the run must be interrupted midway"
    resumed = subprocess.run([sys.executable, "-c", code, *args, "--out", str(out)], cwd=ROOT,
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert _records(out, "mixed") == _records(tmp_path / "reference", "mixed")


# ---------------------------------------------------------------------------------------------- 7. disk full
@pytest.mark.parametrize("failing_write", [1, 2, 3])
def test_a_full_disk_is_one_line_naming_the_folder_and_leaves_nothing_half_written(failing_write, tmp_path,
                                                                                   monkeypatch, capsys):
    """The ``failing_write``-th file written (checkpoint or record, every sequence) finds the disk full."""
    args = ["run", "6a", *SMALL, "--checkpoint-seconds", "0"]
    assert cli.main([*args, "--out", str(tmp_path / "reference")]) == 0
    writes, fsync = [], os.fsync

    def full(fd):
        writes.append(fd)
        if len(writes) == failing_write:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return fsync(fd)

    monkeypatch.setattr(results.os, "fsync", full)
    out = tmp_path / "full"
    err = _fails([*args, "--out", str(out)], capsys)
    assert "No space left on device" in err and "in the folder " + str(out) in err
    assert not [p for p in out.rglob("*") if p.name.startswith(".tmp-")]  # nothing half-written
    for path in (out / "lstm1997" / "6a").glob("*.json"):  # what was written is whole
        results.read_record(path)
    monkeypatch.setattr(results.os, "fsync", fsync)
    assert cli.main([*args, "--out", str(out)]) == 0  # and the run resumes to the same records
    assert _records(out) == _records(tmp_path / "reference")


# ------------------------------------------------------------------------------------- 8. bad numbers, names
BAD_NUMBERS = [("--trials", "0", 1), ("--trials", "-5", 1), ("--budget", "0", 1), ("--budget", "-1", 1),
               ("--seed", "-1", 0), ("--batch", "0", 1), ("--batch", "-3", 1), ("--check", "0", 1),
               ("--check", "-2", 1), ("--workers", "0", 1), ("--workers", "-2", 1)]


@pytest.mark.parametrize("options, message", [
    *(([option, value], f"{option} must be an integer >= {least}, got {value}")
      for option, value, least in BAD_NUMBERS),
    *((["--checkpoint-seconds", value], f"--checkpoint-seconds must be a finite number >= 0, got {float(value)}")
      for value in ("-1", "nan", "inf")),
    (["--check", "50", "--budget", "50"], "--budget and --check exclude each other"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"], "--workers and --scheduler exclude each other"),
    (["--scheduler", " "], "scheduler (--scheduler) must be a Dask scheduler address such as tcp://"),
])
def test_bad_run_numbers_name_the_option(options, message, tmp_path, capsys, no_training):
    err = _fails(["run", "6a", "--no-progress", "--out", str(tmp_path), *options], capsys)
    assert message in err
    assert not any(tmp_path.iterdir())  # nothing made


def test_a_scheduler_that_cannot_be_reached_is_named(tmp_path, capsys, no_training):
    err = _fails(["run", "6a", "--no-progress", "--out", str(tmp_path), "--scheduler", "tcp://127.0.0.1:1"], capsys)
    assert "scheduler (--scheduler) tcp://127.0.0.1:1 cannot be reached" in err and "start a Dask scheduler" in err


@pytest.mark.parametrize("name", ["7z", "6c", "", "ALL", "latch-T5-annealing"])
def test_an_unknown_entry_lists_the_known_ones(name, tmp_path, capsys, no_training):
    err = _fails(["run", name, *SMALL, "--out", str(tmp_path)], capsys)
    assert "experiment must be one of ['1-1', '1-2'" in err and f"got {name!r}" in err


@pytest.mark.parametrize("argv, message", [
    (["abuse"], "invalid choice: 'abuse'"),
    (["abuse", "--chunk", "0"], "invalid choice: 'abuse'"),
    (["run", "6a", "--trials", "two"], "argument --trials: invalid int value: 'two'"),
    (["run", "6a", "--budget", "1e3"], "argument --budget: invalid int value: '1e3'"),
    (["run", "6a", "--checkpoint-seconds", "soon"], "argument --checkpoint-seconds: invalid float value"),
    (["run"], "the following arguments are required: experiment"),
    (["summary", "--json", "yes"], "unrecognized arguments: yes"),
])
def test_argparse_rejects_what_cannot_be_parsed(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("where", ["missing", "file", "/proc/x"])
def test_check_of_a_folder_that_is_not_one_names_out(where, tmp_path, capsys, no_training):
    (tmp_path / "file").write_text("")
    target = where if where.startswith("/") else str(tmp_path / where)
    err = _fails(["run", "6a", "--trials", "2", "--check", "50", "--no-progress", "--out", target], capsys)
    assert f"out (--out) {target} is not a folder of results to check" in err


def test_check_of_trials_without_records_names_the_folder(tmp_path, capsys):
    err = _fails(["run", "6a", "--trials", "2", "--check", "50", "--no-progress", "--out", str(tmp_path)], capsys)
    assert f"trials [0, 1] of 6a have no record in {tmp_path}" in err


@pytest.mark.parametrize("where", ["missing", "file", "empty folder", "/proc/x"])
def test_summary_of_a_folder_without_records_is_refused(where, tmp_path, capsys):
    (tmp_path / "file").write_text("")
    (tmp_path / "empty folder").mkdir()
    target = where if where.startswith("/") else str(tmp_path / where)
    err = _fails(["summary", "--out", target], capsys)
    assert f"--out {target} is not a results folder" in err
    assert not (tmp_path / "missing").exists()


def test_summary_of_a_good_folder_still_works(out, capsys):
    assert cli.main(["summary", "--out", str(out)]) == 0
    assert "0 reproduced; 0 slower; 2 fewer successes; 29 not run" in capsys.readouterr().out  # 6a and 6b


@pytest.mark.parametrize("content, why", [(b"", "EOFError"), (b"\x80\x04garbage", "contains pickled (object) data"),
                                          ("another chunk", "metadata names the chunk [3, 4]")])
def test_a_broken_checkpoint_of_another_study_is_named(content, why, tmp_path, capsys, no_training):
    """The runner checks every study's checkpoints alike (here Bengio et al.'s alternatives)."""
    name = "latch-T5-simulated_annealing"
    path = tmp_path / ".partial" / "alternatives" / name / "chunk-000000-000001-budget50.npz"
    path.parent.mkdir(parents=True)
    if content == "another chunk":
        with open(path, "wb") as fh:
            np.savez(fh, meta=json.dumps({"seeds": [3, 4], "chunk_seeds": [3, 4], "n_seen": 0, "seconds": 1.0,
                                          "budget": 50}))
    else:
        path.write_bytes(content)
    err = _fails(["run", name, *SMALL, "--out", str(tmp_path)], capsys)
    assert f"checkpoint {path} cannot be resumed" in err and why in err and f"rm '{path}'" in err
