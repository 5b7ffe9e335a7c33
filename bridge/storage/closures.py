"""Closures (a problem's fix reaching every linked ticket) and their tickets. SQL only; what to
send and how to read Zendesk's answers is decided in bridge/closure.

Each ticket moves pending → sent → notified | failed. `claim` (pending → sent) is one guarded
UPDATE: of two runners racing on a closure, each ticket goes to one of them, never both. A ticket
is `sent` with a NULL job id from just before the request until its job id is recorded: if the
bridge dies in between, that row says "outcome unknown" and the ticket is read in Zendesk before
it can be sent again (see bridge/closure/__init__.py for the whole argument).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, and_, bindparam, func, select, update

from bridge.storage.db import reading, upsert_insert
from bridge.storage.schema import closure_tickets, closures, problem_tickets, tickets

RUNNING, DONE, FAILED = "running", "done", "failed"  # a closure
PENDING, SENT, NOTIFIED = "pending", "sent", "notified"  # a ticket (or FAILED)


@dataclass(frozen=True)
class ClosureProgress:
    """A closure as `bridge problems show` and the API show it: `done` of `total` tickets notified,
    `failed` given up on."""

    closure_id: int
    problem_id: int
    state: str
    fix_version: str | None
    total: int
    done: int
    failed: int
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class ClosureTicket:
    ticket_id: int
    state: str
    requester_id: int | None
    requester_name: str | None
    closed: bool  # closed in Zendesk: reached through a follow-up ticket
    verify: bool  # read it in Zendesk before sending (again)
    attempts: int
    job_id: str | None
    sent_at: datetime | None
    followup_ticket_id: int | None
    last_error: str | None


@dataclass(frozen=True)
class TicketChange:
    """New column values for one closure ticket, applied only while it is in `expected` state."""

    ticket_id: int
    expected: str
    values: Mapping[str, object]


def _progress(row) -> ClosureProgress:
    return ClosureProgress(row.id, row.problem_id, row.state, row.fix_version, row.total, row.done_count,
                           row.failed_count, row.created_at, row.finished_at)


def _ticket(row) -> ClosureTicket:
    return ClosureTicket(row.ticket_id, row.state, row.requester_id, row.requester_name, row.closed,
                         row.verify, row.attempts, row.job_id, row.sent_at, row.followup_ticket_id,
                         row.last_error)


class ClosureStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    # --- starting, in the caller's transaction ------------------------------------------------

    def create(self, connection: Connection, problem_id: int, fix_version: str | None,
               now: datetime) -> int | None:
        """A running closure of the problem's linked tickets; None if one is running already."""
        closure_id = connection.execute(
            upsert_insert(connection, closures).values(
                problem_id=problem_id, running_key=problem_id, state=RUNNING, fix_version=fix_version,
                total=0, done_count=0, failed_count=0, created_at=now,
            ).on_conflict_do_nothing(index_elements=["running_key"]).returning(closures.c.id)
        ).scalar()
        if closure_id is None:
            return None
        c = problem_tickets.c
        rows = connection.execute(
            select(c.ticket_id, c.requester_id, tickets.c.snapshot)
            .select_from(problem_tickets.outerjoin(tickets, tickets.c.id == c.ticket_id))
            .where(c.problem_id == problem_id, c.left_at.is_(None)).order_by(c.ticket_id)).all()
        if rows:
            # A ticket the bridge last saw closed stays closed (Zendesk never reopens one): it goes
            # straight to a follow-up. Others found closed on the way switch over then.
            connection.execute(closure_tickets.insert(), [
                {"closure_id": closure_id, "ticket_id": row.ticket_id, "state": PENDING,
                 "requester_id": row.requester_id, "closed": (row.snapshot or {}).get("status") == "closed",
                 "verify": False, "attempts": 0} for row in rows])
        connection.execute(update(closures).where(closures.c.id == closure_id).values(total=len(rows)))
        return closure_id

    def running_for(self, connection: Connection, problem_id: int) -> int | None:
        return connection.execute(select(closures.c.id).where(closures.c.running_key == problem_id)).scalar()

    # --- reading ------------------------------------------------------------------------------

    def get(self, closure_id: int) -> ClosureProgress | None:
        with reading(self.engine) as connection:
            row = connection.execute(select(closures).where(closures.c.id == closure_id)).first()
        return _progress(row) if row else None

    def progress(self, problem_id: int) -> ClosureProgress | None:
        """The problem's latest closure (done/total/failed), None if its fix never shipped."""
        return self.progress_of([problem_id]).get(problem_id)

    def progress_of(self, problem_ids: Iterable[int]) -> dict[int, ClosureProgress]:
        """The latest closure of each of the problems that has one, by problem id."""
        ids = list(problem_ids)
        latest = (select(func.max(closures.c.id)).where(closures.c.problem_id.in_(ids))
                  .group_by(closures.c.problem_id))
        with reading(self.engine) as connection:
            rows = connection.execute(select(closures).where(closures.c.id.in_(latest)))
            return {row.problem_id: _progress(row) for row in rows}

    def tickets(self, closure_id: int, state: str | None = None, verify: bool | None = None,
                closed: bool | None = None, limit: int | None = None) -> list[ClosureTicket]:
        """The closure's tickets in ticket order, only those matching the arguments given."""
        c = closure_tickets.c
        query = select(closure_tickets).where(c.closure_id == closure_id).order_by(c.ticket_id).limit(limit)
        for column, value in ((c.state, state), (c.verify, verify), (c.closed, closed)):
            if value is not None:
                query = query.where(column == value)
        with reading(self.engine) as connection:
            return [_ticket(row) for row in connection.execute(query)]

    def unknown_outcomes(self, closure_id: int, sent_before: datetime, limit: int) -> list[ClosureTicket]:
        """Sent, but the request's answer (the job id) never got recorded, long enough ago."""
        c = closure_tickets.c
        with reading(self.engine) as connection:
            rows = connection.execute(select(closure_tickets).where(
                c.closure_id == closure_id, c.state == SENT, c.job_id.is_(None), c.sent_at < sent_before,
            ).order_by(c.ticket_id).limit(limit))
            return [_ticket(row) for row in rows]

    # --- changes, each its own transaction ------------------------------------------------------

    def claim(self, closure_id: int, ticket_ids: Iterable[int], now: datetime) -> list[int]:
        """pending → sent (outcome unknown until `record_job`), one more attempt; returns the
        tickets this caller got, which it alone may send."""
        c = closure_tickets.c
        with self.engine.begin() as connection:
            claimed = connection.execute(
                update(closure_tickets)
                .where(c.closure_id == closure_id, c.ticket_id.in_(list(ticket_ids)), c.state == PENDING,
                       c.verify.is_(False))
                .values(state=SENT, job_id=None, sent_at=now, attempts=c.attempts + 1)
                .returning(c.ticket_id)).scalars().all()
        return sorted(claimed)

    def record_job(self, closure_id: int, ticket_ids: Iterable[int], job_id: str) -> None:
        c = closure_tickets.c
        with self.engine.begin() as connection:
            connection.execute(update(closure_tickets).where(
                c.closure_id == closure_id, c.ticket_id.in_(list(ticket_ids)), c.state == SENT,
                c.job_id.is_(None)).values(job_id=job_id))

    def release(self, closure_id: int, ticket_ids: Iterable[int]) -> None:
        """Zendesk refused the request (nothing was sent): pending again, the attempt not counted."""
        c = closure_tickets.c
        with self.engine.begin() as connection:
            connection.execute(update(closure_tickets).where(
                c.closure_id == closure_id, c.ticket_id.in_(list(ticket_ids)), c.state == SENT,
                c.job_id.is_(None)).values(state=PENDING, sent_at=None, attempts=c.attempts - 1))

    def apply(self, closure_id: int, changes: Iterable[TicketChange], now: datetime) -> None:
        """Apply the changes (each only if its ticket is still in the expected state) and recount.
        Changes setting the same columns share one statement, executed for all their tickets."""
        c = closure_tickets.c
        by_columns: dict[tuple[str, ...], list[dict]] = defaultdict(list)
        for change in changes:
            values = dict(change.values)
            if values.get("state") == NOTIFIED:
                values["notified_at"] = now
            by_columns[tuple(sorted(values))].append(
                {"b_closure": closure_id, "b_ticket": change.ticket_id, "b_expected": change.expected,
                 **{f"v_{column}": value for column, value in values.items()}})
        with self.engine.begin() as connection:
            for columns, rows in by_columns.items():
                statement = update(closure_tickets).where(
                    c.closure_id == bindparam("b_closure"), c.ticket_id == bindparam("b_ticket"),
                    c.state == bindparam("b_expected"),
                ).values({column: bindparam(f"v_{column}") for column in columns})
                connection.execute(statement, rows)
            self._recount(connection, closure_id)

    def finish_if_complete(self, connection: Connection, closure_id: int, now: datetime) -> ClosureProgress | None:
        """done (every ticket notified) or failed (some given up on) once no ticket is pending or
        sent; None while some still are."""
        c = closure_tickets.c
        open_tickets = connection.execute(select(func.count()).where(
            c.closure_id == closure_id, c.state.in_([PENDING, SENT]))).scalar_one()
        if open_tickets:
            return None
        self._recount(connection, closure_id)
        row = connection.execute(select(closures).where(closures.c.id == closure_id)).one()
        if row.state == RUNNING:
            connection.execute(update(closures).where(closures.c.id == closure_id).values(
                state=FAILED if row.failed_count else DONE, running_key=None, finished_at=now))
            row = connection.execute(select(closures).where(closures.c.id == closure_id)).one()
        return _progress(row)

    def _recount(self, connection: Connection, closure_id: int) -> None:
        c = closure_tickets.c

        def count(state: str):
            return (select(func.count()).where(and_(c.closure_id == closure_id, c.state == state))
                    .scalar_subquery())

        connection.execute(update(closures).where(closures.c.id == closure_id).values(
            done_count=count(NOTIFIED), failed_count=count(FAILED)))
