"""Closures (a problem's fix reaching every linked ticket) and their tickets. SQL only; what to
send and how to read Zendesk's answers is decided in bridge/closure.

Each ticket moves pending → sent → notified | failed through bridge/storage/send_rows.py (claims,
job ids, unknown outcomes, recounts), which the proactive notice shares; see
bridge/closure/__init__.py for the whole argument.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select, update

from bridge.storage.db import reading, upsert_insert
from bridge.storage.schema import closure_tickets, closures, problem_tickets, tickets
from bridge.storage.send_rows import DONE, FAILED, NOTIFIED, PENDING, RUNNING, SENT, SendRows
from bridge.storage.send_rows import RowChange as TicketChange

__all__ = ["DONE", "FAILED", "NOTIFIED", "PENDING", "RUNNING", "SENT", "ClosureProgress", "ClosureStore",
           "ClosureTicket", "TicketChange"]


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

    @property
    def item_id(self) -> int:
        return self.ticket_id


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
        self.rows = SendRows(engine, closures, closure_tickets, "closure_id", "ticket_id")

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
        return [_ticket(row) for row in self.rows.items(closure_id, state, limit, verify=verify, closed=closed)]

    def items(self, closure_id: int, state: str | None = None, verify: bool | None = None,
              limit: int | None = None) -> list[ClosureTicket]:
        return self.tickets(closure_id, state, verify, limit=limit)

    def unknown_outcomes(self, closure_id: int, sent_before: datetime, limit: int) -> list[ClosureTicket]:
        """Sent, but the request's answer (the job id) never got recorded, long enough ago."""
        return [_ticket(row) for row in self.rows.unknown_outcomes(closure_id, sent_before, limit)]

    # --- changes, each its own transaction (bridge/storage/send_rows.py) ------------------------

    def claim(self, closure_id: int, ticket_ids: Iterable[int], now: datetime) -> list[int]:
        return self.rows.claim(closure_id, ticket_ids, now)

    def record_job(self, closure_id: int, ticket_ids: Iterable[int], job_id: str) -> None:
        self.rows.record_job(closure_id, ticket_ids, job_id)

    def release(self, closure_id: int, ticket_ids: Iterable[int]) -> None:
        self.rows.release(closure_id, ticket_ids)

    def apply(self, closure_id: int, changes: Iterable[TicketChange], now: datetime) -> None:
        self.rows.apply(closure_id, changes, now)

    def finish_if_complete(self, connection: Connection, closure_id: int, now: datetime) -> ClosureProgress | None:
        """done (every ticket notified) or failed (some given up on) once no ticket is pending or
        sent; None while some still are."""
        row = self.rows.finish_if_complete(connection, closure_id, now)
        return _progress(row) if row is not None else None
