"""`bridge serve`: the production WSGI server (waitress) plus the embedded worker thread."""

from __future__ import annotations

import logging
import signal
import threading

from waitress import create_server, wasyncore

from bridge.app import create_app
from bridge.logs import log_event
from bridge.runtime import Runtime
from bridge.scheduler import start_scheduler

log = logging.getLogger("bridge.serve")


def make_server(runtime: Runtime, host: str, port: int):
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

    def start(self) -> "ServerThread":
        self.thread.start()
        return self

    def stop(self) -> None:
        # waitress has no public stop: close its sockets from inside its own loop thread, then
        # wait for the loop and its request threads.
        self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map))
        self.thread.join(timeout=5)
        self.server.task_dispatcher.shutdown()


def serve_forever(runtime: Runtime, host: str, port: int) -> None:
    server = make_server(runtime, host, port)
    stop = threading.Event()
    worker = runtime.start_worker_thread(stop) if runtime.settings.worker.embedded else None
    scheduler = start_scheduler(runtime, stop) if worker else None

    def _terminate(*_):
        raise KeyboardInterrupt  # waitress's loop exits cleanly on it

    signal.signal(signal.SIGTERM, _terminate)
    log_event(log, logging.INFO, "serve.listening", host=host, port=server.effective_port,
              embedded_worker=worker is not None)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.close()
        if worker:
            worker.join(timeout=10)
        if scheduler:
            scheduler.join(timeout=10)
        runtime.engine.dispose()
        log_event(log, logging.INFO, "serve.stopped")
