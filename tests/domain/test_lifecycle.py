"""The lifecycle's table of moves, checked move by move: no database."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product

import pytest

from bridge.domain.lifecycle import (
    CLOSED,
    DETECTING,
    FIXED,
    IN_PROGRESS,
    OPEN,
    REGRESSED,
    WONT_FIX,
    WORKED_AROUND,
    Cause,
    IllegalTransition,
    ProblemState,
    start_columns,
    transition,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
PAST_DETECTION = (OPEN, IN_PROGRESS, FIXED, WONT_FIX, REGRESSED, WORKED_AROUND)

# (cause, from, to, audit action): every move the bridge may make, spelled out once more by hand.
ALLOWED = {
    *((Cause.THRESHOLD_REACHED, DETECTING, OPEN, "problem.opened"),),
    *((Cause.JIRA_STATUS_MOVED, source, target, "problem.synced_from_jira")
      for source in PAST_DETECTION for target in (OPEN, IN_PROGRESS, WONT_FIX)),
    *((Cause.FIX_SHIPPED, source, FIXED, "problem.fixed")
      for source in (OPEN, IN_PROGRESS, WONT_FIX, REGRESSED, WORKED_AROUND)),
    *((Cause.REGRESSION, FIXED, REGRESSED, "problem.regressed"),),
    *((Cause.NEW_ISSUE, source, OPEN, "jira.regression_issue_created") for source in PAST_DETECTION),
    *((Cause.ISSUE_DELETED, source, OPEN, "jira.issue_deleted") for source in PAST_DETECTION),
    *((Cause.REGRESSION_WINDOW_OVER, FIXED, CLOSED, "problem.closed"),),
    *((Cause.MERGED_INTO_DUPLICATE, source, CLOSED, "problem.merged_into_duplicate") for source in PAST_DETECTION),
    *((Cause.WORKED_AROUND, source, WORKED_AROUND, "problem.worked_around")
      for source in (OPEN, IN_PROGRESS, REGRESSED)),
}
ALLOWED_MOVES = {(cause, source, target): action for cause, source, target, action in ALLOWED}


def test_the_states_keep_the_strings_stored_in_the_database():
    assert [state.value for state in ProblemState] == [
        "detecting", "open", "in_progress", "fixed", "closed", "wont_fix", "regressed", "worked_around"]


@pytest.mark.parametrize("cause, source, target", sorted(product(Cause, ProblemState, ProblemState)))
def test_a_move_is_allowed_exactly_when_the_table_lists_it(cause, source, target):
    action = ALLOWED_MOVES.get((cause, source, target))
    if action is None:
        with pytest.raises(IllegalTransition, match=f"from {source} to {target}"):
            transition(source, cause, NOW, to=target)
        return
    change = transition(source, cause, NOW, to=target, details={"why": "test"})
    assert (change.cause, change.source, change.target) == (cause, source, target)
    assert change.columns["state"] == target
    assert (change.audit.action, change.audit.details) == (action, {"why": "test"})
    assert change.releases_group == (target == CLOSED)


@pytest.mark.parametrize("source, cause, target, timestamps", [
    (DETECTING, Cause.THRESHOLD_REACHED, OPEN, {"opened_at": NOW}),
    (OPEN, Cause.FIX_SHIPPED, FIXED, {"fixed_at": NOW, "fix_version": "2.4.1"}),
    (FIXED, Cause.REGRESSION, REGRESSED, {}),  # fixed_at stays: it dates the fix the regression follows
    (REGRESSED, Cause.NEW_ISSUE, OPEN, {}),  # opened_at stays: when the threshold was first reached
    (FIXED, Cause.ISSUE_DELETED, OPEN, {}),
    (IN_PROGRESS, Cause.JIRA_STATUS_MOVED, OPEN, {}),
    (FIXED, Cause.REGRESSION_WINDOW_OVER, CLOSED, {"closed_at": NOW}),
    (WONT_FIX, Cause.MERGED_INTO_DUPLICATE, CLOSED, {"closed_at": NOW}),
])
def test_what_a_move_writes(source, cause, target, timestamps):
    change = transition(source, cause, NOW, to=target if cause == Cause.JIRA_STATUS_MOVED else None,
                        fix_version="2.4.1")
    assert dict(change.columns) == {"state": target, **timestamps}


def test_a_cause_with_several_targets_needs_to_say_which():
    with pytest.raises(IllegalTransition, match="say which"):
        transition(OPEN, Cause.JIRA_STATUS_MOVED, NOW)
    assert transition(OPEN, Cause.JIRA_STATUS_MOVED, NOW, to=IN_PROGRESS).target == IN_PROGRESS


def test_a_stored_string_is_read_as_its_state():
    assert transition("fixed", Cause.REGRESSION, NOW).source is FIXED


def test_the_error_names_the_move_and_what_is_allowed():
    with pytest.raises(IllegalTransition) as raised:
        transition(CLOSED, Cause.REGRESSION, NOW)
    assert str(raised.value) == ("a problem cannot move from closed to regressed because of regression "
                                 "(allowed: from fixed to regressed)")


@pytest.mark.parametrize("state, columns", [
    (DETECTING, {"state": DETECTING}),
    (OPEN, {"state": OPEN, "opened_at": NOW}),
])
def test_a_new_problem_is_opened_at_creation_unless_it_starts_detecting(state, columns):
    assert start_columns(state, NOW) == columns
