"""Group commit: concurrent deliveries share transactions; answers still follow the commit."""

from __future__ import annotations

import threading

import pytest

from bridge.intake.group_commit import GroupCommitter, IntakeUnavailable
from bridge.runtime import build_runtime
from bridge.storage.inbox import Delivery
from tests.support.settings import make_settings


@pytest.fixture
def runtime(database_url, clock):
    runtime = build_runtime(make_settings(database_url), clock=clock)
    yield runtime
    runtime.engine.dispose()


def delivery(key: str, clock) -> Delivery:
    return Delivery("zendesk", key, "zen:event-type:ticket.created", "{}", clock())


def test_concurrent_deliveries_are_all_stored_once_and_answered_truthfully(runtime, clock):
    committer = GroupCommitter(runtime.inbox)
    batches: list[int] = []
    store_many = runtime.inbox.store_many

    def counting_store_many(deliveries):
        batches.append(len(deliveries))
        return store_many(deliveries)

    runtime.inbox.store_many = counting_store_many
    answers: dict[str, list[bool]] = {}
    keys = [f"k{i % 150}" for i in range(300)]  # every key delivered twice

    def send(key):
        answers.setdefault(key, []).append(committer.store(delivery(key, clock)))

    threads = [threading.Thread(target=send, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(sorted(result) == [False, True] for result in answers.values())
    assert runtime.inbox.counts()["pending"] == 150
    assert sum(batches) == 300 and len(batches) < 300  # deliveries shared commits


def test_a_failed_commit_fails_every_delivery_in_it(runtime, clock):
    committer = GroupCommitter(runtime.inbox)

    def broken(deliveries):
        raise RuntimeError("disk full")

    runtime.inbox.store_many = broken
    with pytest.raises(IntakeUnavailable, match="RuntimeError"):
        committer.store(delivery("k", clock))


def test_the_writer_thread_stops_when_idle_and_restarts(runtime, clock):
    committer = GroupCommitter(runtime.inbox, idle_seconds=0.05)
    store_many = runtime.inbox.store_many
    writers: list[threading.Thread] = []

    def recording_store_many(deliveries):
        writers.append(threading.current_thread())
        return store_many(deliveries)

    runtime.inbox.store_many = recording_store_many
    assert committer.store(delivery("a", clock)) is True
    [first] = writers
    first.join(timeout=2)
    assert not first.is_alive()
    assert committer.store(delivery("b", clock)) is True
    assert writers[1] is not first  # a new writer took over
    assert committer.store(delivery("b", clock)) is False


def test_a_commit_slower_than_the_timeout_fails_the_request_and_the_writer_goes_on(runtime, clock):
    committer = GroupCommitter(runtime.inbox, timeout=0.1)
    store_many = runtime.inbox.store_many
    unblock = threading.Event()

    def slow(deliveries):
        unblock.wait(5)
        return store_many(deliveries)

    runtime.inbox.store_many = slow
    with pytest.raises(IntakeUnavailable, match="in time"):
        committer.store(delivery("late", clock))
    unblock.set()
    assert committer.store(delivery("next", clock)) is True
    # The late delivery was still stored: the vendor's retry will be answered as a duplicate.
    assert committer.store(delivery("late", clock)) is False
