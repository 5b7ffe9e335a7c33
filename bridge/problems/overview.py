"""What the dashboard says about one problem at a glance, decided from loaded data (pure): its
tickets per day with the projection to the due date, how close a detecting problem is to its
rule's threshold, and whether a fix came on time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from bridge.domain.problems import CHECKED_STATES, DETECTING, Problem
from bridge.overdue.accountability import RATE_DAYS, compute_trend
from bridge.planning.due import local_date
from bridge.problems.charts import WIDTH, Projection, bar_chart, day_label
from bridge.rules.schema import Threshold
from bridge.rules.window import Occurrence, keys_in_latest_window

CHART_DAYS = 14  # tickets per day over the last two weeks
PROJECTION_DAYS = 60  # a due date further away is stated, not drawn (the bars would be slivers)


@dataclass(frozen=True)
class TicketChart:
    svg: str
    caption: str
    recent: int  # tickets in the chart's days
    days: int


def ticket_chart(problem: Problem, arrivals: Iterable[datetime], now: datetime, zone: tzinfo,
                 width: int = WIDTH) -> TicketChart:
    """`arrivals`: when each ticket the problem counts arrived (the counted tickets while detecting,
    the linked ones after), so the chart and the problem's ticket count speak of the same tickets.
    Only a problem whose due date is watched (open, in progress, regressed) gets a projection."""
    watched = problem.state in CHECKED_STATES and problem.due_date is not None
    trend = compute_trend(arrivals, now, CHART_DAYS, problem.due_date if watched else None, zone)
    recent = sum(count for _, count in trend.per_day)
    caption = (f"{recent} of its {problem.ticket_count} ticket{'s' if problem.ticket_count != 1 else ''} "
               f"arrived in the last {CHART_DAYS} days.")
    projection = None
    if watched and problem.due_date is not None and trend.days_until_due is not None:
        if trend.days_until_due > 0:
            text = (f"Projection: about {trend.projection} more by {day_label(problem.due_date)} at the last "
                    f"{RATE_DAYS} days' rate of {trend.rate:.1f}/day")
            if trend.days_until_due <= PROJECTION_DAYS:
                projection = Projection(trend.rate, problem.due_date,
                                        f"about {trend.projection} more by {day_label(problem.due_date)}")
            caption += f" {text}."
        else:
            caption += f" {trend.projection_text()}"
    elif problem.fixed_at is not None and problem.state not in CHECKED_STATES:
        caption += f" Fixed {day_label(local_date(problem.fixed_at, zone))}: nothing left to project."
    svg = bar_chart("New tickets per day", trend.per_day, "tickets/day", projection, width)
    return TicketChart(svg, caption, recent, CHART_DAYS)


@dataclass(frozen=True)
class DetectingProgress:
    counted: int  # distinct tickets, requesters or organizations within the window
    threshold: int
    of: str
    window: str

    @property
    def text(self) -> str:
        return f"{self.counted} of {self.threshold} {self.of} within {self.window}"


def detecting_progress(problem: Problem, occurrences: Iterable[Occurrence],
                       threshold: Threshold | None) -> DetectingProgress | None:
    """How close a detecting problem is to opening: what the rule counts within its window before the
    newest ticket (bridge/rules/window.py), against the threshold. None when not detecting or when its
    rule is gone from the rule files."""
    if problem.state != DETECTING or threshold is None:
        return None
    counted = len(keys_in_latest_window(occurrences, threshold.window))
    return DetectingProgress(counted, threshold.count, threshold.of, duration_text(threshold.window))


def duration_text(duration: timedelta) -> str:
    """`24h`, `7d`, `2w`, `90m`: the way rule files write windows (a unit only from two of it up)."""
    seconds = int(duration.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0 and (seconds >= 2 * size or unit in ("h", "m")):
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def fixed_on_time(fixed_at: datetime | None, due: date | None, zone: tzinfo) -> bool | None:
    """Fixed on or before its due date (a calendar day in `zone`), as `bridge report` counts it;
    None without a fix or a due date."""
    if fixed_at is None or due is None:
        return None
    return local_date(fixed_at, zone) <= due
