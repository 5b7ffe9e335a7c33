"""The worker process of `bridge serve`: the inbox worker, the action worker and the scheduler, out
of the HTTP process, so that no webhook answer waits for the worker's share of the GIL.

`bridge serve` forks it the way granian forks its HTTP process, before either holds a database
connection or a thread: the settings cross the fork as they are (the benchmark builds them in
memory, and they hold secrets that have no business in an argv or a pipe), no interpreter starts
again, and the child inherits the flock that makes it the one worker process of a SQLite database
(single_process.py). A restart forks again from the supervising thread; the parent then runs only
granian's loop and holds no connection, so nothing the child needs is locked by another thread (the
logging and import locks are reset at fork), as when granian respawns its HTTP process.

The supervisor restarts a worker process that died, after a backoff that grows while the deaths
come quickly, and logs how it ended. Stopping it sends SIGTERM (the worker finishes what it holds
and hands its leases back), then SIGKILL after KILL_AFTER_SECONDS. If `bridge serve` itself is
killed, the worker process ends with it (parent_death.py)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.connection import wait
from pathlib import Path

from bridge.config.settings import Settings
from bridge.logs import log_event
from bridge.metrics import forget_process
from bridge.runtime import Runtime
from bridge.scheduler import start_scheduler
from bridge.serving.parent_death import end_with_parent
from bridge.serving.process_runtime import process_runtime

log = logging.getLogger("bridge.serve")

# The worker's clean stop joins its threads for at most 10 s each (run_until_stopped).
KILL_AFTER_SECONDS = 25
FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
# A worker process that ran this long before dying starts the backoff over.
HEALTHY_RUN_SECONDS = 60.0
_JOIN_SECONDS = 10


def run_until_stopped(runtime: Runtime) -> None:
    """The workers and the scheduler of this process until SIGTERM or SIGINT (`bridge worker` and the
    worker process of `bridge serve`); claimed events and actions are handed back on the way out."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    scheduler = start_scheduler(runtime, stop)  # runs its jobs only while this process leads
    workers = runtime.start_worker_thread(stop)
    # Joined in steps: a signal handler runs only between them.
    while workers.is_alive():
        workers.join(timeout=0.5)
    scheduler.join(timeout=_JOIN_SECONDS)


def worker_process_main(settings: Settings, parent_pid: int, run_folder: Path) -> None:
    """The forked worker process."""
    # A restart is forked from the parent while granian's handlers are installed; until ours are,
    # a SIGTERM simply ends the process (nothing is claimed yet).
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_DFL)
    end_with_parent(parent_pid)
    run_until_stopped(process_runtime(settings, run_folder, intake=False))


class WorkerProcess:
    """Starts, supervises and stops the worker process of `bridge serve`."""

    def __init__(self, settings: Settings, run_folder: Path):
        self.settings, self.run_folder = settings, run_folder
        self._context = multiprocessing.get_context("fork")
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # guards _process between the supervisor and stop()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._supervisor: threading.Thread | None = None
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process else None

    def start(self) -> WorkerProcess:
        """Fork the worker process now (call before any thread or connection exists), then watch it."""
        self._fork()
        self._supervisor = threading.Thread(target=self._supervise, name="bridge-worker-supervisor", daemon=True)
        self._supervisor.start()
        return self

    def _fork(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            # Not daemonic: it lives until stop() or its parent's death, never by multiprocessing's
            # exit handler (which would terminate it before stop() could).
            process = self._context.Process(target=worker_process_main, name="bridge-worker", daemon=False,
                                            args=(self.settings, os.getpid(), self.run_folder))
            process.start()
            self._process = process
        log_event(log, logging.INFO, "serve.worker_started", pid=process.pid, restarts=self.restarts)

    def _supervise(self) -> None:
        # Only this thread reaps the worker process; stop() watches its sentinel instead, so that two
        # threads never wait for the same pid.
        backoff = FIRST_BACKOFF_SECONDS
        while True:
            process = self._process
            assert process is not None
            started = time.monotonic()
            process.join()
            forget_process(process.pid or 0)
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= HEALTHY_RUN_SECONDS:
                backoff = FIRST_BACKOFF_SECONDS
            log_event(log, logging.ERROR, "serve.worker_died", pid=process.pid, how=_how_it_ended(process.exitcode),
                      restart_in_seconds=backoff)
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            self.restarts += 1
            self._fork()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL past KILL_AFTER_SECONDS; returns once the worker process has gone."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is None or self._supervisor is None:
            return
        if not wait([process.sentinel], 0):  # still running
            process.terminate()
            if not wait([process.sentinel], KILL_AFTER_SECONDS):
                log_event(log, logging.ERROR, "serve.worker_killed", pid=process.pid, after_seconds=KILL_AFTER_SECONDS)
                process.kill()
        self._supervisor.join()
        log_event(log, logging.INFO, "serve.worker_stopped", pid=process.pid, how=_how_it_ended(process.exitcode))


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is None:
        return "running"
    if exitcode < 0:
        return f"signal {signal.Signals(-exitcode).name}"
    return f"exit {exitcode}"
