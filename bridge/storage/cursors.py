"""Named positions of the pollers (`jira.poll`, `zendesk.export`, `backfill.zendesk.export`), kept
across restarts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, select

from bridge.storage.db import reading, upsert_insert
from bridge.storage.schema import cursors


class Cursors:
    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, name: str) -> str | None:
        with reading(self.engine) as connection:
            return self.get_in(connection, name)

    def set(self, name: str, value: str, now: datetime) -> None:
        with self.engine.begin() as connection:
            self.set_in(connection, name, value, now)

    @staticmethod
    def get_in(connection: Connection, name: str) -> str | None:
        return connection.execute(select(cursors.c.value).where(cursors.c.name == name)).scalar()

    @staticmethod
    def set_in(connection: Connection, name: str, value: str, now: datetime) -> None:
        """In the caller's transaction: the position moves with what was read up to it."""
        statement = upsert_insert(connection, cursors).values(name=name, value=value, updated_at=now)
        connection.execute(statement.on_conflict_do_update(
            index_elements=["name"], set_={"value": value, "updated_at": now}))

    @staticmethod
    def forget_in(connection: Connection, names: Iterable[str]) -> None:
        connection.execute(delete(cursors).where(cursors.c.name.in_(list(names))))
