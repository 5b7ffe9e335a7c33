"""Figures for leaders over a period (`bridge report --since 30d`), read from the database:
top root causes by affected customers, the highest weighted impact, detection-to-fix time per
team, fixes on time vs late, tickets that arrived after detection, regressions, customers told of
a fix, and per-team trends (report_trends.py). Queries, then pure arithmetic; report_pages.py
renders it."""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import Engine, func, select

from bridge.domain.impact import ImpactScore
from bridge.planning.impact_score import impact_summary
from bridge.problems.overview import fixed_on_time
from bridge.problems.report_trends import Fix, Trends, build_trends
from bridge.storage.db import reading
from bridge.storage.schema import audit_log, proactive_notices, problem_tickets, problems

TOP_CAUSES = 10
_PERIOD = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
MAX_PERIOD = timedelta(days=3660)  # ten years


def parse_period(text: str) -> timedelta:
    """`30d`, `12h`, `4w`; at most MAX_PERIOD."""
    match = _PERIOD.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"expected a period such as 30d, 12h or 4w, got {text[:40]!r}")
    if len(match.group(1)) > 6 or (period := timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})) > MAX_PERIOD:
        raise ValueError(f"at most {MAX_PERIOD.days}d, got {text[:40]!r}")
    return period


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


@dataclass(frozen=True)
class RootCause:
    rule: str
    group: str
    team: str
    customers: int  # distinct requesters whose tickets joined in the period
    tickets: int


@dataclass(frozen=True)
class HighImpact:
    problem: int
    rule: str
    group: str
    team: str
    score: float
    parts: str  # impact_summary: the score and what it adds up from


@dataclass(frozen=True)
class ProactiveSent:
    """A proactive notice started in the period: customers told before they wrote in."""

    problem: int
    rule: str
    team: str
    notice: int
    state: str
    notified: int
    failed: int


@dataclass(frozen=True)
class TeamFixTime:
    team: str
    fixes: int
    median_hours: float
    p90_hours: float


@dataclass(frozen=True)
class Report:
    since: str
    until: str
    top_root_causes: list[RootCause]
    fix_time_by_team: list[TeamFixTime]
    fixed_on_time: int
    fixed_late: int
    fixed_without_due_date: int
    tickets_after_detection: int
    tickets_after_detection_by_team: dict[str, int]
    regressions: int
    regressed_problems: list[int]
    top_impact: list[HighImpact] = field(default_factory=list)  # problems with tickets in the period
    proactive_notices: list[ProactiveSent] = field(default_factory=list)  # started in the period
    proactive_notices_sent: int = 0  # customers those notices told
    customers_notified: int = 0  # linked tickets whose customer was told of a fix in the period
    zone: str = "UTC"  # the calendar the days and weeks are counted in
    trends: Trends | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _problem_id(subject: str) -> int | None:
    prefix, _, number = subject.partition(":")
    return int(number) if prefix == "problem" and number.isdigit() else None


def build_report(engine: Engine, since: datetime, until: datetime, zone: tzinfo) -> Report:
    p, t, a = problems.c, problem_tickets.c, audit_log.c
    with reading(engine) as connection:
        causes = list(connection.execute(
            select(p.rule, p.group_key, p.team, func.count(t.requester_id.distinct()).label("customers"),
                   func.count().label("tickets"))
            .select_from(problem_tickets.join(problems, p.id == t.problem_id))
            .where(t.joined_at >= since, t.joined_at < until)
            .group_by(p.rule, p.group_key, p.team)))
        fixes = list(connection.execute(select(a.subject, a.at).where(
            a.action == "problem.fixed", a.at >= since, a.at < until).order_by(a.id)))
        regressions = list(connection.execute(select(a.subject).where(
            a.action == "problem.regressed", a.at >= since, a.at < until).order_by(a.id)))
        # After detection: joined once the problem was known (opened), so not one of the tickets
        # that made it cross its threshold.
        waiting = list(connection.execute(
            select(p.team, func.count().label("tickets"))
            .select_from(problem_tickets.join(problems, p.id == t.problem_id))
            .where(t.joined_at >= since, t.joined_at < until, p.opened_at.is_not(None), t.joined_at > p.opened_at)
            .group_by(p.team)))
        joined_in_period = select(t.problem_id).where(t.joined_at >= since, t.joined_at < until)
        weighted = list(connection.execute(select(p.id, p.rule, p.group_key, p.team, p.impact).where(
            p.impact.is_not(None), p.id.in_(joined_in_period))))
        n = proactive_notices.c
        notices = [ProactiveSent(row.problem_id, row.rule, row.team, row.id, row.state, row.done_count,
                                 row.failed_count) for row in connection.execute(
            select(n.id, n.problem_id, n.state, n.done_count, n.failed_count, p.rule, p.team)
            .select_from(proactive_notices.join(problems, p.id == n.problem_id))
            .where(n.created_at >= since, n.created_at < until).order_by(n.id))]
        fixed_ids = {_problem_id(row.subject) for row in fixes} - {None}
        fixed_problems = {row.id: row for row in connection.execute(
            select(p.id, p.team, p.detected_at, p.due_date).where(p.id.in_(fixed_ids)))} if fixed_ids else {}
        fixed = [Fix(problem.team, row.at, problem.detected_at, problem.due_date) for row in fixes
                 if (problem := fixed_problems.get(_problem_id(row.subject))) is not None]
        trends = build_trends(connection, fixed, since, until, zone)

    top = sorted((RootCause(row.rule, row.group_key, row.team, row.customers, row.tickets) for row in causes),
                 key=lambda cause: (-cause.customers, -cause.tickets, cause.rule, cause.group))[:TOP_CAUSES]
    hours_by_team: dict[str, list[float]] = {}
    on_time = late = no_due = 0
    for fix in fixed:
        hours_by_team.setdefault(fix.team, []).append((fix.fixed_at - fix.detected_at).total_seconds() / 3600)
        kept = fixed_on_time(fix.fixed_at, fix.due, zone)
        if kept is None:
            no_due += 1
        elif kept:
            on_time += 1
        else:
            late += 1
    fix_times = [TeamFixTime(team, len(hours), round(statistics.median(hours), 1), round(percentile(hours, 0.9), 1))
                 for team, hours in sorted(hours_by_team.items())]
    by_team = {row.team: row.tickets for row in sorted(waiting, key=lambda row: row.team)}
    regressed = [_problem_id(row.subject) for row in regressions]
    impacts = [(row, ImpactScore.from_json(row.impact)) for row in weighted]
    top_impact = sorted((HighImpact(row.id, row.rule, row.group_key, row.team, impact.score, impact_summary(impact))
                         for row, impact in impacts if impact is not None),
                        key=lambda item: (-item.score, item.problem))[:TOP_CAUSES]
    return Report(since=since.isoformat(), until=until.isoformat(), top_root_causes=top,
                  fix_time_by_team=fix_times, fixed_on_time=on_time, fixed_late=late,
                  fixed_without_due_date=no_due, tickets_after_detection=sum(by_team.values()),
                  tickets_after_detection_by_team=by_team, regressions=len(regressions),
                  regressed_problems=sorted({i for i in regressed if i is not None}), top_impact=top_impact,
                  proactive_notices=notices, proactive_notices_sent=sum(notice.notified for notice in notices),
                  customers_notified=trends.customers_notified, zone=getattr(zone, "key", str(zone)), trends=trends)
