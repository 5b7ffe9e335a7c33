"""Tickets become one Jira issue: N matching customer tickets open a problem with exactly one issue
(project, type, priority, due date, labels, impact); later tickets are linked without a new issue
and update the counts once per interval; an escalation threshold raises the priority once."""

from __future__ import annotations

import itertools
import threading
from datetime import date

from bridge.planning import add_business_days, problem_label
from tests.e2e.problems_support import (
    AFFECTED_TICKETS_FIELD,
    COUNTS_INTERVAL,
    CRASH_ESCALATION_AT,
    CRASH_RULE,
    CRASH_THRESHOLD,
    JIRA_KEY_FIELD,
    action_rows,
    assert_nothing_parked,
    jira_comments,
    jira_writes,
    link_updates,
    open_crash_problem,
    report_crash,
    settle_all,
    the_issue,
    the_problem,
    utc_now,
    wait_for,
)


def business_days_after(moment, days: int) -> date:
    return add_business_days(moment, days, holidays=(), tz=utc_now().tzinfo)


def linked_in_zendesk(bridge, ticket_id: int, problem, key: str) -> None:
    """The link tag, the Jira key field and one internal note with the issue's address; nothing public."""
    ticket = bridge.zendesk.ticket(ticket_id)
    assert f"problem_{problem.id}" in ticket["tags"], ticket["tags"]
    assert {"id": JIRA_KEY_FIELD, "value": key} in ticket["custom_fields"]
    by_bridge = [c for c in bridge.zendesk.comments(ticket_id) if c["author_id"] == bridge.zendesk.account.api_user_id]
    assert [c for c in by_bridge if c["public"]] == []  # customers hear nothing
    link_notes = [c for c in by_bridge if f"{bridge.jira.url}/browse/{key}" in c["body"]]
    assert len(link_notes) == 1 and link_notes[0]["body"].startswith(f"Linked to Jira issue {key}"), by_bridge


def test_matching_tickets_open_one_issue_and_later_ones_are_linked_to_it(bridge):
    below = [report_crash(bridge) for _ in range(CRASH_THRESHOLD - 1)]
    settle_all(bridge)
    assert jira_writes(bridge) == [] and bridge.jira.store.issues == {}  # below the threshold: nothing

    tickets = [*below, report_crash(bridge)]
    settle_all(bridge)

    problem = the_problem(bridge.runtime, CRASH_RULE)
    issue = the_issue(bridge, problem)
    fields = issue["fields"]
    assert (problem.state, problem.jira_key, problem.ticket_count) == ("open", issue["key"], CRASH_THRESHOLD)
    assert (fields["project"]["key"], fields["issuetype"]["name"], fields["priority"]["name"]) == ("ENG", "Bug", "High")
    assert fields["duedate"] == business_days_after(problem.opened_at, 4).isoformat()  # rule: High in 4 business days
    assert set(fields["labels"]) == {"customer-impact", problem_label(problem.id)}
    assert fields[AFFECTED_TICKETS_FIELD] == CRASH_THRESHOLD
    assert fields["summary"] == f"The checkout crashes when customers pay: {CRASH_THRESHOLD} tickets"
    description = fields["description"]
    assert f"rule {CRASH_RULE}" in description and f"problem {problem.id}" in description
    assert f"{CRASH_THRESHOLD} tickets" in description
    for ticket_id in tickets:
        assert f"{bridge.zendesk.url}/agent/tickets/{ticket_id}" in description
        linked_in_zendesk(bridge, ticket_id, problem, issue["key"])
    assert len(link_updates(bridge, problem)) == 1  # all tickets in one bulk update
    assert [a.outcome for a in bridge.runtime.outbox.for_problem(problem.id) if a.kind == "zendesk.sync_links"] == [
        f"linked {CRASH_THRESHOLD} tickets"]  # and no follow-up run with nothing to do
    assert len(jira_writes(bridge)) == 1  # the create; the counts it wrote are current

    writes_before = len(jira_writes(bridge))
    late = report_crash(bridge)
    settle_all(bridge)

    assert the_issue(bridge, problem)["key"] == issue["key"]  # linked, not filed again
    assert len(bridge.jira.store.issues) == 1
    linked_in_zendesk(bridge, late, problem, issue["key"])
    updated = bridge.jira.issue(issue["key"])["fields"]
    assert updated[AFFECTED_TICKETS_FIELD] == CRASH_THRESHOLD + 1
    assert f"{CRASH_THRESHOLD + 1} tickets" in updated["description"]
    assert f"{bridge.zendesk.url}/agent/tickets/{late}" in updated["description"]
    assert len(jira_writes(bridge)) == writes_before + 1  # one edit with the new counts
    assert updated["priority"]["name"] == "High" and jira_comments(bridge, issue["key"]) == []
    assert_nothing_parked(bridge.runtime)


