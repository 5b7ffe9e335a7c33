"""The WSGI app served over granian's RSGI interface, each request body read in full on the event
loop before a thread is given to the request.

Served as WSGI, granian hands a request to one of `server.threads` Python threads as soon as its
headers are in, and the app's read of `wsgi.input` blocks that thread until the client sends the
body; that read cannot be interrupted from Python. So `server.threads` clients that sent headers
and part of a body, then went quiet, held every thread and nothing else was answered: not
/healthz, not a signed webhook. Here a body trickles in on the event loop, where waiting costs no
thread, under one deadline for the whole body (`server.body_timeout_seconds`: 408 and close) and
the size limit (`server.max_body_bytes`: 413 and close); at most `server.max_body_reads` bodies
are read at once (503 beyond: Zendesk and Jira deliver again). Only then does the unchanged WSGI
app (Flask and the webhook intake) run, on one of `server.threads` threads, the body in memory.

What this costs was measured against granian's own WSGI on the same machine: the bridge's intake
runs at about 0.8 of its rate interleaved under load (0.5-0.6 one after the other on a quiet
machine), CPU per request up 20-45 % (bench/ingest.py and ad hoc interleaved runs). On a bare
endpoint an `asyncio.timeout` per request cost ~30 % of the rate and `ThreadPoolExecutor` ~30 %
more than plain threads on a `SimpleQueue`, hence one sweep for every deadline and those threads."""

from __future__ import annotations

import asyncio
import io
import logging
import queue
import sys
import threading
from collections.abc import Callable
from typing import Any

from granian.rsgi import ProtocolClosed, ProtocolError

from bridge.config.settings import ServerSettings
from bridge.http.errors import Rejected, body_too_large, error_response
from bridge.logs import log_event
from bridge.metrics import BridgeMetrics

log = logging.getLogger("bridge.http")
WSGIApp = Callable[[dict, Callable], Any]
Headers = list[tuple[str, str]]

_BASE_ENVIRON = {
    "GATEWAY_INTERFACE": "CGI/1.1",
    "SCRIPT_NAME": "",
    "SERVER_SOFTWARE": "bridge (granian)",
    "wsgi.errors": sys.stderr,
    "wsgi.input_terminated": True,
    "wsgi.multiprocess": False,
    "wsgi.multithread": True,
    "wsgi.run_once": False,
    "wsgi.version": (1, 0),
}
# RSGI gives header names in lower case; these two are CGI variables without the HTTP_ prefix.
_CGI_HEADERS = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}
_CLOSE = [("Connection", "close")]


