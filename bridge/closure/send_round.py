"""One round of an exactly-once bulk send (a closure, a proactive notice), the steps they share:
collect finished jobs, settle sends whose answer was lost, read back the items whose send may have
landed, send the next batches, then say when to come back at Zendesk's pace. Every step commits
what it learned before the next network call, so a crash anywhere loses at most the answer of the
request in flight, and that case is covered (bridge/closure/__init__.py). A subclass says what its
jobs' results mean, how it reads items back and what it sends."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from bridge.actions.zendesk_batches import BULK_LIMIT
from bridge.closure.outcomes import retry_or_fail, unknown_outcome_changes
from bridge.closure.pacing import next_run
from bridge.closure.sending import jobs_in_flight
from bridge.config.settings import Settings
from bridge.domain.ports import BulkJob, RemoteError, TicketSystem
from bridge.logs import log_event
from bridge.storage.send_rows import PENDING, SENT, RowChange, SendItem

# Zendesk refused the request as malformed: nothing was sent, and sending it again will not help.
REQUEST_REJECTED = (400, 413, 422)


I = TypeVar("I", bound=SendItem)  # noqa: E741 - the item type, as in the stores


class SendStore(Protocol[I]):
    """What a round reads and writes of its run's rows (ClosureStore, ProactiveStore)."""

    def items(self, run_id: int, state: str | None = None, verify: bool | None = None,
              limit: int | None = None) -> list[I]: ...
    def unknown_outcomes(self, run_id: int, sent_before: datetime, limit: int) -> list[I]: ...
    def claim(self, run_id: int, item_ids: list[int], now: datetime) -> list[int]: ...
    def record_job(self, run_id: int, item_ids: list[int], job_id: str) -> None: ...
    def release(self, run_id: int, item_ids: list[int]) -> None: ...
    def apply(self, run_id: int, changes: list[RowChange], now: datetime) -> None: ...


def calls_for(count: int) -> int:
    return math.ceil(count / BULK_LIMIT)


class SendRound(Generic[I]):
    log = logging.getLogger("bridge.closure")
    event = "closure"  # the prefix of its log events
    run_key = "closure_id"  # the run's id in its log events

    def __init__(self, store: SendStore[I], zendesk: TicketSystem, settings: Settings, run_id: int, now: datetime):
        self.store, self.zendesk, self.settings, self.run_id, self.now = store, zendesk, settings, run_id, now
        self.calls = 0  # Zendesk requests made by this run, for pacing
        self.jobs_full = False  # Zendesk had no room for another job (429 without Retry-After)

    # --- what a kind of send says ---------------------------------------------------------------

    def job_changes(self, sent: Sequence[I], job: BulkJob | None) -> list[RowChange]:
        raise NotImplementedError

    def verify(self) -> None:
        raise NotImplementedError

    def send(self) -> None:
        raise NotImplementedError

    # --- the shared steps -----------------------------------------------------------------------

    def run(self) -> datetime | None:
        """One round; when to run again, None once every item is settled (told or given up on)."""
        self.collect_jobs()
        self.settle_unknown()
        self.verify()
        self.send()
        sent = self.store.items(self.run_id, SENT)
        pending = self.store.items(self.run_id, PENDING, limit=1)
        if not sent and not pending:
            return None
        in_flight = jobs_in_flight(sent)
        unknown = [item.sent_at for item in sent if item.job_id is None and item.sent_at is not None]
        zendesk, closure = self.settings.zendesk, self.settings.closure
        return next_run(
            self.now, self.calls, zendesk.requests_per_minute,
            can_send=bool(pending) and not self.jobs_full and in_flight < zendesk.max_jobs_in_flight,
            waiting_for_jobs=in_flight > 0 or self.jobs_full, oldest_unknown=min(unknown, default=None),
            poll=timedelta(seconds=closure.job_poll_seconds), grace=closure.unknown_outcome)

    @property
    def budget(self) -> int:
        return self.settings.closure.jobs_per_run

    def collect_jobs(self) -> None:
        by_job: dict[str, list[I]] = defaultdict(list)
        for item in self.store.items(self.run_id, SENT):
            if item.job_id:
                by_job[item.job_id].append(item)
        if not by_job:
            return
        self.calls += calls_for(len(by_job))
        statuses = self.zendesk.bulk_statuses(sorted(by_job))
        self.apply([change for job_id, sent in by_job.items()
                    for change in self.job_changes(sent, statuses.get(job_id))])

    def settle_unknown(self) -> None:
        lost = self.store.unknown_outcomes(self.run_id, self.now - self.settings.closure.unknown_outcome,
                                           BULK_LIMIT * self.budget)
        self.apply(unknown_outcome_changes(lost))

    def free_slots(self) -> tuple[int, bool]:
        """(job slots this round may fill, whether more items may still become ready: jobs running
        or items being read back; a short batch then waits for them: fewer calls)."""
        in_flight = jobs_in_flight(self.store.items(self.run_id, SENT))
        slots = min(self.settings.zendesk.max_jobs_in_flight - in_flight, self.budget)
        more_may_come = in_flight > 0 or bool(self.store.items(self.run_id, PENDING, verify=True, limit=1))
        return slots, more_may_come

    def claim(self, batch: Sequence[I]) -> list[I]:
        """The batch's items this round alone may send (pending → sent), in item order."""
        claimed = set(self.store.claim(self.run_id, [item.item_id for item in batch], self.now))
        return sorted((item for item in batch if item.item_id in claimed), key=lambda item: item.item_id)

    def submitted(self, item_ids: Sequence[int], job_id: str, **fields: object) -> None:
        self.store.record_job(self.run_id, list(item_ids), job_id)
        log_event(self.log, logging.DEBUG, f"{self.event}.sent", **{self.run_key: self.run_id},
                  items=len(item_ids), job_id=job_id, **fields)

    def refused(self, batch: Sequence[I], item_ids: Sequence[int], error: RemoteError) -> bool:
        """Zendesk did not take the batch: False when it has no room for more jobs now; raises
        when the worker should wait (a 429 with Retry-After, backoff on the rest)."""
        if error.status in REQUEST_REJECTED:
            log_event(self.log, logging.WARNING, f"{self.event}.request_rejected", **{self.run_key: self.run_id},
                      status=error.status, items=len(batch))
            attempts = self.settings.closure.ticket_attempts
            # The claim counted one more attempt than the items read before it say.
            self.apply([retry_or_fail(item, str(error), attempts, item.attempts + 1) for item in batch])
            return True
        if error.status is not None and error.status < 500:
            self.store.release(self.run_id, list(item_ids))  # refused: nothing was sent
            if error.status == 429 and error.retry_after is None:
                self.jobs_full = True  # TooManyJobs: wait for running jobs to finish
                return False
        # Otherwise the worker waits (Retry-After on a 429, backoff on the rest). Without an answer
        # (timeout, 5xx) the items stay sent with an unknown outcome, to be read back later.
        raise error

    def apply(self, changes: list[RowChange]) -> None:
        if changes:
            self.store.apply(self.run_id, changes, self.now)
