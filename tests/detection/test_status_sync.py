"""Jira events move problems (by status category and resolution) and queue ticket updates;
a fix starts the closure; a later matching ticket is a regression. SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

from bridge.domain.problems import CLOSED, DETECTING, FIXED, IN_PROGRESS, OPEN, REGRESSED, WONT_FIX
from tests.detection.test_detection import DOUBLE_CHARGE
from tests.support.fixtures import load_fixture

ISSUE_ID, ISSUE_KEY = "20001", "FIN-9"


def open_problem_with_issue(scenario):
    for ticket in (1, 2, 3):
        scenario.ticket_event(ticket, subject="charged twice")
    scenario.process()
    [problem] = scenario.problems()
    with scenario.runtime.engine.begin() as connection:
        scenario.runtime.problems.record_issue(connection, problem.id, ISSUE_KEY, ISSUE_ID, "High", None,
                                               (), "3/3/0", scenario.clock())
    return problem


def jira_event(scenario, fixture: str, *, status: str, category: str, resolution: str | None = None,
               due: str | None = None, key: str = ISSUE_KEY, fix_versions=(), minutes: int = 1,
               priority: str = "High"):
    payload = copy.deepcopy(load_fixture("jira", fixture))
    scenario.sequence += 1
    payload["timestamp"] = int((scenario.clock() + timedelta(minutes=minutes)).timestamp() * 1000)
    issue = payload["issue"]
    issue.update(id=ISSUE_ID, key=key)
    fields = issue["fields"]
    fields["status"] = {"name": status, "statusCategory": {"key": category}}
    fields["resolution"] = {"name": resolution} if resolution else None
    fields["duedate"] = due
    fields["fixVersions"] = [{"name": v} for v in fix_versions]
    fields["priority"] = {"name": priority}
    fields["updated"] = (scenario.clock() + timedelta(minutes=minutes)).isoformat()
    scenario.runtime.inbox.store("jira", f"jira-{scenario.sequence}", "jira:issue_updated",
                                 json.dumps(payload), scenario.clock())


def kinds(scenario):
    return [a.kind for a in scenario.runtime.outbox.list(limit=500)]


def test_status_categories_move_the_problem_and_tell_the_tickets_once(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    problem = open_problem_with_issue(scenario)
    jira_event(scenario, "issue_updated__started_working", status="In Progress", category="indeterminate",
               due="2026-12-01")
    scenario.process()
    problem = scenario.runtime.problems.get(problem.id)
    assert (problem.state, problem.due_date.isoformat()) == (IN_PROGRESS, "2026-12-01")
    assert kinds(scenario).count("zendesk.status_update") == 1

    # A field edit, a redelivery and an older event change nothing.
    jira_event(scenario, "issue_updated__labels", status="In Progress", category="indeterminate",
               due="2026-12-01", minutes=2)
    jira_event(scenario, "issue_updated__started_working", status="To Do", category="new", minutes=-30)
    scenario.process()
    assert scenario.runtime.problems.get(problem.id).state == IN_PROGRESS
    assert kinds(scenario).count("zendesk.status_update") == 1  # still the one pending action


def test_done_with_a_fixed_resolution_ships_the_fix(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    problem = open_problem_with_issue(scenario)
    fixed = []
    scenario.runtime.actions.on_fix = lambda connection, p, now: fixed.append(p.id)
    jira_event(scenario, "issue_updated__resolved", status="Done", category="done", resolution="Fixed",
               fix_versions=["2.4.1"])
    scenario.process()
    problem = scenario.runtime.problems.get(problem.id)
    assert (problem.state, problem.fix_version, fixed) == (FIXED, "2.4.1", [problem.id])


def test_wont_do_is_not_a_fix(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    problem = open_problem_with_issue(scenario)
    jira_event(scenario, "issue_updated__resolved", status="Done", category="done", resolution="Won't Do")
    scenario.process()
    assert scenario.runtime.problems.get(problem.id).state == WONT_FIX
    assert "zendesk.status_update" in kinds(scenario)


def test_a_priority_set_in_jira_becomes_the_problems(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    problem = open_problem_with_issue(scenario)
    assert problem.priority is None or scenario.runtime.problems.get(problem.id).priority == "High"
    jira_event(scenario, "issue_updated__assigned", status="To Do", category="new", priority="Highest")
    scenario.process()
    assert scenario.runtime.problems.get(problem.id).priority == "Highest"


def test_a_moved_issue_keeps_its_problem_under_the_new_key(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    problem = open_problem_with_issue(scenario)
    jira_event(scenario, "issue_updated__assigned", status="To Do", category="new", key="ENG-77")
    scenario.process()
    assert scenario.runtime.problems.get(problem.id).jira_key == "ENG-77"


def test_a_deleted_issue_gets_the_problem_a_new_one(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    problem = open_problem_with_issue(scenario)
    payload = copy.deepcopy(load_fixture("jira", "issue_deleted__cloud"))
    payload["issue"].update(id=ISSUE_ID, key=ISSUE_KEY)
    scenario.runtime.inbox.store("jira", "deleted-1", "jira:issue_deleted", json.dumps(payload), scenario.clock())
    scenario.process()
    problem = scenario.runtime.problems.get(problem.id)
    assert (problem.jira_key, problem.state) == (None, OPEN)
    # The create action queued when it opened is still pending here; it now makes a new issue.
    assert [a.status for a in scenario.runtime.outbox.list(limit=50) if a.kind == "jira.create_issue"] == ["pending"]


def test_a_released_fix_version_ships_fixes_for_teams_that_release(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE, teams={"finance": {"project": "FIN", "fix_on": "release"},
                                                   "engineering": {"project": "ENG"}})
    problem = open_problem_with_issue(scenario)
    jira_event(scenario, "issue_updated__resolved", status="Done", category="done", resolution="Fixed",
               fix_versions=["1.0"])
    scenario.process()
    assert scenario.runtime.problems.get(problem.id).state == IN_PROGRESS  # merged, not released
    release = load_fixture("jira", "version_released__putit")
    scenario.runtime.inbox.store("jira", "release-1", "jira:version_released", json.dumps(release), scenario.clock())
    scenario.process()
    problem = scenario.runtime.problems.get(problem.id)
    assert (problem.state, problem.fix_version) == (FIXED, "1.0")


def test_a_matching_ticket_soon_after_the_fix_is_a_regression(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    problem = open_problem_with_issue(scenario)
    jira_event(scenario, "issue_updated__resolved", status="Done", category="done", resolution="Fixed")
    scenario.process()
    scenario.ticket_event(3, kind="status_changed", subject="charged twice")  # already linked: no regression
    scenario.ticket_event(40, subject="charged twice AGAIN", at=scenario.later(days=3))
    scenario.process()
    problem = scenario.runtime.problems.get(problem.id)
    assert problem.state == REGRESSED
    assert 40 in scenario.runtime.problems.linked_ticket_ids(problem.id)
    assert kinds(scenario).count("jira.regress") == 1


def test_a_matching_ticket_long_after_the_fix_starts_a_new_problem(make_scenario):
    scenario = make_scenario(DOUBLE_CHARGE)
    problem = open_problem_with_issue(scenario)
    jira_event(scenario, "issue_updated__resolved", status="Done", category="done", resolution="Fixed")
    scenario.process()
    scenario.ticket_event(40, subject="charged twice", at=scenario.later(days=45))
    scenario.process()
    old, new = scenario.problems()
    assert (old.id, old.state, new.state) == (problem.id, CLOSED, DETECTING)


def test_tickets_a_status_update_failed_for_are_retried_then_given_up(make_scenario, ticket_system):
    scenario = make_scenario(DOUBLE_CHARGE)
    open_problem_with_issue(scenario)
    jira_event(scenario, "issue_updated__started_working", status="In Progress", category="indeterminate")
    scenario.process()
    ticket_system.failing = {2}
    actions = scenario.runtime.new_action_worker()
    actions.handlers = {"zendesk.status_update": scenario.runtime.action_kinds.handlers["zendesk.status_update"]}
    for _ in range(20):  # a failed ticket goes again 30 s later
        actions.drain()
        scenario.clock.advance(5)
    sent = [ids for ids, changes in ticket_system.jobs if "jira_status_in_progress" in changes["additional_tags"]]
    assert sent[0] == [1, 2, 3] and sent[1:] == [[2], [2]]  # ticket 2: 3 attempts in all, then given up
    [action] = [a for a in scenario.runtime.outbox.list(limit=50) if a.kind == "zendesk.status_update"]
    assert action.status == "done" and "2 tickets told, 1 given up" in action.outcome
