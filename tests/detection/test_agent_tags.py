"""Agents' tags: escalate_<team> opens a one-ticket problem; jira_<project>_<n> links to an issue."""

from __future__ import annotations

from sqlalchemy import update

from bridge.domain.problems import AGENT_LINK, OPEN
from bridge.storage.schema import problems as problems_table
from tests.detection.test_detection import DOUBLE_CHARGE


def actions_of(scenario, kind):
    return [a for a in scenario.runtime.outbox.list(limit=500) if a.kind == kind]


def test_an_escalation_tag_opens_a_problem_for_that_ticket_and_removing_it_leaves(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    scenario.ticket_event(7, tags=["escalate_engineering"])
    scenario.ticket_event(8, tags=["escalate_engineering"])
    scenario.process()
    by_ticket = {p.group_key: p for p in scenario.problems()}
    assert set(by_ticket) == {"7", "8"}  # one problem per escalated ticket
    assert (by_ticket["7"].rule, by_ticket["7"].team, by_ticket["7"].state) == (
        "agent-escalation.engineering", "engineering", OPEN)
    assert len(actions_of(scenario, "jira.create_issue")) == 2

    scenario.ticket_event(7, kind="tags_changed", tags=[], tags_removed=["escalate_engineering"])
    scenario.process()
    assert scenario.runtime.problems.linked_ticket_ids(by_ticket["7"].id) == []


def test_a_link_tag_joins_tickets_to_the_named_issue_without_creating_one(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    scenario.ticket_event(1, tags=["jira_eng_42"])
    scenario.ticket_event(2, tags=["JIRA_ENG_42", "other"])
    scenario.ticket_event(3, tags=["jira_nope_1"])  # no team has project NOPE: ignored
    scenario.process()
    [problem] = scenario.problems()
    assert (problem.origin, problem.jira_key, problem.team, problem.state) == (
        AGENT_LINK, "ENG-42", "engineering", OPEN)
    assert scenario.runtime.problems.linked_ticket_ids(problem.id) == [1, 2]
    assert actions_of(scenario, "jira.create_issue") == []  # the issue exists already
    assert len(actions_of(scenario, "zendesk.sync_links")) == 1

    scenario.ticket_event(2, kind="tags_changed", tags=["other"], tags_removed=["jira_eng_42"])
    scenario.process()
    assert scenario.runtime.problems.linked_ticket_ids(problem.id) == [1]


def test_a_link_tag_naming_a_rule_problems_issue_joins_that_problem(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    for ticket in (1, 2, 3):
        scenario.ticket_event(ticket, subject="charged twice")
    scenario.process()
    [problem] = scenario.problems()
    with scenario.runtime.engine.begin() as connection:  # as the create action would record it
        connection.execute(update(problems_table).where(problems_table.c.id == problem.id)
                           .values(jira_key="FIN-7"))
    scenario.ticket_event(9, subject="Where is my parcel?", tags=["jira_fin_7"])
    scenario.process()
    [problem] = scenario.problems()
    assert scenario.runtime.problems.linked_ticket_ids(problem.id) == [1, 2, 3, 9]
    # Ticket 9 does not match the rule, but the agent's tag keeps it linked.
    scenario.ticket_event(9, kind="status_changed", subject="Where is my parcel?", tags=["jira_fin_7"])
    scenario.process()
    assert 9 in scenario.runtime.problems.linked_ticket_ids(problem.id)
