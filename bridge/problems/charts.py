"""Charts as inline SVG: pure functions from dated series to markup, with axes, units and labels.

No scripts and no external assets (the dashboard's Content-Security-Policy allows neither), so a
chart is the same on screen, on paper and in the file `bridge report --format html` writes. Every
text that reaches the markup is escaped here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from html import escape

WIDTH, PLOT_TOP, PLOT_HEIGHT = 400, 26, 130
LEFT, RIGHT = 44, 14
AXIS_ROOM = 34  # below the plot: the date labels
INK, MUTED, GRID = "#1d2330", "#4a5263", "#d9dee7"
BAR, PROJECTION = "#2457c5", "#8a5200"
# Line colours, each with at least 4.5:1 contrast on white.
PALETTE = ("#2457c5", "#b3261e", "#1f6e35", "#6b2fa0", "#8a5200", "#00646d")
MAX_DATE_LABELS = 6


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[tuple[date, float | None], ...]  # None: no value that day (a gap in the line)


@dataclass(frozen=True)
class Projection:
    """A daily rate carried on from the day after the last bar to `until` (the due date); `label`
    is short (it is drawn under the chart), e.g. "about 4 more by 30 Nov"."""

    rate: float
    until: date
    label: str


def day_label(day: date) -> str:
    return f"{day.day} {day.strftime('%b')}"


def nice_ticks(highest: float, most: int = 5) -> list[float]:
    """0 and round steps (1, 2 or 5 × 10^n) up to at least `highest`, at most `most` + 1 of them."""
    if highest <= 0:
        return [0, 1]
    raw = highest / most
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(factor * magnitude for factor in (1, 2, 5, 10) if factor * magnitude >= raw)
    if step < 1 and highest >= 1:
        step = 1
    count = math.ceil(highest / step - 1e-9)
    return [round(step * index, 6) for index in range(count + 1)]


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


class _Frame:
    """Maps days and values into the plot area and draws its axes."""

    def __init__(self, first: date, last: date, highest: float, unit: str, width: int = WIDTH,
                 labelled: Sequence[date] = ()):
        self.first, self.days = first, max((last - first).days + 1, 1)
        self.labelled = labelled  # the days the x axis labels (default: every few days from the first)
        self.full_width = width
        self.ticks = nice_ticks(highest)
        self.top = self.ticks[-1] or 1
        self.unit = unit
        self.width = width - LEFT - RIGHT

    def x(self, day: date, middle: bool = True) -> float:
        return round(LEFT + ((day - self.first).days + (0.5 if middle else 0)) * self.width / self.days, 2)

    def y(self, value: float) -> float:
        return round(PLOT_TOP + PLOT_HEIGHT - value / self.top * PLOT_HEIGHT, 2)

    @property
    def slot(self) -> float:
        return self.width / self.days

    def axes(self) -> list[str]:
        bottom = PLOT_TOP + PLOT_HEIGHT
        parts = [f'<text x="{LEFT}" y="{PLOT_TOP - 10}" font-size="11" fill="{MUTED}">{escape(self.unit)}</text>']
        for tick in self.ticks:
            y = self.y(tick)
            parts.append(f'<line x1="{LEFT}" x2="{self.full_width - RIGHT}" y1="{y}" y2="{y}" stroke="{GRID}"/>')
            parts.append(f'<text x="{LEFT - 5}" y="{y + 4}" font-size="11" text-anchor="end" fill="{INK}">'
                         f"{_number(tick)}</text>")
        parts.append(f'<line x1="{LEFT}" x2="{self.full_width - RIGHT}" y1="{bottom}" y2="{bottom}" '
                     f'stroke="{MUTED}"/>')
        parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{PLOT_TOP}" y2="{bottom}" stroke="{MUTED}"/>')
        if self.labelled:
            labelled = list(self.labelled)[::max(math.ceil(len(self.labelled) / MAX_DATE_LABELS), 1)]
        else:
            every = max(math.ceil(self.days / MAX_DATE_LABELS), 1)
            labelled = [self.first + timedelta(days=offset) for offset in range(0, self.days, every)]
        for day in labelled:
            x = self.x(day)
            parts.append(f'<line x1="{x}" x2="{x}" y1="{bottom}" y2="{bottom + 4}" stroke="{MUTED}"/>')
            parts.append(f'<text x="{x}" y="{bottom + 16}" font-size="11" text-anchor="middle" fill="{INK}">'
                         f"{escape(day_label(day))}</text>")
        return parts


def _svg(label: str, height: float, body: list[str], width: int = WIDTH) -> str:
    return (f'<svg class="chart" viewBox="0 0 {width} {height:g}" role="img" aria-label="{escape(label)}" '
            f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">'
            f"<title>{escape(label)}</title>{''.join(body)}</svg>")


def _empty(label: str, message: str) -> str:
    return _svg(label, 60, [f'<text x="{WIDTH / 2}" y="34" font-size="13" text-anchor="middle" fill="{MUTED}">'
                            f"{escape(message)}</text>"])


def bar_chart(title: str, points: Sequence[tuple[date, int]], unit: str,
              projection: Projection | None = None, width: int = WIDTH) -> str:
    """One bar per day; with a projection, a dashed line at its daily rate up to its date. `width`:
    of the drawing in text units (a narrower one, for a small card, keeps its text larger)."""
    if not points:
        return _empty(title, "No data in this period")
    first, last = points[0][0], points[-1][0]
    end = max(last, projection.until) if projection else last
    highest = max([count for _, count in points] + ([projection.rate] if projection else []))
    frame = _Frame(first, end, highest, unit, width)
    total = sum(count for _, count in points)
    label = (f"{title}: {total} from {day_label(first)} to {day_label(last)}, "
             f"at most {max(count for _, count in points)} a day")
    body = frame.axes()
    bar_width = max(frame.slot - 2, 1)
    for day, count in points:
        y = frame.y(count)
        body.append(f'<rect x="{round(frame.x(day, middle=False) + 1, 2)}" y="{y}" width="{round(bar_width, 2)}" '
                    f'height="{round(PLOT_TOP + PLOT_HEIGHT - y, 2)}" fill="{BAR}">'
                    f"<title>{escape(day_label(day))}: {count} {escape(unit)}</title></rect>")
    if projection and projection.until > last:
        start, stop = frame.x(last + timedelta(days=1), middle=False), frame.x(projection.until)
        y = frame.y(projection.rate)
        body.append(f'<line x1="{start}" x2="{stop}" y1="{y}" y2="{y}" stroke="{PROJECTION}" stroke-width="2.5" '
                    f'stroke-dasharray="6 4"/>')
        body.append(f'<line x1="{stop}" x2="{stop}" y1="{PLOT_TOP}" y2="{PLOT_TOP + PLOT_HEIGHT}" '
                    f'stroke="{PROJECTION}" stroke-dasharray="2 3"/>')
        body.append(f'<text x="{stop}" y="{PLOT_TOP - 10}" font-size="11" text-anchor="end" '
                    f'fill="{PROJECTION}">due {escape(day_label(projection.until))}</text>')
    if projection:
        label += f". {projection.label}"
        body.append(f'<line x1="{LEFT}" x2="{LEFT + 18}" y1="{PLOT_TOP + PLOT_HEIGHT + AXIS_ROOM - 6}" '
                    f'y2="{PLOT_TOP + PLOT_HEIGHT + AXIS_ROOM - 6}" stroke="{PROJECTION}" stroke-width="2.5" '
                    f'stroke-dasharray="6 4"/><text x="{LEFT + 24}" y="{PLOT_TOP + PLOT_HEIGHT + AXIS_ROOM - 2}" '
                    f'font-size="11" fill="{PROJECTION}">projection: {escape(projection.label)}</text>')
    return _svg(label, PLOT_TOP + PLOT_HEIGHT + AXIS_ROOM + (4 if projection else -10), body, width)


def line_chart(title: str, series: Sequence[Series], unit: str, top: float | None = None,
               weekly: tuple[date, date] | None = None) -> str:
    """One line per series over shared days; a legend below. `top`: the y axis' least maximum.
    `weekly`: the period (first and last day) of series whose points are weeks, each dated by its
    last day: the x axis then spans the whole period, like a daily chart's, and its labels are the
    points' own days, so that each sits under its point."""
    days = sorted({day for one in series for day, value in one.points if value is not None})
    if not days:
        return _empty(title, "No data in this period")
    values = [value for one in series for _, value in one.points if value is not None]
    dated = sorted({day for one in series for day, _ in one.points})
    first, last = weekly or (dated[0], dated[-1])
    frame = _Frame(first, last, max([*values, top or 0]), unit, labelled=dated if weekly else ())
    when = (lambda day: f"week to {day_label(day)}") if weekly else day_label
    body = frame.axes()
    label_parts = []
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        segment: list[str] = []
        segments = [segment]
        for day, value in one.points:
            if value is None:
                segment = []
                segments.append(segment)
                continue
            segment.append(f"{frame.x(day)},{frame.y(value)}")
            body.append(f'<circle cx="{frame.x(day)}" cy="{frame.y(value)}" r="2.5" fill="{colour}">'
                        f"<title>{escape(one.name)}, {escape(when(day))}: {_number(value)} "
                        f"{escape(unit)}</title></circle>")
        for points in segments:
            if len(points) > 1:
                body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>')
        latest = next((value for _, value in reversed(one.points) if value is not None), None)
        label_parts.append(f"{one.name} {'no value' if latest is None else _number(latest)}")
    legend_y = PLOT_TOP + PLOT_HEIGHT + AXIS_ROOM - 4
    x = float(LEFT)
    for index, one in enumerate(series):
        width = 22 + 7 * len(one.name)
        if x + width > WIDTH and x > LEFT:
            x, legend_y = float(LEFT), legend_y + 16
        colour = PALETTE[index % len(PALETTE)]
        body.append(f'<rect x="{x}" y="{legend_y - 9}" width="12" height="10" fill="{colour}"/>'
                    f'<text x="{x + 16}" y="{legend_y}" font-size="11" fill="{INK}">{escape(one.name)}</text>')
        x += width
    label = f"{title} ({unit}), latest: " + ", ".join(label_parts)
    return _svg(label, legend_y + 8, body)


def human_day(day: date) -> str:
    """`5 Nov 2026`."""
    return f"{day.day} {day.strftime('%b %Y')}"


def human_moment(moment: datetime, zone: tzinfo) -> str:
    """`5 Nov 2026, 23:10` in `zone` (a naive moment is UTC)."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    return f"{human_day(local.date())}, {local.strftime('%H:%M')}"
