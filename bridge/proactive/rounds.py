"""One round of a proactive notice (bridge/closure/send_round.py has the steps it shares with a
closure): collect the finished create jobs, settle sends whose answer was lost, look up the
recipients whose send may have landed (the ticket made for each, by its external id), then send
the next batches: at most 100 tickets per create_many, within the notice's share of job slots."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from bridge.actions.zendesk_batches import BULK_LIMIT, chunks
from bridge.closure.send_round import SendRound
from bridge.config.settings import Settings
from bridge.domain.bridge_tickets import proactive_external_id
from bridge.domain.ports import AudienceSource, BulkJob, RemoteError, TicketSystem
from bridge.logs import log_event
from bridge.planning.proactive import ProactiveMessage
from bridge.proactive.outcomes import job_changes, verify_changes
from bridge.storage.proactive import ProactiveStore, Recipient
from bridge.storage.send_rows import PENDING, RowChange

VERIFY_PER_ROUND = 100  # recipients read back per round, one call each


class NoticeRun(SendRound[Recipient]):
    log = logging.getLogger("bridge.proactive")
    event, run_key = "proactive", "notice_id"

    def __init__(self, store: ProactiveStore, zendesk: TicketSystem, audience: AudienceSource, settings: Settings,
                 notice_id: int, message: ProactiveMessage, now: datetime):
        super().__init__(store, zendesk, settings, notice_id, now)
        self.recipients, self.audience, self.notice_id, self.message = store, audience, notice_id, message

    def job_changes(self, sent: Sequence[Recipient], job: BulkJob | None) -> list[RowChange]:
        return job_changes(sent, job, self.settings.closure.ticket_attempts)

    def verify(self) -> None:
        """Before anyone whose send may have landed is sent again: the ticket made for them, read
        by its external id (one call each, at most VERIFY_PER_ROUND per round)."""
        pending = self.recipients.recipients(self.notice_id, PENDING, verify=True, limit=VERIFY_PER_ROUND)
        if not pending:
            return
        external_ids = [proactive_external_id(self.notice_id, recipient.user_id) for recipient in pending]
        self.calls += len(external_ids)
        self.apply(verify_changes(self.notice_id, pending, self.audience.tickets_by_external_id(external_ids)))

    def send(self) -> None:
        slots, more_may_come = self.free_slots()
        if slots <= 0:
            return
        batches = chunks(self.recipients.recipients(self.notice_id, PENDING, verify=False, limit=BULK_LIMIT * slots))
        if more_may_come:  # a short batch waits for the recipients still settling: fewer calls
            batches = [batch for batch in batches if len(batch) == BULK_LIMIT]
        for batch in batches[:slots]:
            if not self._send_batch(batch):
                return

    def _send_batch(self, batch: Sequence[Recipient]) -> bool:
        """Send one batch; False when Zendesk has no room for more jobs now."""
        batch = self.claim(batch)
        if not batch:
            return True
        tickets, errors = [], set()
        for recipient in batch:
            ticket, failed = self.message.ticket(recipient.user_id, recipient.name)
            tickets.append(ticket)
            errors.update(failed)
        for error in sorted(errors):
            log_event(self.log, logging.WARNING, "proactive.template_failed", notice_id=self.notice_id, error=error)
        user_ids = [recipient.user_id for recipient in batch]
        self.calls += 1
        try:
            job_id = self.zendesk.start_bulk_create(tickets)
        except RemoteError as error:
            return self.refused(batch, user_ids, error)
        self.submitted(user_ids, job_id)
        return True
