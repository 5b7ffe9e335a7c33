"""The store writes a lifecycle transition and its audit entry together, guarded on the state the
transition starts from; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bridge.domain.events import TicketSnapshot
from bridge.domain.lifecycle import CLOSED, DETECTING, FIXED, OPEN, REGRESSED, Cause, transition
from bridge.runtime import build_runtime
from bridge.storage.problems import StateChanged
from tests.support.clock import FakeClock
from tests.support.settings import make_settings


@pytest.fixture
def runtime(database_url):
    runtime = build_runtime(make_settings(database_url), clock=FakeClock())
    yield runtime
    runtime.engine.dispose()


def _problem(runtime, state=FIXED):
    with runtime.engine.begin() as connection:
        return runtime.problems.active_for_update(connection, "r", "g", "engineering", runtime.clock(), state=state,
                                                  jira_key="ENG-7")


def test_a_transition_writes_its_columns_and_its_audit_entry(runtime):
    problem, now = _problem(runtime), runtime.clock()
    with runtime.engine.begin() as connection:
        closed = runtime.problems.change_state(connection, problem.id, transition(
            problem.state, Cause.REGRESSION_WINDOW_OVER, now, details={"reason": "regression window over"}), now)
    assert (closed.state, closed.closed_at, closed.updated_at) == (CLOSED, now, now)
    [entry] = runtime.audit.entries(f"problem:{problem.id}")
    assert (entry.action, entry.details) == ("problem.closed", {"reason": "regression window over"})
    with runtime.engine.begin() as connection:  # its (rule, group key) is free: a new problem takes it
        assert runtime.problems.active_for_update(connection, "r", "g", "engineering", now).id != problem.id


def test_a_transition_from_a_state_the_problem_left_writes_nothing(runtime):
    problem, now = _problem(runtime), runtime.clock()
    stale = transition(OPEN, Cause.FIX_SHIPPED, now, fix_version="2.4.1")
    with pytest.raises(StateChanged, match="no longer open"), runtime.engine.begin() as connection:
        runtime.problems.change_state(connection, problem.id, stale, now)
    assert runtime.problems.get(problem.id).state == FIXED
    assert runtime.audit.entries(f"problem:{problem.id}") == []


def test_a_threshold_opens_a_problem_once(runtime):
    problem, now = _problem(runtime, state=DETECTING), runtime.clock()
    with runtime.engine.begin() as connection:
        runtime.problems.record_occurrence(connection, problem.id, TicketSnapshot(id=1, requester_id=5), "1", now)
    opening = transition(DETECTING, Cause.THRESHOLD_REACHED, now, details={"tickets": [1]})
    for _ in range(2):
        with runtime.engine.begin() as connection:
            runtime.problems.open(connection, problem.id, [1], opening, now)
    opened = runtime.problems.get(problem.id)
    assert (opened.state, opened.opened_at, runtime.problems.linked_ticket_ids(problem.id)) == (OPEN, now, [1])
    assert [entry.action for entry in runtime.audit.entries(f"problem:{problem.id}")] == ["problem.opened"]


def test_the_lock_reads_the_state_a_transition_starts_from(runtime):
    problem, now = _problem(runtime), runtime.clock()
    with runtime.engine.begin() as connection:
        current = runtime.problems.lock(connection, problem.id)
        regressed = runtime.problems.change_state(connection, problem.id, transition(
            current.state, Cause.REGRESSION, now), now)
    assert regressed.state == REGRESSED
