"""Proactive notice storage on SQLite and PostgreSQL: one running notice per problem, exclusive
claims, guarded changes, counts per problem and team, finishing, and who was told before."""

from __future__ import annotations

import pytest

from bridge.domain.events import TicketSnapshot
from bridge.domain.problems import OPEN
from bridge.runtime import build_runtime
from bridge.storage.proactive import NewRecipient
from bridge.storage.send_rows import DONE, FAILED, NOTIFIED, PENDING, RUNNING, SENT, RowChange
from tests.support.clock import FakeClock
from tests.support.settings import make_settings


@pytest.fixture
def runtime(database_url):
    runtime = build_runtime(make_settings(database_url), clock=FakeClock())
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def problem_id(runtime):
    now = runtime.clock()
    with runtime.engine.begin() as connection:
        problem = runtime.problems.active_for_update(connection, "r", "", "engineering", now, state=OPEN)
        for ticket_id in (1, 2):
            runtime.problems.link(connection, problem.id, TicketSnapshot(id=ticket_id, requester_id=100 + ticket_id),
                                  now)
    return problem.id


def create(runtime, problem_id, users=(7, 8, 9)):
    with runtime.engine.begin() as connection:
        return runtime.proactive_store.create(
            connection, problem_id, "type:user tags:x", "", "", {"opted_out": 2},
            [NewRecipient(user, f"Pat{user}", None) for user in users], runtime.clock())


def test_one_notice_runs_per_problem_and_claims_are_exclusive(runtime, problem_id):
    store, now = runtime.proactive_store, runtime.clock()
    notice_id = create(runtime, problem_id)
    assert create(runtime, problem_id) is None
    assert store.linked_requesters(problem_id) == {101, 102}

    assert store.claim(notice_id, [7, 8], now) == [7, 8]
    assert store.claim(notice_id, [7, 8, 9], now) == [9]
    store.record_job(notice_id, [7, 8], "job-1")
    assert [(r.user_id, r.state, r.job_id, r.attempts) for r in store.recipients(notice_id)] == [
        (7, SENT, "job-1", 1), (8, SENT, "job-1", 1), (9, SENT, None, 1)]
    store.release(notice_id, [9])
    assert store.recipients(notice_id, PENDING)[0].attempts == 0

    store.apply(notice_id, [RowChange(7, SENT, {"state": NOTIFIED, "ticket_id": 5001}),
                            RowChange(8, SENT, {"state": FAILED, "last_error": "x"}),
                            RowChange(9, SENT, {"state": NOTIFIED})], now)  # 9 is pending: not applied
    progress = store.get(notice_id)
    assert (progress.state, progress.total, progress.done, progress.failed) == (RUNNING, 3, 1, 1)
    with runtime.engine.begin() as connection:
        assert store.finish_if_complete(connection, notice_id, now) is None


def test_a_finished_notice_frees_the_problem_and_counts_who_it_told(runtime, problem_id):
    store, now = runtime.proactive_store, runtime.clock()
    notice_id = create(runtime, problem_id)
    store.claim(notice_id, [7, 8, 9], now)
    store.apply(notice_id, [RowChange(user, SENT, {"state": NOTIFIED}) for user in (7, 8, 9)], now)
    with runtime.engine.begin() as connection:
        finished = store.finish_if_complete(connection, notice_id, now)
    assert (finished.state, finished.done, finished.excluded) == (DONE, 3, {"opted_out": 2})

    assert store.notified_users(problem_id) == {7, 8, 9}
    assert store.notified_counts([problem_id]) == {problem_id: 3}
    assert (store.notified_total(), store.notified_total("engineering"), store.notified_total("finance")) == (3, 3, 0)
    second = create(runtime, problem_id, users=(10,))
    assert [n.notice_id for n in store.notices(problem_id)] == [notice_id, second]
