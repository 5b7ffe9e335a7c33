"""A problem as the bridge records it, and a ticket's place in one. Its states and the moves
between them are owned by bridge/domain/lifecycle.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bridge.domain.impact import ImpactScore
from bridge.domain.lifecycle import (
    ACTIVE_STATES,
    CLOSED,
    DETECTING,
    FIXED,
    IN_PROGRESS,
    OPEN,
    REGRESSED,
    WONT_FIX,
    WORKED_AROUND,
    ProblemState,
)

__all__ = [
    "ACTIVE_STATES",
    "AGENT_ESCALATION",
    "AGENT_LINK",
    "AT_RISK",
    "CHECKED_STATES",
    "CLOSED",
    "DETECTING",
    "FIXED",
    "IN_PROGRESS",
    "ON_TIME",
    "OPEN",
    "OVERDUE",
    "REGRESSED",
    "RULE",
    "WONT_FIX",
    "WORKED_AROUND",
    "Accountability",
    "Membership",
    "Problem",
    "ProblemState",
    "active_key",
]

RULE, AGENT_LINK, AGENT_ESCALATION = "rule", "agent_link", "agent_escalation"  # origins


class Accountability(StrEnum):
    """Against its due date (`Problem.accountability`; decided in bridge/overdue/accountability.py)."""

    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"


ON_TIME, AT_RISK, OVERDUE = Accountability.ON_TIME, Accountability.AT_RISK, Accountability.OVERDUE
# States whose due date is watched: not fixed, closed or won't fix (bridge/overdue).
CHECKED_STATES = (OPEN, IN_PROGRESS, REGRESSED)


def active_key(rule: str, group_key: str) -> str:
    return f"{rule}\x1f{group_key}"


@dataclass(frozen=True)
class Problem:
    id: int
    rule: str
    group_key: str
    team: str
    state: ProblemState
    detected_at: datetime
    opened_at: datetime | None
    updated_at: datetime
    ticket_count: int
    requester_count: int
    organization_count: int
    origin: str = "rule"
    jira_key: str | None = None
    jira_id: str | None = None
    priority: str | None = None
    due_date: date | None = None
    escalation_applied: tuple[int, ...] = ()
    counts_written: str | None = None
    counts_written_at: datetime | None = None
    fixed_at: datetime | None = None
    fix_version: str | None = None
    closed_at: datetime | None = None
    accountability: Accountability = ON_TIME
    accountability_due: date | None = None  # the due date `accountability` was computed for
    at_risk_at: datetime | None = None
    overdue_at: datetime | None = None
    impact: ImpactScore | None = None  # the weighted impact, as last read from Zendesk

    @property
    def counts(self) -> dict[str, int]:
        return {"tickets": self.ticket_count, "requesters": self.requester_count,
                "organizations": self.organization_count}

    @property
    def past_detection(self) -> bool:
        """It has (or is getting) a Jira issue and linked tickets; also true once fixed or closed."""
        return self.state != DETECTING


@dataclass(frozen=True)
class Membership:
    """A ticket's place in a problem: counted (detecting) or linked (open and later)."""

    problem_id: int
    rule: str
    group_key: str
    state: ProblemState
    jira_key: str | None = None
