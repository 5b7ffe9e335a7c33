"""The inbox: webhook deliveries stored before they are acknowledged, drained by workers."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from bridge.storage.db import reading, upsert_insert, write_turn
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
           "InboxEvent", "LeaseLost", "ticket_subject"]


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
    # sha256 hex of what the vendor signed (connectors/*/signature.py `signed_digest`); a second
    # delivery with the same digest is a duplicate whatever its delivery key. None: not signed.
    signed_digest: str | None = None
    # What it is about (`ticket_subject`): events of one subject are processed in turn.
    subject_key: str | None = None

    @property
    def identity(self) -> tuple[str, str, str | None]:
        return self.source, self.delivery_key, self.signed_digest


def _insert_ignoring_duplicates(connection: Connection):
    # No conflict target: a row is skipped when its delivery key OR its signed digest is known.
    # RETURNING tells inserted from skipped (psycopg reports rowcount -1 for a multi-row INSERT).
    c = inbox_events.c
    return upsert_insert(connection, inbox_events).on_conflict_do_nothing().returning(
        c.source, c.delivery_key, c.signed_digest)


# Well under SQLite's smallest limit on parameters (32,766 since 3.32) and psycopg's page of 1,000.
ROWS_PER_STATEMENT = 500
_COLUMNS = ("source", "delivery_key", "event_type", "received_at", "body", "status", "attempts",
            "available_at", "signed_digest", "subject_key")


def _values(delivery: Delivery, received_at) -> tuple:
    """A new inbox row in _COLUMNS order; `received_at` as the database driver takes it."""
    return (delivery.source, delivery.delivery_key, delivery.event_type, received_at, delivery.body,
            PENDING, 0, received_at, delivery.signed_digest, delivery.subject_key)


@lru_cache(maxsize=64)
def _sqlite_insert(rows: int) -> str:
    values = "(" + ", ".join("?" * len(_COLUMNS)) + ")"
    return (f"INSERT INTO {inbox_events.name} ({', '.join(_COLUMNS)}) VALUES "
            f"{', '.join([values] * rows)} ON CONFLICT DO NOTHING")


def _store_on_sqlite(engine: Engine, deliveries: list[Delivery]) -> list[bool]:
    """One multi-row INSERT outside any explicit transaction: SQLite makes the single statement
    its own transaction, so the whole batch costs one call into the driver. Each such call lets
    go of the interpreter lock and must win it back from the request threads, which under load
    took milliseconds per call (bench/ingest.py): with BEGIN, an INSERT per row and COMMIT the
    writer thread, not the database, was the limit."""
    dialect = engine.dialect
    bind_time = inbox_events.c.received_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert bind_time is not None, "SQLite stores a datetime as text"
    parameters: list[Any] = []
    for delivery in deliveries:
        parameters.extend(_values(delivery, bind_time(delivery.received_at)))
    connection = engine.raw_connection()
    try:
        # A raw statement begins no SQLAlchemy transaction: it takes its write turn here.
        with write_turn(engine), closing(connection.cursor()) as cursor:
            cursor.execute(_sqlite_insert(len(deliveries)), parameters)
            inserted, last_id = cursor.rowcount, cursor.lastrowid
            if inserted == len(deliveries):
                return [True] * inserted
            keys = set()
            if inserted:
                # The rows one statement inserts get consecutive ids, the last one `last_id`.
                cursor.execute(f"SELECT source, delivery_key, signed_digest FROM {inbox_events.name} "
                               "WHERE id > ? AND id <= ?", (last_id - inserted, last_id))
                keys = set(cursor.fetchall())
    finally:
        connection.close()
    return _first_of_each(deliveries, keys)


def _store_on_postgresql(engine: Engine, deliveries: list[Delivery]) -> list[bool]:
    rows = [dict(zip(_COLUMNS, _values(d, d.received_at), strict=True)) for d in deliveries]
    # SQLAlchemy turns the cached single-row statement, executed for many rows, into one
    # multi-row INSERT ("insertmanyvalues").
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        result = connection.execute(_insert_ignoring_duplicates(connection), rows)
        inserted = {(row.source, row.delivery_key, row.signed_digest) for row in result}
    return _first_of_each(deliveries, inserted)


def _first_of_each(deliveries: list[Delivery], inserted: set[tuple[str, str, str | None]]) -> list[bool]:
    """Per delivery, whether it is the one stored: the first with an inserted identity."""
    stored = []
    for delivery in deliveries:
        stored.append(delivery.identity in inserted)
        inserted.discard(delivery.identity)
    return stored


def ticket_subject(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


class Inbox(LeasedQueue):
    table = inbox_events
    in_turn_by = "subject_key"

    def to_item(self, row) -> InboxEvent:
        return _event(row)

    def store(self, source: str, delivery_key: str, event_type: str | None, body: str,
              now: datetime) -> bool:
        """Store a delivery once; False when this (source, delivery_key) was already stored."""
        return self.store_many([Delivery(source, delivery_key, event_type, body, now)])[0]

    def store_many(self, deliveries: list[Delivery]) -> list[bool]:
        """Store deliveries; per delivery, whether it was new. Of several deliveries with the same
        key or the same signed digest, the first is stored and the rest are duplicates. Each run of up to
        ROWS_PER_STATEMENT is one INSERT, its own transaction (one commit): one call into the
        driver, one round trip, instead of BEGIN, INSERT and COMMIT. Webhook intake calls this
        from one writer thread (bridge/intake/group_commit.py)."""
        stored: list[bool] = []
        for start in range(0, len(deliveries), ROWS_PER_STATEMENT):
            run = deliveries[start:start + ROWS_PER_STATEMENT]
            if self.engine.dialect.name == "sqlite":
                stored += _store_on_sqlite(self.engine, run)
            else:
                stored += _store_on_postgresql(self.engine, run)
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
