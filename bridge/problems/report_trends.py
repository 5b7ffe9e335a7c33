"""Per-team trends over a report's period, for its charts: the share of fixes on time and the
median detection-to-fix time per week, the problems open at the end of each day, and customers
told of a fix per day. Days and weeks are calendar days in the bridge's zone; weeks end on the
period's last day."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import Connection, or_, select

from bridge.domain.lifecycle import STATE_MOVE_ACTIONS, ProblemState, state_moved_to
from bridge.domain.problems import CHECKED_STATES
from bridge.planning.due import local_date
from bridge.problems.overview import fixed_on_time
from bridge.storage.closures import NOTIFIED
from bridge.storage.schema import audit_log, closure_tickets, problems


@dataclass(frozen=True)
class Fix:
    team: str
    fixed_at: datetime
    detected_at: datetime
    due: date | None


@dataclass(frozen=True)
class Trends:
    days: list[str]  # ISO calendar days of the period, oldest first
    weeks: list[str]  # the first day of each week (the oldest may be shorter)
    on_time_percent_by_team: dict[str, list[float | None]]  # per week; None: no fix with a due date
    median_days_to_fix_by_team: dict[str, list[float | None]]  # per week; None: no fix
    open_problems_by_team: dict[str, list[int]]  # per day, at its end
    customers_notified_per_day: list[int]

    @property
    def week_ends(self) -> list[str]:
        """The last day of each week (seven days apart: weeks end on the period's last day)."""
        starts = [date.fromisoformat(week) for week in self.weeks[1:]]
        return [(start - timedelta(days=1)).isoformat() for start in starts] + self.days[-1:]

    @property
    def customers_notified(self) -> int:
        return sum(self.customers_notified_per_day)


def period_days(since: datetime, until: datetime, zone: tzinfo) -> list[date]:
    first, last = local_date(since, zone), local_date(until, zone)
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def week_starts(days: list[date]) -> list[date]:
    """Weeks of seven days ending on the last day; the first week takes what is left."""
    starts = [days[-1] - timedelta(days=6 + 7 * index) for index in range((len(days) + 6) // 7)]
    return sorted(max(start, days[0]) for start in starts)


def build_trends(connection: Connection, fixes: Iterable[Fix], since: datetime, until: datetime,
                 zone: tzinfo) -> Trends:
    """`fixes`: the problems fixed in the period (the report already read them)."""
    days = period_days(since, until, zone)
    weeks = week_starts(days)
    on_time: dict[str, list[float | None]] = {}
    to_fix: dict[str, list[float | None]] = {}
    by_week: dict[tuple[str, date], list[Fix]] = {}
    for fix in fixes:
        day = local_date(fix.fixed_at, zone)
        week = max(start for start in weeks if start <= day) if day >= weeks[0] else weeks[0]
        by_week.setdefault((fix.team, week), []).append(fix)
    for team in sorted({team for team, _ in by_week}):
        on_time[team], to_fix[team] = [], []
        for week in weeks:
            fixed = by_week.get((team, week), [])
            due = [fix for fix in fixed if fix.due is not None]
            kept = [fix for fix in due if fixed_on_time(fix.fixed_at, fix.due, zone)]
            on_time[team].append(round(100 * len(kept) / len(due), 1) if due else None)
            to_fix[team].append(round(statistics.median(
                (fix.fixed_at - fix.detected_at).total_seconds() / 86400 for fix in fixed), 1) if fixed else None)
    return Trends([day.isoformat() for day in days], [week.isoformat() for week in weeks], on_time, to_fix,
                  _open_load(connection, days, until, zone), _notified_per_day(connection, days, since, until, zone))


def _end_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), zone)


def _open_load(connection: Connection, days: list[date], until: datetime, zone: tzinfo) -> dict[str, list[int]]:
    """Per team and day, the problems open (`open`, `in_progress`, `regressed`) at the day's end (or
    now, for today), from the state moves the audit log records (bridge/domain/lifecycle.py): a
    problem past detection starts open at its opening; a won't-fix, worked-around or fixed one stops
    counting at that move, a regressed or reopened one counts again from its move."""
    p, a = problems.c, audit_log.c
    start = datetime.combine(days[0], time(), zone)
    rows = connection.execute(select(p.id, p.team, p.opened_at).where(
        p.opened_at.is_not(None), p.opened_at < until,
        or_(p.state.in_(list(CHECKED_STATES)), p.updated_at >= start)).order_by(p.id)).all()
    moves: dict[int, list[tuple[datetime, ProblemState]]] = {row.id: [] for row in rows}
    subjects = [f"problem:{row.id}" for row in rows]
    for offset in range(0, len(subjects), 500):
        for entry in connection.execute(select(a.at, a.action, a.subject, a.details).where(
                a.subject.in_(subjects[offset:offset + 500]), a.action.in_(sorted(STATE_MOVE_ACTIONS)),
                a.at < until).order_by(a.at, a.id)):
            moved = state_moved_to(entry.action, entry.details or {})
            if moved is not None:
                moves[int(entry.subject.removeprefix("problem:"))].append((entry.at, moved))
    moments = [min(_end_of(day, zone), until) for day in days]
    load: dict[str, list[int]] = {}
    for row in rows:
        counts = load.setdefault(row.team, [0] * len(days))
        for index, moment in enumerate(moments):
            if row.opened_at <= moment and _state_at(moves[row.id], moment) in CHECKED_STATES:
                counts[index] += 1
    return dict(sorted(load.items()))


def _state_at(moves: list[tuple[datetime, ProblemState]], moment: datetime) -> ProblemState:
    """The state after the last move at or before `moment` (open before any: the opening)."""
    state = ProblemState.OPEN
    for at, moved in moves:
        if at > moment:
            break
        state = moved
    return state


def _notified_per_day(connection: Connection, days: list[date], since: datetime, until: datetime,
                      zone: tzinfo) -> list[int]:
    c = closure_tickets.c
    moments = connection.execute(select(c.notified_at).where(
        c.state == NOTIFIED, c.notified_at >= since, c.notified_at < until)).scalars()
    index = {day: position for position, day in enumerate(days)}
    counts = [0] * len(days)
    for moment in moments:
        position = index.get(local_date(moment, zone))
        if position is not None:
            counts[position] += 1
    return counts
