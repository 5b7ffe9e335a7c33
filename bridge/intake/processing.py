"""What the worker does with domain events: look up what they lack (once per batch, outside any
transaction), then apply each inside the transaction that completes it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from bridge.detection.detector import DetectionBatch, Detector
from bridge.domain.bridge_tickets import created_by_bridge
from bridge.domain.events import (
    DomainEvent,
    IssueComment,
    IssueEvent,
    TicketEvent,
    TicketSnapshot,
    VersionEvent,
)
from bridge.domain.ports import TicketSystem
from bridge.jira_progress.status_sync import StatusSync
from bridge.logs import log_event
from bridge.rules import RuleSet
from bridge.storage.snapshots import HeldTickets, IssueSnapshots, TicketSnapshots

log = logging.getLogger("bridge.processing")

# Ticket events after which the ticket no longer counts for any problem.
TICKET_GONE = frozenset({"soft_deleted", "permanently_deleted", "marked_as_spam", "merged"})


class LookupUnavailable(Exception):
    """Zendesk could not be asked for what an event lacks; the event is retried later."""


@dataclass
class Lookups:
    """Full snapshots read from Zendesk for one batch, and which tickets needed one."""

    snapshots: dict[int, TicketSnapshot] = field(default_factory=dict)
    needed: set[int] = field(default_factory=set)
    error: Exception | None = None


# What a Jira comment does (a workaround it may carry: bridge/workaround/from_jira.py); the outcome.
ApplyComment = Callable[[Connection, IssueComment, datetime], str]


@dataclass
class ProcessingBatch:
    """Several events applied in one transaction: their tickets' snapshots, recorded first (by
    event id), and detection's shared reads, locks and recounts."""

    recorded: dict[str, TicketSnapshot]
    detection: DetectionBatch


