"""The inbox worker: claims webhook events in arrival order, parses and applies them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from bridge.config.settings import WorkerSettings
from bridge.domain.events import DomainEvent, Ignored
from bridge.intake.processing import EventProcessor, Lookups
from bridge.logs import log_event
from bridge.metrics import BridgeMetrics
from bridge.queue_worker import QueueWorker, failure_fields
from bridge.storage.inbox import DONE, IGNORED, Inbox, InboxEvent, LeaseLost
from connectors.payload import JsonError, parse_json
from connectors.remote import clean_message

log = logging.getLogger("bridge.worker")

Parser = Callable[[Any, str], "DomainEvent | Ignored"]


class PermanentError(Exception):
    """Retrying cannot help (e.g. a stored body that no parser understands): park at once."""


class Worker(QueueWorker):
    """Claims inbox events in arrival order, parses and applies them."""

    name = "worker"

    def __init__(
        self,
        engine: Engine,
        inbox: Inbox,
        processor: EventProcessor,
        parsers: Mapping[str, Parser],
        permanent_errors: tuple[type[Exception], ...],
        settings: WorkerSettings,
        metrics: BridgeMetrics,
        clock: Callable[[], datetime],
        owner: str | None = None,
        housekeeping: Callable[[], None] = lambda: None,
    ):
        super().__init__(inbox, settings, clock, owner, housekeeping)
        self.engine, self.inbox, self.processor = engine, inbox, processor
        self.parsers = parsers
        self.permanent_errors: tuple[type[Exception], ...] = (PermanentError, *permanent_errors)
        self.metrics = metrics

    def process_batch(self, batch: list[InboxEvent]) -> None:
        """The batch's events in one transaction; if any of them fails in it, nothing of it
        commits and each is processed in a transaction of its own, so that only the failing
        ones are retried (or parked)."""
        parsed = [(event, self._parse_or_error(event)) for event in batch]
        lookups = self.processor.prepare([p for _, p in parsed if not isinstance(p, (Ignored, Exception))])
        together = [(event, result) for event, result in parsed if not isinstance(result, Exception)]
        if len(together) > 1 and self._process_together(together, lookups):
            parsed = [(event, result) for event, result in parsed if isinstance(result, Exception)]
        for event, result in parsed:
            self._process(event, result, lookups)

    def _process_together(self, batch: list[tuple[InboxEvent, DomainEvent | Ignored]], lookups: Lookups) -> bool:
        """Whether the whole batch committed."""
        try:
            with self.engine.begin() as connection:
                now = self.clock()
                applied = iter(self.processor.apply_many(
                    connection, [p for _, p in batch if not isinstance(p, Ignored)], now, lookups))
                finished = {event.id: (IGNORED, parsed.reason) if isinstance(parsed, Ignored) else (DONE, next(applied))
                            for event, parsed in batch}
                self.inbox.finish_many(
                    connection, {i: (status, outcome[:200]) for i, (status, outcome) in finished.items()},
                    self.owner, now)
        except Exception as exc:
            log_event(log, logging.INFO, "worker.batch_split", events=len(batch), **failure_fields(exc))
            return False
        for event, _ in batch:
            status, outcome = finished[event.id]
            self.metrics.events_processed.labels(event.source, status).inc()
            log_event(log, logging.DEBUG, "worker.event_processed", event_id=event.id,
                      source=event.source, status=status, outcome=outcome)
        return True

    def _parse_or_error(self, event: InboxEvent) -> DomainEvent | Ignored | Exception:
        try:
            return self._parse(event)
        except Exception as exc:  # recorded as this event's failure in _process
            return exc

    def _process(self, event: InboxEvent, parsed: DomainEvent | Ignored | Exception,
                 lookups: Lookups) -> None:
        try:
            if isinstance(parsed, Exception):
                raise parsed
            with self.engine.begin() as connection:
                now = self.clock()
                if isinstance(parsed, Ignored):
                    status, outcome = IGNORED, parsed.reason
                else:
                    status, outcome = DONE, self.processor.apply(connection, parsed, now, lookups)
                self.inbox.finish(connection, event.id, self.owner, status, now, outcome[:200])
        except LeaseLost:
            log_event(log, logging.WARNING, "worker.lease_lost", event_id=event.id)
            return
        except Exception as exc:
            self._record_failure(event, exc)
            return
        self.metrics.events_processed.labels(event.source, status).inc()
        log_event(log, logging.DEBUG, "worker.event_processed", event_id=event.id,
                  source=event.source, status=status, outcome=outcome)

    def _parse(self, event: InboxEvent) -> DomainEvent | Ignored:
        parser = self.parsers.get(event.source)
        if parser is None:
            raise PermanentError(f"no parser for source {event.source!r}")
        try:
            payload = parse_json(event.body)
        except JsonError as exc:  # stored before intake checked as strictly: retrying cannot help
            raise PermanentError(f"stored body: {exc}") from None
        return parser(payload, event.delivery_key)

    def _record_failure(self, event: InboxEvent, exc: Exception) -> None:
        now = self.clock()
        retry_at = self.retry_time(event.attempts, isinstance(exc, self.permanent_errors))
        error = f"{type(exc).__name__}: {exc}"
        self.inbox.fail(event.id, self.owner, error, now, retry_at)
        self.metrics.events_failed.labels(event.source, str(retry_at is None).lower()).inc()
        log_event(log, logging.WARNING if retry_at else logging.ERROR,
                  "worker.event_failed", event_id=event.id, source=event.source,
                  attempt=event.attempts, parked=retry_at is None, reason=self._reason(exc),
                  **failure_fields(exc))
        log_event(log, logging.DEBUG, "worker.event_failed_detail", event_id=event.id,
                  error=clean_message(error))

    def _reason(self, exc: Exception) -> str | None:
        """Why a payload was refused, in words safe at WARNING: the parsers' and the worker's own
        messages name keys, never values. Other errors may quote data: their type only."""
        return clean_message(str(exc)) if isinstance(exc, self.permanent_errors) else None
