"""What the due-date check reads and writes: candidate problems, the Jira issue's status, and
the accountability columns. SQL only; decisions live in bridge/overdue/accountability.py."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, Engine, or_, select, update

from bridge.domain.events import IssueSnapshot
from bridge.domain.problems import CHECKED_STATES, Accountability, Problem
from bridge.storage.db import reading
from bridge.storage.problems import _problem
from bridge.storage.schema import issues, problem_tickets, problems
from bridge.storage.snapshots import issue_from_json


class AccountabilityStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    def candidates(self) -> list[int]:
        """Active problems that are not fixed (or given up): those the check looks at."""
        c = problems.c
        with reading(self.engine) as connection:
            return list(connection.execute(select(c.id).where(
                c.active_key.is_not(None), c.state.in_(CHECKED_STATES)).order_by(c.id)).scalars())

    def locked(self, connection: Connection, problem_id: int) -> Problem | None:
        row = connection.execute(
            select(problems).where(problems.c.id == problem_id).with_for_update(key_share=True)).first()
        return _problem(row) if row else None

    def issue(self, connection: Connection, problem: Problem) -> IssueSnapshot | None:
        """The stored snapshot of the problem's Jira issue (by id, or by key for agents' links)."""
        if not problem.jira_key and not problem.jira_id:
            return None
        match = issues.c.key == problem.jira_key
        if problem.jira_id:
            match = or_(issues.c.id == problem.jira_id, match)
        row = connection.execute(select(issues.c.snapshot).where(match).order_by(issues.c.seen_at.desc())
                                 .limit(1)).first()
        return issue_from_json(row.snapshot) if row else None

    def record(self, connection: Connection, problem_id: int, state: Accountability, due_date: date | None, *,
               clear_marks: bool = False, at_risk_at: datetime | None = None,
               overdue_at: datetime | None = None) -> None:
        """The due-date check's verdict and the due date it judged (not `updated_at`: the problem
        itself did not change). `clear_marks` forgets when it became at risk or overdue (its due
        date moved); `at_risk_at` / `overdue_at` mark when it became so."""
        values: dict[str, object] = {"accountability": state, "accountability_due": due_date}
        if clear_marks:
            values |= {"at_risk_at": None, "overdue_at": None}
        if at_risk_at is not None:
            values["at_risk_at"] = at_risk_at
        if overdue_at is not None:
            values["overdue_at"] = overdue_at
        connection.execute(update(problems).where(problems.c.id == problem_id).values(**values))

    def join_times(self, problem_id: int) -> list[datetime]:
        """When each ticket still linked to the problem joined it."""
        c = problem_tickets.c
        with reading(self.engine) as connection:
            return list(connection.execute(select(c.joined_at).where(
                c.problem_id == problem_id, c.left_at.is_(None))).scalars())
