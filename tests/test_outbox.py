"""The outbox queue: coalescing by key, claiming, postponing; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.runtime import build_runtime
from bridge.storage.leased_queue import DONE, FAILED, PENDING
from tests.support.settings import make_settings

LEASE = timedelta(seconds=60)


@pytest.fixture
def runtime(database_url, clock):
    runtime = build_runtime(make_settings(database_url), clock=clock)
    yield runtime
    runtime.engine.dispose()


def enqueue(runtime, kind="jira.update_counts", key=None, **kwargs) -> bool:
    with runtime.engine.begin() as connection:
        return runtime.outbox.enqueue(connection, kind, runtime.clock(), dedupe_key=key, **kwargs)


def test_actions_with_the_same_key_coalesce_until_done_or_parked(runtime, clock):
    assert enqueue(runtime, key="counts:1") is True
    assert enqueue(runtime, key="counts:1") is False
    assert enqueue(runtime, key="counts:2") is True
    [first, second] = runtime.outbox.claim("w", 10, clock(), LEASE)
    assert first.kind == "jira.update_counts"
    assert enqueue(runtime, key="counts:1") is False  # still running: it absorbs requests
    with runtime.engine.begin() as connection:
        runtime.outbox.finish(connection, first.id, "w", DONE, clock(), "ok")
    assert enqueue(runtime, key="counts:1") is True
    runtime.outbox.fail(second.id, "w", "broken", clock(), None)
    assert enqueue(runtime, key="counts:2") is True  # a parked action releases its key too
    assert runtime.outbox.counts()[PENDING] == 2


def test_not_before_delays_an_action(runtime, clock):
    enqueue(runtime, key="k", not_before=clock() + timedelta(seconds=300))
    assert runtime.outbox.claim("w", 10, clock(), LEASE) == []
    clock.advance(301)
    assert len(runtime.outbox.claim("w", 10, clock(), LEASE)) == 1


def test_postponing_is_not_a_failed_attempt(runtime, clock):
    enqueue(runtime, payload={"step": 1})
    [action] = runtime.outbox.claim("w", 10, clock(), LEASE)
    runtime.outbox.postpone(action.id, "w", clock() + timedelta(seconds=5), payload={"step": 2})
    clock.advance(5)
    [again] = runtime.outbox.claim("w", 10, clock(), LEASE)
    assert (again.attempts, again.payload) == (1, {"step": 2})
    runtime.outbox.fail(again.id, "w", "boom", clock(), None)
    assert runtime.outbox.list()[0].status == FAILED
    assert runtime.outbox.retry(clock()) == 1
    [last] = runtime.outbox.claim("w", 10, clock(), LEASE)
    with runtime.engine.begin() as connection:
        runtime.outbox.finish(connection, last.id, "w", DONE, clock(), "ok")
    assert runtime.outbox.list()[0].status == DONE
