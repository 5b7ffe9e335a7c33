"""The audit log: what the bridge did and why, for people (`subject` is e.g. "problem:12")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from bridge.storage.db import reading
from bridge.storage.schema import audit_log


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    action: str
    subject: str
    details: dict


class AuditLog:
    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, connection: Connection, at: datetime, action: str, subject: str, details: dict) -> None:
        connection.execute(audit_log.insert().values(at=at, action=action, subject=subject, details=details))

    def later(self, subject: str, action: str, details: dict) -> Callable[[Connection, datetime], None]:
        """The same record, to be written in a transaction the caller opens later (an action's
        finishing transaction)."""
        return lambda connection, at: self.record(connection, at, action, subject, details)

    def entries(self, subject: str | None = None, limit: int = 200) -> list[AuditEntry]:
        """The newest `limit` entries, oldest first."""
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if subject:
            query = query.where(audit_log.c.subject == subject)
        with reading(self.engine) as connection:
            rows = list(connection.execute(query))
        return [AuditEntry(r.at, r.action, r.subject, r.details) for r in reversed(rows)]
