"""What the worker does with one domain event, inside the transaction that completes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from bridge.domain.events import DomainEvent, IssueEvent, TicketEvent, VersionEvent
from bridge.storage.snapshots import IssueSnapshots, TicketSnapshots


class EventProcessor:
    def __init__(self, tickets: TicketSnapshots, issues: IssueSnapshots):
        self.tickets = tickets
        self.issues = issues

    def apply(self, connection: Connection, event: DomainEvent, now: datetime) -> str:
        """Apply the event's effects; return a short outcome for the inbox row."""
        if isinstance(event, TicketEvent):
            self.tickets.record(connection, event.ticket, now)
            return f"ticket {event.ticket.id} {event.kind}"
        if isinstance(event, IssueEvent):
            self.issues.record(connection, event.issue, now)
            return f"issue {event.issue.key} {event.kind}"
        if isinstance(event, VersionEvent):
            return f"version {event.name} {event.kind}"
        raise TypeError(f"no processing for {type(event).__name__}")
