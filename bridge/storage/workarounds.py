"""Problems' workarounds, their knowledge articles, and the linked tickets told of them."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, insert, select, update

from bridge.storage.db import reading, upsert_insert
from bridge.storage.schema import (
    problem_tickets,
    problem_workarounds,
    problems,
    workaround_answers,
    workaround_comments,
)

ENDED, FIX = "ended", "fix"  # outcomes: the problem ends with the article, or stays on course for a fix


@dataclass(frozen=True)
class Workaround:
    problem_id: int
    text: str | None
    article_url: str | None
    article_id: int | None
    source: str
    outcome: str
    recorded_at: datetime
    article_written_at: datetime | None = None
    article_fix_version: str | None = None


def _workaround(row) -> Workaround:
    return Workaround(row.problem_id, row.text, row.article_url, row.article_id, row.source, row.outcome,
                      row.recorded_at, row.article_written_at, row.article_fix_version)


class WorkaroundStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, connection: Connection, problem_id: int, text: str | None, article_url: str | None,
               source: str, outcome: str, now: datetime) -> Workaround:
        """A problem's workaround; a newer one replaces the text or URL it gives (and keeps the
        article, which is rewritten with it)."""
        current = self.current(connection, problem_id)
        if current is None:
            connection.execute(insert(problem_workarounds).values(
                problem_id=problem_id, text=text, article_url=article_url, source=source, outcome=outcome,
                recorded_at=now))
        else:
            given = {"text": text} if text is not None else {}
            if article_url is not None:
                given["article_url"] = article_url
            connection.execute(update(problem_workarounds).where(problem_workarounds.c.problem_id == problem_id)
                               .values(source=source, outcome=outcome, recorded_at=now, **given))
        found = self.current(connection, problem_id)
        assert found is not None
        return found

    def current(self, connection: Connection, problem_id: int) -> Workaround | None:
        row = connection.execute(select(problem_workarounds)
                                 .where(problem_workarounds.c.problem_id == problem_id)).first()
        return _workaround(row) if row else None

    def get(self, problem_id: int) -> Workaround | None:
        with reading(self.engine) as connection:
            return self.current(connection, problem_id)

    def first_reading(self, connection: Connection, comment_id: str, version: str, problem_id: int,
                      now: datetime) -> bool:
        """Whether this is the first time this comment (as last edited: `version`) is applied; it
        is remembered, in the caller's transaction, either way."""
        statement = upsert_insert(connection, workaround_comments).values(
            comment_id=comment_id, version=version, problem_id=problem_id, applied_at=now)
        statement = statement.on_conflict_do_nothing(index_elements=["comment_id", "version"])
        return connection.execute(statement.returning(workaround_comments.c.comment_id)).first() is not None

    def article_written(self, connection: Connection, problem_id: int, article_id: int | None, url: str | None,
                        fix_version: str | None, now: datetime) -> None:
        values: dict = {"article_written_at": now, "article_fix_version": fix_version}
        if article_id is not None:
            values |= {"article_id": article_id, "article_url": url}
        connection.execute(update(problem_workarounds).where(problem_workarounds.c.problem_id == problem_id)
                           .values(**values))

    def tickets_to_answer(self, problem_id: int, limit: int) -> list[int]:
        """Linked tickets not yet told of the workaround, in the order they joined."""
        with reading(self.engine) as connection:
            return self.unanswered(connection, problem_id, limit)

    def unanswered(self, connection: Connection, problem_id: int, limit: int | None = None) -> list[int]:
        """tickets_to_answer in the caller's transaction (which sees answers just recorded there)."""
        c = problem_tickets.c
        answered = select(workaround_answers.c.ticket_id).where(workaround_answers.c.problem_id == problem_id)
        return list(connection.execute(
            select(c.ticket_id).where(c.problem_id == problem_id, c.left_at.is_(None), c.ticket_id.not_in(answered))
            .order_by(c.joined_at, c.ticket_id).limit(limit)).scalars())

    def answered(self, connection: Connection, problem_id: int, ticket_ids: Iterable[int], public: bool,
                 now: datetime) -> None:
        already = set(connection.execute(select(workaround_answers.c.ticket_id).where(
            workaround_answers.c.problem_id == problem_id)).scalars())
        rows = [{"problem_id": problem_id, "ticket_id": ticket_id, "public": public, "answered_at": now}
                for ticket_id in sorted(set(ticket_ids) - already)]
        if rows:
            connection.execute(insert(workaround_answers), rows)

    def answer_counts(self, problem_ids: Collection[int] = ()) -> dict[int, int]:
        """Tickets answered by a workaround, per problem (all problems when none are named)."""
        c = workaround_answers.c
        query = select(c.problem_id, func.count()).group_by(c.problem_id)
        if problem_ids:
            query = query.where(c.problem_id.in_(list(problem_ids)))
        with reading(self.engine) as connection:
            return {problem_id: count for problem_id, count in connection.execute(query)}

    def answered_total(self, team: str | None = None) -> int:
        """Tickets answered by a workaround, of one team's problems or of all."""
        query = select(func.count()).select_from(workaround_answers)
        if team is not None:
            query = (query.join(problems, problems.c.id == workaround_answers.c.problem_id)
                     .where(problems.c.team == team))
        with reading(self.engine) as connection:
            return connection.execute(query).scalar_one()