class EventProcessor:
    def __init__(self, tickets: TicketSnapshots, issue_snapshots: IssueSnapshots, detector: Detector,
                 status_sync: StatusSync, rules: Callable[[], RuleSet], ticket_system: TicketSystem | None,
                 bridge_user_id: int | None, apply_comment: ApplyComment | None = None,
                 before_comments: Callable[[], None] | None = None):
        self.tickets, self.issue_snapshots, self.detector = tickets, issue_snapshots, detector
        # `before_comments`: what applying comments needs from Jira, read outside the transaction.
        self.apply_comment, self.before_comments = apply_comment, before_comments
        self.status_sync = status_sync
        self.rules, self.ticket_system = rules, ticket_system
        self.bridge_user_id = bridge_user_id

    def is_own_change(self, event: TicketEvent) -> bool:
        """Changes the bridge made itself are never new customer reports (loop prevention)."""
        return self.bridge_user_id is not None and event.actor_id == self.bridge_user_id

    def is_customer_report(self, event: TicketEvent) -> bool:
        """Whether the event may count as a report: not the bridge's own change, nor one by
        Zendesk's system user (automations, triggers), such as the close automation."""
        return not self.is_own_change(event) and not event.by_system

    def prepare(self, events: Sequence[DomainEvent]) -> Lookups:
        """Read, in one batch, the tickets whose snapshot lacks fields the rules read (and, for
        Jira comments, what `before_comments` reads)."""
        lookups = Lookups()
        if self.before_comments is not None and any(isinstance(event, IssueComment) for event in events):
            self.before_comments()
        wanted = self.rules().fields_needing_lookup
        if not wanted or self.ticket_system is None:
            return lookups
        reports = [event for event in events if isinstance(event, TicketEvent) and self.is_customer_report(event)]
        stored = {ticket.id: ticket for ticket in self.tickets.get_many({event.ticket.id for event in reports})}
        for event in reports:
            merged = event.ticket.merged_onto(stored.get(event.ticket.id))
            if not wanted <= merged.known_fields and not created_by_bridge(merged):
                lookups.needed.add(event.ticket.id)
        if lookups.needed:
            try:
                lookups.snapshots = {s.id: s for s in self.ticket_system.fetch_tickets(lookups.needed)}
            except Exception as exc:  # any connector failure: the events needing it are retried
                lookups.error = exc
                log_event(log, logging.WARNING, "processing.lookup_failed",
                          tickets=len(lookups.needed), error_type=type(exc).__name__)
        return lookups

    def apply(self, connection: Connection, event: DomainEvent, now: datetime,
              lookups: Lookups | None = None, batch: ProcessingBatch | None = None) -> str:
        """Apply the event's effects; return a short outcome for the inbox row. `batch`: the
        event is one of several in this transaction (`apply_many`)."""
        if isinstance(event, TicketEvent):
            return self._apply_ticket_event(connection, event, now, lookups or Lookups(), batch)
        if batch is not None:
            batch.detection.problems_changed()  # e.g. a problem's Jira issue or state moves
        if isinstance(event, IssueEvent):
            return self.status_sync.apply_issue_event(connection, event, now)
        if isinstance(event, VersionEvent):
            return self.status_sync.apply_version_event(connection, event, now)
        if isinstance(event, IssueComment):
            return self.apply_comment(connection, event, now) if self.apply_comment else "comment not read"
        raise TypeError(f"no processing for {type(event).__name__}")

    def apply_many(self, connection: Connection, events: Sequence[DomainEvent], now: datetime,
                   lookups: Lookups) -> list[str]:
        """Apply events in order inside one transaction; their outcomes. What they need from the
        store is read once: the tickets' rows and, for the events that may be reports, their
        memberships; each problem they change is recounted once, at the end. The snapshots are
        recorded first and written together, one statement for new tickets and one for known ones
        (detection reads none but its own ticket's, which it is given), so that
        the problems' locks are taken once that is done, and held for less time."""
        ticket_events = [event for event in events if isinstance(event, TicketEvent)]
        held = self.tickets.lock_many(connection, (event.ticket.id for event in ticket_events))
        recorded = {event.event_id: self._record(connection, event, now, lookups, held) for event in ticket_events}
        self.tickets.write_held(connection, held)
        evaluated = [event for event in ticket_events if event.kind in TICKET_GONE or self.is_customer_report(event)]
        batch = ProcessingBatch(recorded, self.detector.start_batch(
            connection, {event.ticket.id for event in evaluated},
            [recorded[event.event_id] for event in evaluated if event.kind not in TICKET_GONE]))
        outcomes = [self.apply(connection, event, now, lookups, batch) for event in events]
        self.detector.finish_batch(connection, batch.detection, now)
        return outcomes

    def _record(self, connection: Connection, event: TicketEvent, now: datetime, lookups: Lookups,
                held: HeldTickets | None = None) -> TicketSnapshot:
        incoming = self._incoming(event, lookups)
        if incoming is None:
            raise LookupUnavailable(f"ticket {event.ticket.id}: {lookups.error}") from lookups.error
        return self.tickets.record(connection, incoming, now, event.occurred_at, held)

    @staticmethod
    def _incoming(event: TicketEvent, lookups: Lookups) -> TicketSnapshot | None:
        """The ticket as the event and, if it needed one, the lookup tell it; None when the lookup
        it needed failed."""
        if event.ticket.id not in lookups.needed:
            return event.ticket
        fetched = lookups.snapshots.get(event.ticket.id)
        if fetched is None:
            return None if lookups.error is not None else event.ticket
        return fetched.merged_onto(event.ticket)  # the API's current view wins

    def _apply_ticket_event(self, connection, event: TicketEvent, now, lookups: Lookups,
                            batch: ProcessingBatch | None) -> str:
        ticket_id = event.ticket.id
        if batch is not None and event.event_id in batch.recorded:
            snapshot = batch.recorded.pop(event.event_id)
        else:
            snapshot = self._record(connection, event, now, lookups)
        detection = batch.detection if batch else None
        prefix = f"ticket {ticket_id} {event.kind}"
        if event.kind in TICKET_GONE or snapshot.status == "deleted":  # deleted, seen by the export
            result = self.detector.evaluate(connection, snapshot, event.occurred_at, now, gone=True,
                                            batch=detection)
        elif created_by_bridge(snapshot):
            return f"{prefix}: the bridge's own ticket, not evaluated"
        elif self.is_own_change(event):
            return f"{prefix}: own change, not evaluated"
        elif event.by_system:
            return f"{prefix}: Zendesk system change, not a customer report"
        else:
            result = self.detector.evaluate(connection, snapshot, event.occurred_at, now, batch=detection,
                                            judged_at=event.occurred_at if event.historical else None)
        return f"{prefix}: {result.summary()}"
