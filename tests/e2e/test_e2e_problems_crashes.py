"""Jira has no idempotency key: a crash after Jira accepted the create, before the bridge recorded
it, must still end with one issue (the retry finds it by the problem's label)."""

from __future__ import annotations

import threading

import pytest

from bridge.planning import problem_label
from connectors.jira.client import JiraClient
from tests.e2e.problems_support import (
    CRASH_RULE,
    CRASH_THRESHOLD,
    assert_nothing_parked,
    issues_with_label,
    problem_environment,
    report_crash,
    settle_all,
    the_issue,
    the_problem,
    wait_for,
)

CLIENT_TIMEOUT = 0.5  # the bridge's Jira client gives up this soon ...
SLOW_ANSWER = 1.5  # ... while the simulated Jira answers a done write this late


def audit_actions(runtime, problem) -> list[str]:
    return [entry.action for entry in runtime.audit.entries(f"problem:{problem.id}")]


def report_enough_crashes(environment) -> list[int]:
    return [report_crash(environment) for _ in range(CRASH_THRESHOLD)]


def assert_one_issue_with_every_ticket_linked(environment, tickets) -> None:
    problem = the_problem(environment.runtime, CRASH_RULE)
    issue = the_issue(environment, problem)  # exactly one carries the label
    assert len(environment.jira.store.issues) == 1
    assert problem.jira_key == issue["key"]
    for ticket_id in tickets:
        assert f"problem_{problem.id}" in environment.zendesk.ticket(ticket_id)["tags"]
    assert_nothing_parked(environment.runtime)


def test_a_create_that_times_out_after_jira_did_it_is_found_again_not_repeated(bridge, monkeypatch):
    tracker = bridge.runtime.issue_tracker
    access = bridge.access
    tracker.client = JiraClient(access.jira_url, "cloud", access.jira_email, access.jira_api_token,
                                timeout=CLIENT_TIMEOUT)
    bridge.jira.fault_delay = SLOW_ANSWER
    create = tracker.create

    def create_answered_too_late(plan):
        bridge.jira.inject_faults(1, "timeout_after_write")  # armed for exactly this request
        monkeypatch.setattr(tracker, "create", create)
        return create(plan)

    monkeypatch.setattr(tracker, "create", create_answered_too_late)
    tickets = report_enough_crashes(bridge)
    settle_all(bridge)

    creates = [r for r in bridge.jira.requests if r.method == "POST" and r.path.endswith("/issue")]
    assert len(creates) == 1 and creates[0].status == 201  # Jira did it; the bridge timed out
    assert_one_issue_with_every_ticket_linked(bridge, tickets)
    problem = the_problem(bridge.runtime, CRASH_RULE)
    assert "jira.issue_found" in audit_actions(bridge.runtime, problem)
    assert "jira.issue_created" not in audit_actions(bridge.runtime, problem)
    [create_action] = [a for a in bridge.runtime.outbox.for_problem(problem.id) if a.kind == "jira.create_issue"]
    assert create_action.attempts == 2 and create_action.outcome == f"found {problem.jira_key}"


def test_a_create_whose_recording_fails_is_found_again_on_the_retry(bridge, monkeypatch):
    store = bridge.runtime.problems
    record_issue = store.record_issue

    def fail_once(*args, **kwargs):
        monkeypatch.setattr(store, "record_issue", record_issue)
        raise RuntimeError("the database went away between the create and the record")

    monkeypatch.setattr(store, "record_issue", fail_once)
    tickets = report_enough_crashes(bridge)
    settle_all(bridge)

    assert_one_issue_with_every_ticket_linked(bridge, tickets)
    assert "jira.issue_found" in audit_actions(bridge.runtime, the_problem(bridge.runtime, CRASH_RULE))


class WorkerKilled(SystemExit):
    """Ends the action worker's thread the way a killed process ends it: nothing after runs."""


@pytest.fixture
def short_lease_bridge(tmp_path):
    environment = problem_environment(tmp_path / "rules", worker={"lease_seconds": 1})
    yield environment
    environment.stop()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the death itself
def test_an_action_worker_dying_between_create_and_record_leaves_one_issue(short_lease_bridge, monkeypatch):
    bridge = short_lease_bridge
    store = bridge.runtime.problems
    record_issue = store.record_issue
    died = threading.Event()

    def die(*args, **kwargs):
        monkeypatch.setattr(store, "record_issue", record_issue)
        died.set()
        raise WorkerKilled()

    monkeypatch.setattr(store, "record_issue", die)
    tickets = report_enough_crashes(bridge)
    died.wait(timeout=10)
    assert died.is_set()
    assert len(issues_with_label(bridge, problem_label(the_problem(bridge.runtime, CRASH_RULE).id))) == 1
    assert the_problem(bridge.runtime, CRASH_RULE).jira_key is None  # created, never recorded

    # A second worker process takes the action over once the dead one's lease expires.
    stop = threading.Event()
    successor = threading.Thread(target=bridge.runtime.new_action_worker("successor").run, args=(stop,))
    successor.start()
    try:
        wait_for(lambda: the_problem(bridge.runtime, CRASH_RULE).jira_key, timeout=10, what="the issue recorded")
        settle_all(bridge)
    finally:
        stop.set()
        successor.join(timeout=10)

    assert_one_issue_with_every_ticket_linked(bridge, tickets)
    assert "jira.issue_found" in audit_actions(bridge.runtime, the_problem(bridge.runtime, CRASH_RULE))
