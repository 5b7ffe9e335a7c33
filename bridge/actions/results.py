"""What an action handler returns: done (with the database effects to commit), or not yet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

Record = Callable[[Connection, datetime], None]


@dataclass(frozen=True)
class Done:
    outcome: str
    record: Record | None = None  # runs in the transaction that marks the action done


@dataclass(frozen=True)
class Later:
    """Not finished, not failed: come back at `until` (a Zendesk job still running)."""

    until: datetime
    payload: dict | None = None
    reason: str = ""
