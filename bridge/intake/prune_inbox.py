"""`prune_inbox`: delete webhook events processed (done or ignored) long ago. Pending, processing
and failed events stay, whatever their age: they are work or evidence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, select

from bridge.storage.inbox import DONE, IGNORED
from bridge.storage.schema import inbox_events

BATCH = 1000  # rows per transaction: SQLite's writer lock is never held long


def prune_inbox(engine: Engine, processed_before: datetime, batch: int = BATCH) -> int:
    """Delete done/ignored events processed before `processed_before`, in batches; how many."""
    c = inbox_events.c
    old = select(c.id).where(c.status.in_([DONE, IGNORED]), c.processed_at < processed_before)
    deleted = 0
    while True:
        with engine.begin() as connection:
            ids = connection.execute(old.order_by(c.id).limit(batch)).scalars().all()
            if ids:
                connection.execute(delete(inbox_events).where(c.id.in_(ids)))
        deleted += len(ids)
        if len(ids) < batch:
            return deleted
