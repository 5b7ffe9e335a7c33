"""SQLite write turns between `bridge serve`'s processes: the worker never takes a turn while intake
writes or waits to, and a turn never waited for past its bound (bridge/storage/write_turns.py)."""

from __future__ import annotations

import threading

from bridge.runtime import build_runtime
from bridge.storage.db import create_database_engine
from bridge.storage.inbox import Delivery
from bridge.storage.write_turns import WriteTurns
from tests.support.settings import make_settings


def turns(tmp_path, yields: bool, max_wait: float = 5.0) -> WriteTurns:
    # Each opens the lock files itself, as another process would.
    return WriteTurns(tmp_path / "turns.lock", yields=yields, max_wait_seconds=max_wait)


def entered_in_background(turn: WriteTurns) -> threading.Event:
    entered = threading.Event()

    def enter() -> None:
        turn.enter()
        entered.set()

    threading.Thread(target=enter, daemon=True).start()
    return entered


def test_the_worker_waits_while_intake_writes_and_intake_waits_only_for_the_worker_transaction(tmp_path):
    intake, other_intake, worker = turns(tmp_path, False), turns(tmp_path, False), turns(tmp_path, True)
    intake.enter()
    other_intake.enter()  # intake's turns are shared
    worker_entered = entered_in_background(worker)
    assert not worker_entered.wait(0.2)
    intake.leave()
    assert not worker_entered.wait(0.1)
    other_intake.leave()
    assert worker_entered.wait(5)

    intake_entered = entered_in_background(intake)
    assert not intake_entered.wait(0.2)  # the worker's transaction under way
    worker.leave()
    assert intake_entered.wait(5)
    intake.leave()


def test_a_thread_may_begin_inside_its_own_turn(tmp_path):
    worker, intake = turns(tmp_path, True), turns(tmp_path, False)
    worker.enter()
    worker.enter()
    worker.leave()
    assert not entered_in_background(intake).wait(0.2)
    worker.leave()
    intake.enter()
    intake.leave()


def test_threads_of_intake_share_its_turn(tmp_path):
    intake = turns(tmp_path, False)
    intake.enter()
    assert entered_in_background(intake).wait(5)


def test_the_worker_process_threads_write_one_at_a_time_and_intake_goes_between_them(tmp_path):
    """Sharing the worker's turn, one thread slept in SQLite's busy handler while another kept
    writing, and intake waited for the whole chain (bench/ingest.py: p99 about a second)."""
    worker, intake = turns(tmp_path, True), turns(tmp_path, False)
    worker.enter()
    other_worker_thread = entered_in_background(worker)
    assert not other_worker_thread.wait(0.2)
    intake_entered = entered_in_background(intake)
    assert not intake_entered.wait(0.1)
    worker.leave()
    assert intake_entered.wait(5)
    assert not other_worker_thread.wait(0.2)
    intake.leave()
    assert other_worker_thread.wait(5)


def test_intake_stores_webhooks_in_its_turn(tmp_path, sqlite_url, clock):
    """Intake's insert is a raw autocommit statement (no SQLAlchemy transaction to hook)."""
    intake, worker = turns(tmp_path, False), turns(tmp_path, True)
    runtime = build_runtime(make_settings(sqlite_url), clock=clock,
                            engine=create_database_engine(sqlite_url, write_turns=intake))
    worker.enter()
    stored = threading.Event()

    def store() -> None:
        runtime.inbox.store_many([Delivery("zendesk", "k1", None, "{}", clock())])
        stored.set()

    threading.Thread(target=store, daemon=True).start()
    assert not stored.wait(0.2)
    worker.leave()
    assert stored.wait(5)
    runtime.engine.dispose()


def test_a_turn_not_given_in_time_is_skipped(tmp_path):
    intake, worker = turns(tmp_path, False), turns(tmp_path, True, max_wait=0.1)
    intake.enter()
    worker.enter()  # returns, without the turn
    worker.leave()
    intake.leave()
