"""The dashboard in a real headless browser (Debian's chromium via Playwright): the pages load with
no console errors, show the scenario's problems, agree with the API and `bridge report`, read on a
laptop and a phone, pass axe-core, and refuse a browser without the token."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bridge.cli import main
from bridge.http.dashboard import RECENT_DAYS
from tests.support.problem_data import API_TOKEN, CUSTOMER_TEXT

SCREENSHOTS = Path(__file__).parent / "screenshots"  # ignored by git; .ci/run keeps them as artefacts
VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 375, "height": 812}}
WATCHED = "open,in_progress,regressed"  # the states the overview's open problems are in


def api(page, path: str) -> dict:
    response = page.request.get(page.url.split("/dashboard")[0] + path,
                                headers={"Authorization": f"Bearer {API_TOKEN}"})
    assert response.status == 200, response.text()
    return response.json()


def numbers(page, scope: str = "main") -> dict[str, list[int]]:
    """Every `data-number` on the page (or in `scope`), by name, in page order."""
    found: dict[str, list[int]] = {}
    for element in page.locator(f"{scope} [data-number]").all():
        found.setdefault(element.get_attribute("data-number"), []).append(int(element.inner_text()))
    return found


def cli_report(scenario, output_format: str, until: datetime | None = None) -> str:
    result = CliRunner().invoke(main, ["--config", str(scenario.config), "report", "--format", output_format,
                                       "--until", (until or scenario.now).isoformat()])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_overview_shows_open_problems_by_team_then_detecting_and_recently_fixed(signed_in, scenario):
    page, console = signed_in
    page.goto(scenario.page("/dashboard"))
    overdue, at_risk = page.locator(f"#problem-{scenario.overdue}"), page.locator(f"#problem-{scenario.at_risk}")
    assert "overdue" in overdue.get_attribute("class") and "FIN-7" in overdue.inner_text()
    assert "at_risk" in at_risk.get_attribute("class") and "ENG-3" in at_risk.inner_text()
    assert overdue.locator("a", has_text="FIN-7").get_attribute("href").endswith("/browse/FIN-7")
    assert "25 Nov 2026" in overdue.inner_text() and "2 tickets" in overdue.inner_text()
    assert at_risk.locator("svg.chart rect").count() == 14  # tickets per day, two weeks
    # The projection to the due date is a dashed line, with its method stated next to the number.
    assert at_risk.locator("svg.chart line[stroke-dasharray='6 4']").count() == 2  # the line and its key
    assert "Projection: about" in at_risk.inner_text() and "days' rate of" in at_risk.inner_text()
    assert "days' rate of" in overdue.inner_text()
    teams = [h.inner_text().split()[0] for h in page.locator("section.team h2").all()]
    assert teams == ["engineering", "finance"]

    detecting = page.locator("#detecting-problems")
    row = detecting.locator(f"#problem-{scenario.detecting}")
    assert "export-slow" in row.inner_text() and "2 of 3 tickets within 24h" in row.inner_text()
    assert row.locator("progress").get_attribute("value") == "2"
    fixed = page.locator("#recently-fixed").locator(f"#problem-{scenario.fixed}")
    assert "ENG-9" in fixed.inner_text() and "2.4.1" in fixed.inner_text() and "0 of 2" in fixed.inner_text()
    assert page.locator(f"article#problem-{scenario.fixed}").count() == 0  # not among the open ones
    assert CUSTOMER_TEXT not in page.content()
    assert console.errors == []


def test_the_problem_page_tells_the_story_with_the_raw_audit_behind_a_disclosure(signed_in, scenario):
    page, console = signed_in
    page.goto(scenario.page("/dashboard"))
    page.click(f"#problem-{scenario.overdue} h3 a")
    assert page.url == scenario.page(f"/dashboard/problems/{scenario.overdue}")
    timeline = page.locator("ol.timeline").inner_text()
    for step in ("Detected", "The first ticket matching rule double-charge", "Opened", "Overdue"):
        assert step in timeline
    assert "T1" not in timeline  # human dates, not ISO timestamps
    tickets = page.locator("table", has=page.locator("th", has_text="joined"))
    assert tickets.locator("a").first.get_attribute("href").endswith("/agent/tickets/1")
    audit = page.locator("details#audit")
    assert audit.get_attribute("open") is None and not audit.locator("pre.audit").first.is_visible()
    audit.locator("summary").click()
    assert audit.locator("pre.audit").first.is_visible() and "problem.opened" in audit.inner_text()
    assert CUSTOMER_TEXT not in page.content()

    page.goto(scenario.page(f"/dashboard/problems/{scenario.fixed}"))
    timeline = page.locator("ol.timeline").inner_text()
    assert "Fixed" in timeline and "Notifying customers" in timeline and "2.4.1" in timeline
    assert page.locator("progress#closure").get_attribute("max") == "2"
    # A fixed problem projects nothing.
    assert "Projection" not in page.locator("main").inner_text() and "nothing left to project" in page.content()
    assert page.locator("svg.chart line[stroke-dasharray='6 4']").count() == 0
    assert console.errors == []


def test_a_detecting_problems_count_and_chart_speak_of_the_same_tickets(signed_in, scenario):
    page, console = signed_in
    page.goto(scenario.page(f"/dashboard/problems/{scenario.detecting}"))
    assert numbers(page)["tickets"] == [2]
    bars = [int(title.text_content().split(": ")[1].split()[0]) for title in page.locator("svg.chart rect title").all()]
    assert sum(bars) == 2
    assert "2 of its 2 tickets arrived in the last 14 days" in page.locator("figcaption").inner_text()
    assert "Still detecting: 2 of 3 tickets within 24h" in page.locator("main").inner_text()
    assert console.errors == []


def test_history_filters_by_team_state_rule_text_and_dates(signed_in, scenario):
    page, console = signed_in
    page.goto(scenario.page("/dashboard"))
    page.click("header nav a:text-is('History')")
    everything = api(page, "/api/problems?limit=500")
    assert numbers(page)["total"] == [everything["total"]] and everything["total"] >= 4
    assert sorted(int(row.get_attribute("id").split("-")[1]) for row in page.locator("tbody tr").all()) == sorted(
        problem["id"] for problem in everything["problems"])

    page.select_option("select[name=team]", "engineering")
    page.click("form.filters button")
    assert "team=engineering" in page.url
    engineering = api(page, "/api/problems?team=engineering")
    assert numbers(page)["total"] == [engineering["total"]]
    assert {row.locator("td").nth(1).inner_text() for row in page.locator("tbody tr").all()} == {"engineering"}

    page.select_option("select[name=state]", "fixed")
    page.click("form.filters button")
    assert [row.get_attribute("id") for row in page.locator("tbody tr").all()] == [f"problem-{scenario.fixed}"]

    page.goto(scenario.page("/dashboard/history?q=fin-7"))
    assert [row.get_attribute("id") for row in page.locator("tbody tr").all()] == [f"problem-{scenario.overdue}"]
    page.goto(scenario.page("/dashboard/history?rule=export-slow"))
    assert [row.get_attribute("id") for row in page.locator("tbody tr").all()] == [f"problem-{scenario.detecting}"]
    today = scenario.now.date().isoformat()
    page.goto(scenario.page(f"/dashboard/history?since={today}&until={today}"))
    assert numbers(page)["total"] == [everything["total"]]
    page.fill("input[name=since]", "2026-12-01")
    page.fill("input[name=until]", "2026-12-31")
    page.click("form.filters button")
    assert numbers(page)["total"] == [0]
    assert console.errors == []


@pytest.mark.parametrize("query, message", [
    ("state=bogus", "state: unknown state(s) bogus"),
    ("since=yesterday", "since: expected a date as YYYY-MM-DD"),
    ("since=2026-11-20&until=2026-11-01", "until: 2026-11-01 is before since 2026-11-20"),
    ("page=0", "page: expected a whole number"),
    ("page=x", "page: expected a whole number"),
    ("q=" + "x" * 300, "q: at most 200 characters"),
])
def test_a_bad_history_filter_is_a_400_that_says_why(signed_in, scenario, query, message):
    page, _ = signed_in
    response = page.goto(scenario.page(f"/dashboard/history?{query}"))
    assert response.status == 400
    assert message in page.locator("p.error").inner_text()
    assert page.locator("form.filters").count() == 1  # the form is there to fix it


def test_the_report_reads_like_a_report_and_downloads_as_csv_and_json(signed_in, scenario):
    page, console = signed_in
    page.goto(scenario.page("/dashboard"))
    page.click("header nav a:text-is('Report (30 days)')")
    assert page.locator("h1").inner_text() == "Problem report"
    assert page.locator(".period").inner_text() == "24 Oct 2026, 14:04 – 23 Nov 2026, 14:04 (UTC)"
    assert not re.search(r"\d{4}-\d\d-\d\dT", page.locator("body").inner_text())  # no raw ISO timestamps
    assert page.locator("figure svg.chart").count() == 4
    assert page.locator("header nav a[href='#causes']").count() == 1

    csv = page.request.get(scenario.url + page.locator("header nav a:text-is('CSV')").get_attribute("href"))
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.headers["content-disposition"] == 'attachment; filename="problem-report-2026-10-24-to-2026-11-23.csv"'
    assert "Top root causes by affected customers" in csv.text()
    figures = page.request.get(scenario.url + page.locator("header nav a:text-is('JSON')").get_attribute("href"))
    assert figures.status == 200 and figures.json()["until"] == scenario.now.isoformat()

    # On paper: no navigation, the charts two by two, nothing cut off at the side (A4 is about 794 px wide).
    page.emulate_media(media="print")
    assert not page.locator("header nav").is_visible() and page.locator("figure svg.chart").first.is_visible()
    page.set_viewport_size({"width": 794, "height": 1123})
    assert page.evaluate("document.documentElement.scrollWidth") <= 794
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "report-print.png"), full_page=True)
    page.emulate_media(media="screen")

    # `bridge report --format html` writes the same page, less the links into the dashboard.
    served = re.sub(r'<a href="/dashboard[^"]*">[^<]*</a>', "", page.request.get(page.url).text())
    assert served.strip() == cli_report(scenario, "html").strip()
    assert console.errors == []


def test_every_number_agrees_with_the_api_and_bridge_report(signed_in, scenario):
    page, console = signed_in
    page.goto(scenario.page("/dashboard"))
    shown = numbers(page)
    watched = api(page, f"/api/problems?state={WATCHED}&limit=500")
    problems = watched["problems"]
    assert shown["open"] == [watched["total"]]
    assert shown["at_risk"] == [sum(1 for p in problems if p["accountability"] == "at_risk")]
    assert shown["overdue"] == [sum(1 for p in problems if p["accountability"] == "overdue")]
    for problem in problems:
        assert numbers(page, f"#problem-{problem['id']}")["tickets"] == [problem["counts"]["tickets"]]
    assert shown["tickets"][0] == sum(p["counts"]["tickets"] for p in problems)
    detecting = api(page, "/api/problems?state=detecting")
    assert shown["detecting"] == [detecting["total"]]
    for problem in detecting["problems"]:
        assert numbers(page, f"#problem-{problem['id']}")["tickets"] == [problem["counts"]["tickets"]]
        close = api(page, f"/api/problems/{problem['id']}")["detecting"]
        assert close["text"] in page.locator(f"#problem-{problem['id']}").inner_text()
        assert page.locator(f"#problem-{problem['id']} progress").get_attribute("value") == str(close["counted"])

    # Recently fixed: the problems /api/problems lists as fixed on the section's days (the last
    # RECENT_DAYS calendar days, UTC here), and their verdicts against their due dates add up to
    # `bridge report --format json`'s for the same days (the period ending at midnight after today).
    today = scenario.now.astimezone(UTC).date()
    first_day = today - timedelta(days=RECENT_DAYS - 1)
    recent = api(page, f"/api/problems?fixed_since={first_day.isoformat()}&limit=500")
    section = page.locator("#recently-fixed")
    assert f"since {first_day.day} {first_day.strftime('%b %Y')}" in section.locator("h2").inner_text()
    assert shown["fixed"] == [recent["total"]] and recent["total"] >= 1
    rows = section.locator("tbody tr")
    assert sorted(int(row.get_attribute("id").removeprefix("problem-")) for row in rows.all()) == sorted(
        problem["id"] for problem in recent["problems"])
    verdicts = Counter(row.locator("td[data-label='against due date']").inner_text().split(" (")[0]
                       for row in rows.all())
    fixes = json.loads(cli_report(scenario, "json", until=datetime.combine(today + timedelta(days=1), time(), UTC)))
    assert fixes["since"] == datetime.combine(first_day, time(), UTC).isoformat()
    assert {"on time": fixes["fixed_on_time"], "late": fixes["fixed_late"],
            "no due date": fixes["fixed_without_due_date"]} == {
        verdict: verdicts.get(verdict, 0) for verdict in ("on time", "late", "no due date")}

    page.goto(scenario.page(f"/dashboard/problems/{scenario.overdue}"))
    assert numbers(page)["tickets"] == [api(page, f"/api/problems/{scenario.overdue}")["counts"]["tickets"]]

    page.goto(scenario.page("/dashboard/report"))
    figures = json.loads(cli_report(scenario, "json"))
    assert {name: values[0] for name, values in numbers(page).items()} == {
        name: figures[name] for name in ("fixed_on_time", "fixed_late", "fixed_without_due_date",
                                         "tickets_after_detection", "regressions", "customers_notified",
                                         "proactive_notices_sent")}
    assert console.errors == []


def test_a_browser_without_the_token_is_refused(browser, scenario):
    """Headless chromium cannot show the basic-auth prompt, so the 401 challenge ends the
    navigation (ERR_INVALID_AUTH_CREDENTIALS, as if the person cancelled the prompt)."""
    from playwright.sync_api import Error as BrowserError

    context = browser.new_context()
    page = context.new_page()
    answers = []
    page.on("response", lambda answer: answers.append(answer))
    for path in ("/dashboard", f"/dashboard/problems/{scenario.overdue}", "/dashboard?token=wrong"):
        with pytest.raises(BrowserError, match="ERR_INVALID_AUTH_CREDENTIALS"):
            page.goto(scenario.page(path))
    assert [answer.status for answer in answers] == [401, 401, 401]
    assert {answer.headers["www-authenticate"] for answer in answers} == {'Basic realm="bridge"'}
    assert context.cookies() == []
    refused = page.request.get(scenario.page("/dashboard"))
    assert refused.status == 401 and "FIN-7" not in refused.text()
    context.close()
    prompted = browser.new_context(http_credentials={"username": "anyone", "password": API_TOKEN})
    assert prompted.new_page().goto(scenario.page(f"/dashboard/problems/{scenario.overdue}")).status == 200
    prompted.close()


def _serious_accessibility_violations(page) -> list[str]:
    """axe-core (shipped inside axe-playwright-python, run in this browser): serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    return [f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
            for violation in results["violations"] if violation["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("device", VIEWPORTS)
def test_every_page_reads_on_a_laptop_and_a_phone_and_passes_axe(browser, scenario, device):
    """Screenshots for a person to look at: tests/dashboard/screenshots/*.png. Nothing sticks out
    sideways; axe-core finds no serious or critical violation (headings, contrast, names)."""
    context = browser.new_context(viewport=VIEWPORTS[device], device_scale_factor=1,
                                  is_mobile=device == "phone", has_touch=device == "phone",
                                  extra_http_headers={"Authorization": f"Bearer {API_TOKEN}"})
    page = context.new_page()
    SCREENSHOTS.mkdir(exist_ok=True)
    pages = (("overview", "/dashboard"), ("history", "/dashboard/history?team=engineering"),
             ("problem", f"/dashboard/problems/{scenario.overdue}"),
             ("problem-fixed", f"/dashboard/problems/{scenario.fixed}"), ("team", "/dashboard/teams/engineering"),
             ("report", "/dashboard/report"))
    for name, path in pages:
        assert page.goto(scenario.page(path)).status == 200
        if name == "problem":
            page.locator("details#audit summary").click()  # the raw audit, open: it wraps too
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[device]["width"], name
        shot = SCREENSHOTS / f"{name}-{device}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 0
        print(f"screenshot: {shot}")
        assert _serious_accessibility_violations(page) == [], name
    context.close()
