"""Fixtures: a running Zendesk simulator, a ZendeskClient pointed at it, a webhook receiver."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.simulator import ZendeskSimulator


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class ReceivedWebhook:
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """A tiny HTTP server that records webhook POSTs; `answers` are status codes to reply with first."""

    answers: list[int] = field(default_factory=list)
    received: list[ReceivedWebhook] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/webhooks/zendesk"

    @Request.application
    def _app(self, request: Request) -> Response:
        with self._lock:
            self.received.append(ReceivedWebhook(dict(request.headers), request.get_data()))
            status = self.answers.pop(0) if self.answers else 200
        return Response("", status=status)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def webhook_secret() -> str:
    return "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="


@pytest.fixture
def sim():
    with ZendeskSimulator(job_delay=0.05, timeout_fault_seconds=1.0) as simulator:
        yield simulator


@pytest.fixture
def client(sim):
    return ZendeskClient(sim.url, sim.api_email, sim.api_token, timeout=2)


@pytest.fixture
def receiver():
    webhook_receiver = WebhookReceiver()
    webhook_receiver.start()
    yield webhook_receiver
    webhook_receiver.stop()


@pytest.fixture
def finished_job(sim, client):
    """Wait (on the simulator's condition, no fixed sleep) for a job and return its status via the client."""

    def wait(job_id: str) -> dict:
        assert sim.wait_for_jobs(timeout=5)
        return client.job_status(job_id)

    return wait
