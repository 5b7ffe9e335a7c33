"""Named positions of the pollers (`jira.poll`, `zendesk.export`), kept across restarts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from bridge.storage.db import reading, upsert_insert
from bridge.storage.schema import cursors


class Cursors:
    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, name: str) -> str | None:
        with reading(self.engine) as connection:
            return connection.execute(select(cursors.c.value).where(cursors.c.name == name)).scalar()

    def set(self, name: str, value: str, now: datetime) -> None:
        with self.engine.begin() as connection:
            statement = upsert_insert(connection, cursors).values(name=name, value=value, updated_at=now)
            connection.execute(statement.on_conflict_do_update(
                index_elements=["name"], set_={"value": value, "updated_at": now}))
