"""At-least-once webhook delivery from a background thread, signed like Zendesk, with test knobs."""

from __future__ import annotations

import json
import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

from connectors.zendesk.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, format_timestamp, sign


@dataclass
class DeliveryOptions:
    """duplicates: send each envelope N times; delay: seconds before each send; shuffle: reorder
    each batch; max_attempts/backoff_seconds: retries on non-2xx or connection errors."""

    duplicates: int = 1
    delay: float = 0.0
    shuffle: bool = False
    max_attempts: int = 4
    backoff_seconds: float = 0.05
    timeout: float = 10.0


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Delivery:
    envelope: dict
    url: str
    secret: str
    webhook_id: str
    account_id: int
    invocation_id: str = field(default_factory=lambda: str(secrets.randbelow(10**19)))
    attempts: list = field(default_factory=list)  # HTTP status per attempt, or the error name
    attempted_at: list[datetime] = field(default_factory=list)
    delivered: bool = False
    created_at: datetime = field(default_factory=_now)
    completed_at: datetime | None = None

    @property
    def envelope_id(self) -> str:
        return self.envelope["id"]

    @property
    def event_type(self) -> str:
        return self.envelope["type"]

    @property
    def invocation_status(self) -> str:
        """The Webhooks API's invocation status: how the last attempt ended."""
        if self.delivered:
            return "success"
        return attempt_status(self.attempts[-1]) if self.attempts else "failed"


def attempt_status(outcome: int | str) -> str:
    """An attempt's status in the Webhooks API's words, from its HTTP status or error name."""
    if isinstance(outcome, int):
        return "success" if 200 <= outcome < 300 else "client error" if 400 <= outcome < 500 else "server error"
    return "timeout" if "Timeout" in outcome else "failed"


class WebhookDeliverer:
    def __init__(self, options: DeliveryOptions | None = None):
        self.options = options or DeliveryOptions()
        self.deliveries: list[Delivery] = []
        self._queue: list[Delivery] = []
        self._pending = 0
        self._condition = threading.Condition()
        self._stopping = False
        self._session = requests.Session()
        self._thread = threading.Thread(target=self._loop, name="zendesk-sim-webhooks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        self._thread.join(timeout=5)
        self._session.close()

    def enqueue(self, deliveries: list[Delivery]) -> None:
        with self._condition:
            self._queue.extend(deliveries)
            self._pending += len(deliveries)
            self._condition.notify_all()

    def wait_until_drained(self, timeout: float) -> bool:
        with self._condition:
            return self._condition.wait_for(lambda: self._pending == 0, timeout)

    def _loop(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._queue or self._stopping)
                if self._stopping:
                    return
                batch, self._queue = self._queue, []
            if self.options.shuffle:
                random.shuffle(batch)
            for delivery in batch:
                for _copy in range(max(1, self.options.duplicates)):
                    self._deliver(delivery)
                with self._condition:
                    self.deliveries.append(delivery)
                    self._pending -= 1
                    self._condition.notify_all()

    def _deliver(self, delivery: Delivery) -> None:
        body = json.dumps(delivery.envelope).encode()
        try:
            for attempt in range(self.options.max_attempts):
                if self._stopping:
                    return
                if self.options.delay:
                    time.sleep(self.options.delay)
                headers = {"X-Zendesk-Account-Id": str(delivery.account_id),
                           "X-Zendesk-Webhook-Id": delivery.webhook_id,
                           "X-Zendesk-Webhook-Invocation-Id": delivery.invocation_id}
                try:
                    response = signed_post(self._session, delivery.url, delivery.secret, body, headers,
                                           self.options.timeout)
                    delivery.attempted_at.append(_now())
                    delivery.attempts.append(response.status_code)
                    if 200 <= response.status_code < 300:
                        delivery.delivered = True
                        return
                except requests.RequestException as exc:
                    delivery.attempted_at.append(_now())
                    delivery.attempts.append(type(exc).__name__)
                time.sleep(self.options.backoff_seconds * (2**attempt))
        finally:
            delivery.completed_at = _now()


def signed_post(session: requests.Session, url: str, secret: str, body: bytes, headers: dict[str, str],
                timeout: float) -> requests.Response:
    """POST `body` as Zendesk does: JSON, signed with `secret` over a fresh timestamp."""
    timestamp = format_timestamp(_now())
    return session.post(url, data=body, timeout=timeout, headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Zendesk Webhook",
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        TIMESTAMP_HEADER: timestamp,
        **headers,
    })
