"""backfill_tickets on SQLite and PostgreSQL: a ticket is staged once per state, waits in the order
it was reported, and stops waiting once evaluated."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bridge.domain.events import TicketSnapshot
from bridge.storage.backfill import BackfillStore
from bridge.storage.db import create_database_engine, reading
from bridge.storage.migrate import upgrade

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(database_url):
    engine = create_database_engine(database_url)
    upgrade(engine)
    yield BackfillStore(engine)
    engine.dispose()


def ticket(ticket_id: int, created_hours: float, status: str = "new") -> TicketSnapshot:
    created = T0 + timedelta(hours=created_hours)
    return TicketSnapshot(ticket_id, subject="s", status=status, created_at=created, updated_at=created,
                          known_fields=frozenset({"subject", "status", "created_at", "updated_at"}))


def waiting_ids(store: BackfillStore, chunk: int = 100) -> list[int]:
    ids, after = [], None
    with reading(store.engine) as connection:
        while staged := store.waiting(connection, after, chunk):
            ids += [item.ticket.id for item in staged]
            after = staged[-1].position
    return ids


def test_staged_tickets_wait_in_the_order_they_were_reported(store):
    with store.engine.begin() as connection:
        # The export lists by last change: ticket 3 was reported first, 1 and 2 in the same second.
        assert store.stage(connection, [ticket(1, 5), ticket(2, 5), ticket(3, 1), ticket(4, 9)], T0, {4: 77}) == 4
    assert waiting_ids(store, chunk=1) == [3, 1, 2, 4]  # walked one at a time, none skipped or repeated
    assert store.counts() == (4, 4)
    with reading(store.engine) as connection:
        assert [item.submitter_id for item in store.waiting(connection, None, 10)] == [None, None, None, 77]


def test_a_ticket_is_staged_again_only_in_a_new_state(store):
    with store.engine.begin() as connection:
        store.stage(connection, [ticket(1, 0), ticket(2, 1)], T0)
        store.mark_evaluated(connection, [1, 2], T0)
    assert store.counts() == (2, 0)

    changed = replace(ticket(2, 1, status="solved"), updated_at=T0 + timedelta(days=3))
    with store.engine.begin() as connection:
        assert store.stage(connection, [ticket(1, 0), changed], T0) == 1
    assert waiting_ids(store) == [2] and store.counts() == (2, 1)
    with reading(store.engine) as connection:
        [staged] = store.waiting(connection, None, 10)
    assert staged.ticket == changed
