"""The rows of a bulk send that must reach each of its items exactly once: a fix's closure (one row
per linked ticket) and a proactive notice (one row per customer). SQL only, shared by
bridge/storage/closures.py and bridge/storage/proactive.py; the argument it serves is in
bridge/closure/__init__.py.

A run (a row of `runs`: id, state, running_key, done_count, failed_count, finished_at) has one
row per item (`rows`: the run's id, the item's id, state, verify, attempts, job_id, sent_at,
notified_at, last_error). Each item moves pending → sent → notified | failed. `claim` (pending →
sent) is one guarded UPDATE: of two runners racing on a run, each item goes to one of them, never
both. An item is `sent` with a NULL job id from just before the request until its job id is
recorded: if the bridge dies in between, that row says "outcome unknown" and the item is read
back from Zendesk before it can be sent again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection, Engine, Row, Table, and_, bindparam, func, select, update

from bridge.storage.db import reading

RUNNING, DONE, FAILED = "running", "done", "failed"  # a run
PENDING, SENT, NOTIFIED = "pending", "sent", "notified"  # an item (or FAILED)


@dataclass(frozen=True)
class RowChange:
    """New column values for one item, applied only while it is in `expected` state."""

    item_id: int
    expected: str
    values: Mapping[str, object]


class SendItem(Protocol):
    """What the shared steps and decisions (bridge/closure/send_round.py, outcomes.py) read of an
    item's row (ClosureTicket, Recipient)."""

    @property
    def item_id(self) -> int: ...
    @property
    def attempts(self) -> int: ...
    @property
    def job_id(self) -> str | None: ...
    @property
    def sent_at(self) -> datetime | None: ...
    @property
    def last_error(self) -> str | None: ...


class SendRows:
    def __init__(self, engine: Engine, runs: Table, rows: Table, run_column: str, item_column: str):
        self.engine, self.runs, self.rows = engine, runs, rows
        self.run_column, self.item_column = rows.c[run_column], rows.c[item_column]

    def items(self, run_id: int, state: str | None = None, limit: int | None = None,
              **equal: object) -> Sequence[Row]:
        """The run's rows in item order, only those in `state` and with the `equal` column values."""
        query = (select(self.rows).where(self.run_column == run_id).order_by(self.item_column).limit(limit))
        if state is not None:
            query = query.where(self.rows.c.state == state)
        for column, value in equal.items():
            if value is not None:
                query = query.where(self.rows.c[column] == value)
        with reading(self.engine) as connection:
            return connection.execute(query).all()

    def unknown_outcomes(self, run_id: int, sent_before: datetime, limit: int) -> Sequence[Row]:
        """Sent, but the request's answer (the job id) never got recorded, long enough ago."""
        c = self.rows.c
        with reading(self.engine) as connection:
            return connection.execute(select(self.rows).where(
                self.run_column == run_id, c.state == SENT, c.job_id.is_(None), c.sent_at < sent_before,
            ).order_by(self.item_column).limit(limit)).all()

    def claim(self, run_id: int, item_ids: Iterable[int], now: datetime) -> list[int]:
        """pending → sent (outcome unknown until `record_job`), one more attempt; returns the
        items this caller got, which it alone may send."""
        c = self.rows.c
        with self.engine.begin() as connection:
            claimed = connection.execute(
                update(self.rows)
                .where(self.run_column == run_id, self.item_column.in_(list(item_ids)), c.state == PENDING,
                       c.verify.is_(False))
                .values(state=SENT, job_id=None, sent_at=now, attempts=c.attempts + 1)
                .returning(self.item_column)).scalars().all()
        return sorted(claimed)

    def record_job(self, run_id: int, item_ids: Iterable[int], job_id: str) -> None:
        c = self.rows.c
        with self.engine.begin() as connection:
            connection.execute(update(self.rows).where(
                self.run_column == run_id, self.item_column.in_(list(item_ids)), c.state == SENT,
                c.job_id.is_(None)).values(job_id=job_id))

    def release(self, run_id: int, item_ids: Iterable[int]) -> None:
        """Zendesk refused the request (nothing was sent): pending again, the attempt not counted."""
        c = self.rows.c
        with self.engine.begin() as connection:
            connection.execute(update(self.rows).where(
                self.run_column == run_id, self.item_column.in_(list(item_ids)), c.state == SENT,
                c.job_id.is_(None)).values(state=PENDING, sent_at=None, attempts=c.attempts - 1))

    def apply(self, run_id: int, changes: Iterable[RowChange], now: datetime) -> None:
        """Apply the changes (each only if its item is still in the expected state) and recount.
        Changes setting the same columns share one statement, executed for all their items."""
        c = self.rows.c
        by_columns: dict[tuple[str, ...], list[dict]] = defaultdict(list)
        for change in changes:
            values = dict(change.values)
            if values.get("state") == NOTIFIED:
                values["notified_at"] = now
            by_columns[tuple(sorted(values))].append(
                {"b_run": run_id, "b_item": change.item_id, "b_expected": change.expected,
                 **{f"v_{column}": value for column, value in values.items()}})
        with self.engine.begin() as connection:
            for columns, rows in by_columns.items():
                statement = update(self.rows).where(
                    self.run_column == bindparam("b_run"), self.item_column == bindparam("b_item"),
                    c.state == bindparam("b_expected"),
                ).values({column: bindparam(f"v_{column}") for column in columns})
                connection.execute(statement, rows)
            self.recount(connection, run_id)

    def finish_if_complete(self, connection: Connection, run_id: int, now: datetime) -> Row | None:
        """The run done (every item notified) or failed (some given up on) once no item is
        pending or sent: its row; None while some still are."""
        open_items = connection.execute(select(func.count()).where(
            self.run_column == run_id, self.rows.c.state.in_([PENDING, SENT]))).scalar_one()
        if open_items:
            return None
        self.recount(connection, run_id)
        runs = self.runs
        row = connection.execute(select(runs).where(runs.c.id == run_id)).one()
        if row.state == RUNNING:
            connection.execute(update(runs).where(runs.c.id == run_id).values(
                state=FAILED if row.failed_count else DONE, running_key=None, finished_at=now))
            row = connection.execute(select(runs).where(runs.c.id == run_id)).one()
        return row

    def recount(self, connection: Connection, run_id: int) -> None:
        def count(state: str):
            return (select(func.count()).where(and_(self.run_column == run_id, self.rows.c.state == state))
                    .scalar_subquery())

        connection.execute(update(self.runs).where(self.runs.c.id == run_id).values(
            done_count=count(NOTIFIED), failed_count=count(FAILED)))
