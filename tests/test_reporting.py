"""`bridge report`: the figures, checked against a scenario computed by hand. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner

from bridge.cli import main
from bridge.problems.report import (
    Report,
    RootCause,
    build_report,
    parse_period,
    percentile,
)
from bridge.problems.report_pages import render_csv, render_html, render_markdown, report_file_name
from bridge.runtime import build_runtime
from bridge.storage.schema import audit_log, closure_tickets, closures, problem_tickets, problems
from tests.support.settings import make_settings, write_config

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


# id: (rule, group, team, detected, opened, due, fixed, [(ticket, requester, joined)])
PROBLEMS = {
    1: ("checkout-crash", "", "engineering", at(11, 1), at(11, 1, 2), date(2026, 11, 5), at(11, 3),
        [(101, 1, at(11, 1, 2)), (102, 2, at(11, 1, 2)), (103, 1, at(11, 2)), (104, 3, at(11, 4))]),
    2: ("refund-missing", "", "finance", at(11, 10), at(11, 10), date(2026, 11, 12), at(11, 14, 12),
        [(201, 4, at(11, 10)), (202, 5, at(11, 11))]),
    3: ("login-broken", "", "engineering", at(11, 15), at(11, 15, 6), None, at(11, 16),
        [(301, 6, at(11, 15, 6)), (302, 6, at(11, 15, 7))]),
    4: ("old-thing", "", "finance", at(9, 1), at(9, 1), date(2026, 9, 5), at(9, 10), [(401, 7, at(9, 1))]),
    5: ("checkout-crash", "eu", "engineering", at(11, 18), at(11, 18), date(2026, 11, 25), at(11, 22),
        [(501, 8, at(11, 18))]),
}
REGRESSIONS = [(3, at(11, 20)), (4, at(10, 1))]


def fill(engine, shift: timedelta = timedelta(0)) -> None:
    with engine.begin() as connection:
        for problem_id, (rule, group, team, detected, opened, due, fixed, tickets) in PROBLEMS.items():
            connection.execute(problems.insert().values(
                id=problem_id, rule=rule, group_key=group, team=team,
                state="regressed" if problem_id in dict(REGRESSIONS) else "fixed", detected_at=detected + shift,
                opened_at=opened + shift, updated_at=fixed + shift, ticket_count=len(tickets), requester_count=0,
                organization_count=0, due_date=due and due + shift, fixed_at=fixed + shift))
            for ticket, requester, joined in tickets:
                connection.execute(problem_tickets.insert().values(
                    problem_id=problem_id, ticket_id=ticket, requester_id=requester, joined_at=joined + shift))
            connection.execute(audit_log.insert().values(
                at=fixed + shift, action="problem.fixed", subject=f"problem:{problem_id}", details={}))
        for problem_id, moment in REGRESSIONS:
            connection.execute(audit_log.insert().values(
                at=moment + shift, action="problem.regressed", subject=f"problem:{problem_id}", details={}))


@pytest.fixture
def runtime(database_url):
    runtime = build_runtime(make_settings(database_url))
    yield runtime
    runtime.engine.dispose()


def test_the_figures_match_the_hand_computed_scenario(runtime):
    fill(runtime.engine)
    report = build_report(runtime.engine, NOW - parse_period("30d"), NOW, UTC)
    assert [(c.rule, c.group, c.customers, c.tickets) for c in report.top_root_causes] == [
        ("checkout-crash", "", 3, 4), ("refund-missing", "", 2, 2), ("login-broken", "", 1, 2),
        ("checkout-crash", "eu", 1, 1)]
    # engineering: 48 h, 24 h, 96 h; finance: 108 h (problem 4 was fixed before the period).
    assert [(t.team, t.fixes, t.median_hours, t.p90_hours) for t in report.fix_time_by_team] == [
        ("engineering", 3, 48.0, 96.0), ("finance", 1, 108.0, 108.0)]
    assert (report.fixed_on_time, report.fixed_late, report.fixed_without_due_date) == (2, 1, 1)
    # Joined after the problem opened: 103, 104, 302 (engineering) and 202 (finance).
    assert report.tickets_after_detection == 4
    assert report.tickets_after_detection_by_team == {"engineering": 3, "finance": 1}
    assert (report.regressions, report.regressed_problems) == (1, [3])

    text = render_markdown(report)
    assert "| checkout-crash | - | engineering | 3 | 4 |" in text and "| engineering | 3 | 48 | 96 |" in text


def test_the_html_page_escapes_what_it_shows():
    report = Report(since=(NOW - timedelta(days=30)).isoformat(), until=NOW.isoformat(),
                    top_root_causes=[RootCause("<script>x</script>", "a&b", "t", 1, 1)],
                    fix_time_by_team=[], fixed_on_time=0, fixed_late=0, fixed_without_due_date=0,
                    tickets_after_detection=0, tickets_after_detection_by_team={}, regressions=0,
                    regressed_problems=[])
    page = render_html(report)
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page and "a&amp;b" in page
    assert page.startswith("<!DOCTYPE html>")


def test_periods_and_percentiles():
    assert parse_period("30d") == timedelta(days=30) and parse_period("12h") == timedelta(hours=12)
    assert parse_period("2w") == timedelta(weeks=2)
    for bad in ("30", "0d", "d", "3y", "99999999999w", "3661d"):
        with pytest.raises(ValueError):
            parse_period(bad)
    assert percentile(list(range(1, 11)), 0.9) == 9 and percentile([5.0], 0.9) == 5.0


def test_bridge_report_prints_json_markdown_and_html(tmp_path, sqlite_url):
    settings = make_settings(sqlite_url)
    runtime = build_runtime(settings)
    fill(runtime.engine, shift=datetime.now(UTC) - NOW)  # the command's period ends now
    runtime.engine.dispose()
    path = write_config(tmp_path, settings)
    result = CliRunner().invoke(main, ["--config", str(path), "report", "--since", "30d", "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert (figures["fixed_on_time"], figures["fixed_late"], figures["regressions"]) == (2, 1, 1)
    result = CliRunner().invoke(main, ["--config", str(path), "report", "--format", "html"])
    assert result.exit_code == 0 and "<h2>Top root causes by affected customers</h2>" in result.stdout
    result = CliRunner().invoke(main, ["--config", str(path), "report", "--since", "soon"])
    assert result.exit_code == 2 and "30d" in result.output


def notify(engine, problem_id: int, notified: list) -> None:
    """A closure of `problem_id` whose tickets were told at these moments (None: still pending)."""
    with engine.begin() as connection:
        closure = connection.execute(closures.insert().values(
            problem_id=problem_id, state="running", total=len(notified), done_count=0, failed_count=0,
            created_at=at(11, 1))).inserted_primary_key[0]
        for ticket, moment in enumerate(notified, start=1):
            connection.execute(closure_tickets.insert().values(
                closure_id=closure, ticket_id=problem_id * 1000 + ticket, state="notified" if moment else "pending",
                closed=False, verify=False, attempts=1, notified_at=moment))


def test_the_trends_per_team_by_week_and_day(runtime):
    fill(runtime.engine)
    notify(runtime.engine, 1, [at(11, 3, 1), at(11, 3, 2), None])
    notify(runtime.engine, 5, [at(11, 22, 9), at(9, 1)])  # the second before the period
    report = build_report(runtime.engine, NOW - parse_period("30d"), NOW, UTC)
    trends = report.trends
    assert trends.weeks == ["2026-10-24", "2026-10-27", "2026-11-03", "2026-11-10", "2026-11-17"]
    assert trends.week_ends == ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    assert len(trends.days) == 31 and trends.days[0] == "2026-10-24" and trends.days[-1] == "2026-11-23"
    # engineering: fixes on 3 Nov (on time, 2 days), 16 Nov (no due date, 1 day), 22 Nov (on time, 4 days);
    # finance: 14 Nov (late, 4.5 days).
    assert trends.on_time_percent_by_team == {"engineering": [None, None, 100.0, None, 100.0],
                                              "finance": [None, None, None, 0.0, None]}
    assert trends.median_days_to_fix_by_team == {"engineering": [None, None, 2.0, 1.0, 4.0],
                                                 "finance": [None, None, None, 4.5, None]}
    day = {name: index for index, name in enumerate(trends.days)}
    engineering, finance = trends.open_problems_by_team["engineering"], trends.open_problems_by_team["finance"]
    # From the audit's moves: 1 open 1 Nov 02:00 – fixed 3 Nov; 3 open 15 Nov 06:00 – fixed 16 Nov,
    # regressed 20 Nov (open since); 5 open 18 Nov – fixed 22 Nov; finance: 4 regressed 1 Oct (open
    # since), 2 open 10 Nov – fixed 14 Nov 12:00. A day counts what is open at its end.
    assert [engineering[day[f"2026-11-{d:02}"]] for d in (1, 2, 15, 18, 20, 21)] == [1, 0, 0, 1, 2, 1]
    assert [finance[day[f"2026-11-{d:02}"]] for d in (8, 10, 13, 14)] == [1, 2, 2, 1]
    assert report.customers_notified == 3 and trends.customers_notified_per_day[day["2026-11-03"]] == 2

    page = render_html(report)
    assert page.count('<svg class="chart"') == 4 and "24 Oct 2026, 12:00 – 23 Nov 2026, 12:00 (UTC)" in page
    assert 'data-number="customers_notified">3<' in page
    sheet = render_csv(report)
    assert "On-time fixes per team by week (%)\r\nteam,2026-10-24,2026-10-27,2026-11-03,2026-11-10,2026-11-17\r\n" \
           "engineering,,,100,,100\r\n" in sheet
    assert report_file_name(report, "csv") == "problem-report-2026-10-24-to-2026-11-23.csv"


def test_csv_cells_cannot_run_as_formulas():
    report = Report(since=NOW.isoformat(), until=NOW.isoformat(), top_root_causes=[
        RootCause("=HYPERLINK(1)", "+x", "@t", 1, 1)], fix_time_by_team=[], fixed_on_time=0, fixed_late=0,
        fixed_without_due_date=0, tickets_after_detection=0, tickets_after_detection_by_team={}, regressions=0,
        regressed_problems=[])
    assert "'=HYPERLINK(1),'+x,'@t,1,1" in render_csv(report)


def test_bridge_report_writes_csv_and_takes_an_end(tmp_path, sqlite_url):
    settings = make_settings(sqlite_url)
    runtime = build_runtime(settings)
    fill(runtime.engine)
    runtime.engine.dispose()
    path = write_config(tmp_path, settings)
    result = CliRunner().invoke(main, ["--config", str(path), "report", "--until", NOW.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["fixed_on_time"] == 2
    result = CliRunner().invoke(main, ["--config", str(path), "report", "--until", NOW.isoformat(), "--format", "csv"])
    assert result.exit_code == 0 and result.stdout.startswith("Problem report,")
    written = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["--config", str(path), "report", "--until", NOW.isoformat(), "--format", "html",
                                       "--output", str(written)])
    assert result.exit_code == 0 and result.stdout == ""
    printed = CliRunner().invoke(main, ["--config", str(path), "report", "--until", NOW.isoformat(),
                                        "--format", "html"])
    assert written.read_text(encoding="utf-8") == printed.stdout  # the same file
    result = CliRunner().invoke(main, ["--config", str(path), "report", "--output", str(tmp_path / "no" / "r.md")])
    assert result.exit_code == 1 and "cannot write" in result.output
    for bad in ("tomorrow", "2026-11-23T12:00"):
        result = CliRunner().invoke(main, ["--config", str(path), "report", "--until", bad])
        assert result.exit_code == 2 and "--until" in result.output


def test_open_problems_over_time_follow_the_audits_state_moves(runtime):
    """Hand-computed: a problem stops counting when it moves to won't fix, worked around or fixed
    (not at its last update), and counts again when Jira reopens it or it regresses."""
    moves = {  # id: (opened, state now, updated, [(at, action, details)])
        11: (at(11, 2, 10), "fixed", at(11, 20), [
            (at(11, 3), "problem.synced_from_jira", {"state": "in_progress"}),
            (at(11, 5, 9), "problem.synced_from_jira", {"state": "wont_fix"}),
            (at(11, 10), "problem.synced_from_jira", {"status": "Won't Do"}),  # a field edit: no move
            (at(11, 12, 9), "problem.synced_from_jira", {"state": "open"}),
            (at(11, 14, 12), "problem.fixed", {})]),
        12: (at(11, 6, 10), "worked_around", at(11, 21), [(at(11, 8, 6), "problem.worked_around", {})]),
        13: (at(11, 15, 8), "fixed", at(11, 19, 12), [
            (at(11, 16, 10), "problem.fixed", {}), (at(11, 18, 8), "problem.regressed", {}),
            (at(11, 19, 12), "problem.fixed", {})]),
    }
    with runtime.engine.begin() as connection:
        for problem_id, (opened, state, updated, entries) in moves.items():
            connection.execute(problems.insert().values(
                id=problem_id, rule="r", group_key=str(problem_id), team="ops", state=state, detected_at=opened,
                opened_at=opened, updated_at=updated, ticket_count=1, requester_count=1, organization_count=0))
            for moment, action, details in [(opened, "problem.opened", {}), *entries]:
                connection.execute(audit_log.insert().values(at=moment, action=action,
                                                             subject=f"problem:{problem_id}", details=details))
    trends = build_report(runtime.engine, NOW - parse_period("30d"), NOW, UTC).trends
    by_day = dict(zip(trends.days, trends.open_problems_by_team["ops"], strict=True))
    assert [by_day[f"2026-11-{d:02}"] for d in range(1, 24)] == [
        0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0]


def test_the_lifecycle_reads_the_state_an_audit_entry_moved_to():
    from bridge.domain.lifecycle import state_moved_to

    assert state_moved_to("problem.fixed", {}) == "fixed" and state_moved_to("problem.regressed", {}) == "regressed"
    assert state_moved_to("problem.synced_from_jira", {"state": "wont_fix"}) == "wont_fix"
    assert state_moved_to("problem.synced_from_jira", {"status": "Done"}) is None  # moved nothing
    assert state_moved_to("problem.synced_from_jira", {"state": "fixed"}) is None  # not a move Jira sync makes
    assert state_moved_to("ticket.joined_problem", {"state": "open"}) is None
