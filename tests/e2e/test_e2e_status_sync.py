"""Jira's progress reaches the tickets, and a regression after the fix reopens the loop:
end to end through the simulators, the real clients, and the bridge's HTTP endpoints."""

from __future__ import annotations

import math

import pytest

from tests.e2e.conftest import jira_client_for
from tests.e2e.problems_support import (
    AFFECTED_TICKETS_FIELD,
    CRASH_ESCALATION_AT,
    CRASH_RULE,
    CRASH_THRESHOLD,
    JIRA_KEY_FIELD,
    SETTINGS,
    action_rows,
    assert_nothing_parked,
    die_once_zendesk_accepted_the_next_job,
    issues_with_label,
    jira_comments,
    problem_environment,
    report_crash,
    settle_all,
    the_issue,
    the_problem,
    zendesk_calls,
)


@pytest.fixture
def environment(bridge):
    return bridge


def open_crash_problem(environment, tickets: int = CRASH_THRESHOLD):
    ids = [report_crash(environment) for _ in range(tickets)]
    settle_all(environment)
    problem = the_problem(environment.runtime, CRASH_RULE)
    return problem, the_issue(environment, problem)["key"], ids


def test_a_jira_transition_updates_every_linked_ticket_in_bulk(environment):
    problem, key, ids = open_crash_problem(environment, tickets=5)
    environment.zendesk.clear_requests()
    environment.jira.user_transitions(key, "In Progress")
    settle_all(environment)

    assert environment.runtime.problems.get(problem.id).state == "in_progress"
    updates = [r for r in zendesk_calls(environment, "update_many", "PUT")
               if "jira_status_in_progress" in (r.json["ticket"].get("additional_tags") or [])]
    assert len(updates) == math.ceil(len(ids) / 100)
    for ticket_id in ids:
        ticket = environment.zendesk.ticket(ticket_id)
        assert ticket["status"] == "hold" and "jira_status_in_progress" in ticket["tags"]
        notes = [c for c in environment.zendesk.comments(ticket_id) if f"Jira {key} is In Progress" in c["body"]]
        assert len(notes) == 1 and notes[0]["public"] is False  # engineering chatter stays internal

    # A field edit in Jira moves no status: nothing reaches the tickets.
    environment.zendesk.clear_requests()
    environment.jira.user_edits(key, {"summary": "Checkout crash (investigating)"})
    settle_all(environment)
    assert zendesk_calls(environment, "update_many", "PUT") == []
    assert_nothing_parked(environment.runtime)


def test_a_regression_reopens_the_fixed_issue_with_a_comment(environment):
    problem, key, _ids = open_crash_problem(environment)
    environment.jira.user_transitions(key, "Done", resolution="Fixed")
    settle_all(environment)
    assert environment.runtime.problems.get(problem.id).state == "fixed"

    again = report_crash(environment)
    settle_all(environment)
    issue = environment.jira.issue(key)
    assert issue["fields"]["status"]["name"] == "To Do"
    assert any(f"#{again}" in body and "Regression" in body for body in jira_comments(environment, key))
    problem = environment.runtime.problems.get(problem.id)
    assert problem.state == "open"  # the reopened issue's status came back through the webhook
    assert again in environment.runtime.problems.linked_ticket_ids(problem.id)
    assert_nothing_parked(environment.runtime)


def test_counts_held_back_by_the_interval_reach_the_issue_when_the_fix_ships(tmp_path):
    """Counts written a moment ago hold the next write back for the interval (an hour here); the
    fix makes them final, so they are written then, and nothing is left waiting. A fixed problem
    is past escalating: reaching the escalation count after the fix raises no priority."""
    environment = problem_environment(tmp_path / "rules",
                                      jira={**SETTINGS["jira"], "counts_update_interval_seconds": 3600})
    try:
        problem, key, ids = open_crash_problem(environment)
        priority = environment.jira.issue(key)["fields"]["priority"]["name"]
        ids += [report_crash(environment) for _ in range(CRASH_ESCALATION_AT - CRASH_THRESHOLD)]
        assert environment.wait_until_idle()
        held = action_rows(environment.runtime, "jira.update_issue", problem.id)
        assert [row.status for row in held][-1] == "pending"  # the interval holds it back
        environment.jira.user_transitions(key, "Done", resolution="Fixed")
        settle_all(environment)
        assert environment.runtime.problems.get(problem.id).state == "fixed"
        fields = environment.jira.issue(key)["fields"]
        assert fields[AFFECTED_TICKETS_FIELD] == len(ids) == CRASH_ESCALATION_AT
        assert fields["priority"]["name"] == priority != "Highest"
        assert environment.runtime.outbox.for_problem(problem.id, ("pending",)) == []
        assert_nothing_parked(environment.runtime)
    finally:
        environment.stop()


