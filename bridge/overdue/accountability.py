"""Problems against their due dates: pure decisions (no I/O), used by the scheduled check
(bridge/overdue/check_due.py) and the overdue actions (bridge/overdue/actions.py).

A problem is *at risk* once `at_risk_share` of the time from its opening to the end of its due
date (midnight after it, in the calendar's time zone) is gone while its Jira issue is still in
To Do (status category `new`, or not known yet: the bridge created it there); *overdue* once the
due date has passed without a fix. States only move forward (on_time → at_risk → overdue), each
entered once per due date; a due date moved in Jira starts over at on_time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bridge.config.settings import AccountabilitySettings
from bridge.domain.problems import (
    AT_RISK,
    CHECKED_STATES,
    ON_TIME,
    OVERDUE,
    Accountability,
    Problem,
)
from bridge.planning.due import local_date, local_time

_RANK = {ON_TIME: 0, AT_RISK: 1, OVERDUE: 2}
TO_DO_CATEGORY = "new"  # Jira's status category key of To Do
PRIORITIES = ("Lowest", "Low", "Medium", "High", "Highest")  # Jira's default scheme, low to high
RATE_DAYS = 7  # the projection's rate: new tickets over the last 7 days, per day


def deadline(due: date, zone: tzinfo) -> datetime:
    """The end of the due date: midnight after it, in `zone`."""
    return datetime.combine(due + timedelta(days=1), time(0), tzinfo=zone)


def elapsed_share(start: datetime, end: datetime, now: datetime) -> float:
    """How much of [start, end) is gone at `now`, 0..1 (1 when the span is empty)."""
    total = (end - start).total_seconds()
    if total <= 0:
        return 1.0
    return min(max((now - start).total_seconds() / total, 0.0), 1.0)


def accountability_state(problem: Problem, status_category: str | None, now: datetime,
                         settings: AccountabilitySettings, zone: tzinfo) -> Accountability:
    """Where the problem stands right now, regardless of what was recorded before."""
    if problem.due_date is None or problem.state not in CHECKED_STATES:
        return ON_TIME
    end = deadline(problem.due_date, zone)
    if now >= end:
        return OVERDUE
    start = problem.opened_at or problem.detected_at
    still_to_do = status_category in (None, TO_DO_CATEGORY)
    if still_to_do and elapsed_share(local_time(start, zone), end, now) >= settings.at_risk_share:
        return AT_RISK
    return ON_TIME


@dataclass(frozen=True)
class Step:
    """What one check records: the state to store, whether the due date moved since the stored
    state (which then no longer counts), and the state entered by this check, if any."""

    state: Accountability
    reset: bool
    entered: Accountability | None

    @property
    def changes_anything(self) -> bool:
        return self.reset or self.entered is not None


def next_step(problem: Problem, current: Accountability) -> Step:
    reset = problem.accountability_due != problem.due_date
    stored = ON_TIME if reset else problem.accountability
    if _RANK[current] > _RANK.get(stored, 0):
        return Step(current, reset, current)
    return Step(stored, reset, None)


def days_overdue(due: date, now: datetime, zone: tzinfo) -> int:
    return max((local_date(now, zone) - due).days, 0)


def bumped_priority(priority: str | None) -> str | None:
    """One level higher in Jira's default scheme; None when already Highest or not in the scheme."""
    names = [name.casefold() for name in PRIORITIES]
    wanted = (priority or "").casefold()
    if wanted not in names or names.index(wanted) == len(PRIORITIES) - 1:
        return None
    return PRIORITIES[names.index(wanted) + 1]


# --- trend ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Trend:
    """New tickets per day (oldest day first) and a projection to the due date."""

    per_day: tuple[tuple[date, int], ...]
    rate: float  # new tickets per day over the last RATE_DAYS days
    days_until_due: int | None  # calendar days from today to the due date; None without one
    projection: int | None  # more tickets by the due date at `rate`; None without a due date

    def text(self) -> str:
        counts = " ".join(str(count) for _, count in self.per_day)
        return (f"New tickets per day over the last {len(self.per_day)} days (oldest first): {counts}. "
                f"{self.projection_text()}")

    def projection_text(self) -> str:
        """The projection with its method stated next to the number."""
        method = f"at the last {RATE_DAYS} days' rate of {self.rate:.1f}/day"
        if self.days_until_due is None:
            return f"No due date to project to ({method})."
        if self.days_until_due <= 0:
            return f"The due date has passed; {method}, about {round(self.rate * 7)} more tickets each further week."
        return (f"Projection: about {self.projection} more tickets by the due date "
                f"(in {self.days_until_due} days), {method}.")


def compute_trend(joined: Iterable[datetime], now: datetime, days: int, due: date | None,
                  zone: tzinfo) -> Trend:
    """`joined`: when each ticket joined the problem. Days are calendar days in `zone`; the
    projection is the last 7 days' daily rate × the calendar days left until the due date."""
    moments = [local_time(moment, zone) for moment in joined]
    today = local_date(now, zone)
    first = today - timedelta(days=days - 1)
    counts = {first + timedelta(days=offset): 0 for offset in range(days)}
    for moment in moments:
        if moment.date() in counts and moment <= now:
            counts[moment.date()] += 1
    since = now - timedelta(days=RATE_DAYS)
    rate = sum(1 for moment in moments if since < moment <= now) / RATE_DAYS
    days_until = (due - today).days if due else None
    projection = round(rate * max(days_until, 0)) if days_until is not None else None
    return Trend(tuple(sorted(counts.items())), rate, days_until, projection)


# --- texts ----------------------------------------------------------------------------------------

def affected_text(problem: Problem) -> str:
    return (f"{problem.ticket_count} tickets, {problem.requester_count} requesters, "
            f"{problem.organization_count} organizations")


def overdue_comment(problem: Problem, assignee: str | None, days: int, trend: Trend) -> str:
    to = f"{assignee}: " if assignee else ""
    return f"{to}{overdue_headline(problem, days)} Affected so far: {affected_text(problem)}.\n{trend.text()}"


def overdue_headline(problem: Problem, days: int) -> str:
    """What the overdue comment says whatever the counts and assignee: how a retry recognises it."""
    return (f"this problem is overdue by {days} day{'s' if days != 1 else ''} "
            f"(due {problem.due_date.isoformat() if problem.due_date else 'unknown'}) and not fixed.")


def overdue_tag(problem: Problem) -> str:
    """The tag a ticket's overdue note carries: one per problem and due date, e.g.
    `bridge_overdue_12_20250310`."""
    return f"bridge_overdue_{problem.id}_{problem.due_date.strftime('%Y%m%d') if problem.due_date else 'none'}"


def ticket_note(problem: Problem, days: int) -> str:
    return (f"The Jira issue {problem.jira_key or '(none yet)'} for this problem is overdue by {days} "
            f"day{'s' if days != 1 else ''} (due {problem.due_date}); {affected_text(problem)} affected.")


def chat_text(problem: Problem, days: int, issue_url: str | None) -> str:
    issue = f"<{issue_url}|{problem.jira_key}>" if issue_url and problem.jira_key else (problem.jira_key or "no issue")
    return (f"Overdue by {days} day{'s' if days != 1 else ''}: problem {problem.id} ({problem.rule}, team "
            f"{problem.team}), {issue}, due {problem.due_date}; {affected_text(problem)} affected.")
