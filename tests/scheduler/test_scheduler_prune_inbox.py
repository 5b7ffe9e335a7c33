"""`prune_inbox` deletes only events processed long ago; work and evidence stay, whatever their age."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bridge.intake.prune_inbox import prune_inbox
from bridge.runtime import build_runtime
from bridge.storage.inbox import DONE, FAILED, IGNORED, PENDING, PROCESSING
from bridge.storage.schema import inbox_events
from tests.scheduler.conftest import jobs_of
from tests.support.settings import make_settings


@pytest.fixture
def runtime(database_url, clock):
    runtime = build_runtime(make_settings(database_url, scheduler={"prune_inbox_days": 30}), clock=clock)
    yield runtime
    runtime.engine.dispose()


def add_event(runtime, key: str, status: str, age_days: float) -> None:
    moment = runtime.clock() - timedelta(days=age_days)
    runtime.inbox.store("zendesk", key, "trigger", "{}", moment)
    processed = moment if status in (DONE, IGNORED, FAILED) else None
    with runtime.engine.begin() as connection:
        connection.execute(update(inbox_events).where(inbox_events.c.delivery_key == key)
                           .values(status=status, processed_at=processed))


def keys_left(runtime) -> set[str]:
    return {event.delivery_key for event in runtime.inbox.list(limit=1000)}


def test_old_done_and_ignored_events_go_everything_else_stays(runtime):
    for status in (DONE, IGNORED, PENDING, PROCESSING, FAILED):
        add_event(runtime, f"old-{status}", status, age_days=31)
        add_event(runtime, f"recent-{status}", status, age_days=29)

    jobs_of(runtime)["prune_inbox"].run()

    assert keys_left(runtime) == {"old-pending", "old-processing", "old-failed",
                                  *(f"recent-{status}" for status in (DONE, IGNORED, PENDING, PROCESSING, FAILED))}


def test_pruning_works_in_batches(runtime):
    for number in range(7):
        add_event(runtime, f"old-{number}", DONE, age_days=40)
    add_event(runtime, "kept", FAILED, age_days=40)

    assert prune_inbox(runtime.engine, runtime.clock() - timedelta(days=30), batch=3) == 7
    assert keys_left(runtime) == {"kept"}