def test_a_regression_can_open_a_new_related_issue_instead(tmp_path):
    environment = problem_environment(tmp_path / "rules", regression={"action": "new_issue"})
    try:
        problem, key, _ids = open_crash_problem(environment)
        environment.jira.user_transitions(key, "Done", resolution="Fixed")
        settle_all(environment)
        report_crash(environment)
        settle_all(environment)
        problem = environment.runtime.problems.get(problem.id)
        assert problem.jira_key != key
        new_issue = environment.jira.issue(problem.jira_key)
        links = new_issue["fields"]["issuelinks"]
        assert any((link.get("outwardIssue") or link.get("inwardIssue") or {}).get("key") == key for link in links)
        assert environment.jira.issue(key)["fields"]["status"]["name"] == "Done"  # the old one stays done
        assert len(issues_with_label(environment, f"bridge-problem-{problem.id}")) == 1
        assert_nothing_parked(environment.runtime)
    finally:
        environment.stop()


def test_an_issue_closed_as_duplicate_moves_its_tickets_to_the_other_issues_problem(environment):
    problem, key, ids = open_crash_problem(environment)
    with jira_client_for(environment) as jira:
        original = jira.create_issue("ENG", "Bug", "Payment provider times out at checkout")["key"]
        jira.link_issues("Duplicate", key, original)  # key duplicates original
    environment.jira.user_transitions(key, "Done", resolution="Duplicate")
    settle_all(environment)

    assert environment.runtime.problems.get(problem.id).state == "closed"
    [target] = [p for p in environment.runtime.problems.list() if p.jira_key == original]
    assert sorted(environment.runtime.problems.linked_ticket_ids(target.id)) == sorted(ids)
    for ticket_id in ids:
        ticket = environment.zendesk.ticket(ticket_id)
        fields = {field["id"]: field["value"] for field in ticket["custom_fields"]}
        assert fields[JIRA_KEY_FIELD] == original
        assert f"problem_{target.id}" in ticket["tags"] and f"problem_{problem.id}" not in ticket["tags"]
    assert_nothing_parked(environment.runtime)


def test_the_loop_works_against_jira_data_center(tmp_path):
    """Data Center: personal access token, REST v2 with plain-text bodies, /rest/api/2/search."""
    environment = problem_environment(tmp_path / "rules", jira_deployment="server")
    try:
        problem, key, ids = open_crash_problem(environment)
        issue = environment.jira.issue(key)
        assert issue["fields"]["priority"]["name"] == "High" and issue["fields"]["duedate"]
        assert isinstance(issue["fields"]["description"], str)  # plain text, not ADF
        environment.jira.user_transitions(key, "In Progress")
        settle_all(environment)
        assert environment.runtime.problems.get(problem.id).state == "in_progress"
        for ticket_id in ids:
            assert "jira_status_in_progress" in environment.zendesk.ticket(ticket_id)["tags"]
        assert all("/rest/api/3/" not in r.path for r in environment.jira.requests)
        assert_nothing_parked(environment.runtime)
    finally:
        environment.stop()


JOB_DELAY = 1.5  # the simulated Zendesk runs a job this long after accepting it


@pytest.fixture
def slow_jobs_environment(tmp_path):
    """Zendesk runs jobs later than the bridge retries a failed action (0.2 s here); the bridge
    reads back a send of unknown outcome after 3 s."""
    environment = problem_environment(tmp_path / "rules", closure={"unknown_outcome_seconds": JOB_DELAY * 2})
    environment.zendesk.set_job_limits(delay_seconds=JOB_DELAY)
    yield environment
    environment.stop()


def test_a_status_update_whose_job_was_accepted_before_a_crash_notes_each_ticket_once(slow_jobs_environment,
                                                                                     monkeypatch):
    environment = slow_jobs_environment
    _problem, key, ids = open_crash_problem(environment, tickets=4)
    die_once_zendesk_accepted_the_next_job(environment, monkeypatch)
    environment.jira.user_transitions(key, "In Progress")
    settle_all(environment)

    for ticket_id in ids:
        notes = [c for c in environment.zendesk.comments(ticket_id) if f"Jira {key} is In Progress" in c["body"]]
        assert len(notes) == 1
        assert "jira_status_in_progress" in environment.zendesk.ticket(ticket_id)["tags"]
    assert_nothing_parked(environment.runtime)
