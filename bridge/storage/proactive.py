"""Proactive notices (customers told of a high-impact problem before they write in) and their
recipients. SQL only; who is told and what is sent is decided in bridge/planning/proactive.py and
bridge/proactive. Each recipient moves pending → sent → notified | failed through
bridge/storage/send_rows.py, as a closure's tickets do (bridge/closure/__init__.py has the argument).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select

from bridge.storage.db import reading, upsert_insert
from bridge.storage.schema import proactive_notices, proactive_recipients, problem_tickets, problems
from bridge.storage.send_rows import NOTIFIED, PENDING, RUNNING, RowChange, SendRows


@dataclass(frozen=True)
class NoticeProgress:
    """A notice as `bridge problems show`, the API and the report show it: `done` of `total`
    customers told, `failed` given up on, `excluded` the customers left out by reason."""

    notice_id: int
    problem_id: int
    state: str
    query: str
    total: int
    done: int
    failed: int
    excluded: Mapping[str, int]
    created_at: datetime
    finished_at: datetime | None

    def to_json(self) -> dict:
        return {"notice_id": self.notice_id, "state": self.state, "query": self.query, "total": self.total,
                "notified": self.done, "failed": self.failed, "excluded": dict(self.excluded),
                "created_at": self.created_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None}


@dataclass(frozen=True)
class Recipient:
    user_id: int
    state: str
    name: str | None
    organization_id: int | None
    verify: bool  # find their ticket in Zendesk before sending (again)
    attempts: int
    job_id: str | None
    sent_at: datetime | None
    ticket_id: int | None  # the ticket created for them
    last_error: str | None

    @property
    def item_id(self) -> int:
        return self.user_id


@dataclass(frozen=True)
class NewRecipient:
    user_id: int
    name: str
    organization_id: int | None


def _progress(row) -> NoticeProgress:
    return NoticeProgress(row.id, row.problem_id, row.state, row.query, row.total, row.done_count, row.failed_count,
                          dict(row.excluded or {}), row.created_at, row.finished_at)


def _recipient(row) -> Recipient:
    return Recipient(row.user_id, row.state, row.name, row.organization_id, row.verify, row.attempts, row.job_id,
                     row.sent_at, row.ticket_id, row.last_error)


class ProactiveStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.rows = SendRows(engine, proactive_notices, proactive_recipients, "notice_id", "user_id")

    # --- starting, in the caller's transaction ------------------------------------------------

    def create(self, connection: Connection, problem_id: int, query: str, subject: str, message: str,
               excluded: Mapping[str, int], recipients: Sequence[NewRecipient], now: datetime) -> int | None:
        """A running notice with one pending row per recipient; None if one runs for the problem."""
        notice_id = connection.execute(
            upsert_insert(connection, proactive_notices).values(
                problem_id=problem_id, running_key=problem_id, state=RUNNING, query=query, subject=subject,
                message=message, excluded=dict(excluded), total=len(recipients), done_count=0, failed_count=0,
                created_at=now,
            ).on_conflict_do_nothing(index_elements=["running_key"]).returning(proactive_notices.c.id)
        ).scalar()
        if notice_id is None:
            return None
        if recipients:
            connection.execute(proactive_recipients.insert(), [
                {"notice_id": notice_id, "user_id": r.user_id, "state": PENDING, "name": r.name[:300],
                 "organization_id": r.organization_id, "verify": False, "attempts": 0} for r in recipients])
        return notice_id

    def running_for(self, connection: Connection, problem_id: int) -> int | None:
        return connection.execute(select(proactive_notices.c.id)
                                  .where(proactive_notices.c.running_key == problem_id)).scalar()

    # --- reading ------------------------------------------------------------------------------

    def get(self, notice_id: int) -> NoticeProgress | None:
        with reading(self.engine) as connection:
            row = connection.execute(select(proactive_notices).where(proactive_notices.c.id == notice_id)).first()
        return _progress(row) if row else None

    def texts(self, notice_id: int) -> tuple[str, str]:
        """The (subject, message) template sources the notice was started with ("": the default)."""
        n = proactive_notices.c
        with reading(self.engine) as connection:
            row = connection.execute(select(n.subject, n.message).where(n.id == notice_id)).one()
        return row.subject, row.message

    def notices(self, problem_id: int) -> list[NoticeProgress]:
        """The problem's notices, oldest first."""
        n = proactive_notices.c
        with reading(self.engine) as connection:
            rows = connection.execute(select(proactive_notices).where(n.problem_id == problem_id).order_by(n.id))
            return [_progress(row) for row in rows]

    def notified_counts(self, problem_ids: Iterable[int] | None = None) -> dict[int, int]:
        """Customers told by the problems' proactive notices, by problem id (those with any);
        every problem's when `problem_ids` is None."""
        n = proactive_notices.c
        query = select(n.problem_id, func.sum(n.done_count)).group_by(n.problem_id)
        if problem_ids is not None:
            query = query.where(n.problem_id.in_(list(problem_ids)))
        with reading(self.engine) as connection:
            return {problem_id: int(count or 0) for problem_id, count in connection.execute(query)}

    def notified_total(self, team: str | None = None) -> int:
        """Customers told by proactive notices, of one team's problems or of all."""
        n = proactive_notices.c
        query = select(func.coalesce(func.sum(n.done_count), 0))
        if team is not None:
            query = query.join(problems, problems.c.id == n.problem_id).where(problems.c.team == team)
        with reading(self.engine) as connection:
            return int(connection.execute(query).scalar_one())

    def notified_users(self, problem_id: int) -> set[int]:
        """Customers an earlier notice of the problem told."""
        r, n = proactive_recipients.c, proactive_notices.c
        with reading(self.engine) as connection:
            return set(connection.execute(
                select(r.user_id).join(proactive_notices, n.id == r.notice_id)
                .where(n.problem_id == problem_id, r.state == NOTIFIED)).scalars())

    def linked_requesters(self, problem_id: int) -> set[int]:
        """Everyone who wrote in about the problem: the requesters of its tickets, ever linked."""
        c = problem_tickets.c
        with reading(self.engine) as connection:
            return set(connection.execute(select(c.requester_id).where(
                c.problem_id == problem_id, c.requester_id.is_not(None)).distinct()).scalars())

    def recipients(self, notice_id: int, state: str | None = None, verify: bool | None = None,
                   limit: int | None = None) -> list[Recipient]:
        """The notice's recipients in user id order, only those matching the arguments given."""
        return [_recipient(row) for row in self.rows.items(notice_id, state, limit, verify=verify)]

    def items(self, notice_id: int, state: str | None = None, verify: bool | None = None,
              limit: int | None = None) -> list[Recipient]:
        return self.recipients(notice_id, state, verify, limit)

    def unknown_outcomes(self, notice_id: int, sent_before: datetime, limit: int) -> list[Recipient]:
        return [_recipient(row) for row in self.rows.unknown_outcomes(notice_id, sent_before, limit)]

    # --- changes, each its own transaction (bridge/storage/send_rows.py) ------------------------

    def claim(self, notice_id: int, user_ids: Iterable[int], now: datetime) -> list[int]:
        return self.rows.claim(notice_id, user_ids, now)

    def record_job(self, notice_id: int, user_ids: Iterable[int], job_id: str) -> None:
        self.rows.record_job(notice_id, user_ids, job_id)

    def release(self, notice_id: int, user_ids: Iterable[int]) -> None:
        self.rows.release(notice_id, user_ids)

    def apply(self, notice_id: int, changes: Iterable[RowChange], now: datetime) -> None:
        self.rows.apply(notice_id, changes, now)

    def finish_if_complete(self, connection: Connection, notice_id: int, now: datetime) -> NoticeProgress | None:
        row = self.rows.finish_if_complete(connection, notice_id, now)
        return _progress(row) if row is not None else None

