"""The inbox: webhook deliveries stored before they are acknowledged, drained by workers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from bridge.storage.db import reading, upsert_insert
from bridge.storage.leased_queue import (
    DONE,
    FAILED,
    IGNORED,
    PENDING,
    PROCESSING,
    STATUSES,
    LeasedQueue,
    LeaseLost,
)
from bridge.storage.schema import inbox_events

__all__ = ["DONE", "FAILED", "IGNORED", "PENDING", "PROCESSING", "STATUSES", "Delivery", "Inbox",
           "InboxEvent", "LeaseLost"]


@dataclass(frozen=True)
class InboxEvent:
    id: int
    source: str
    delivery_key: str
    event_type: str | None
    received_at: datetime
    body: str
    status: str
    attempts: int
    last_error: str | None
    outcome: str | None


@dataclass(frozen=True)
class Delivery:
    """A webhook delivery as received, before it is stored."""

    source: str
    delivery_key: str
    event_type: str | None
    body: str
    received_at: datetime


def _insert_ignoring_duplicates(connection: Connection):
    # RETURNING tells inserted from skipped on both databases (psycopg reports rowcount -1 here).
    return upsert_insert(connection, inbox_events).on_conflict_do_nothing(
        index_elements=["source", "delivery_key"]
    ).returning(inbox_events.c.source, inbox_events.c.delivery_key)


class Inbox(LeasedQueue):
    table = inbox_events

    def to_item(self, row) -> InboxEvent:
        return _event(row)

    def store(self, source: str, delivery_key: str, event_type: str | None, body: str,
              now: datetime) -> bool:
        """Store a delivery once; False when this (source, delivery_key) was already stored."""
        return self.store_many([Delivery(source, delivery_key, event_type, body, now)])[0]

    def store_many(self, deliveries: list[Delivery]) -> list[bool]:
        """Store deliveries in one transaction (one commit); per delivery, whether it was new.
        Of several deliveries with the same key, the first is stored and the rest are duplicates."""
        rows = [{
            "source": d.source, "delivery_key": d.delivery_key, "event_type": d.event_type,
            "received_at": d.received_at, "body": d.body, "status": PENDING, "attempts": 0,
            "available_at": d.received_at,
        } for d in deliveries]
        with self.engine.begin() as connection:
            # One cached single-row statement, executed for many rows: SQLAlchemy batches it into
            # multi-row INSERTs ("insertmanyvalues") without compiling a new statement per size.
            result = connection.execute(_insert_ignoring_duplicates(connection), rows)
            inserted = {(row.source, row.delivery_key) for row in result}
        stored = []
        for delivery in deliveries:
            key = (delivery.source, delivery.delivery_key)
            stored.append(key in inserted)
            inserted.discard(key)
        return stored

    def oldest_waiting_received_at(self) -> datetime | None:
        c = inbox_events.c
        with reading(self.engine) as connection:
            return connection.execute(
                select(func.min(c.received_at)).where(c.status.in_([PENDING, PROCESSING]))
            ).scalar()


def _event(row) -> InboxEvent:
    return InboxEvent(
        id=row.id, source=row.source, delivery_key=row.delivery_key, event_type=row.event_type,
        received_at=row.received_at, body=row.body, status=row.status, attempts=row.attempts,
        last_error=row.last_error, outcome=row.outcome,
    )
