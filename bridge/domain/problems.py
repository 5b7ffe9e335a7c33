"""The problem lifecycle: detecting → open → in_progress → fixed → closed, plus wont_fix, regressed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

DETECTING, OPEN, IN_PROGRESS, FIXED, CLOSED = "detecting", "open", "in_progress", "fixed", "closed"
WONT_FIX, REGRESSED = "wont_fix", "regressed"
STATES = (DETECTING, OPEN, IN_PROGRESS, FIXED, CLOSED, WONT_FIX, REGRESSED)
RULE, AGENT_LINK, AGENT_ESCALATION = "rule", "agent_link", "agent_escalation"  # origins
# Against its due date (`Problem.accountability`; decided in bridge/accountability.py).
ON_TIME, AT_RISK, OVERDUE = "on_time", "at_risk", "overdue"
ACCOUNTABILITY_STATES = (ON_TIME, AT_RISK, OVERDUE)
# States in which a problem still claims its (rule, group key): new matching tickets join it.
ACTIVE_STATES = frozenset({DETECTING, OPEN, IN_PROGRESS, FIXED, REGRESSED, WONT_FIX})


def active_key(rule: str, group_key: str) -> str:
    return f"{rule}\x1f{group_key}"


@dataclass(frozen=True)
class Problem:
    id: int
    rule: str
    group_key: str
    team: str
    state: str
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
    accountability: str = "on_time"  # on_time | at_risk | overdue (bridge/accountability.py)
    accountability_due: date | None = None  # the due date `accountability` was computed for
    at_risk_at: datetime | None = None
    overdue_at: datetime | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {"tickets": self.ticket_count, "requesters": self.requester_count,
                "organizations": self.organization_count}

    @property
    def is_open(self) -> bool:
        """Past detection: it has (or is getting) a Jira issue and linked tickets."""
        return self.state != DETECTING


@dataclass(frozen=True)
class Membership:
    """A ticket's place in a problem: counted (detecting) or linked (open and later)."""

    problem_id: int
    rule: str
    group_key: str
    state: str
    jira_key: str | None = None
