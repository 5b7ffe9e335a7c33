"""One run of a closure's action, step by step: collect finished jobs, settle sends whose answer
was lost, read back tickets whose outcome is unknown, send the next batches. Every step commits
what it learned before the next network call, so a crash anywhere loses at most the answer of
the request in flight, and that case is covered (bridge/closure/__init__.py)."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bridge.actions.zendesk_batches import BULK_LIMIT, chunks, read_back
from bridge.closure.message import ClosureMessage, closure_tag
from bridge.closure.outcomes import (
    followups_to_read,
    job_changes,
    retry_or_fail,
    unknown_outcome_changes,
    verify_changes,
)
from bridge.closure.sending import (
    CREATE_FOLLOWUPS,
    SendRequest,
    build_request,
    jobs_in_flight,
    needs_names,
    next_batches,
)
from bridge.config.settings import Settings
from bridge.domain.ports import RemoteError, TicketSystem
from bridge.logs import log_event
from bridge.storage.closures import PENDING, SENT, ClosureStore, ClosureTicket, TicketChange

log = logging.getLogger("bridge.closure")

# Zendesk refused the request as malformed: nothing was sent, and sending it again will not help.
REQUEST_REJECTED = (400, 413, 422)


def calls_for(count: int) -> int:
    return math.ceil(count / BULK_LIMIT)


class ClosureRun:
    def __init__(self, closures: ClosureStore, zendesk: TicketSystem, settings: Settings, closure_id: int,
                 message: ClosureMessage, now: datetime):
        self.closures, self.zendesk, self.settings = closures, zendesk, settings
        self.closure_id, self.message, self.now = closure_id, message, now
        self.calls = 0  # Zendesk requests made by this run, for pacing
        self.jobs_full = False  # Zendesk had no room for another job (429 without Retry-After)

    @property
    def _budget(self) -> int:
        return self.settings.closure.jobs_per_run

    def collect_jobs(self) -> None:
        by_job: dict[str, list[ClosureTicket]] = defaultdict(list)
        for ticket in self.closures.tickets(self.closure_id, SENT):
            if ticket.job_id:
                by_job[ticket.job_id].append(ticket)
        if not by_job:
            return
        self.calls += calls_for(len(by_job))
        statuses = self.zendesk.bulk_statuses(sorted(by_job))
        attempts = self.settings.closure.ticket_attempts
        self._apply([change for job_id, sent in by_job.items()
                     for change in job_changes(sent, statuses.get(job_id), attempts)])

    def settle_unknown(self) -> None:
        lost = self.closures.unknown_outcomes(self.closure_id, self.now - self.settings.closure.unknown_outcome,
                                              BULK_LIMIT * self._budget)
        self._apply(unknown_outcome_changes(lost))

    def verify(self) -> None:
        """Read back, 100 per call, the tickets that must not be sent before the bridge knows
        whether an earlier send landed."""
        tag = closure_tag(self.closure_id)
        pending = self.closures.tickets(self.closure_id, PENDING, verify=True, limit=BULK_LIMIT * self._budget)
        for chunk in chunks(pending):
            self.calls += 1
            remote = read_back(self.zendesk, [t.ticket_id for t in chunk])
            followup_ids = followups_to_read(remote, tag)
            followups = {}
            if followup_ids:
                self.calls += calls_for(len(followup_ids))
                followups = read_back(self.zendesk, followup_ids)
            self._apply(verify_changes(chunk, remote, followups, tag))

    def send(self) -> None:
        in_flight = jobs_in_flight(self.closures.tickets(self.closure_id, SENT))
        slots = min(self.settings.zendesk.max_jobs_in_flight - in_flight, self._budget)
        if slots <= 0:
            return
        ready = [ticket for closed in (True, False)
                 for ticket in self.closures.tickets(self.closure_id, PENDING, verify=False, closed=closed,
                                                     limit=BULK_LIMIT * slots)]
        more_may_come = in_flight > 0 or bool(self.closures.tickets(self.closure_id, PENDING, verify=True, limit=1))
        for batch in next_batches(ready, slots, hold_partial=more_may_come):
            if not self._send_batch(batch):
                return

    def _send_batch(self, batch: Sequence[ClosureTicket]) -> bool:
        """Send one batch; False when Zendesk has no room for more jobs now."""
        batch = self._with_names(batch)
        claimed = set(self.closures.claim(self.closure_id, [t.ticket_id for t in batch], self.now))
        batch = [t for t in batch if t.ticket_id in claimed]
        if not batch:
            return True
        request = build_request(batch, self.message)
        for error in request.template_errors:
            log_event(log, logging.WARNING, "closure.template_failed", closure_id=self.closure_id, error=error)
        self.calls += 1
        try:
            job_id = self._submit(request)
        except RemoteError as error:
            return self._refused(batch, request, error)
        self.closures.record_job(self.closure_id, request.ticket_ids, job_id)
        log_event(log, logging.DEBUG, "closure.sent", closure_id=self.closure_id, kind=request.kind,
                  tickets=len(request.ticket_ids), job_id=job_id)
        return True

    def _with_names(self, batch: Sequence[ClosureTicket]) -> list[ClosureTicket]:
        """Personalised replies need the requesters' names: read the missing ones (and keep them,
        so a second send would say the same)."""
        wanted = needs_names(batch, self.message)
        if not wanted:
            return list(batch)
        self.calls += calls_for(len(wanted))
        names = self.zendesk.user_names(wanted)
        named = [replace(t, requester_name=names.get(t.requester_id, "")) if t.requester_id in wanted else t
                 for t in batch]
        self._apply([TicketChange(t.ticket_id, PENDING, {"requester_name": t.requester_name})
                     for t in named if t.requester_id in wanted])
        return named

    def _submit(self, request: SendRequest) -> str:
        if isinstance(request.body, dict):  # one change shared by every ticket
            return self.zendesk.start_bulk_update(list(request.ticket_ids), request.body)
        if request.kind == CREATE_FOLLOWUPS:
            return self.zendesk.start_bulk_create(request.body)
        return self.zendesk.start_individual_updates(request.body)

    def _refused(self, batch: Sequence[ClosureTicket], request: SendRequest, error: RemoteError) -> bool:
        if error.status in REQUEST_REJECTED:
            log_event(log, logging.WARNING, "closure.request_rejected", closure_id=self.closure_id,
                      status=error.status, tickets=len(batch))
            attempts = self.settings.closure.ticket_attempts
            self._apply([retry_or_fail(replace(t, attempts=t.attempts + 1), str(error), attempts) for t in batch])
            return True
        if error.status is not None and error.status < 500:
            self.closures.release(self.closure_id, request.ticket_ids)  # refused: nothing was sent
            if error.status == 429 and error.retry_after is None:
                self.jobs_full = True  # TooManyJobs: wait for running jobs to finish
                return False
        # Otherwise the worker waits (Retry-After on a 429, backoff on the rest). Without an answer
        # (timeout, 5xx) the tickets stay sent with an unknown outcome, to be read back later.
        raise error

    def _apply(self, changes: list[TicketChange]) -> None:
        if changes:
            self.closures.apply(self.closure_id, changes, self.now)
