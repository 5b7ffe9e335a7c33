"""`bridge serve`: the production WSGI server (waitress) plus the embedded worker thread."""

from __future__ import annotations

import logging
import signal
import threading

from waitress import create_server

from bridge.app import create_app
from bridge.logs import log_event
from bridge.runtime import Runtime

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


def serve_forever(runtime: Runtime, host: str, port: int) -> None:
    server = make_server(runtime, host, port)
    stop = threading.Event()
    worker = runtime.start_worker_thread(stop) if runtime.settings.worker.embedded else None

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
        runtime.engine.dispose()
        log_event(log, logging.INFO, "serve.stopped")
