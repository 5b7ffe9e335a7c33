"""Tickets `bridge backfill` read from Zendesk's export, staged until detection evaluates them in
the order they happened. SQL only: bridge/backfill decides what is read and when."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, and_, delete, func, or_, select, update

from bridge.domain.events import TicketSnapshot
from bridge.storage.db import reading
from bridge.storage.schema import backfill_tickets
from bridge.storage.snapshots import ticket_from_json, ticket_to_json

_UNDATED = datetime(1970, 1, 1, tzinfo=UTC)  # a ticket without times is evaluated first

# Where a walk through the staged tickets stands: the (occurred_at, ticket_id) last handed out.
Position = tuple[datetime, int]


@dataclass(frozen=True)
class Staged:
    position: Position
    ticket: TicketSnapshot
    submitter_id: int | None


def occurred_at(ticket: TicketSnapshot) -> datetime:
    """When the customer reported it: created_at (updated_at when the export lacks it)."""
    return ticket.created_at or ticket.updated_at or _UNDATED


class BackfillStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    def stage(self, connection: Connection, page: Sequence[TicketSnapshot], now: datetime,
              submitters: Mapping[int, int] | None = None) -> int:
        """Keep the page's tickets (and who created them) for evaluation; a ticket staged before in
        another state is to be evaluated again, in the same state it is not. How many are new or
        changed."""
        submitters = submitters or {}
        c = backfill_tickets.c
        latest = {ticket.id: ticket for ticket in page}  # a ticket listed twice: its last state
        held = dict(connection.execute(select(c.ticket_id, c.snapshot).where(c.ticket_id.in_(list(latest)))).all())
        new, changed = [], 0
        for ticket_id, ticket in latest.items():
            snapshot = ticket_to_json(ticket)
            if ticket_id not in held:
                new.append({"ticket_id": ticket_id, "occurred_at": occurred_at(ticket), "snapshot": snapshot,
                            "submitter_id": submitters.get(ticket_id), "staged_at": now})
            elif held[ticket_id] != snapshot:
                connection.execute(update(backfill_tickets).where(c.ticket_id == ticket_id).values(
                    occurred_at=occurred_at(ticket), snapshot=snapshot, submitter_id=submitters.get(ticket_id),
                    staged_at=now, evaluated_at=None))
                changed += 1
        if new:
            connection.execute(backfill_tickets.insert(), new)
        return len(new) + changed

    @staticmethod
    def waiting(connection: Connection, after: Position | None, limit: int) -> list[Staged]:
        """The next tickets not evaluated yet, in the order they happened, after `after`."""
        c = backfill_tickets.c
        query = select(c.ticket_id, c.occurred_at, c.snapshot, c.submitter_id).where(c.evaluated_at.is_(None))
        if after is not None:
            query = query.where(or_(c.occurred_at > after[0], and_(c.occurred_at == after[0], c.ticket_id > after[1])))
        rows = connection.execute(query.order_by(c.occurred_at, c.ticket_id).limit(limit))
        return [Staged((row.occurred_at, row.ticket_id), ticket_from_json(row.snapshot), row.submitter_id)
                for row in rows]

    @staticmethod
    def mark_evaluated(connection: Connection, ticket_ids: Iterable[int], now: datetime) -> None:
        connection.execute(update(backfill_tickets).where(backfill_tickets.c.ticket_id.in_(list(ticket_ids)))
                           .values(evaluated_at=now))

    @staticmethod
    def forget_in(connection: Connection) -> None:
        connection.execute(delete(backfill_tickets))

    def counts(self) -> tuple[int, int]:
        """(staged, of which waiting for evaluation)."""
        c = backfill_tickets.c
        with reading(self.engine) as connection:
            row = connection.execute(select(func.count(), func.count().filter(c.evaluated_at.is_(None)))).one()
        return row[0], row[1]
