"""Closure storage on SQLite and PostgreSQL: one running closure per problem, exclusive claims,
guarded changes, counts, finishing, progress."""

from datetime import timedelta

import pytest

from bridge.domain.events import TicketSnapshot
from bridge.domain.problems import FIXED
from bridge.runtime import build_runtime
from bridge.storage.closures import DONE, FAILED, NOTIFIED, PENDING, RUNNING, SENT, TicketChange
from tests.support.clock import FakeClock
from tests.support.settings import make_settings


@pytest.fixture
def runtime(database_url):
    runtime = build_runtime(make_settings(database_url), clock=FakeClock())
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def problem(runtime):
    now = runtime.clock()
    with runtime.engine.begin() as connection:
        problem = runtime.problems.active_for_update(connection, "r", "", "engineering", now, state=FIXED,
                                                     jira_key="ENG-7")
        for ticket_id in (1, 2, 3, 4):
            ticket = TicketSnapshot(id=ticket_id, requester_id=100 + ticket_id)
            runtime.problems.link(connection, problem.id, ticket, now)
        runtime.problems.remove_ticket(connection, problem.id, 4, now)
        closed = TicketSnapshot(id=3, status="closed", known_fields=frozenset({"status"}))
        runtime.tickets.record(connection, closed, now)
    return problem


def start(runtime, problem, version="2.0"):
    with runtime.engine.begin() as connection:
        return runtime.closure.start(connection, problem, runtime.clock(), version)


def test_a_closure_covers_the_linked_tickets_and_knows_which_are_closed(runtime, problem):
    closure_id = start(runtime, problem)
    tickets = runtime.closures.tickets(closure_id)
    assert [(t.ticket_id, t.state, t.requester_id, t.closed) for t in tickets] == [
        (1, PENDING, 101, False), (2, PENDING, 102, False), (3, PENDING, 103, True)]
    progress = runtime.closures.progress(problem.id)
    assert (progress.closure_id, progress.state, progress.done, progress.total, progress.failed,
            progress.fix_version) == (closure_id, RUNNING, 0, 3, 0, "2.0")
    [action] = runtime.outbox.for_problem(problem.id)
    assert action.payload == {"closure_id": closure_id}


def test_one_running_closure_per_problem(runtime, problem):
    first = start(runtime, problem)
    assert start(runtime, problem, version="other") == first
    assert len(runtime.outbox.for_problem(problem.id)) == 1
    assert runtime.closures.get(first).fix_version == "2.0"


def test_a_ticket_is_claimed_by_one_caller_only_and_a_refused_request_gives_it_back(runtime, problem):
    closure_id = start(runtime, problem)
    now = runtime.clock()
    assert runtime.closures.claim(closure_id, [1, 2], now) == [1, 2]
    assert runtime.closures.claim(closure_id, [1, 2, 3], now) == [3]
    runtime.closures.release(closure_id, [3])
    assert [(t.state, t.attempts) for t in runtime.closures.tickets(closure_id) if t.ticket_id == 3] == [(PENDING, 0)]
    runtime.closures.record_job(closure_id, [1, 2], "job-1")
    assert {t.job_id for t in runtime.closures.tickets(closure_id, SENT)} == {"job-1"}
    assert runtime.closures.unknown_outcomes(closure_id, now + timedelta(seconds=1), 10) == []


def test_changes_apply_only_in_the_expected_state_and_counts_follow(runtime, problem):
    closure_id = start(runtime, problem)
    now = runtime.clock()
    runtime.closures.claim(closure_id, [1, 2], now)
    runtime.closures.apply(closure_id, [
        TicketChange(1, SENT, {"state": NOTIFIED}), TicketChange(2, SENT, {"state": FAILED, "last_error": "x"}),
        TicketChange(3, SENT, {"state": NOTIFIED})], now)
    progress = runtime.closures.get(closure_id)
    assert (progress.done, progress.failed) == (1, 1)
    assert [t.state for t in runtime.closures.tickets(closure_id)] == [NOTIFIED, FAILED, PENDING]


def test_a_closure_finishes_once_nothing_is_pending_or_sent(runtime, problem):
    closure_id = start(runtime, problem)
    now = runtime.clock()
    with runtime.engine.begin() as connection:
        assert runtime.closures.finish_if_complete(connection, closure_id, now) is None
    runtime.closures.claim(closure_id, [1, 2, 3], now)
    runtime.closures.apply(closure_id, [TicketChange(t, SENT, {"state": NOTIFIED}) for t in (1, 2, 3)], now)
    with runtime.engine.begin() as connection:
        finished = runtime.closures.finish_if_complete(connection, closure_id, now)
    assert (finished.state, finished.done, finished.finished_at) == (DONE, 3, now)
    assert start(runtime, problem) != closure_id  # the problem may be fixed again later (a regression)
    assert runtime.closures.progress_of([problem.id, 999]).keys() == {problem.id}
