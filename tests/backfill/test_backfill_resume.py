"""10,000 simulated tickets: the read and the evaluation are each stopped part way (Ctrl-C), and
the next `bridge backfill` goes on where they stopped: no page read twice, no ticket evaluated
twice, and --apply opens what the dry run said it would.

The simulator's export limit is lifted for speed (10 pages at Zendesk's 10 a minute would take a
minute); test_backfill_rate_limit.py keeps it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bridge.backfill.evaluation import CHUNK_SIZE, StagedEvaluation
from bridge.backfill.pacing import ExportPacer
from bridge.backfill.reading import ExportReader
from bridge.config.settings import DatabaseSettings, load_settings
from bridge.runtime import build_runtime
from bridge.storage.backfill import BackfillStore
from bridge.storage.db import create_database_engine
from bridge.storage.inbox import Delivery, Inbox
from bridge.storage.schema import backfill_tickets
from tests.backfill.conftest import FAST, HISTORY_TICKETS, days_ago, make_history, opened, outcome_of

TICKETS = 10_000
PAGE = 1000  # the export's page size


class CtrlCAfter:
    """A ticket system that is interrupted (Ctrl-C) when asked for page `pages + 1`."""

    def __init__(self, ticket_system, pages: int):
        self.ticket_system, self.pages = ticket_system, pages

    def changed_tickets(self, since):
        if self.pages == 0:
            raise KeyboardInterrupt
        self.pages -= 1
        return self.ticket_system.changed_tickets(since)


def interrupt_after(count: int):
    def on_chunk(_evaluated: int) -> None:
        nonlocal count
        count -= 1
        if count == 0:
            raise KeyboardInterrupt

    return on_chunk


@pytest.fixture
def runtime(config_path):
    runtime = build_runtime(load_settings(str(config_path)))
    yield runtime
    runtime.engine.dispose()


def export_requests(zendesk) -> list[dict]:
    return [request.query for request in zendesk.requests if request.path.endswith("/incremental/tickets/cursor.json")]


def test_ten_thousand_tickets_stopped_twice_and_resumed_without_repeats(zendesk, bridge_cli, runtime):
    history = make_history(zendesk, noise=TICKETS - HISTORY_TICKETS)
    store = BackfillStore(runtime.engine)
    reader = ExportReader(runtime.engine, store, CtrlCAfter(runtime.ticket_system, pages=4), ExportPacer(1000),
                          runtime.clock)
    start = reader.start(days_ago(30))
    with pytest.raises(KeyboardInterrupt):
        reader.read(start, lambda page: None)
    assert store.counts() == (4 * PAGE, 4 * PAGE)
    last_kept = export_requests(zendesk)[-1]

    zendesk.clear_requests()
    dry = outcome_of(bridge_cli("backfill", "--json", *FAST))
    assert dry["read"] == TICKETS - 4 * PAGE  # from the stored cursor on, not from the start
    first = export_requests(zendesk)[0]
    assert "start_time" not in first and first["cursor"] != last_kept.get("cursor")
    assert dry["evaluated"] == TICKETS
    assert opened(dry) == [("double-charge", "", 3, 3, tuple(history.double_charge))]
    assert store.counts() == (TICKETS, TICKETS)  # the dry run evaluated nothing for good

    evaluation = StagedEvaluation(runtime.engine, store, runtime.processor, runtime.problems, runtime.clock)
    with pytest.raises(KeyboardInterrupt):
        evaluation.run(apply=True, on_chunk=interrupt_after(3))
    assert store.counts() == (TICKETS, TICKETS - 3 * CHUNK_SIZE)

    applied = outcome_of(bridge_cli("backfill", "--apply", "--json", *FAST))
    assert applied["read"] == 0 and applied["evaluated"] == TICKETS - 3 * CHUNK_SIZE
    assert store.counts() == (TICKETS, 0)
    counts = runtime.tickets.event_counts()
    assert len(counts) == TICKETS and set(counts.values()) == {1}  # each ticket evaluated once
    problems = [p for p in runtime.problems.list() if p.past_detection]
    assert sorted((p.rule, p.group_key, p.ticket_count, p.requester_count,
                   tuple(runtime.problems.linked_ticket_ids(p.id, 5))) for p in problems) == opened(dry)


def test_a_dry_run_on_sqlite_holds_up_no_writer(zendesk, bridge_cli, runtime):
    """Webhooks keep being stored while a dry run evaluates: it writes to a scratch copy."""
    make_history(zendesk, noise=2 * CHUNK_SIZE)
    assert outcome_of(bridge_cli("backfill", "--apply", "--json", *FAST))["evaluated"] == 2 * CHUNK_SIZE + 12
    with runtime.engine.begin() as connection:  # as if staged and not evaluated yet
        connection.execute(backfill_tickets.update().values(evaluated_at=None))
    impatient = create_database_engine(runtime.settings.database.url,
                                       DatabaseSettings(sqlite_busy_timeout_seconds=0.2))
    stored = []

    def a_webhook_arrives(_evaluated: int) -> None:  # between two chunks of the dry run's transaction
        stored.append(impatient_store(impatient, len(stored)))

    store = BackfillStore(runtime.engine)
    evaluation = StagedEvaluation(runtime.engine, store, runtime.processor, runtime.problems, runtime.clock)
    outcome = evaluation.run(apply=False, on_chunk=a_webhook_arrives)
    impatient.dispose()
    assert len(stored) == 3 and all(stored)
    assert outcome.evaluated == 2 * CHUNK_SIZE + 12 and store.counts()[1] == 2 * CHUNK_SIZE + 12


def impatient_store(engine, number: int) -> bool:
    """A webhook delivery stored within 0.2 s, as intake would."""
    delivery = Delivery("zendesk", f"test-{number}", "trigger", "{}", datetime.now(UTC))
    return Inbox(engine).store_many([delivery]) == [True]
