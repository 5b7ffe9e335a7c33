"""`reconcile_zendesk`: read the tickets changed since last time from Zendesk's incremental export
and feed those the bridge has not seen in that state into the inbox, as trigger webhook bodies, so
detection sees tickets whose webhooks were missed."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bridge.domain.events import TicketSnapshot
from bridge.domain.ports import RemoteError, TicketSystem
from bridge.logs import log_event
from bridge.storage.cursors import Cursors
from bridge.storage.inbox import Delivery, Inbox, ticket_subject
from bridge.storage.snapshots import TicketSnapshots
from connectors.zendesk.client import EXPORT_REQUESTS_PER_MINUTE
from connectors.zendesk.events import TRIGGER_EVENT_TYPE
from connectors.zendesk.synthetic import exported_ticket_update

log = logging.getLogger("bridge.scheduler")

CURSOR = "zendesk.export"  # Zendesk's after_cursor of the last page read
# Half the export's own rate limit (the rest for a `bridge backfill`); what is left waits for the next run.
MAX_PAGES_PER_RUN = EXPORT_REQUESTS_PER_MINUTE // 2


class ZendeskReconciler:
    def __init__(self, tickets: TicketSnapshots, inbox: Inbox, cursors: Cursors, ticket_system: TicketSystem,
                 first_lookback: timedelta, clock: Callable[[], datetime]):
        self.tickets, self.inbox, self.cursors = tickets, inbox, cursors
        self.ticket_system, self.first_lookback, self.clock = ticket_system, first_lookback, clock

    def run(self) -> str:
        position: str | datetime = self.cursors.get(CURSOR) or self.clock() - self.first_lookback
        seen = stored = 0
        for _ in range(MAX_PAGES_PER_RUN):
            try:
                page = self.ticket_system.changed_tickets(position)
            except RemoteError as error:  # Zendesk down or refusing: keep the cursor, try next time
                log_event(log, logging.WARNING, "scheduler.reconcile_zendesk_failed", status=error.status,
                          temporary=error.temporary, stored=stored)
                return f"failed after storing {stored}"
            stored += self._store(page.tickets)
            seen += len(page.tickets)
            if page.cursor:  # only once the page's tickets are in the inbox
                self.cursors.set(CURSOR, page.cursor, self.clock())
                position = page.cursor
            if page.end_of_stream:
                break
        if stored:
            log_event(log, logging.INFO, "scheduler.reconcile_zendesk_caught_changes", stored=stored, seen=seen)
        return f"{seen} changed, {stored} stored"

    def _store(self, changed: list[TicketSnapshot]) -> int:
        """Inbox deliveries for the ticket states the bridge has not applied; how many were new."""
        held = {ticket.id: ticket for ticket in self.tickets.get_many(ticket.id for ticket in changed)}
        now = self.clock()
        deliveries = []
        for ticket in changed:
            if _already_applied(ticket, held.get(ticket.id)):
                continue
            key, body = exported_ticket_update(ticket)
            deliveries.append(Delivery("zendesk", key, TRIGGER_EVENT_TYPE, json.dumps(body), now,
                                       subject_key=ticket_subject(ticket.id)))
        return sum(self.inbox.store_many(deliveries)) if deliveries else 0


def _already_applied(exported: TicketSnapshot, held: TicketSnapshot | None) -> bool:
    """The bridge holds a newer state, or this one (its webhook arrived): nothing to feed. Only
    saves inbox rows; applying a state twice changes nothing."""
    if held is None:
        return False
    if exported.updated_at and held.updated_at and exported.updated_at < held.updated_at:
        return True
    return replace(exported.merged_onto(held), known_fields=held.known_fields) == held
