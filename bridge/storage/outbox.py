"""The outbox: actions on Zendesk and Jira, queued in the same transaction as the decision that
needs them, carried out afterwards by the action worker."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from bridge.storage.db import reading, upsert_insert
from bridge.storage.leased_queue import LeasedQueue
from bridge.storage.schema import outbox_actions


@dataclass(frozen=True)
class Action:
    id: int
    kind: str
    problem_id: int | None
    payload: dict
    status: str
    attempts: int
    last_error: str | None
    outcome: str | None
    created_at: datetime


def _action(row) -> Action:
    return Action(id=row.id, kind=row.kind, problem_id=row.problem_id, payload=row.payload,
                  status=row.status, attempts=row.attempts, last_error=row.last_error,
                  outcome=row.outcome, created_at=row.created_at)


class Outbox(LeasedQueue):
    table = outbox_actions

    def to_item(self, row) -> Action:
        return _action(row)

    def terminal_values(self) -> dict:
        # The key is held while the action is pending or running (requests coalesce into it) and
        # released when it is done or parked; handlers re-check for new work as they finish.
        return {"dedupe_key": None}

    def enqueue(self, connection: Connection, kind: str, now: datetime, problem_id: int | None = None,
                payload: dict | None = None, dedupe_key: str | None = None,
                not_before: datetime | None = None) -> bool:
        """Queue an action in the caller's transaction; False when a pending one has the key."""
        values = {"kind": kind, "problem_id": problem_id, "payload": payload or {},
                  "dedupe_key": dedupe_key, "status": "pending", "attempts": 0,
                  "available_at": max(now, not_before) if not_before else now, "created_at": now}
        statement = upsert_insert(connection, outbox_actions).values(**values)
        if dedupe_key is not None:
            statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
        return connection.execute(statement.returning(outbox_actions.c.id)).first() is not None

    def bring_forward(self, connection: Connection, dedupe_key: str, now: datetime) -> None:
        """A pending action with the key runs now rather than when it was deferred to."""
        c = outbox_actions.c
        connection.execute(update(outbox_actions).where(
            c.dedupe_key == dedupe_key, c.status == "pending", c.available_at > now).values(available_at=now))

    def for_problem(self, problem_id: int, statuses: Collection[str] = ()) -> list[Action]:
        """The problem's actions, oldest first; only those in `statuses` unless it is empty."""
        c = outbox_actions.c
        query = select(outbox_actions).where(c.problem_id == problem_id).order_by(c.id)
        if statuses:
            query = query.where(c.status.in_(list(statuses)))
        with reading(self.engine) as connection:
            rows = connection.execute(query)
            return [_action(row) for row in rows]
