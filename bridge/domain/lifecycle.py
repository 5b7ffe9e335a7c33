"""The problem lifecycle: its states, the moves between them (one table), and what a move writes.

    detecting ──threshold──▶ open ◀─▶ in_progress ◀─▶ wont_fix     (Jira's status moves them)
                              │ ╲ a workaround, below the rule's impact bar ──▶ worked_around
                              │ fix shipped (from any of the three, worked_around or regressed)
                              ▼
    closed ◀──window over── fixed ──same cause within the window──▶ regressed ──new issue──▶ open
    and from any state past detecting: issue deleted ──▶ open, merged into a duplicate ──▶ closed

Every state change in the bridge asks `transition` first: it refuses a move the table does not
list and says what the problem row gets (state, timestamps) and which audit entry explains it.
Pure: the store (bridge/storage/problems.py `change_state`) writes both in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType


class ProblemState(StrEnum):
    DETECTING = "detecting"      # counting matching tickets towards the rule's threshold
    OPEN = "open"                # threshold reached (or linked by an agent): has a Jira issue, linked tickets
    IN_PROGRESS = "in_progress"  # its Jira issue is being worked on
    FIXED = "fixed"              # the fix shipped; the affected customers are told
    CLOSED = "closed"            # done with: its (rule, group key) is free for a new problem
    WONT_FIX = "wont_fix"        # its Jira issue was resolved without a fix
    REGRESSED = "regressed"      # the same cause came back after the fix
    WORKED_AROUND = "worked_around"  # ends with a workaround article (small impact): not escalated, tickets still join


DETECTING, OPEN, IN_PROGRESS, FIXED, CLOSED, WONT_FIX, REGRESSED, WORKED_AROUND = (
    ProblemState.DETECTING, ProblemState.OPEN, ProblemState.IN_PROGRESS, ProblemState.FIXED,
    ProblemState.CLOSED, ProblemState.WONT_FIX, ProblemState.REGRESSED, ProblemState.WORKED_AROUND)

# States in which a problem still claims its (rule, group key): new matching tickets join it.
ACTIVE_STATES = frozenset({DETECTING, OPEN, IN_PROGRESS, FIXED, REGRESSED, WONT_FIX, WORKED_AROUND})
# Active and past detection: it has (or is getting) a Jira issue and linked tickets.
FOLLOWING_ISSUE = ACTIVE_STATES - {DETECTING}


class Cause(StrEnum):
    """Why a problem changes state."""

    THRESHOLD_REACHED = "threshold_reached"        # enough matching tickets within the window
    JIRA_STATUS_MOVED = "jira_status_moved"        # its issue's status category or resolution moved
    FIX_SHIPPED = "fix_shipped"                    # resolved as fixed, its release shipped, or closed by hand
    REGRESSION = "regression"                      # a new ticket with the same cause within the window
    NEW_ISSUE = "new_issue"                        # a regression issue was created for it
    ISSUE_DELETED = "issue_deleted"                # its Jira issue is gone: it gets a new one
    REGRESSION_WINDOW_OVER = "regression_window_over"  # long after the fix: a new ticket starts a new problem
    MERGED_INTO_DUPLICATE = "merged_into_duplicate"    # its issue was a duplicate: tickets moved to the other
    WORKED_AROUND = "worked_around"                # a workaround, and the rule ends problems this small with it


@dataclass(frozen=True)
class Move:
    cause: Cause
    sources: frozenset[ProblemState]
    targets: frozenset[ProblemState]
    audit_action: str


def _move(cause: Cause, sources, targets, audit_action: str) -> Move:
    return Move(cause, frozenset(sources), frozenset(targets), audit_action)


# The allowed moves: from any of `sources` to any of `targets`, for this cause, explained by this
# audit entry (the dashboard's timeline reads these action names).
MOVES: Mapping[Cause, Move] = MappingProxyType({move.cause: move for move in (
    _move(Cause.THRESHOLD_REACHED, {DETECTING}, {OPEN}, "problem.opened"),
    _move(Cause.JIRA_STATUS_MOVED, FOLLOWING_ISSUE, {OPEN, IN_PROGRESS, WONT_FIX}, "problem.synced_from_jira"),
    _move(Cause.FIX_SHIPPED, {OPEN, IN_PROGRESS, WONT_FIX, REGRESSED, WORKED_AROUND}, {FIXED}, "problem.fixed"),
    _move(Cause.REGRESSION, {FIXED}, {REGRESSED}, "problem.regressed"),
    _move(Cause.NEW_ISSUE, FOLLOWING_ISSUE, {OPEN}, "jira.regression_issue_created"),
    _move(Cause.ISSUE_DELETED, FOLLOWING_ISSUE, {OPEN}, "jira.issue_deleted"),
    _move(Cause.REGRESSION_WINDOW_OVER, {FIXED}, {CLOSED}, "problem.closed"),
    _move(Cause.MERGED_INTO_DUPLICATE, FOLLOWING_ISSUE, {CLOSED}, "problem.merged_into_duplicate"),
    _move(Cause.WORKED_AROUND, {OPEN, IN_PROGRESS, REGRESSED}, {WORKED_AROUND}, "problem.worked_around"),
)})


class IllegalTransition(ValueError):
    """A state change the lifecycle does not allow."""


@dataclass(frozen=True)
class AuditNote:
    """The audit entry that explains a transition (recorded for subject `problem:<id>`)."""

    action: str
    details: Mapping[str, object]


@dataclass(frozen=True)
class Transition:
    cause: Cause
    source: ProblemState
    target: ProblemState
    columns: Mapping[str, object]  # what the problem row gets: its state and the timestamps the move sets
    audit: AuditNote
    releases_group: bool = field(init=False)  # no longer active: its (rule, group key) is free

    def __post_init__(self) -> None:
        object.__setattr__(self, "releases_group", self.target not in ACTIVE_STATES)


def transition(current: ProblemState | str, cause: Cause, now: datetime, *, to: ProblemState | None = None,
               fix_version: str | None = None, details: Mapping[str, object] | None = None) -> Transition:
    """The move `cause` makes from `current`; `to` picks the target where the cause allows several.
    `fix_version` is recorded with a move to fixed; `details` are the audit entry's. Raises
    IllegalTransition for a move the table does not list."""
    source = ProblemState(current)
    move = MOVES[cause]
    if to is None:
        if len(move.targets) != 1:
            raise IllegalTransition(f"{cause}: say which of {_names(move.targets)} to move to")
        (target,) = move.targets
    else:
        target = ProblemState(to)
    if source not in move.sources or target not in move.targets:
        raise IllegalTransition(f"a problem cannot move from {source} to {target} because of {cause} "
                                f"(allowed: from {_names(move.sources)} to {_names(move.targets)})")
    columns: dict[str, object] = {"state": target}
    if source == DETECTING:
        columns["opened_at"] = now
    if target == FIXED:
        columns |= {"fixed_at": now, "fix_version": fix_version}
    if target == CLOSED:
        columns["closed_at"] = now
    return Transition(cause, source, target, MappingProxyType(columns),
                      AuditNote(move.audit_action, dict(details or {})))


_MOVES_BY_AUDIT = MappingProxyType({move.audit_action: move for move in MOVES.values()})
STATE_MOVE_ACTIONS = frozenset(_MOVES_BY_AUDIT)  # the audit entries that may record a state change


def state_moved_to(action: str, details: Mapping[str, object]) -> ProblemState | None:
    """The state an audit entry says its problem moved to; None for an entry that moved none (a
    Jira sync that changed only the issue's fields records no `state`)."""
    move = _MOVES_BY_AUDIT.get(action)
    if move is None:
        return None
    if len(move.targets) == 1:
        (target,) = move.targets
        return target
    named = details.get("state")
    return ProblemState(str(named)) if named in move.targets else None


def _names(states: frozenset[ProblemState]) -> str:
    return " or ".join(sorted(states))


def start_columns(state: ProblemState, now: datetime) -> dict[str, object]:
    """What a new problem created in `state` gets: the bridge starts problems in detecting (a rule
    counts) or open (an agent linked an issue, or a duplicate's issue has no problem yet)."""
    state = ProblemState(state)
    return {"state": state, **({"opened_at": now} if state != DETECTING else {})}
