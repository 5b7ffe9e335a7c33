"""Fixtures: a started Jira simulator per deployment, a JiraClient on it, and a webhook receiver."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from connectors.jira.client import JiraClient
from connectors.jira.simulator import JiraSimulator

API_TOKEN = "sim-api-token"
EMAIL = "bridge@example.com"
CLIENT_TIMEOUT = 0.5


@pytest.fixture(params=["cloud", "server"])
def deployment(request) -> str:
    return request.param


@pytest.fixture
def sim(deployment):
    with JiraSimulator(deployment=deployment, api_token=API_TOKEN, fault_delay=CLIENT_TIMEOUT * 3) as simulator:
        yield simulator


@pytest.fixture
def client(sim, deployment):
    user = EMAIL if deployment == "cloud" else None  # Data Center: personal access token as Bearer
    with JiraClient(sim.url, deployment, user, API_TOKEN, timeout=CLIENT_TIMEOUT) as jira_client:
        yield jira_client


@dataclass(frozen=True)
class ReceivedWebhook:
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


class _Quiet(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        pass


class WebhookReceiver:
    """A tiny HTTP server that records what it receives and answers with `statuses` (then 200)."""

    def __init__(self):
        self.received: list[ReceivedWebhook] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}/webhooks/jira"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def _app(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.received.append(ReceivedWebhook(dict(request.headers), request.args.to_dict(), request.get_data()))
            status = self.statuses.pop(0) if self.statuses else 200
        return Response("", status=status)(environ, start_response)

    def events(self, name: str) -> list[ReceivedWebhook]:
        return [hook for hook in self.received if hook.json()["webhookEvent"] == name]

    def close(self):
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()


@pytest.fixture
def receiver():
    webhook_receiver = WebhookReceiver()
    yield webhook_receiver
    webhook_receiver.close()
