"""bridge/problems/charts.py: pure functions from series to SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import date, timedelta

from bridge.problems.charts import Projection, Series, bar_chart, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
DAYS = [date(2026, 11, 1) + timedelta(days=offset) for offset in range(14)]


def parse(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(markup)  # well-formed XML, or this raises


def texts(root: ElementTree.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_round_ticks_cover_the_highest_value():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(4) == [0, 1, 2, 3, 4]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(130) == [0, 50, 100, 150]
    assert nice_ticks(0.6) == [0, 0.2, 0.4, 0.6]


def test_a_bar_chart_has_one_bar_per_day_axes_unit_and_date_labels():
    points = [(day, index % 4) for index, day in enumerate(DAYS)]
    root = parse(bar_chart("New tickets per day", points, "tickets/day"))
    bars = [rect for rect in root.iter(f"{SVG}rect")]
    assert len(bars) == 14
    assert bars[3].find(f"{SVG}title").text == "4 Nov: 3 tickets/day"
    labels = texts(root)
    assert "tickets/day" in labels and "1 Nov" in labels and {"0", "1", "2", "3"} <= set(labels)
    assert root.get("role") == "img" and "19 from 1 Nov to 14 Nov" in root.get("aria-label")
    heights = [float(rect.get("height")) for rect in bars]
    assert heights[0] == 0 and heights[3] == max(heights)


def test_the_projection_is_a_dashed_line_at_the_daily_rate_up_to_the_due_date():
    points = [(day, 2) for day in DAYS]
    due = DAYS[-1] + timedelta(days=6)
    root = parse(bar_chart("New tickets", points, "tickets/day", Projection(2.0, due, "about 12 more by 20 Nov")))
    [dashed, key] = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray") == "6 4"]
    bar_top = float(next(root.iter(f"{SVG}rect")).get("y"))
    assert float(dashed.get("y1")) == float(dashed.get("y2")) == bar_top  # the same rate as the bars
    assert float(dashed.get("x2")) > float(dashed.get("x1"))
    assert float(key.get("y1")) > float(dashed.get("y1"))  # the legend's sample, below the plot
    assert "due 20 Nov" in texts(root) and "projection: about 12 more by 20 Nov" in texts(root)
    assert "about 12 more" in root.get("aria-label")


def test_text_is_escaped_and_an_empty_series_says_so():
    root = parse(line_chart("<b>x</b>", [Series("a&b <script>", ((DAYS[0], 1.0), (DAYS[1], None), (DAYS[2], 3.0)))],
                            "hours"))
    assert "a&b <script>" in texts(root)  # parsed back: it was escaped in the markup
    assert "<script>" not in line_chart("t", [Series("<script>", ((DAYS[0], 1.0),))], "u")
    assert len(list(root.iter(f"{SVG}circle"))) == 2 and not list(root.iter(f"{SVG}polyline"))  # a gap, no line
    empty = parse(bar_chart("Nothing", [], "tickets/day"))
    assert texts(empty) == ["No data in this period"]
    assert texts(parse(line_chart("Nothing", [Series("a", ((DAYS[0], None),))], "u"))) == ["No data in this period"]


def test_a_line_chart_draws_each_series_in_its_own_colour_with_a_legend():
    series = [Series(name, tuple((day, float(index + offset)) for offset, day in enumerate(DAYS)))
              for index, name in enumerate(("engineering", "finance", "shipping"))]
    root = parse(line_chart("Open problems", series, "problems", top=10))
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 3 and len({line.get("stroke") for line in lines}) == 3
    assert {"engineering", "finance", "shipping"} <= set(texts(root))
    assert "shipping 15" in root.get("aria-label")


def test_a_narrower_drawing_keeps_its_text_larger_when_scaled_to_a_small_card():
    points = [(day, 1) for day in DAYS]
    wide, narrow = parse(bar_chart("t", points, "u")), parse(bar_chart("t", points, "u", width=300))
    assert wide.get("viewBox").split()[2] == "400" and narrow.get("viewBox").split()[2] == "300"
    assert max(float(line.get("x2")) for line in narrow.iter(f"{SVG}line")) <= 300
    assert len(list(narrow.iter(f"{SVG}rect"))) == 14


def test_weekly_points_sit_over_their_labels_on_the_periods_axis():
    """Weeks dated by their last day (seven days apart; the first week shorter): each point sits
    over the label naming its day, and the axis spans the whole period, as the daily charts' does."""
    period = (date(2026, 10, 24), date(2026, 11, 23))
    week_ends = [date(2026, 10, 26) + timedelta(days=7 * index) for index in range(5)]
    weekly = parse(line_chart("On time", [Series("eng", tuple((day, 50.0) for day in week_ends))], "% on time",
                              top=100, weekly=period))
    labels = {element.text: float(element.get("x")) for element in weekly.iter(f"{SVG}text")
              if element.get("text-anchor") == "middle"}
    assert list(labels) == ["26 Oct", "2 Nov", "9 Nov", "16 Nov", "23 Nov"]
    points = [float(circle.get("cx")) for circle in weekly.iter(f"{SVG}circle")]
    assert points == list(labels.values())
    first = next(weekly.iter(f"{SVG}circle"))
    assert first.find(f"{SVG}title").text == "eng, week to 26 Oct: 50 % on time"
    days = [period[0] + timedelta(days=offset) for offset in range(31)]
    daily = parse(line_chart("Open", [Series("eng", tuple((day, 1.0) for day in days))], "problems"))
    daily_x = {element.text: float(element.get("x")) for element in daily.iter(f"{SVG}text")
               if element.get("text-anchor") == "middle"}
    assert daily_x["23 Nov"] == labels["23 Nov"]  # one day, one place, whichever chart