def test_tickets_arriving_together_update_the_counts_once_per_interval(bridge):
    problem, _ = open_crash_problem(bridge)
    key = problem.jira_key

    # Escalation is at CRASH_ESCALATION_AT; stay below it so only counts change.
    for _ in range(CRASH_ESCALATION_AT - CRASH_THRESHOLD - 1):
        report_crash(bridge)
    settle_all(bridge)

    edits = [r for r in jira_writes(bridge) if r.method == "PUT"]
    updates = action_rows(bridge.runtime, "jira.update_issue", problem.id)
    assert 1 <= len(edits) == len(updates) <= 2  # a burst coalesces; never one edit per ticket
    done = sorted(row.processed_at for row in updates)
    assert all((b - a).total_seconds() >= COUNTS_INTERVAL * 0.99 for a, b in itertools.pairwise(done))
    assert bridge.jira.issue(key)["fields"][AFFECTED_TICKETS_FIELD] == CRASH_ESCALATION_AT - 1


def test_an_escalation_threshold_raises_the_priority_once_and_says_why(bridge):
    problem, _ = open_crash_problem(bridge)
    key = problem.jira_key
    due_before = bridge.jira.issue(key)["fields"]["duedate"]

    before = utc_now()
    for _ in range(CRASH_ESCALATION_AT - CRASH_THRESHOLD):
        report_crash(bridge)
    settle_all(bridge)
    after = utc_now()

    fields = bridge.jira.issue(key)["fields"]
    assert fields["priority"]["name"] == "Highest"
    # Highest is due in 1 business day (rule), counted from the escalation; never later than before.
    expected = {business_days_after(moment, 1).isoformat() for moment in (before, after)}
    assert fields["duedate"] in expected and fields["duedate"] <= due_before
    [comment] = jira_comments(bridge, key)
    assert comment.startswith(f"Escalated to Highest: {CRASH_ESCALATION_AT} tickets affected "
                              f"(threshold {CRASH_ESCALATION_AT} tickets).")
    moved_up = f"Due date moved up to {fields['duedate']} (was {due_before})."
    assert (moved_up in comment) == (fields["duedate"] != due_before)
    assert fields[AFFECTED_TICKETS_FIELD] == CRASH_ESCALATION_AT
    stored = the_problem(bridge.runtime, CRASH_RULE)
    assert (stored.priority, stored.due_date.isoformat()) == ("Highest", fields["duedate"])

    for _ in range(3):
        report_crash(bridge)
    settle_all(bridge)

    fields = bridge.jira.issue(key)["fields"]
    assert fields["priority"]["name"] == "Highest" and len(jira_comments(bridge, key)) == 1  # not again
    assert fields[AFFECTED_TICKETS_FIELD] == CRASH_ESCALATION_AT + 3
    assert len(bridge.jira.store.issues) == 1
    assert_nothing_parked(bridge.runtime)


def test_tickets_joining_while_the_issue_is_created_reach_it_and_escalate_it(bridge, monkeypatch):
    """They find no issue to update yet; the create's record sees them and queues the update."""
    tracker = bridge.runtime.issue_tracker
    create = tracker.create
    creating, go_on = threading.Event(), threading.Event()

    def held_create(plan):
        creating.set()
        assert go_on.wait(timeout=10)
        return create(plan)

    monkeypatch.setattr(tracker, "create", held_create)
    for _ in range(CRASH_THRESHOLD):
        report_crash(bridge)
    assert creating.wait(timeout=10)
    late = [report_crash(bridge) for _ in range(CRASH_ESCALATION_AT - CRASH_THRESHOLD)]
    wait_for(lambda: the_problem(bridge.runtime, CRASH_RULE).ticket_count == CRASH_ESCALATION_AT,
             what="the late tickets joined")
    go_on.set()
    settle_all(bridge)

    problem = the_problem(bridge.runtime, CRASH_RULE)
    issue = the_issue(bridge, problem)
    assert issue["fields"]["priority"]["name"] == "Highest"  # created High for 3, escalated for 5
    assert issue["fields"][AFFECTED_TICKETS_FIELD] == CRASH_ESCALATION_AT
    [comment] = jira_comments(bridge, issue["key"])
    assert comment.startswith("Escalated to Highest")
    assert all(f"problem_{problem.id}" in bridge.zendesk.ticket(t)["tags"] for t in late)
    assert problem.counts_written.startswith(f"{CRASH_ESCALATION_AT}/")
