"""SQLite write turns between `bridge serve`'s processes: the worker never takes a turn while intake
writes or waits to, and a turn never waited for past its bound (bridge/storage/write_turns.py)."""

from __future__ import annotations

import threading

from bridge.storage.write_turns import WriteTurns


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


def test_threads_of_one_process_share_its_turn(tmp_path):
    worker, intake = turns(tmp_path, True), turns(tmp_path, False)
    worker.enter()
    worker.enter()  # a second writing thread of the worker process
    worker.leave()
    assert not entered_in_background(intake).wait(0.2)
    worker.leave()
    intake.enter()
    intake.leave()


def test_a_turn_not_given_in_time_is_skipped(tmp_path):
    intake, worker = turns(tmp_path, False), turns(tmp_path, True, max_wait=0.1)
    intake.enter()
    worker.enter()  # returns, without the turn
    worker.leave()
    intake.leave()
