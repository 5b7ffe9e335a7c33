"""Leader election on PostgreSQL: one advisory lock, one leader among processes with their own
engines; when the leader's connection goes away, another process takes over."""

from __future__ import annotations

import threading
import zlib

import pytest
from sqlalchemy import text

from bridge.scheduler import AlwaysLeader, LeaderLock, leadership_for
from bridge.scheduler.leader import LOCK_NAMESPACE
from bridge.storage.db import create_database_engine
from tests.scheduler.conftest import wait_until
from tests.support.database import postgres_schema_url


@pytest.fixture
def postgres_url():
    with postgres_schema_url() as url:
        yield url


@pytest.fixture
def make_lock():
    """LeaderLocks over engines of their own, as separate processes would have."""
    made = []

    def make(url: str) -> LeaderLock:
        engine = create_database_engine(url)
        lock = LeaderLock(engine)
        made.append((lock, engine))
        return lock

    yield make
    for lock, engine in made:
        lock.release()
        engine.dispose()


def terminate_lock_holder(url: str) -> None:
    """Kill the backend holding the bridge's lock, as a network failure or a DBA would."""
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar()
            holders = connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid = :namespace AND objid = CAST(:schema AS oid) AND objsubid = 2"),
                {"namespace": LOCK_NAMESPACE, "schema": zlib.crc32(schema.encode())}).scalars().all()
        assert holders == [True]
    finally:
        engine.dispose()


def test_exactly_one_of_two_processes_leads(postgres_url, make_lock):
    locks = [make_lock(postgres_url), make_lock(postgres_url)]
    start = threading.Barrier(len(locks))
    results: dict[int, bool] = {}

    def contend(index: int) -> None:
        start.wait()
        results[index] = locks[index].check()

    threads = [threading.Thread(target=contend, args=(index,)) for index in range(len(locks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(results.values()) == [False, True]
    assert [lock.check() for lock in locks] == [results[0], results[1]]  # renewing changes nothing


def test_another_process_takes_over_when_the_leaders_connection_drops(postgres_url, make_lock):
    leader, standby = make_lock(postgres_url), make_lock(postgres_url)
    assert leader.check() and not standby.check()

    terminate_lock_holder(postgres_url)

    wait_until(standby.check, message="the standby never took over")
    assert not leader.check()  # the old leader notices and stays a standby
    assert standby.check()


def test_a_leader_that_stops_hands_over_at_once(postgres_url, make_lock):
    leader, standby = make_lock(postgres_url), make_lock(postgres_url)
    assert leader.check() and not standby.check()
    leader.release()
    assert standby.check()


def test_bridges_in_separate_schemas_each_have_a_leader(postgres_url, make_lock):
    with postgres_schema_url() as other_url:
        assert make_lock(postgres_url).check()
        assert make_lock(other_url).check()


def test_sqlite_has_one_process_which_always_leads(sqlite_url):
    engine = create_database_engine(sqlite_url)
    try:
        leadership = leadership_for(engine)
        assert isinstance(leadership, AlwaysLeader) and leadership.check()
    finally:
        engine.dispose()
