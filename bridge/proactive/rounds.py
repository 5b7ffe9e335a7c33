"""One round of a proactive notice, as a closure's round (bridge/closure/rounds.py): collect the
finished create jobs, settle sends whose answer was lost, look up the recipients whose send may
have landed (the ticket made for each, by its external id), then send the next batches: at most 100
tickets per create_many, within the notice's share of Zendesk's job slots."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bridge.actions.zendesk_batches import BULK_LIMIT, chunks
from bridge.closure.outcomes import retry_or_fail, unknown_outcome_changes
from bridge.closure.rounds import REQUEST_REJECTED, calls_for
from bridge.closure.sending import jobs_in_flight
from bridge.config.settings import Settings
from bridge.domain.bridge_tickets import proactive_external_id
from bridge.domain.ports import AudienceSource, RemoteError, TicketSystem
from bridge.logs import log_event
from bridge.planning.proactive import ProactiveMessage
from bridge.proactive.outcomes import job_changes, verify_changes
from bridge.storage.proactive import ProactiveStore, Recipient
from bridge.storage.send_rows import PENDING, SENT, RowChange

log = logging.getLogger("bridge.proactive")

VERIFY_PER_ROUND = 100  # recipients read back per round, one call each


class NoticeRun:
    def __init__(self, store: ProactiveStore, zendesk: TicketSystem, audience: AudienceSource, settings: Settings,
                 notice_id: int, message: ProactiveMessage, now: datetime):
        self.store, self.zendesk, self.audience, self.settings = store, zendesk, audience, settings
        self.notice_id, self.message, self.now = notice_id, message, now
        self.calls = 0  # Zendesk requests made by this run, for pacing
        self.jobs_full = False  # Zendesk had no room for another job (429 without Retry-After)

    @property
    def _budget(self) -> int:
        return self.settings.closure.jobs_per_run

    def collect_jobs(self) -> None:
        by_job: dict[str, list[Recipient]] = defaultdict(list)
        for recipient in self.store.recipients(self.notice_id, SENT):
            if recipient.job_id:
                by_job[recipient.job_id].append(recipient)
        if not by_job:
            return
        self.calls += calls_for(len(by_job))
        statuses = self.zendesk.bulk_statuses(sorted(by_job))
        attempts = self.settings.closure.ticket_attempts
        self._apply([change for job_id, sent in by_job.items()
                     for change in job_changes(sent, statuses.get(job_id), attempts)])

    def settle_unknown(self) -> None:
        lost = self.store.unknown_outcomes(self.notice_id, self.now - self.settings.closure.unknown_outcome,
                                           BULK_LIMIT * self._budget)
        self._apply(unknown_outcome_changes(lost))

    def verify(self) -> None:
        """Before anyone whose send may have landed is sent again: the ticket made for them, read
        by its external id (one call each, at most VERIFY_PER_ROUND per round)."""
        pending = self.store.recipients(self.notice_id, PENDING, verify=True, limit=VERIFY_PER_ROUND)
        if not pending:
            return
        external_ids = [proactive_external_id(self.notice_id, recipient.user_id) for recipient in pending]
        self.calls += len(external_ids)
        self._apply(verify_changes(self.notice_id, pending, self.audience.tickets_by_external_id(external_ids)))

    def send(self) -> None:
        in_flight = jobs_in_flight(self.store.recipients(self.notice_id, SENT))
        slots = min(self.settings.zendesk.max_jobs_in_flight - in_flight, self._budget)
        if slots <= 0:
            return
        ready = self.store.recipients(self.notice_id, PENDING, verify=False, limit=BULK_LIMIT * slots)
        more_may_come = in_flight > 0 or bool(self.store.recipients(self.notice_id, PENDING, verify=True, limit=1))
        batches = chunks(ready)
        if more_may_come:  # a short batch waits for the recipients still settling: fewer calls
            batches = [batch for batch in batches if len(batch) == BULK_LIMIT]
        for batch in batches[:slots]:
            if not self._send_batch(batch):
                return

    def _send_batch(self, batch: Sequence[Recipient]) -> bool:
        """Send one batch; False when Zendesk has no room for more jobs now."""
        claimed = set(self.store.claim(self.notice_id, [r.user_id for r in batch], self.now))
        batch = sorted((r for r in batch if r.user_id in claimed), key=lambda r: r.user_id)
        if not batch:
            return True
        tickets, errors = [], set()
        for recipient in batch:
            ticket, failed = self.message.ticket(recipient.user_id, recipient.name)
            tickets.append(ticket)
            errors.update(failed)
        for error in sorted(errors):
            log_event(log, logging.WARNING, "proactive.template_failed", notice_id=self.notice_id, error=error)
        self.calls += 1
        try:
            job_id = self.zendesk.start_bulk_create(tickets)
        except RemoteError as error:
            return self._refused(batch, error)
        self.store.record_job(self.notice_id, [r.user_id for r in batch], job_id)
        log_event(log, logging.DEBUG, "proactive.sent", notice_id=self.notice_id, tickets=len(batch), job_id=job_id)
        return True

    def _refused(self, batch: Sequence[Recipient], error: RemoteError) -> bool:
        if error.status in REQUEST_REJECTED:
            log_event(log, logging.WARNING, "proactive.request_rejected", notice_id=self.notice_id,
                      status=error.status, tickets=len(batch))
            attempts = self.settings.closure.ticket_attempts
            self._apply([retry_or_fail(replace(r, attempts=r.attempts + 1), str(error), attempts) for r in batch])
            return True
        if error.status is not None and error.status < 500:
            self.store.release(self.notice_id, [r.user_id for r in batch])  # refused: nothing was sent
            if error.status == 429 and error.retry_after is None:
                self.jobs_full = True  # TooManyJobs: wait for running jobs to finish
                return False
        # Otherwise the worker waits (Retry-After on a 429, backoff on the rest). Without an answer
        # (timeout, 5xx) the recipients stay sent with an unknown outcome, to be looked up later.
        raise error

    def _apply(self, changes: list[RowChange]) -> None:
        if changes:
            self.store.apply(self.notice_id, changes, self.now)
