"""Step 1 of a backfill: Zendesk's cursor-based incremental ticket export, page by page, into
`backfill_tickets`. Each page commits with the export's cursor after it, so a run stopped at any
point (Ctrl-C, a crash, Zendesk down) reads on from the last page it kept, and none twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import Engine

from bridge.backfill.pacing import ExportPacer
from bridge.domain.ports import TicketSystem
from bridge.storage.backfill import BackfillStore
from bridge.storage.cursors import Cursors
from bridge.storage.db import reading

EXPORT_CURSOR = "backfill.zendesk.export"  # the export's after_cursor of the last page kept
EXPORT_START = "backfill.zendesk.since"  # the time the stored backfill reads from (ISO 8601)


class StartMismatch(Exception):
    """The stored backfill starts later than asked: continuing it would not reach back that far."""

    def __init__(self, stored_start: datetime):
        super().__init__(f"the stored backfill reads from {stored_start.isoformat()}")
        self.stored_start = stored_start


@dataclass(frozen=True)
class PageRead:
    tickets: int  # listed on the page
    changed: int  # new to the backfill, or in a state it had not seen
    reached: datetime | None  # the latest change the page lists


class ExportReader:
    def __init__(self, engine: Engine, store: BackfillStore, ticket_system: TicketSystem, pacer: ExportPacer,
                 clock: Callable[[], datetime]):
        self.engine, self.store, self.ticket_system = engine, store, ticket_system
        self.pacer, self.clock = pacer, clock

    def start(self, since: datetime, restart: bool = False) -> datetime:
        """The time this backfill reads from: `since` for a new one (or with `restart`, which
        forgets what a stored one read), else the stored one's start, which is `since` or earlier."""
        with self.engine.begin() as connection:
            if restart:
                Cursors.forget_in(connection, (EXPORT_CURSOR, EXPORT_START))
                self.store.forget_in(connection)
            stored = Cursors.get_in(connection, EXPORT_START)
            if stored is None:
                Cursors.set_in(connection, EXPORT_START, since.isoformat(), self.clock())
                return since
        stored_start = datetime.fromisoformat(stored)
        if since < stored_start:
            raise StartMismatch(stored_start)
        return stored_start

    def read(self, start: datetime, on_page: Callable[[PageRead], None]) -> int:
        """Every page from the stored cursor (or `start`) to the end of the stream; how many
        tickets were new or changed."""
        with reading(self.engine) as connection:
            position: str | datetime = Cursors.get_in(connection, EXPORT_CURSOR) or start
        changed = 0
        while True:
            page = self.pacer.call(partial(self.ticket_system.changed_tickets, position))
            now = self.clock()
            with self.engine.begin() as connection:
                kept = self.store.stage(connection, page.tickets, now, page.submitters)
                if page.cursor:
                    Cursors.set_in(connection, EXPORT_CURSOR, page.cursor, now)
            changed += kept
            times = [t.updated_at for t in page.tickets if t.updated_at is not None]
            on_page(PageRead(len(page.tickets), kept, max(times) if times else None))
            if page.end_of_stream or not page.cursor:
                return changed
            position = page.cursor
