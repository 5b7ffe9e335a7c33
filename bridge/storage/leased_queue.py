"""A table of work items that workers lease: claim due rows oldest first (SKIP LOCKED on
PostgreSQL, with a lease so a crashed worker's rows are taken over), complete them inside the
caller's transaction, or record a failed attempt with a retry time. The inbox and the outbox are
both such queues."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, case, func, null, or_, select, update

from bridge.storage.db import reading

PENDING, PROCESSING, DONE, IGNORED, FAILED = "pending", "processing", "done", "ignored", "failed"
STATUSES = (PENDING, PROCESSING, DONE, IGNORED, FAILED)


class LeaseLost(Exception):
    """Another worker took the item over (our lease expired); our work must be rolled back."""


class LeasedQueue:
    """Rows need: id, status, attempts, available_at, lease_owner, lease_until, last_error,
    outcome, processed_at."""

    table: Table
    # A column naming what an item is about (e.g. its ticket): items with the same value are
    # claimed one worker at a time, in id order. None: any due item may be claimed.
    in_turn_by: str | None = None

    def __init__(self, engine: Engine):
        self.engine = engine

    def to_item(self, row) -> Any:
        return row

    def terminal_values(self) -> dict:
        """Extra column values to set when an item is done or parked."""
        return {}

    def claim(self, owner: str, limit: int, now: datetime, lease: timedelta) -> list:
        """Lease up to `limit` due items, oldest first; expired leases of crashed workers count."""
        c = self.table.c
        claimable = or_(
            and_(c.status == PENDING, c.available_at <= now),
            and_(c.status == PROCESSING, c.lease_until < now),
        )
        subject = c[self.in_turn_by] if self.in_turn_by else null()
        with self.engine.begin() as connection:
            due: list[tuple[int, str | None]] = [(row[0], row[1]) for row in connection.execute(
                select(c.id, subject).where(claimable).order_by(c.id).limit(limit)
                .with_for_update(skip_locked=True))]
            ids = self._in_turn(connection, due, now) if self.in_turn_by else [item_id for item_id, _ in due]
            if not ids:
                return []
            connection.execute(
                update(self.table).where(c.id.in_(ids))
                .values(status=PROCESSING, lease_owner=owner, lease_until=now + lease,
                        attempts=c.attempts + 1)
            )
            claimed = connection.execute(select(self.table).where(c.id.in_(ids)).order_by(c.id))
            return [self.to_item(row) for row in claimed]

    def _in_turn(self, connection: Connection, rows: list[tuple[int, str | None]], now: datetime) -> list[int]:
        """The claimed (id, subject) rows whose subject has no earlier item that someone else is
        working on or is about to claim: processing, or due but not among ours (another claim has
        it locked). Earlier items waiting for a retry hold nothing up."""
        assert self.in_turn_by is not None
        c = self.table.c
        subject = c[self.in_turn_by]
        subjects = {item_subject for _, item_subject in rows if item_subject is not None}
        if not subjects:
            return [row[0] for row in rows]
        ours = [item_id for item_id, _ in rows]
        unfinished = or_(c.status == PROCESSING, and_(c.status == PENDING, c.available_at <= now))
        first_elsewhere = dict(connection.execute(
            select(subject, func.min(c.id))
            .where(subject.in_(sorted(subjects)), c.status.in_([PENDING, PROCESSING]), unfinished,
                   c.id.not_in(ours))
            .group_by(subject)
        ).all())
        return [item_id for item_id, item_subject in rows
                if item_subject not in first_elsewhere or item_id < first_elsewhere[item_subject]]

    def finish(self, connection: Connection, item_id: int, owner: str, status: str,
               now: datetime, outcome: str | None = None) -> None:
        """Mark done/ignored inside the caller's transaction, so effects and completion commit together."""
        c = self.table.c
        result = connection.execute(
            update(self.table)
            .where(c.id == item_id, c.lease_owner == owner, c.status == PROCESSING)
            .values(status=status, processed_at=now, lease_owner=None, lease_until=None,
                    outcome=outcome, last_error=None, **self.terminal_values())
        )
        if result.rowcount != 1:
            raise LeaseLost(f"{self.table.name} row {item_id} is no longer leased by {owner}")

    def finish_many(self, connection: Connection, outcomes: dict[int, tuple[str, str | None]], owner: str,
                    now: datetime) -> None:
        """`finish` for several items (item id -> (status, outcome)) in one statement; LeaseLost
        unless every one of them is still ours."""
        if not outcomes:
            return
        c = self.table.c
        ids = sorted(outcomes)
        result = connection.execute(
            update(self.table)
            .where(c.id.in_(ids), c.lease_owner == owner, c.status == PROCESSING)
            .values(status=case({i: outcomes[i][0] for i in ids}, value=c.id),
                    outcome=case({i: outcomes[i][1] for i in ids}, value=c.id),
                    processed_at=now, lease_owner=None, lease_until=None, last_error=None,
                    **self.terminal_values())
        )
        if result.rowcount != len(ids):
            raise LeaseLost(f"{self.table.name}: {len(ids) - result.rowcount} of {len(ids)} rows "
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

