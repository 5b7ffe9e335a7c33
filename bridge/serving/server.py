"""`bridge serve`: the production server (granian) and, beside it, the worker process; `ServerThread`,
the same app on waitress in a thread of the caller (demo, tests: they run the worker in threads of
that process, as they choose)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

from granian import Granian
from granian.constants import Interfaces
from granian.log import LogLevels
from granian.server import MPServer, MTServer
from waitress import wasyncore
from waitress.server import create_server

from bridge.config.settings import Settings
from bridge.http.app import create_app
from bridge.http.buffered_wsgi import BufferedWSGI
from bridge.intake.load import IntakeLoad
from bridge.logs import log_event
from bridge.metrics import share_between_processes
from bridge.runtime import Runtime
from bridge.serving.parent_death import end_with_parent
from bridge.serving.process_runtime import intake_load_file, process_runtime
from bridge.serving.worker_process import WorkerProcess

log = logging.getLogger("bridge.serve")
KILL_AFTER_SECONDS = 25


def make_server(runtime: Runtime, host: str, port: int):
    """waitress, for an app served from a thread of an existing process (granian needs its own)."""
    return create_server(
        create_app(runtime), host=host, port=port,
        threads=runtime.settings.server.threads,
        connection_limit=1000,
        # Vendors give up after ~10 s; nothing here should take that long.
        channel_timeout=30,
        ident="bridge",
    )


class ServerThread:
    """The same server in a background thread (demo, tests), with a clean stop."""

    def __init__(self, runtime: Runtime, host: str = "127.0.0.1", port: int = 0):
        self.server = make_server(runtime, host, port)
        self.thread = threading.Thread(target=self.server.run, name="bridge-http", daemon=True)

    @property
    def port(self) -> int:
        return self.server.effective_port

    def start(self) -> ServerThread:
        self.thread.start()
        return self

    def stop(self) -> None:
        # waitress has no public stop: close its sockets from inside its own loop thread, then
        # wait for the loop and its request threads.
        self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map))
        self.thread.join(timeout=5)
        self.server.task_dispatcher.shutdown()


def production_server(settings: Settings, host: str, port: int) -> MPServer | MTServer:
    """The HTTP server of `bridge serve`: granian's HTTP/1 engine (Rust) in front of one Python
    process holding the app. bench/ingest.py measures its baseline on this very setup.

    With 200 open connections waitress answered a bare Flask endpoint at ~5,400 req/s but the
    bridge at ~250 (its one event loop walks every connection on each turn); granian serves the
    same bridge at ~3,300 (bench/ingest.py, docs/performance.md).

    Granian serves it over RSGI, the app being a `BufferedWSGI`: request bodies are read on the
    event loop under a deadline, so slow clients hold no thread (bridge/http/buffered_wsgi.py)."""
    # Granian starts its HTTP process the way multiprocessing is set to. Fork: the app is built
    # there from `settings` without pickling anything (3.14 would default to forkserver).
    multiprocessing.set_start_method("fork", force=True)
    return Granian(
        "bridge", address=host, port=port, interface=Interfaces.RSGI, workers=1, websockets=False,
        log_level=LogLevels.warning,
        # Granian's own lines go through the bridge's formatter; no access log (Jira URL tokens).
        log_dictconfig={"loggers": {"_granian": {"handlers": [], "propagate": True}}},
        log_access=False,
        # Past this, a process that has not stopped is killed: a SIGTERM it got before granian's
        # own handlers were in place is lost, and without a limit `bridge serve` would wait for it
        # forever.
        workers_kill_timeout=KILL_AFTER_SECONDS,
    )


def serve_forever(settings: Settings, host: str, port: int) -> None:
    """Serve (on a migrated database) until SIGTERM or SIGINT: granian's HTTP process and, with
    `worker.embedded`, the worker process (worker_process.py). Both are forked from this process
    and build their runtime there: no database connection or thread of this one crosses a fork.
    Their metrics meet in a private folder that lives as long as this call; on SQLite, their write
    transactions take turns, intake's first (bridge/storage/write_turns.py)."""
    port = port or free_port(host)
    # Private to this call: the processes' metrics and the SQLite write turns.
    run_folder = Path(tempfile.mkdtemp(prefix=f"bridge-serve-{os.getpid()}-"))
    (run_folder / "metrics").mkdir()
    share_between_processes(run_folder / "metrics")
    IntakeLoad.create(intake_load_file(run_folder))
    worker = WorkerProcess(settings, run_folder).start() if settings.worker.embedded else None
    try:
        server = production_server(settings, host, port)
        server.on_startup(partial(_announce_when_listening, host, port, settings.worker.embedded))
        server.serve(target_loader=partial(http_process_app, settings, os.getpid(), run_folder), wrap_loader=False)
    finally:
        if worker:
            worker.stop()
        shutil.rmtree(run_folder, ignore_errors=True)
    log_event(log, logging.INFO, "serve.stopped")


def http_process_app(settings: Settings, parent_pid: int, run_folder: Path):
    """The app as granian's HTTP process loads it; the process ends with `bridge serve`
    (`parent_pid`), however that ends."""
    # The forked process still has the parent's signal handlers until granian installs its own
    # after this returns, and they ignore a SIGTERM here. While the app is built, a SIGTERM simply
    # ends the process (it holds nothing yet); one arriving even earlier is covered by
    # KILL_AFTER_SECONDS.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_DFL)
    end_with_parent(parent_pid)
    runtime = process_runtime(settings, run_folder, intake=True)
    return BufferedWSGI(create_app(runtime), settings.server, runtime.metrics)


def _announce_when_listening(host: str, port: int, embedded_worker: bool) -> None:
    """Log serve.listening once the HTTP process accepts connections (granian's process listens
    only after it has forked), from a thread, so the parent goes on starting it."""
    def wait_and_log() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection((host, port), timeout=1).close()
            except OSError:
                time.sleep(0.02)
                continue
            log_event(log, logging.INFO, "serve.listening", host=host, port=port,
                      embedded_worker=embedded_worker)
            return

    threading.Thread(target=wait_and_log, name="bridge-announce", daemon=True).start()


def free_port(host: str) -> int:
    """Port 0 means any free port (tests); granian needs the number up front."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
