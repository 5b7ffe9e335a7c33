"""`bridge report` rendered: markdown for a terminal, one self-contained HTML page (the same file
the dashboard serves at /dashboard/report: styles and SVG charts inline, for screen and paper),
CSV for a spreadsheet and JSON for a program. Every text is escaped for its format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from bridge.problems.charts import Series, bar_chart, human_moment, line_chart
from bridge.problems.page_style import page_style
from bridge.problems.report import Report
from bridge.problems.views import csv_cell

Table = tuple[str, str, list[str], list[list[str]]]  # anchor, title, headers, rows
NAV_LABELS = {"causes": "Root causes", "impact": "Impact", "fix-times": "Time to fix", "due-dates": "Due dates",
              "waiting": "After detection", "regressions": "Regressions", "proactive": "Proactive notices"}


def period_text(report: Report) -> str:
    zone = ZoneInfo(report.zone)
    since, until = datetime.fromisoformat(report.since), datetime.fromisoformat(report.until)
    return f"{human_moment(since, zone)} – {human_moment(until, zone)} ({report.zone})"


def _tables(report: Report) -> list[Table]:
    """Every table, shared by markdown, HTML and CSV."""
    causes = [[cause.rule, cause.group or "-", cause.team, str(cause.customers), str(cause.tickets)]
              for cause in report.top_root_causes]
    times = [[row.team, str(row.fixes), f"{row.median_hours:g}", f"{row.p90_hours:g}"]
             for row in report.fix_time_by_team]
    waiting = [[team, str(count)] for team, count in report.tickets_after_detection_by_team.items()]
    impact = [[str(item.problem), item.rule, item.group or "-", item.team, item.parts] for item in report.top_impact]
    proactive = [[str(n.problem), n.rule, n.team, str(n.notice), n.state, str(n.notified), str(n.failed)]
                 for n in report.proactive_notices]
    return [
        ("causes", "Top root causes by affected customers", ["rule", "group", "team", "customers", "tickets"], causes),
        ("impact", "Highest weighted impact (score and its parts)", ["problem", "rule", "group", "team", "impact"],
         impact),
        ("fix-times", "Detection to fix per team (hours; 90th percentile by nearest rank)",
         ["team", "fixes", "median", "p90"], times),
        ("due-dates", "Fixes against their due dates", ["on time", "late", "no due date"],
         [[str(report.fixed_on_time), str(report.fixed_late), str(report.fixed_without_due_date)]]),
        ("waiting", f"Tickets that arrived after detection (the cost of waiting): {report.tickets_after_detection}",
         ["team", "tickets"], waiting),
        ("regressions", f"Regressions: {report.regressions}", ["problems"],
         [[", ".join(str(i) for i in report.regressed_problems)]] if report.regressed_problems else []),
        ("proactive", f"Proactive notices: {report.proactive_notices_sent} customers told before writing in",
         ["problem", "rule", "team", "notice", "state", "told", "failed"], proactive),
    ]


def _trend_tables(report: Report) -> list[Table]:
    trends = report.trends
    if trends is None:
        return []

    def per_team(values: dict[str, list]) -> list[list[str]]:
        return [[team, *("" if value is None else f"{value:g}" for value in row)] for team, row in values.items()]

    return [
        ("on-time-trend", "On-time fixes per team by week (%)", ["team", *trends.weeks],
         per_team(trends.on_time_percent_by_team)),
        ("fix-time-trend", "Median days from detection to fix per team by week", ["team", *trends.weeks],
         per_team(trends.median_days_to_fix_by_team)),
        ("open-trend", "Open problems per team at each day's end", ["team", *trends.days],
         per_team(trends.open_problems_by_team)),
        ("notified-trend", f"Customers notified of a fix: {report.customers_notified}", ["day", "customers"],
         [[day, str(count)] for day, count in zip(trends.days, trends.customers_notified_per_day, strict=True)]),
    ]


# --- markdown -----------------------------------------------------------------------------------

def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    lines = [f"# Problem report, {period_text(report)}", "",
             f"Customers notified of a fix: {report.customers_notified}", ""]
    for _, title, headers, rows in _tables(report):
        lines += [f"## {title}", ""]
        if not rows:
            lines += ["(none)", ""]
            continue
        lines.append("| " + " | ".join(headers) + " |")
        lines.append("|" + "---|" * len(headers))
        lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


# --- HTML ---------------------------------------------------------------------------------------

def trend_charts(report: Report, team: str | None = None) -> list[tuple[str, str]]:
    """(caption, svg) of each trend chart: every team's, or one team's (its page on the dashboard;
    the customers notified are then left out, they are not counted per team)."""
    trends = report.trends
    if trends is None:
        return []
    days = [date.fromisoformat(day) for day in trends.days]
    weeks = [date.fromisoformat(week) for week in trends.week_ends]
    period = (days[0], days[-1])

    def series(values: dict[str, list], on: list[date]) -> list[Series]:
        return [Series(name, tuple(zip(on, row, strict=True))) for name, row in values.items()
                if team is None or name == team]

    charts = [
        ("On-time fixes per team, by week", line_chart(
            "On-time fixes per team, by week", series(trends.on_time_percent_by_team, weeks), "% on time", top=100,
            weekly=period)),
        ("Median time to fix per team, by week", line_chart(
            "Median time from detection to fix per team, by week",
            series(trends.median_days_to_fix_by_team, weeks), "days", weekly=period)),
        ("Open problems per team", line_chart(
            "Open problems per team at each day's end", series(trends.open_problems_by_team, days), "problems")),
    ]
    if team is None:
        charts.append((f"Customers notified of a fix: {report.customers_notified}", bar_chart(
            "Customers notified of a fix per day", list(zip(days, trends.customers_notified_per_day, strict=True)),
            "customers/day")))
    return charts


def _html_table(anchor: str, title: str, headers: list[str], rows: list[list[str]]) -> list[str]:
    parts = [f'<section id="{anchor}">', f"<h2>{escape(title)}</h2>"]
    if not rows:
        return [*parts, "<p>(none)</p>", "</section>"]
    parts.append('<div class="scroll"><table class="stack"><thead><tr>'
                 + "".join(f'<th scope="col">{escape(h)}</th>' for h in headers) + "</tr></thead><tbody>")
    parts += ["<tr>" + "".join(f'<td data-label="{escape(header)}">{escape(cell)}</td>'
                               for header, cell in zip(headers, row, strict=True)) + "</tr>" for row in rows]
    return [*parts, "</tbody></table></div>", "</section>"]


def render_html(report: Report, links: Sequence[tuple[str, str]] = ()) -> str:
    """The report as one page; `links` (label, URL) lead elsewhere (the dashboard adds its own)."""
    period = period_text(report)
    tables = _tables(report)
    nav = [f'<a href="{escape(url)}">{escape(label)}</a>' for label, url in links]
    nav += ['<a href="#glance">At a glance</a>', '<a href="#trends">Trends</a>',
            *(f'<a href="#{anchor}">{NAV_LABELS[anchor]}</a>' for anchor, _, _, _ in tables)]
    glance = [("fixed_on_time", report.fixed_on_time, "fixes on time"), ("fixed_late", report.fixed_late, "fixes late"),
              ("fixed_without_due_date", report.fixed_without_due_date, "fixes without a due date"),
              ("tickets_after_detection", report.tickets_after_detection, "tickets after detection"),
              ("regressions", report.regressions, "regressions"),
              ("customers_notified", report.customers_notified, "customers notified"),
              ("proactive_notices_sent", report.proactive_notices_sent, "customers told proactively")]
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">', '<link rel="icon" href="data:,">',
             f"<title>Problem report, {escape(period)}</title>", f"<style>{page_style()}</style></head>",
             '<body class="report">',
             '<header><span class="brand">Problem bridge</span>',
             f'<nav aria-label="Report sections">{"".join(nav)}</nav></header>', "<main>",
             "<h1>Problem report</h1>", f'<p class="period">{escape(period)}</p>',
             '<section id="glance"><h2>At a glance</h2><ul class="totals">',
             *(f'<li><b data-number="{name}">{value}</b>{escape(label)}</li>' for name, value, label in glance),
             "</ul></section>", '<section id="trends"><h2>Trends</h2><div class="charts">',
             *(f"<figure><figcaption>{escape(caption)}</figcaption>{svg}</figure>"
               for caption, svg in trend_charts(report)),
             "</div></section>"]
    for table in tables:
        parts += _html_table(*table)
    parts.append("</main></body></html>")
    return "\n".join(parts)


# --- CSV and JSON -------------------------------------------------------------------------------

def render_csv(report: Report) -> str:
    """Each table under its title, a blank row between them; every cell formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Problem report", period_text(report)])
    for _, title, headers, rows in [*_tables(report), *_trend_tables(report)]:
        writer.writerow([])
        writer.writerow([csv_cell(title)])
        writer.writerow([csv_cell(header) for header in headers])
        writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, sort_keys=True)


RENDERERS = {"markdown": render_markdown, "html": render_html, "json": render_json, "csv": render_csv}
REPORT_DOWNLOADS = {"csv": ("text/csv", render_csv), "json": ("application/json", render_json)}


def report_file_name(report: Report, extension: str) -> str:
    """`problem-report-2026-10-06-to-2026-11-05.csv`, the period's days in its zone."""
    zone = ZoneInfo(report.zone)
    first, last = (datetime.fromisoformat(moment).astimezone(zone).date() for moment in (report.since, report.until))
    return f"problem-report-{first.isoformat()}-to-{last.isoformat()}.{extension}"

