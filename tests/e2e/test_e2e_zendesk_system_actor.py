"""What real Zendesk sends: the close automation closes a solved ticket as Zendesk's system user
(`actor_id: "-1"`). The bridge must take that in, know the ticket is closed, and not count it as
a report. End to end through the simulators, the real clients and the bridge's HTTP endpoints."""

from __future__ import annotations

import pytest

from tests.e2e.problems_support import (
    assert_nothing_parked,
    open_crash_problem,
    problem_environment,
    settle_all,
    the_issue,
    zendesk_calls,
)


@pytest.fixture
def environment(tmp_path):
    environment = problem_environment(tmp_path / "rules")
    yield environment
    environment.stop()


def test_a_ticket_closed_by_the_close_automation_gets_its_fix_as_a_follow_up_at_once(environment):
    problem, tickets = open_crash_problem(environment)
    closed = tickets[0]
    environment.zendesk.agent_updates_ticket(closed, status="solved")
    environment.zendesk.automation_updates_ticket(closed, status="closed")
    settle_all(environment)

    assert_nothing_parked(environment.runtime)
    assert environment.runtime.tickets.get(closed).status == "closed"
    assert environment.runtime.problems.get(problem.id).ticket_count == len(tickets)

    environment.zendesk.clear_requests()
    environment.jira.user_transitions(the_issue(environment, problem)["key"], "Done", resolution="Fixed")
    settle_all(environment)

    [followup] = environment.zendesk.ticket(closed)["followup_ids"]
    assert environment.zendesk.ticket(followup)["status"] == "solved"
    # Known closed, so never sent an update Zendesk refuses, nor read back to find out.
    updates = zendesk_calls(environment, "update_many", "PUT")
    assert updates and all(str(closed) not in (r.query.get("ids") or "").split(",")
                           and closed not in [t.get("id") for t in (r.json or {}).get("tickets", [])]
                           for r in updates)
    assert zendesk_calls(environment, "tickets/show_many") == []
    assert_nothing_parked(environment.runtime)
