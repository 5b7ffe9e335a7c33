"""The inbox: webhook deliveries stored before they are acknowledged, drained by workers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import Connection, Engine, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bridge.storage.db import reading
from bridge.storage.schema import inbox_events

PENDING, PROCESSING, DONE, IGNORED, FAILED = "pending", "processing", "done", "ignored", "failed"
STATUSES = (PENDING, PROCESSING, DONE, IGNORED, FAILED)


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


class LeaseLost(Exception):
    """Another worker took the event over (our lease expired); our work must be rolled back."""


def _insert_ignoring_duplicates(connection: Connection):
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    # RETURNING tells inserted from skipped on both databases (psycopg reports rowcount -1 here).
    return dialect.insert(inbox_events).on_conflict_do_nothing(
        index_elements=["source", "delivery_key"]
    ).returning(inbox_events.c.source, inbox_events.c.delivery_key)


class Inbox:
    def __init__(self, engine: Engine):
        self.engine = engine

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

    def claim(self, owner: str, limit: int, now: datetime, lease: timedelta) -> list[InboxEvent]:
        """Lease up to `limit` due events, oldest first; expired leases of crashed workers count."""
        c = inbox_events.c
        claimable = or_(
            and_(c.status == PENDING, c.available_at <= now),
            and_(c.status == PROCESSING, c.lease_until < now),
        )
        with self.engine.begin() as connection:
            ids = connection.execute(
                select(c.id).where(claimable).order_by(c.id).limit(limit)
                .with_for_update(skip_locked=True)
            ).scalars().all()
            if not ids:
                return []
            connection.execute(
                update(inbox_events).where(c.id.in_(ids))
                .values(status=PROCESSING, lease_owner=owner, lease_until=now + lease,
                        attempts=c.attempts + 1)
            )
            rows = connection.execute(select(inbox_events).where(c.id.in_(ids)).order_by(c.id))
            return [_event(row) for row in rows]

    def finish(self, connection: Connection, event_id: int, owner: str, status: str,
               now: datetime, outcome: str | None = None) -> None:
        """Mark done/ignored inside the caller's transaction, so effects and completion commit together."""
        c = inbox_events.c
        result = connection.execute(
            update(inbox_events)
            .where(c.id == event_id, c.lease_owner == owner, c.status == PROCESSING)
            .values(status=status, processed_at=now, lease_owner=None, lease_until=None,
                    outcome=outcome, last_error=None)
        )
        if result.rowcount != 1:
            raise LeaseLost(f"inbox event {event_id} is no longer leased by {owner}")

    def fail(self, event_id: int, owner: str, error: str, now: datetime, retry_at: datetime | None):
        """Record a failed attempt: back to pending at `retry_at`, or parked as failed when None."""
        c = inbox_events.c
        with self.engine.begin() as connection:
            connection.execute(
                update(inbox_events)
                .where(c.id == event_id, c.lease_owner == owner, c.status == PROCESSING)
                .values(status=PENDING if retry_at else FAILED, available_at=retry_at or now,
                        lease_owner=None, lease_until=None, last_error=error[:2000],
                        processed_at=None if retry_at else now)
            )

    def retry(self, now: datetime, ids: Iterable[int] | None = None) -> int:
        """Put failed events (all, or the given ids) back in the queue with a fresh attempt count."""
        c = inbox_events.c
        condition = c.status == FAILED
        if ids is not None:
            condition = and_(condition, c.id.in_(list(ids)))
        with self.engine.begin() as connection:
            return connection.execute(
                update(inbox_events).where(condition)
                .values(status=PENDING, attempts=0, available_at=now, processed_at=None)
            ).rowcount

    def list(self, status: str | None = None, limit: int = 50) -> list[InboxEvent]:
        c = inbox_events.c
        query = select(inbox_events).order_by(c.id.desc()).limit(limit)
        if status:
            query = query.where(c.status == status)
        with reading(self.engine) as connection:
            return [_event(row) for row in connection.execute(query)]

    def counts(self) -> dict[str, int]:
        c = inbox_events.c
        with reading(self.engine) as connection:
            rows = connection.execute(select(c.status, func.count()).group_by(c.status))
            return {status: 0 for status in STATUSES} | {row[0]: row[1] for row in rows}

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
