"""A table of work items that workers lease: claim due rows oldest first (SKIP LOCKED on
PostgreSQL, with a lease so a crashed worker's rows are taken over), complete them inside the
caller's transaction, or record a failed attempt with a retry time. The inbox and the outbox are
both such queues."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
    func,
    literal_column,
    null,
    or_,
    select,
    update,
)

from bridge.storage.db import reading

PENDING, PROCESSING, DONE, IGNORED, FAILED = "pending", "processing", "done", "ignored", "failed"
STATUSES = (PENDING, PROCESSING, DONE, IGNORED, FAILED)


def _unfinished(dialect: str, status: ColumnElement) -> ColumnElement[bool]:
    """`status IN ('pending', 'processing')` as the partial indexes over unfinished rows say it: with
    the values written out (SQLite uses such an index only when the query repeats its condition
    literally). On SQLite also wrapped in likelihood(), a no-op but for the planner: without
    statistics it looked the two statuses up in ix_inbox_claimable and scanned every waiting row."""
    condition = status.in_(bindparam("unfinished", [PENDING, PROCESSING], expanding=True, literal_execute=True))
    return func.likelihood(condition, literal_column("0.9")) if dialect == "sqlite" else condition


class LeaseLost(Exception):
    """Another worker took the item over (our lease expired); our work must be rolled back."""


class _Statements:
    """A queue's claiming and finishing statements, built once: building one per batch (coercing
    each id into a bound parameter, generating its cache key) cost more than running it."""

    def __init__(self, table: Table, in_turn_by: str | None, terminal_values: dict, dialect: str):
        c = table.c
        now: BindParameter[datetime] = bindparam("now")
        claimable = or_(and_(c.status == PENDING, c.available_at <= now),
                        and_(c.status == PROCESSING, c.lease_until < now))
        subject = c[in_turn_by] if in_turn_by else null()
        self.due = (select(c.id, subject).where(claimable).order_by(c.id).limit(bindparam("limit"))
                    .with_for_update(skip_locked=True))
        self.lease = (update(table).where(c.id.in_(bindparam("ids", expanding=True)))
                      .values(status=PROCESSING, lease_owner=bindparam("owner"),
                              lease_until=bindparam("lease_until"), attempts=c.attempts + 1)
                      .returning(*c))
        if in_turn_by:
            # Of pending and processing rows: processing, or pending and due.
            busy_or_due = or_(c.status == PROCESSING, c.available_at <= now)
            self.first_elsewhere = (
                select(subject, func.min(c.id))
                .where(subject.in_(bindparam("subjects", expanding=True)), _unfinished(dialect, c.status),
                       busy_or_due, c.id.not_in(bindparam("ours", expanding=True)))
                .group_by(subject))
        self.finish = (update(table)
                       .where(c.id == bindparam("item_id"), c.lease_owner == bindparam("owner"),
                              c.status == PROCESSING)
                       .values(status=bindparam("new_status"), outcome=bindparam("new_outcome"),
                               processed_at=bindparam("now"), lease_owner=None, lease_until=None,
                               last_error=None, **terminal_values))


class LeasedQueue:
    """Rows need: id, status, attempts, available_at, lease_owner, lease_until, last_error,
    outcome, processed_at."""

    table: Table
    # A column naming what an item is about (e.g. its ticket): items with the same value are
    # claimed one worker at a time, in id order. None: any due item may be claimed.
    in_turn_by: str | None = None

    def __init__(self, engine: Engine):
        self.engine = engine
        self._statements = _Statements(self.table, self.in_turn_by, self.terminal_values(), engine.dialect.name)

    def to_item(self, row) -> Any:
        return row

    def terminal_values(self) -> dict:
        """Extra column values to set when an item is done or parked."""
        return {}

    def claim(self, owner: str, limit: int, now: datetime, lease: timedelta) -> list:
        """Lease up to `limit` due items, oldest first; expired leases of crashed workers count."""
        statements = self._statements
        with self.engine.begin() as connection:
            due: list[tuple[int, str | None]] = [
                (row[0], row[1]) for row in connection.execute(statements.due, {"now": now, "limit": limit})]
            ids = self._in_turn(connection, due, now) if self.in_turn_by else [item_id for item_id, _ in due]
            if not ids:
                return []
            claimed = connection.execute(statements.lease, {"ids": ids, "owner": owner, "lease_until": now + lease})
            return [self.to_item(row) for row in sorted(claimed, key=lambda row: row.id)]

    def _in_turn(self, connection: Connection, rows: list[tuple[int, str | None]], now: datetime) -> list[int]:
        """The claimed (id, subject) rows whose subject has no earlier item that someone else is
        working on or is about to claim: processing, or due but not among ours (another claim has
        it locked). Earlier items waiting for a retry hold nothing up."""
        subjects = {item_subject for _, item_subject in rows if item_subject is not None}
        if not subjects:
            return [row[0] for row in rows]
        first_elsewhere = dict(connection.execute(self._statements.first_elsewhere, {
            "subjects": sorted(subjects), "ours": [item_id for item_id, _ in rows], "now": now}).all())
        return [item_id for item_id, item_subject in rows
                if item_subject not in first_elsewhere or item_id < first_elsewhere[item_subject]]

    def finish(self, connection: Connection, item_id: int, owner: str, status: str,
               now: datetime, outcome: str | None = None) -> None:
        """Mark done/ignored inside the caller's transaction, so effects and completion commit together."""
        self.finish_many(connection, {item_id: (status, outcome)}, owner, now)

    def finish_many(self, connection: Connection, outcomes: dict[int, tuple[str, str | None]], owner: str,
                    now: datetime) -> None:
        """`finish` for several items (item id -> (status, outcome)) in one executemany; LeaseLost
        unless every one of them is still ours."""
        if not outcomes:
            return
        result = connection.execute(self._statements.finish, [
            {"item_id": item_id, "owner": owner, "new_status": status, "new_outcome": outcome, "now": now}
            for item_id, (status, outcome) in sorted(outcomes.items())])
        if result.rowcount != len(outcomes):
            raise LeaseLost(f"{self.table.name}: {len(outcomes) - result.rowcount} of {len(outcomes)} rows "
                            f"are no longer leased by {owner}")

    def fail(self, item_id: int, owner: str, error: str, now: datetime, retry_at: datetime | None):
        """Record a failed attempt: back to pending at `retry_at`, or parked as failed when None."""
        c = self.table.c
        with self.engine.begin() as connection:
            connection.execute(
                update(self.table)
                .where(c.id == item_id, c.lease_owner == owner, c.status == PROCESSING)
                .values(status=PENDING if retry_at else FAILED, available_at=retry_at or now,
                        lease_owner=None, lease_until=None, last_error=error[:2000],
                        processed_at=None if retry_at else now,
                        **({} if retry_at else self.terminal_values()))
            )

    def postpone(self, item_id: int, owner: str, until: datetime, **values) -> None:
        """Not a failure (waiting for a job, a rate limit): pending again at `until`, without the
        attempt counting."""
        c = self.table.c
        with self.engine.begin() as connection:
            connection.execute(
                update(self.table)
                .where(c.id == item_id, c.lease_owner == owner, c.status == PROCESSING)
                .values(status=PENDING, available_at=until, lease_owner=None, lease_until=None,
                        attempts=c.attempts - 1, **values)
            )

    def retry(self, now: datetime, ids: Iterable[int] | None = None) -> int:
        """Put failed items (all, or the given ids) back in the queue with a fresh attempt count."""
        c = self.table.c
        condition = c.status == FAILED
        if ids is not None:
            condition = and_(condition, c.id.in_(list(ids)))
        with self.engine.begin() as connection:
            return connection.execute(
                update(self.table).where(condition)
                .values(status=PENDING, attempts=0, available_at=now, processed_at=None)
            ).rowcount

    def list(self, status: str | None = None, limit: int = 50) -> list:
        """Newest first, optionally only those in one status."""
        c = self.table.c
        query = select(self.table).order_by(c.id.desc()).limit(limit)
        if status:
            query = query.where(c.status == status)
        with reading(self.engine) as connection:
            return [self.to_item(row) for row in connection.execute(query)]

    def counts(self) -> dict[str, int]:
        c = self.table.c
        with reading(self.engine) as connection:
            rows = connection.execute(select(c.status, func.count()).group_by(c.status))
            return {status: 0 for status in STATUSES} | {row[0]: row[1] for row in rows}

