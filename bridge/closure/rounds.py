"""One run of a closure's action, step by step (bridge/closure/send_round.py has the steps every
exactly-once send shares): collect finished jobs, settle sends whose answer was lost, read back
tickets whose outcome is unknown, send the next batches: updates of open tickets, follow-ups of
closed ones."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bridge.actions.zendesk_batches import BULK_LIMIT, chunks, read_back
from bridge.closure.message import ClosureMessage, closure_tag
from bridge.closure.outcomes import followups_to_read, job_changes, verify_changes
from bridge.closure.send_round import SendRound, calls_for
from bridge.closure.sending import CREATE_FOLLOWUPS, SendRequest, build_request, needs_names, next_batches
from bridge.config.settings import Settings
from bridge.domain.ports import BulkJob, RemoteError, TicketSystem
from bridge.logs import log_event
from bridge.storage.closures import PENDING, ClosureStore, ClosureTicket, TicketChange


class ClosureRun(SendRound[ClosureTicket]):
    def __init__(self, closures: ClosureStore, zendesk: TicketSystem, settings: Settings, closure_id: int,
                 message: ClosureMessage, now: datetime):
        super().__init__(closures, zendesk, settings, closure_id, now)
        self.closures, self.closure_id, self.message = closures, closure_id, message

    def job_changes(self, sent: Sequence[ClosureTicket], job: BulkJob | None) -> list[TicketChange]:
        return job_changes(sent, job, self.settings.closure.ticket_attempts)

    def verify(self) -> None:
        """Read back, 100 per call, the tickets that must not be sent before the bridge knows
        whether an earlier send landed."""
        tag = closure_tag(self.closure_id)
        pending = self.closures.tickets(self.closure_id, PENDING, verify=True, limit=BULK_LIMIT * self.budget)
        for chunk in chunks(pending):
            self.calls += 1
            remote = read_back(self.zendesk, [t.ticket_id for t in chunk])
            followup_ids = followups_to_read(remote, tag)
            followups = {}
            if followup_ids:
                self.calls += calls_for(len(followup_ids))
                followups = read_back(self.zendesk, followup_ids)
            self.apply(verify_changes(chunk, remote, followups, tag))

    def send(self) -> None:
        slots, more_may_come = self.free_slots()
        if slots <= 0:
            return
        ready = [ticket for closed in (True, False)
                 for ticket in self.closures.tickets(self.closure_id, PENDING, verify=False, closed=closed,
                                                     limit=BULK_LIMIT * slots)]
        for batch in next_batches(ready, slots, hold_partial=more_may_come):
            if not self._send_batch(batch):
                return

    def _send_batch(self, batch: Sequence[ClosureTicket]) -> bool:
        """Send one batch; False when Zendesk has no room for more jobs now."""
        batch = self.claim(self._with_names(batch))
        if not batch:
            return True
        request = build_request(batch, self.message)
        for error in request.template_errors:
            log_event(self.log, logging.WARNING, "closure.template_failed", closure_id=self.closure_id, error=error)
        self.calls += 1
        try:
            job_id = self._submit(request)
        except RemoteError as error:
            return self.refused(batch, request.ticket_ids, error)
        self.submitted(request.ticket_ids, job_id, kind=request.kind)
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
        self.apply([TicketChange(t.ticket_id, PENDING, {"requester_name": t.requester_name})
                    for t in named if t.requester_id in wanted])
        return named

    def _submit(self, request: SendRequest) -> str:
        if isinstance(request.body, dict):  # one change shared by every ticket
            return self.zendesk.start_bulk_update(list(request.ticket_ids), request.body)
        if request.kind == CREATE_FOLLOWUPS:
            return self.zendesk.start_bulk_create(request.body)
        return self.zendesk.start_individual_updates(request.body)
