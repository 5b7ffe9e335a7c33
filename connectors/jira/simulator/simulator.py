"""`JiraSimulator`: a real HTTP Jira (Cloud or Data Center flavour) on 127.0.0.1 for tests and demos."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Request
from werkzeug.serving import WSGIRequestHandler, make_server

from connectors.jira.simulator.app import create_app
from connectors.jira.simulator.catalog import UI_USER, Project
from connectors.jira.simulator.jql import parse_jql
from connectors.jira.simulator.limits import DEFAULT_ISSUE_WRITE_WINDOWS, IssueWriteLimiter
from connectors.jira.simulator.model import Change, Version
from connectors.jira.simulator.payloads import webhook_payload
from connectors.jira.simulator.store import JiraStore
from connectors.jira.simulator.webhooks import WebhookDispatcher, WebhookTarget

FAULT_KINDS = ("500", "503", "429", "timeout", "timeout_after_write")


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests are recorded in `JiraSimulator.requests`, not logged."""


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    status: int


class JiraSimulator:
    def __init__(self, deployment: str = "cloud", host: str = "127.0.0.1", port: int = 0,
                 api_token: str | None = None, user: str | None = None, max_page_size: int = 5,
                 issue_write_windows: tuple[tuple[int, float], ...] = DEFAULT_ISSUE_WRITE_WINDOWS,
                 fault_delay: float = 11.0, fault_retry_after: int = 7,
                 webhook_max_attempts: int = 4, webhook_retry_delay: float = 0.05, search_lag: float = 0.0):
        if deployment not in ("cloud", "server"):
            raise ValueError("deployment must be 'cloud' or 'server'")
        self.deployment = deployment
        self.api_token, self.user = api_token, user
        self.max_page_size = max_page_size
        # Cloud's JQL search is eventually consistent: a new issue shows in it this many seconds
        # after its creation (Data Center's search is consistent, and ignores this).
        self.search_lag = search_lag
        self.fault_delay, self.fault_retry_after = fault_delay, fault_retry_after
        self.requests: list[RecordedRequest] = []
        self.suppressed_changes: list[Change] = []
        self._faults: deque[str] = deque()
        self._suppressing = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = make_server(host, port, create_app(self), threaded=True,
                                   request_handler=_QuietRequestHandler)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread: threading.Thread | None = None
        self.limiter = IssueWriteLimiter(issue_write_windows)
        self.webhooks = WebhookDispatcher(webhook_max_attempts, webhook_retry_delay)
        self.store = JiraStore(self.url, deployment == "cloud", on_change=self._announce)

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> JiraSimulator:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="jira-sim-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
        self.webhooks.stop()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def __enter__(self) -> JiraSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- configuration ---------------------------------------------------------------------

    def add_project(self, key: str, name: str, issue_types=("Bug", "Task", "Story"), components=()) -> Project:
        return self.store.add_project(key, name, issue_types, components)

    def configure_webhook(self, url: str, secret: str | None = None, url_token: str | None = None,
                          events: list[str] | None = None) -> WebhookTarget:
        """A webhook registered before the bridge starts (as an admin would by hand): every event
        unless `events`; also listed by the admin webhooks resource."""
        target = WebhookTarget(url, secret, url_token, frozenset(events) if events else None)
        self.webhooks.add_target(target)
        return target

    def wait_for_deliveries(self, timeout: float = 5.0) -> None:
        self.webhooks.wait_for_deliveries(timeout)

    @property
    def deliveries(self):
        return list(self.webhooks.attempts)

    @contextmanager
    def webhooks_suppressed(self) -> Iterator[None]:
        """Changes made inside send no webhook (a missed delivery); they land in `suppressed_changes`."""
        with self._lock:
            self._suppressing += 1
        try:
            yield
        finally:
            with self._lock:
                self._suppressing -= 1

    def _announce(self, change: Change) -> None:
        with self._lock:
            suppressed = self._suppressing > 0
        if suppressed:
            self.suppressed_changes.append(change)
            return
        issue = change.issue
        matches = (lambda jql: bool(parse_jql(jql).run([issue]))) if issue is not None else None
        self.webhooks.enqueue(change.webhook_event, webhook_payload(change, self.store.renderer), matches)

    # --- faults and recording --------------------------------------------------------------

    def inject_faults(self, count: int, kind: str) -> None:
        """The next `count` API requests fail as `kind`: "500", "503", "429" (with Retry-After),
        "timeout" (sleep `fault_delay`, then 504, nothing done) or "timeout_after_write" (done, then slow)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}")
        with self._lock:
            self._faults.extend([kind] * count)

    def take_fault(self) -> str | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def sleep_past_timeout(self) -> None:
        self._stopping.wait(self.fault_delay)

    def record_request(self, request: Request, status: int) -> None:
        body = request.get_data()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = body.decode(errors="replace")
        recorded = RecordedRequest(request.method, request.path, request.args.to_dict(flat=False), parsed, status)
        with self._lock:
            self.requests.append(recorded)

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    # --- acting like a person in Jira's UI (same webhooks, no rate limits) --------------------

    def issue(self, key: str, rendered: bool = False) -> dict[str, Any]:
        """The issue as REST v2 shows it; `rendered`: with `renderedFields` (the HTML people see)."""
        with self.store.lock:
            return self.store.renderer.issue(self.store.issue(key), rendered=rendered)

    def user_transitions(self, key: str, status: str, resolution: str | None = None) -> None:
        self.store.transition_to_status(key, status, resolution, UI_USER)

    def user_edits(self, key: str, fields: dict[str, Any], update: dict[str, Any] | None = None) -> None:
        self.store.edit_issue(key, fields, update or {}, UI_USER)

    def user_comments(self, key: str, body: str) -> None:
        self.store.add_comment(key, body, UI_USER)

    def user_deletes_issue(self, key: str) -> None:
        self.store.delete_issue(key, UI_USER)

    def user_moves_issue(self, key: str, project_key: str) -> str:
        """Moves the issue to another project; returns its new key (the old key still resolves)."""
        return self.store.move_issue(key, project_key, UI_USER).key

    def create_version(self, project_key: str, name: str) -> Version:
        return self.store.create_version({"project": project_key, "name": name})

    def release_version(self, project_key: str, name: str, release_date: str | None = None) -> Version:
        project = self.store.project(project_key)
        version_id = self.store.version_id_by_name(project, name) or self.create_version(project_key, name).id
        body = {"released": True, "releaseDate": release_date} if release_date else {"released": True}
        return self.store.update_version(version_id, body, UI_USER)