class BufferedWSGI:
    """An RSGI application (granian's `__rsgi__` protocol) serving `app`, a WSGI app."""

    def __init__(self, app: WSGIApp, server: ServerSettings, metrics: BridgeMetrics):
        self.app, self.metrics = app, metrics
        self.max_body_bytes = server.max_body_bytes
        self.body_timeout = server.body_timeout_seconds
        self.max_body_reads = server.max_body_reads
        # Bodies being read, by task, with their deadlines (loop time); only the loop touches these.
        self.reading: dict[asyncio.Task, float] = {}
        self.expired: set[asyncio.Task] = set()
        self.sweeping = False
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.threads = [threading.Thread(target=self._work, name=f"bridge-http-{number}", daemon=True)
                        for number in range(server.threads)]
        for thread in self.threads:
            thread.start()

    def __rsgi_del__(self, loop) -> None:
        for _ in self.threads:
            self.jobs.put(None)

    async def __rsgi__(self, scope, protocol) -> None:
        if scope.proto != "http":
            return
        try:
            body = await self._read_body(scope, protocol)
        except Rejected as rejection:
            self.metrics.bodies_refused.labels(rejection.reason).inc()
            log_event(log, logging.WARNING, "http.body_refused", path=scope.path[:200],
                      reason=rejection.reason, status=rejection.status)
            # The rest of the body may still come: this connection cannot carry another request.
            status, headers, content = _render(error_response(rejection))
            protocol.response_bytes(status, headers + _CLOSE, content)
            return
        except (ProtocolClosed, ProtocolError):
            return  # the client went away mid-body: nobody to answer
        # A thread runs the app and sends the answer; the request is over when the loop hears so.
        loop = asyncio.get_running_loop()
        answered = loop.create_future()
        self.jobs.put((protocol, _environ(scope, body), loop, answered))
        await answered

    async def _read_body(self, scope, protocol) -> bytes:
        """The whole body; raises Rejected (408, 413, 503) rather than wait past the deadline."""
        headers = scope.headers
        declared = headers.get("content-length")
        chunked = "transfer-encoding" in headers
        if (declared is None and not chunked) or declared == "0":
            return b""  # nothing to wait for (GET /healthz, /metrics, ...)
        if not chunked:
            if not declared.isdigit():
                raise Rejected(400, "bad_content_length", "Content-Length must be a number")
            if int(declared) > self.max_body_bytes:
                raise body_too_large()
        if len(self.reading) >= self.max_body_reads:
            raise Rejected(503, "busy", "too many request bodies in progress, retry later",
                           {"Retry-After": "5"})
        task = asyncio.current_task()
        assert task is not None, "a body is read inside a task"
        loop = asyncio.get_running_loop()
        self.reading[task] = loop.time() + self.body_timeout
        if not self.sweeping:
            self.sweeping = True
            loop.call_later(self._sweep_interval(), self._sweep, loop)
        try:
            return await (self._read_chunks(protocol) if chunked else protocol())
        except asyncio.CancelledError:
            if task not in self.expired:
                raise
            self.expired.discard(task)
            task.uncancel()
            raise Rejected(408, "request_timeout",
                           f"the body did not arrive within {self.body_timeout:g} s") from None
        finally:
            del self.reading[task]

    async def _read_chunks(self, protocol) -> bytes:
        """A body without a Content-Length (chunked), never buffering more than the limit."""
        chunks, size = [], 0
        async for chunk in protocol:
            size += len(chunk)
            if size > self.max_body_bytes:
                raise body_too_large()
            chunks.append(chunk)
        return b"".join(chunks)

    def _sweep_interval(self) -> float:
        """Deadlines are kept to within a tenth of themselves (and a second)."""
        return min(1.0, self.body_timeout / 10)

    def _sweep(self, loop) -> None:
        """Cancels the body reads past their deadline: one timer for all of them."""
        now = loop.time()
        for task, deadline in self.reading.items():
            if deadline <= now and task not in self.expired:
                self.expired.add(task)
                task.cancel()
        if self.reading:
            loop.call_later(self._sweep_interval(), self._sweep, loop)
        else:
            self.sweeping = False

    def _work(self) -> None:
        """One of `server.threads` threads: runs the app for requests whose body is in."""
        while (job := self.jobs.get()) is not None:
            protocol, environ, loop, answered = job
            try:
                status, headers, content = self._call_app(environ)
            except Exception as error:  # a bug below Flask's own handlers: 500 in JSON, as theirs
                log_event(log, logging.ERROR, "http.failed", error_type=type(error).__name__)
                log.debug("http.failed", exc_info=True)  # the message may quote the request
                status, headers, content = _render(error_response(
                    Rejected(500, "internal_server_error", "the request was not handled")))
            try:
                protocol.response_bytes(status, headers, content)
            except (ProtocolClosed, ProtocolError):
                pass  # the client went away before its answer
            finally:
                loop.call_soon_threadsafe(_settle, answered)

    def _call_app(self, environ: dict) -> tuple[int, Headers, bytes]:
        started: list = []

        def start_response(status: str, headers: Headers, exc_info=None):
            started[:] = [int(status.split(" ", 1)[0]), headers]

        result = self.app(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return started[0], started[1], content


def _settle(answered: asyncio.Future) -> None:
    if not answered.done():  # not cancelled meanwhile (server stopping)
        answered.set_result(None)


def _render(response) -> tuple[int, Headers, bytes]:
    """A werkzeug Response (bridge.http.errors) as status, headers and body."""
    return response.status_code, response.headers.to_wsgi_list(), response.get_data()


def _environ(scope, body: bytes) -> dict:
    """The WSGI environ of an RSGI request whose body is in, as granian's own WSGI builds it
    (repeated headers joined with ",", cookies with ";")."""
    host, _, port = scope.server.rpartition(":")
    environ = {
        **_BASE_ENVIRON,
        "REQUEST_METHOD": scope.method,
        # RSGI gives the path percent-decoded as text; WSGI wants its bytes as latin-1.
        "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": host,
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": scope.client.rpartition(":")[0],
        "wsgi.url_scheme": scope.scheme,
        "wsgi.input": io.BytesIO(body),
    }
    for name, value in scope.headers.items():
        key = _CGI_HEADERS.get(name) or "HTTP_" + name.upper().replace("-", "_")
        if key in environ:
            environ[key] += (";" if key == "HTTP_COOKIE" else ",") + value
        else:
            environ[key] = value
    if body or "CONTENT_LENGTH" in environ:
        environ["CONTENT_LENGTH"] = str(len(body))  # a chunked body too, now that it is whole
    return environ
