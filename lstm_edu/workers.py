"""The runner's chunks over worker processes or an existing Dask cluster (``dask.distributed``).

``python -m lstm_edu run ENTRY --workers N`` starts N local worker processes (a ``LocalCluster`` of one
thread each); ``--scheduler ADDRESS`` (``tcp://host:8786``) uses a cluster that is already running. Either
way the trials to run are cut into chunks (:func:`lstm_edu.runner.plan`: by default as many chunks as there
are workers) and each chunk is one Dask task that trains it exactly as a one-process run does
(:func:`lstm_edu.runner._run_chunk`), so the records are the same to the last bit.

What the workers need: the package ``lstm_edu`` of the same version importable on every worker, and the
results folder (``--out``) at the same path on every worker and on the machine that runs the command: each
worker writes its trials' records and checkpoints there itself.

- Progress: each chunk sends what it trained on a Dask event topic (at most twice a second); this process
  adds it to the run's one bar (:class:`lstm_edu.runner.Progress`).
- Ctrl-C: a Dask ``Event`` tells every chunk to stop; each checkpoints after its current step and returns;
  then :class:`lstm_edu.runner.Interrupted` is raised here. A second Ctrl-C stops at once (the chunks' last
  checkpoints are kept).
- A worker that dies (killed, out of memory): the scheduler gives its chunk to another worker, which resumes
  it from the chunk's last checkpoint (records already written stay).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import signal
import threading
import time
import uuid

from . import runner

#: Seconds between two progress events of one chunk, and between two looks at the stop event.
REPORT_SECONDS = 0.5


def check_address(scheduler) -> str:
    """A Dask scheduler address (``tcp://host:port``, ``host:port`` or ``tls://...``); ValueError otherwise."""
    if not isinstance(scheduler, str) or not scheduler.strip() or any(c.isspace() for c in scheduler.strip()):
        raise ValueError(f"scheduler (--scheduler) must be a Dask scheduler address such as tcp://10.0.0.5:8786, "
                         f"got {scheduler!r}")
    return scheduler.strip()


def cores() -> int:
    """The CPU cores this process may use: the default number of workers."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def client(workers: int, scheduler: str | None):
    """A ``distributed.Client``: of a new local cluster of ``workers`` processes, or of ``scheduler``."""
    from distributed import Client, LocalCluster
    if scheduler is not None:
        try:
            c = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ValueError(f"scheduler (--scheduler) {scheduler} cannot be reached ({exc}): start a Dask "
                             f"scheduler there (dask scheduler) or name a running one") from None
        with c:
            yield c
        return
    # warnings of a worker slow to shut down on a busy machine are not the reader's concern: errors only
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as c:
        c.register_plugin(_ignore_ctrl_c(), name="lstm_edu-ignore-ctrl-c")
        yield c


def _ignore_ctrl_c():
    """A worker plugin: the local worker processes ignore SIGINT. Ctrl-C in a terminal reaches every process
    of its group; only this process handles it (it tells the chunks to checkpoint and stop)."""
    from distributed import WorkerPlugin

    class IgnoreCtrlC(WorkerPlugin):
        def setup(self, worker) -> None:
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, signal.SIG_IGN)

    return IgnoreCtrlC()


def size(c) -> int:
    """The number of worker threads of the cluster behind client ``c`` (at least 1)."""
    return max(1, sum(c.nthreads().values()))


def run_chunks(jobs: list, workers: int, scheduler: str | None, progress: bool, ctrl_c: dict) -> None:
    """Train the chunks of every job (:class:`lstm_edu.runner.Job`: one entry's trials without a record) as
    Dask tasks, all submitted at once (see the module docstring); one progress bar."""
    from distributed import Event
    with client(workers, scheduler) as c:
        n, chunks = size(c), []
        for job in jobs:
            entry = job.task["entry"]
            if job.todo:
                batch = min(job.batch or math.ceil(len(job.todo) / min(n, len(job.todo))), entry.max_batch)
                partial = runner.partial_dir(job.task["out"], entry.study, entry.name)
                chunks += [(chunk, job.task) for chunk in runner.plan(job.seeds, job.todo, batch, partial)]
        names = sorted({task["entry"].name for _, task in chunks})
        bar = runner.Progress(names[0] if len(names) == 1 else f"{len(names)} entries",
                              sum(len(chunk) for chunk, _ in chunks),
                              sum(len(chunk) * task["budget"] for chunk, task in chunks), progress)
        run_id = uuid.uuid4().hex
        topic, stop = f"lstm_edu-progress-{run_id}", Event(f"lstm_edu-stop-{run_id}", client=c)
        c.subscribe_topic(topic, lambda event: bar.update(*event[1]))
        futures = [c.submit(chunk_task, chunk, task, topic, stop.name, pure=False,
                            key=f"{task['entry'].name}-{chunk[0]}-{run_id}") for chunk, task in chunks]
        try:
            _wait(futures, stop, ctrl_c)
            interrupted = [message for message in c.gather(futures) if message]
            deadline = time.monotonic() + 2 * REPORT_SECONDS  # the chunks' last progress events
            while bar.ended < bar.n_trials and not interrupted and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            c.unsubscribe_topic(topic)
            bar.close()
    if interrupted:
        raise runner.Interrupted("; ".join(interrupted))


def _wait(futures, stop, ctrl_c: dict) -> None:
    """Wait until every chunk has ended; on the first Ctrl-C set ``stop`` (the chunks checkpoint and
    return); on a second one set it too (for a cluster that outlives this process) and give up at once."""
    from distributed import wait
    while True:
        try:
            wait(futures, timeout=REPORT_SECONDS)
            return
        except TimeoutError:
            if ctrl_c["hit"] and not stop.is_set():
                stop.set()
        except KeyboardInterrupt:
            stop.set()
            raise


class _Stopped:
    """``stopped()`` for a chunk in a worker: whether the run's stop event is set, asked at most every
    :data:`REPORT_SECONDS` (each look is a message to the scheduler)."""

    def __init__(self, name: str):
        from distributed import Event
        self.event, self.next_look, self.set = Event(name), 0.0, False

    def __call__(self) -> bool:
        if not self.set and time.monotonic() >= self.next_look:
            self.set, self.next_look = self.event.is_set(), time.monotonic() + REPORT_SECONDS
        return self.set


class _Report:
    """``report(sequences, ended)`` for a chunk in a worker: sums and sends them on the run's event topic at
    most every :data:`REPORT_SECONDS`, and whatever is left at :meth:`flush`."""

    def __init__(self, topic: str):
        from distributed import get_worker
        self.worker, self.topic, self.sums, self.last = get_worker(), topic, [0, 0], time.monotonic()

    def __call__(self, sequences: int, ended: int = 0) -> None:
        self.sums[0] += int(sequences)
        self.sums[1] += int(ended)
        if time.monotonic() - self.last >= REPORT_SECONDS:
            self.flush()

    def flush(self) -> None:
        if any(self.sums):
            self.worker.log_event(self.topic, tuple(self.sums))
        self.sums, self.last = [0, 0], time.monotonic()


def chunk_task(chunk: list[int], task: dict, topic: str, stop_name: str) -> str:
    """One chunk, trained in a worker (a Dask task); returns ``""``, or the message of a chunk that was
    checkpointed and stopped because the run was interrupted."""
    report = _Report(topic)
    try:
        runner._run_chunk(chunk, report=report, stopped=_Stopped(stop_name), **task)
    except runner.Interrupted as exc:
        return str(exc)
    finally:
        report.flush()
    return ""



def throughput(entry, trials: int, budget: int, workers: int) -> dict:
    """Training sequences per second (summed over trials, wall time) of :func:`lstm_edu.runner.run` on
    ``trials`` trials of ``entry`` with ``budget`` sequences each, in three ways: ``one_chunk``, all trials
    together in this process; ``one``, in this process, chunk after chunk, cut as for ``workers`` workers;
    ``workers``, those chunks over ``workers`` local worker processes (started, and the engine loaded in
    them, before the clock starts). ``speedup`` = workers / one: the same chunks, 1 worker against N;
    ``speedup_over_one_chunk`` = workers / one_chunk (smaller chunks pay the per-step Python cost on fewer
    networks)."""
    import tempfile
    from pathlib import Path
    batch = math.ceil(trials / workers)
    with tempfile.TemporaryDirectory() as scratch:
        rates = {}
        for key, chunk in (("one_chunk", trials), ("one", batch)):
            started = time.perf_counter()
            runner.run(entry, trials, budget, 0, Path(scratch) / key, batch=chunk, progress=False)
            rates[key] = trials * budget / (time.perf_counter() - started)
        with client(workers, None) as c:
            address = c.scheduler.address
            runner.run(entry, workers, 2, 0, Path(scratch) / "warm", scheduler=address, progress=False)
            started = time.perf_counter()
            runner.run(entry, trials, budget, 0, Path(scratch) / "many", batch=batch, scheduler=address,
                       progress=False)
            rates["workers"] = trials * budget / (time.perf_counter() - started)
    return {**rates, "n_workers": workers, "trials": trials, "speedup": rates["workers"] / rates["one"],
            "speedup_over_one_chunk": rates["workers"] / rates["one_chunk"]}
