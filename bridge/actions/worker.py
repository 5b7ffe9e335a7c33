"""The action worker: carries out outbox actions against Zendesk and Jira.

A handler does its network calls outside any transaction and returns Done (with the database
effects, committed together with the action being marked done), or Later. A RemoteError that is
temporary is retried with backoff (a 429 waits exactly as long as the vendor asked, and does not
count as a failed attempt); a permanent one (e.g. Jira rejecting an unknown component) parks the
action at once, for an admin to fix and retry. Other actions go on meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bridge.actions.results import Done, Later
from bridge.config.settings import WorkerSettings
from bridge.domain.ports import RemoteError
from bridge.logs import log_event
from bridge.metrics import BridgeMetrics
from bridge.queue_worker import QueueWorker, failure_fields
from bridge.storage.leased_queue import DONE, LeaseLost
from bridge.storage.outbox import Action, Outbox
from connectors.remote import clean_message

log = logging.getLogger("bridge.actions")

Handler = Callable[[Action, datetime], "Done | Later"]


class UnknownAction(Exception):
    pass


class ActionWorker(QueueWorker):
    name = "action_worker"

    def __init__(self, engine: Engine, outbox: Outbox, handlers: Mapping[str, Handler],
                 settings: WorkerSettings, metrics: BridgeMetrics, clock: Callable[[], datetime],
                 owner: str | None = None):
        super().__init__(outbox, settings, clock, owner)
        self.engine, self.outbox, self.handlers, self.metrics = engine, outbox, handlers, metrics

    def process_batch(self, batch: list[Action]) -> None:
        for action in batch:
            self._process(action)

    def _process(self, action: Action) -> None:
        try:
            handler = self.handlers.get(action.kind)
            if handler is None:
                raise UnknownAction(f"no handler for {action.kind!r}")
            result = handler(action, self.clock())
            if isinstance(result, Later):
                self.outbox.postpone(action.id, self.owner, result.until,
                                     **({"payload": result.payload} if result.payload is not None else {}))
                return
            with self.engine.begin() as connection:
                now = self.clock()
                self.outbox.finish(connection, action.id, self.owner, DONE, now, result.outcome[:200])
                if result.record is not None:
                    result.record(connection, now)
        except LeaseLost:
            log_event(log, logging.WARNING, "action.lease_lost", action_id=action.id)
            return
        except RemoteError as error:
            if error.status == 429:
                wait = error.retry_after if error.retry_after is not None else 30.0
                self.outbox.postpone(action.id, self.owner, self.clock() + timedelta(seconds=wait))
                self.metrics.actions_rate_limited.labels(action.kind).inc()
                log_event(log, logging.INFO, "action.rate_limited", action_id=action.id,
                          kind=action.kind, retry_after=wait)
                return
            self._record_failure(action, error, permanent=not error.temporary)
            return
        except Exception as error:  # a bug or an unexpected failure: retried, then parked
            self._record_failure(action, error, permanent=isinstance(error, UnknownAction))
            return
        self.metrics.actions_done.labels(action.kind).inc()
        log_event(log, logging.INFO, "action.done", action_id=action.id, kind=action.kind,
                  problem_id=action.problem_id, outcome=result.outcome)

    def _record_failure(self, action: Action, error: Exception, permanent: bool) -> None:
        now = self.clock()
        retry_at = self.retry_time(action.attempts, permanent)
        text = f"{type(error).__name__}: {error}"
        self.outbox.fail(action.id, self.owner, text, now, retry_at)
        self.metrics.actions_failed.labels(action.kind, str(retry_at is None).lower()).inc()
        log_event(log, logging.WARNING if retry_at else logging.ERROR, "action.failed",
                  action_id=action.id, kind=action.kind, problem_id=action.problem_id,
                  attempt=action.attempts, parked=retry_at is None,
                  retry_at=retry_at.isoformat() if retry_at else None, **failure_fields(error))
        # The vendor's own words (trimmed, credentials cut out) may quote ticket text: DEBUG only.
        log_event(log, logging.DEBUG, "action.failed_detail", action_id=action.id, attempt=action.attempts,
                  error=clean_message(text))
