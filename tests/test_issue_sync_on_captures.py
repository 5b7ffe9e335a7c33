"""The real captured Jira payloads, through the decision that maps an issue change to a problem."""

from datetime import UTC, datetime

import pytest

from bridge.domain.problems import FIXED, IN_PROGRESS, OPEN, WORKED_AROUND, Problem
from bridge.jira_progress.issue_sync import decide
from connectors.jira.events import parse_jira_webhook
from tests.support.fixtures import load_fixture

FIXED_RESOLUTIONS = ("Fixed", "Done")
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def problem(state: str, key: str = "TES-41") -> Problem:
    return Problem(id=1, rule="r", group_key="", team="engineering", state=state, detected_at=T0, opened_at=T0,
                   updated_at=T0, ticket_count=3, requester_count=3, organization_count=0, jira_key=key)


@pytest.mark.parametrize("fixture, before_state, expected_state, notify", [
    ("issue_updated__started_working", OPEN, IN_PROGRESS, True),
    ("issue_updated__resolved", IN_PROGRESS, FIXED, True),                 # resolution Done is a fix
    ("issue_updated__resolved_one_changelog", IN_PROGRESS, FIXED, True),
    ("issue_updated__reopened", FIXED, OPEN, True),
    ("issue_updated__server_resolved", IN_PROGRESS, FIXED, True),          # Data Center: Resolved / Done
    ("issue_updated__server_closed", IN_PROGRESS, FIXED, True),            # Data Center: Closed / Done
    ("issue_updated__fix_version", OPEN, None, True),                       # first sight, already To Do
    ("issue_updated__labels", OPEN, None, True),
])
def test_first_sight_of_each_capture(fixture, before_state, expected_state, notify):
    event = parse_jira_webhook(load_fixture("jira", fixture), "d")
    change = decide(problem(before_state, event.issue.key), None, event.issue, FIXED_RESOLUTIONS, "resolution")
    assert change.state == expected_state
    assert change.notify_tickets is (expected_state is not None)


def test_a_field_edit_after_a_known_status_decides_nothing():
    started = parse_jira_webhook(load_fixture("jira", "issue_updated__started_working"), "d").issue
    labels = parse_jira_webhook(load_fixture("jira", "issue_updated__labels"), "d").issue
    labels_in_progress = type(labels)(**{**labels.__dict__, "status": started.status,
                                         "status_category": started.status_category})
    change = decide(problem(IN_PROGRESS), started, labels_in_progress, FIXED_RESOLUTIONS, "resolution")
    assert change.state is None and not change.notify_tickets


def test_fixes_shipped_by_release_wait_for_the_version():
    resolved = parse_jira_webhook(load_fixture("jira", "issue_updated__resolved"), "d").issue
    change = decide(problem(IN_PROGRESS), None, resolved, FIXED_RESOLUTIONS, "release")
    assert change.state is None  # merged, in progress until the version is released


@pytest.mark.parametrize("fixture, expected_state", [
    ("issue_updated__started_working", None),        # work on the issue does not reopen it
    ("issue_updated__reopened", None),
    ("issue_updated__resolved", FIXED),              # a fix still ships
])
def test_a_problem_that_ended_with_its_workaround_moves_only_when_the_fix_ships(fixture, expected_state):
    event = parse_jira_webhook(load_fixture("jira", fixture), "d")
    change = decide(problem(WORKED_AROUND, event.issue.key), None, event.issue, FIXED_RESOLUTIONS, "resolution")
    assert change.state == expected_state
