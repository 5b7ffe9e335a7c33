"""Jira has no idempotency key: a crash after Jira accepted the create, before the bridge recorded
it, must still end with one issue (the retry finds it by the problem's label), and a crash around a
comment with exactly one such comment (the retry reads the issue's newest comments)."""

from __future__ import annotations

import threading

import pytest

from bridge.planning import problem_label
from connectors.jira.client import JiraClient
from tests.e2e.problems_support import (
    CRASH_ESCALATION_AT,
    CRASH_RULE,
    CRASH_THRESHOLD,
    RULES,
    SETTINGS,
    assert_nothing_parked,
    die_once_zendesk_accepted_the_next_job,
    issues_with_label,
    jira_comments,
    open_crash_problem,
    problem_environment,
    report_crash,
    settle_all,
    the_issue,
    the_problem,
    wait_for,
)

# Each crash report comes from a new customer: the count that opens the problem escalates it too.
ESCALATED_AT_OPEN = RULES.replace(f"{{at: {CRASH_ESCALATION_AT}, of: tickets",
                                  f"{{at: {CRASH_THRESHOLD}, of: requesters")
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
    time_out_a_create_after_jira_did_it(bridge, monkeypatch)


def time_out_a_create_after_jira_did_it(bridge, monkeypatch) -> None:
    """The bridge's create times out while Jira does it; the retry must find that issue."""
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


def escalation_comments(environment, key: str) -> list[str]:
    return [text for text in jira_comments(environment, key) if text.startswith("Escalat")]


@pytest.fixture
def escalated_at_open(tmp_path):
    """The crash rule escalating to Highest at the very count that opens its problem."""
    assert ESCALATED_AT_OPEN != RULES
    environment = problem_environment(tmp_path / "rules", rules=ESCALATED_AT_OPEN)
    yield environment
    environment.stop()


@pytest.mark.parametrize("crash", ["before", "after"])
def test_an_issue_created_escalated_says_so_once_whether_a_crash_came_before_or_after_the_comment(
        escalated_at_open, monkeypatch, crash):
    bridge = escalated_at_open
    tracker = bridge.runtime.issue_tracker
    comment_once = tracker.comment_once

    def crash_once(key, body, marker=None):
        monkeypatch.setattr(tracker, "comment_once", comment_once)
        if crash == "after":
            comment_once(key, body, marker)
        raise RuntimeError(f"the worker died {crash} the escalation comment")

    monkeypatch.setattr(tracker, "comment_once", crash_once)
    tickets = report_enough_crashes(bridge)
    settle_all(bridge)

    assert_one_issue_with_every_ticket_linked(bridge, tickets)
    problem = the_problem(bridge.runtime, CRASH_RULE)
    assert "jira.issue_found" in audit_actions(bridge.runtime, problem)  # the retry found the issue
    [comment] = escalation_comments(bridge, problem.jira_key)
    assert comment.startswith(f"Escalated to Highest: {CRASH_THRESHOLD} requesters affected")
    assert bridge.jira.issue(problem.jira_key)["fields"]["priority"]["name"] == "Highest"


def test_an_escalation_whose_recording_fails_is_commented_once(bridge, monkeypatch):
    problem, _ = open_crash_problem(bridge)
    store = bridge.runtime.problems
    record_counts_written = store.record_counts_written
    failed = threading.Event()

    def fail_the_escalation_once(connection, problem_id, counts, when, *escalation):
        if escalation and not failed.is_set():  # the escalated call records priority and due date
            failed.set()
            raise RuntimeError("the database went away after the escalation comment")
        return record_counts_written(connection, problem_id, counts, when, *escalation)

    monkeypatch.setattr(store, "record_counts_written", fail_the_escalation_once)
    for _ in range(CRASH_ESCALATION_AT - CRASH_THRESHOLD):
        report_crash(bridge)
    settle_all(bridge)

    assert failed.is_set()
    print("COMMENTS", jira_comments(bridge, problem.jira_key))
    print("ACTIONS", [(a.kind, a.attempts, a.outcome, a.last_error)
                      for a in bridge.runtime.outbox.for_problem(problem.id)])
    [comment] = escalation_comments(bridge, problem.jira_key)
    assert comment.startswith(f"Escalated to Highest: {CRASH_ESCALATION_AT} tickets affected")
    assert bridge.jira.issue(problem.jira_key)["fields"]["priority"]["name"] == "Highest"
    assert the_problem(bridge.runtime, CRASH_RULE).priority == "Highest"
    assert_nothing_parked(bridge.runtime)


JIRA_SEARCH_LAG = 3.0  # seconds before the simulated Jira Cloud's search shows a new issue


@pytest.fixture
def lagging_search_bridge(tmp_path):
    """Jira Cloud's search is eventually consistent: here a new issue shows in it after 3 s, longer
    than the bridge's first retry waits (2 s); the bridge is told to allow for a little more."""
    environment = problem_environment(
        tmp_path / "rules", jira={**SETTINGS["jira"], "search_lag_seconds": JIRA_SEARCH_LAG + 1})
    environment.jira.search_lag = JIRA_SEARCH_LAG
    yield environment
    environment.stop()


def test_a_create_that_times_out_is_found_again_even_when_search_shows_it_late(lagging_search_bridge,
                                                                               monkeypatch):
    bridge = lagging_search_bridge
    time_out_a_create_after_jira_did_it(bridge, monkeypatch)

    problem = the_problem(bridge.runtime, CRASH_RULE)
    label_searches = [r for r in bridge.jira.requests
                      if r.path.endswith("/search/jql") and problem_label(problem.id) in str(r.json or r.query)]
    assert len(label_searches) == 3  # before the create; on the retry, too early; after the lag


def test_a_link_job_accepted_before_a_crash_notes_each_ticket_once(tmp_path, monkeypatch):
    environment = problem_environment(tmp_path / "rules", closure={"unknown_outcome_seconds": 3})
    try:
        environment.zendesk.set_job_limits(delay_seconds=1.5)  # later than the bridge's retry (0.2 s)
        die_once_zendesk_accepted_the_next_job(environment, monkeypatch)
        tickets = report_enough_crashes(environment)
        settle_all(environment)

        assert_one_issue_with_every_ticket_linked(environment, tickets)
        for ticket_id in tickets:
            notes = [c for c in environment.zendesk.comments(ticket_id) if "Linked to Jira issue" in c["body"]]
            assert len(notes) == 1, notes
    finally:
        environment.stop()
