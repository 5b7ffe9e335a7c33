"""What a change of a Jira issue means for its problem: a pure decision, judged by the status
*category* and the resolution (status names differ per project), never by a raw status name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bridge.domain.events import IssueSnapshot
from bridge.domain.lifecycle import ProblemState
from bridge.domain.problems import CLOSED, FIXED, IN_PROGRESS, OPEN, WONT_FIX, WORKED_AROUND, Problem

# Jira's status category keys.
TO_DO, IN_PROGRESS_CATEGORY, DONE = "new", "indeterminate", "done"


@dataclass(frozen=True)
class IssueChange:
    state: ProblemState | None = None  # the problem's new state; None keeps it
    notify_tickets: bool = False      # the issue's status moved: linked tickets get the update
    due_date: date | None = None      # a due date set or moved in Jira
    due_date_cleared: bool = False
    key: str | None = None            # the issue got a new key (moved to another project)
    priority: str | None = None       # the issue's priority was changed in Jira

    @property
    def is_noop(self) -> bool:
        return self == IssueChange()


def is_fixed_resolution(resolution: str | None, fixed_resolutions) -> bool:
    return resolution is not None and resolution.casefold() in {r.casefold() for r in fixed_resolutions}


def decide(problem: Problem, before: IssueSnapshot | None, after: IssueSnapshot,
           fixed_resolutions, fix_on: str) -> IssueChange:
    """`before` is the issue as the bridge last knew it (None: first sight). A change that leaves
    status, resolution, due date and key as they were (a field edit, a redelivery, a webhook older
    than what the bridge knows) decides nothing."""
    changed = before is None or (before.status, before.status_category, before.resolution) != (
        after.status, after.status_category, after.resolution)
    state = _state_for(after, fixed_resolutions, fix_on, problem.state) if changed else None
    if problem.state == WORKED_AROUND and state in (OPEN, IN_PROGRESS):
        state = None  # it ended with its workaround: only a fix (or won't fix) moves it on
    # At first sight (e.g. the webhook of the issue the bridge just created) only a state that
    # differs from the problem's is news to the tickets.
    moved = changed and (before is not None or (state is not None and state != problem.state))
    due = _parse_date(after.due_date)
    return IssueChange(
        state=state if state != problem.state else None,
        notify_tickets=moved and problem.state != CLOSED,
        due_date=due if due is not None and due != problem.due_date else None,
        due_date_cleared=due is None and problem.due_date is not None and after.due_date is None
        and before is not None and before.due_date is not None,
        key=after.key if problem.jira_key and after.key != problem.jira_key else None,
        priority=after.priority if after.priority and after.priority != problem.priority else None,
    )


def _state_for(issue: IssueSnapshot, fixed_resolutions, fix_on: str, current: str) -> ProblemState | None:
    category = issue.status_category
    if category == DONE:
        if not is_fixed_resolution(issue.resolution, fixed_resolutions):
            return WONT_FIX
        # With fixes shipped by release, "done" only means merged: the release decides.
        return FIXED if fix_on == "resolution" else IN_PROGRESS
    if category == IN_PROGRESS_CATEGORY:
        return IN_PROGRESS
    if category == TO_DO:
        return OPEN
    return None


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
