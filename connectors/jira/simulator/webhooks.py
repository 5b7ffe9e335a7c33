"""Admin webhooks of the simulated Jira: signed, at-least-once, in a background thread.

Each registered webhook (`WebhookTarget`, by id) gets the events it subscribes to while enabled;
issue events only when the issue matches its JQL filter, as Jira's admin webhooks do.

Knobs for tests: `duplicate` (send every delivery twice with the same identifier), `delay` (seconds
before the first attempt), `reorder` (deliver the newest pending delivery first), `hold()` /
`release()` (queue without sending, then let go), bounded retries with the same identifier.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import requests

from connectors.jira.signature import IDENTIFIER_HEADER, SIGNATURE_HEADER, TOKEN_QUERY_PARAMETER, sign

RETRY_HEADER = "X-Atlassian-Webhook-Retry"


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    secret: str | None = None
    url_token: str | None = None
    events: frozenset[str] | None = None  # None: every event
    name: str = "bridge"
    enabled: bool = True
    jql_filter: str | None = None  # Jira's filters["issue-related-events-section"]
    exclude_body: bool = False
    last_updated: int = 0  # ms since the epoch

    def wants(self, event: str, issue_matches: Callable[[str], bool] | None) -> bool:
        """`issue_matches(jql)`: whether the event's issue matches a JQL query (None: no issue)."""
        if not self.enabled or (self.events is not None and event not in self.events):
            return False
        return not (self.jql_filter and issue_matches is not None) or issue_matches(self.jql_filter)

    def delivery_url(self) -> str:
        if not self.url_token:
            return self.url
        return self.url + ("&" if "?" in self.url else "?") + urlencode({TOKEN_QUERY_PARAMETER: self.url_token})


@dataclass
class DeliveryAttempt:
    """One POST the simulator made (recorded for tests)."""

    identifier: str
    event: str
    url: str
    attempt: int
    status: int | None  # None when the receiver could not be reached
    body: bytes
    headers: dict[str, str]

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class _Pending:
    identifier: str
    event: str
    target: WebhookTarget
    body: bytes
    due: float
    attempt: int = 1
    copies: int = 1


class WebhookDispatcher:
    def __init__(self, max_attempts: int = 4, retry_delay: float = 0.05, timeout: float = 5.0):
        self.targets: dict[int, WebhookTarget] = {}
        self._target_ids = itertools.count(1)
        self.attempts: list[DeliveryAttempt] = []
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.duplicate = False
        self.delay = 0.0
        self.reorder = False
        self._held = False
        self._pending: list[_Pending] = []
        self._busy = 0
        self._stopped = False
        self._condition = threading.Condition()
        self._session = requests.Session()
        self._thread = threading.Thread(target=self._run, name="jira-sim-webhooks", daemon=True)
        self._thread.start()

    def add_target(self, target: WebhookTarget) -> int:
        with self._condition:
            target_id = next(self._target_ids)
            self.targets[target_id] = target
            return target_id

    def replace_target(self, target_id: int, target: WebhookTarget) -> None:
        with self._condition:
            self.targets[target_id] = target

    def remove_target(self, target_id: int) -> None:
        with self._condition:
            del self.targets[target_id]

    def enqueue(self, event: str, payload: dict, issue_matches: Callable[[str], bool] | None = None) -> None:
        with self._condition:
            for target in self.targets.values():
                if target.wants(event, issue_matches):
                    body = b"" if target.exclude_body else json.dumps(payload).encode()  # as Jira does
                    copies = 2 if self.duplicate else 1
                    self._pending.append(_Pending(str(uuid.uuid4()), event, target, body,
                                                  time.monotonic() + self.delay, copies=copies))
            self._condition.notify_all()

    def hold(self) -> None:
        with self._condition:
            self._held = True

    def release(self, reverse: bool = False) -> None:
        with self._condition:
            if reverse:
                self._pending.reverse()
            self._held = False
            self._condition.notify_all()

    def wait_for_deliveries(self, timeout: float = 5.0) -> None:
        """Block until nothing is pending or in flight; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._pending or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self._pending)} webhook deliveries still pending")
                self._condition.wait(remaining)

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify_all()
        self._thread.join(timeout=5)
        self._session.close()

    def _next_due(self) -> _Pending | None:
        now = time.monotonic()
        due = [item for item in self._pending if item.due <= now]
        if self._held or not due:
            return None
        chosen = due[-1] if self.reorder else due[0]
        self._pending.remove(chosen)
        return chosen

    def _run(self) -> None:
        while True:
            with self._condition:
                item = self._next_due()
                while item is None and not self._stopped:
                    soonest = min((p.due for p in self._pending), default=None)
                    wait = None if soonest is None or self._held else max(0.0, soonest - time.monotonic())
                    self._condition.wait(wait if wait is None else min(wait, 0.5))
                    item = self._next_due()
                if self._stopped or item is None:
                    return
                self._busy += 1
            delivered = False
            try:
                for _ in range(item.copies):
                    delivered = self._post(item)
                    if not delivered:
                        break
            finally:
                with self._condition:
                    self._busy -= 1
                    if not delivered and item.attempt < self.max_attempts:
                        delay = self.retry_delay * 2 ** (item.attempt - 1)
                        self._pending.append(_Pending(item.identifier, item.event, item.target, item.body,
                                                      time.monotonic() + delay, item.attempt + 1))
                    self._condition.notify_all()

    def _post(self, item: _Pending) -> bool:
        headers = {"Content-Type": "application/json; charset=utf-8", IDENTIFIER_HEADER: item.identifier,
                   "User-Agent": "Atlassian Webhook HTTP Client"}
        if item.target.secret:
            headers[SIGNATURE_HEADER] = sign(item.target.secret, item.body)
        if item.attempt > 1:
            headers[RETRY_HEADER] = str(item.attempt - 1)
        url = item.target.delivery_url()
        try:
            answer = self._session.post(url, data=item.body, headers=headers, timeout=self.timeout)
            status: int | None = answer.status_code
        except requests.RequestException:
            status = None
        with self._condition:
            self.attempts.append(DeliveryAttempt(item.identifier, item.event, url, item.attempt, status, item.body,
                                                 headers))
        return status is not None and 200 <= status < 300
