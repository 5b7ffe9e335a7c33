"""The loop shared by the inbox worker and the action worker: claim a batch from a leased queue,
process it, back off exponentially on failures, park an item after its last attempt."""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bridge.config.settings import WorkerSettings
from bridge.domain.ports import RemoteError
from bridge.logs import log_event
from bridge.storage.leased_queue import LeasedQueue

log = logging.getLogger("bridge.worker")


def failure_fields(error: Exception) -> dict:
    """What a failure's WARNING or ERROR line may say: the error type and, for a vendor's answer,
    its HTTP status and error code (Zendesk's `RecordInvalid`, the field ids Jira refused). Never
    the vendor's text: it can echo ticket text, so it goes to the DEBUG line."""
    fields: dict = {"error_type": type(error).__name__}
    if isinstance(error, RemoteError):
        fields.update(status=error.status, vendor_error=error.code)
    return fields


class Pacing(Protocol):
    def batch_size(self, full: int, stop: threading.Event) -> int:
        """How many items the next batch may claim, once it may start (it may wait for that)."""
        ...


class QueueWorker:
    name = "worker"

    def __init__(self, queue: LeasedQueue, settings: WorkerSettings, clock: Callable[[], datetime],
                 owner: str | None = None, housekeeping: Callable[[], None] = lambda: None):
        self.queue, self.settings, self.clock = queue, settings, clock
        self.owner = owner or f"{self.name}-{uuid.uuid4().hex[:12]}"
        self.housekeeping = housekeeping  # e.g. reloading changed rule files, between batches
        # Set in `bridge serve`'s worker process, which steps aside while intake is busy
        # (bridge/intake/load.py).
        self.pacing: Pacing | None = None

    def process_batch(self, batch: list) -> None:
        raise NotImplementedError

    def run_once(self, limit: int | None = None) -> int:
        """Process one batch (of at most `limit`, default the configured size); return how many
        items were claimed."""
        self.housekeeping()
        batch = self.queue.claim(self.owner, limit or self.settings.batch_size, self.clock(),
                                 timedelta(seconds=self.settings.lease_seconds))
        if batch:
            self.process_batch(batch)
        return len(batch)

    def run(self, stop: threading.Event) -> None:
        log_event(log, logging.INFO, f"{self.name}.started", owner=self.owner)
        while not stop.is_set():
            limit = self.pacing.batch_size(self.settings.batch_size, stop) if self.pacing else None
            try:
                claimed = self.run_once(limit)
            except Exception:  # e.g. the database went away: stay alive and try again
                log.exception(f"{self.name}.batch_failed")
                claimed = 0
            if not claimed:
                stop.wait(self.settings.idle_sleep_seconds)
        log_event(log, logging.INFO, f"{self.name}.stopped", owner=self.owner)

    def drain(self, max_batches: int = 10_000) -> int:
        """Process until nothing is due (tests, CLI); return items processed."""
        total = 0
        for _ in range(max_batches):
            claimed = self.run_once()
            if not claimed:
                break
            total += claimed
        return total

    def retry_time(self, attempts: int, permanent: bool) -> datetime | None:
        """When to try again after a failed attempt; None parks the item."""
        if permanent or attempts >= self.settings.max_attempts:
            return None
        base = self.settings.retry_base_seconds * (2 ** max(attempts - 1, 0))
        seconds = min(base, self.settings.retry_max_seconds) * random.uniform(0.8, 1.2)
        return self.clock() + timedelta(seconds=seconds)
