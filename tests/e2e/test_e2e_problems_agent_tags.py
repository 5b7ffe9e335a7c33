"""Agents' tags: `jira_<project>_<number>` links a ticket to an existing Jira issue (nothing is
created), `escalate_<team>` makes the ticket a problem of its own with a new issue for that team."""

from __future__ import annotations

from bridge.planning import problem_label
from tests.e2e.conftest import jira_client_for
from tests.e2e.problems_support import (
    AFFECTED_TICKETS_FIELD,
    JIRA_KEY_FIELD,
    assert_nothing_parked,
    settle_all,
    the_issue,
)


def unrelated_ticket(environment) -> int:
    """A ticket no rule matches: only the agent's tag can link it."""
    return environment.zendesk.customer_creates_ticket(
        "Question about my account", "How do I change the email address on my account?",
        email="asking.customer@example.com")["id"]


def bridge_creates(environment) -> list:
    return [r for r in environment.jira.requests if r.method == "POST" and r.path.endswith("/issue")]


def test_an_agents_link_tag_links_the_ticket_to_an_existing_issue(bridge):
    with jira_client_for(bridge) as engineer:
        key = engineer.create_issue("ENG", "Bug", "Account e-mail cannot be changed")["key"]
    ticket_id = unrelated_ticket(bridge)
    settle_all(bridge)
    assert bridge.runtime.problems.list() == []

    bridge.zendesk.agent_updates_ticket(ticket_id, additional_tags=[f"jira_eng_{key.split('-')[1]}"])
    settle_all(bridge)

    [problem] = bridge.runtime.problems.list()
    assert (problem.origin, problem.jira_key, problem.team, problem.ticket_count) == (
        "agent_link", key, "engineering", 1)
    assert len(bridge_creates(bridge)) == 1 and len(bridge.jira.store.issues) == 1  # only the engineer's
    ticket = bridge.zendesk.ticket(ticket_id)
    assert f"problem_{problem.id}" in ticket["tags"]
    assert {"id": JIRA_KEY_FIELD, "value": key} in ticket["custom_fields"]
    notes = [c for c in bridge.zendesk.comments(ticket_id) if f"/browse/{key}" in c["body"]]
    assert len(notes) == 1 and notes[0]["public"] is False
    assert bridge.jira.issue(key)["fields"][AFFECTED_TICKETS_FIELD] == 1  # the impact reaches the issue
    assert_nothing_parked(bridge.runtime)


def test_an_agents_escalation_tag_opens_a_problem_with_its_own_issue(bridge):
    escalated = [unrelated_ticket(bridge) for _ in range(2)]
    settle_all(bridge)

    for ticket_id in escalated:
        bridge.zendesk.agent_updates_ticket(ticket_id, additional_tags=["escalate_engineering"])
    settle_all(bridge)

    problems = bridge.runtime.problems.list()
    assert sorted(p.group_key for p in problems) == sorted(str(t) for t in escalated)  # one per ticket
    for problem in problems:
        assert (problem.rule, problem.state, problem.ticket_count) == ("agent-escalation.engineering", "open", 1)
        issue = the_issue(bridge, problem)
        assert issue["fields"]["project"]["key"] == "ENG" and problem_label(problem.id) in issue["fields"]["labels"]
        ticket = bridge.zendesk.ticket(int(problem.group_key))
        assert f"problem_{problem.id}" in ticket["tags"]
        assert {"id": JIRA_KEY_FIELD, "value": issue["key"]} in ticket["custom_fields"]
    assert len(bridge.jira.store.issues) == 2
    assert_nothing_parked(bridge.runtime)
