"""The dashboard in a real headless browser (Debian's chromium via Playwright): the pages load with
no console errors, show the scenario's problems, and refuse a browser without the token."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.problem_data import API_TOKEN, CUSTOMER_TEXT

SCREENSHOTS = Path(__file__).parent / "screenshots"  # ignored by git
VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 375, "height": 812}}


def test_the_overview_shows_open_problems_by_team_with_at_risk_and_overdue_highlighted(signed_in, scenario):
    page, console = signed_in
    page.goto(scenario.page("/dashboard"))
    overdue, at_risk = page.locator(f"#problem-{scenario.overdue}"), page.locator(f"#problem-{scenario.at_risk}")
    assert "overdue" in overdue.get_attribute("class") and "FIN-7" in overdue.inner_text()
    assert "at_risk" in at_risk.get_attribute("class") and "ENG-3" in at_risk.inner_text()
    assert overdue.locator("a", has_text="FIN-7").get_attribute("href").endswith("/browse/FIN-7")
    assert "2026-11-25" in overdue.inner_text() and "2 tickets" in overdue.inner_text()
    assert at_risk.locator("svg.chart rect").count() == 14  # tickets per day, two weeks
    # The projection is stated with its method next to the number.
    assert "Projection: about" in at_risk.inner_text() and "days' rate of" in at_risk.inner_text()
    assert "days' rate of" in overdue.inner_text()
    assert [h.inner_text().split()[0] for h in page.locator("main h2").all()] == ["engineering", "finance"]
    assert page.locator(f"#problem-{scenario.fixed}").count() == 0  # fixed: not open any more
    assert CUSTOMER_TEXT not in page.content()
    assert console.errors == []


def test_the_problem_page_shows_tickets_timeline_and_audit_log(signed_in, scenario):
    page, console = signed_in
    page.goto(scenario.page("/dashboard"))
    page.click(f"#problem-{scenario.overdue} h3 a")
    assert page.url == scenario.page(f"/dashboard/problems/{scenario.overdue}")
    timeline = page.locator("ol.timeline").inner_text()
    for step in ("Detected", "Opened", "Overdue"):
        assert step in timeline
    tickets = page.locator("table", has=page.locator("th", has_text="joined"))
    assert tickets.locator("a").first.get_attribute("href").endswith("/agent/tickets/1")
    assert "problem.opened" in page.locator("table", has=page.locator("th", has_text="details")).inner_text()
    assert CUSTOMER_TEXT not in page.content()

    page.goto(scenario.page(f"/dashboard/problems/{scenario.fixed}"))
    timeline = page.locator("ol.timeline").inner_text()
    assert "Fixed" in timeline and "Notifying customers" in timeline and "2.4.1" in timeline
    assert page.locator("progress#closure").get_attribute("max") == "2"
    assert console.errors == []


def test_the_team_page_and_the_report_load(signed_in, scenario):
    page, console = signed_in
    page.goto(scenario.page("/dashboard"))
    page.click("header nav a:text-is('engineering')")
    assert page.url == scenario.page("/dashboard/teams/engineering")
    assert page.locator(f"#problem-{scenario.at_risk}").count() == 1
    assert "ENG-9" in page.locator("table").inner_text()  # the fixed one, below
    page.click("header nav a:text-is('Report (30 days)')")
    assert page.locator("h1").inner_text().startswith("Problem report")
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


@pytest.mark.parametrize("device", VIEWPORTS)
def test_screenshots_at_laptop_and_phone_widths(browser, scenario, device):
    """For a person to look at: tests/dashboard/screenshots/*.png. Nothing sticks out sideways."""
    context = browser.new_context(viewport=VIEWPORTS[device], device_scale_factor=1,
                                  is_mobile=device == "phone", has_touch=device == "phone",
                                  extra_http_headers={"Authorization": f"Bearer {API_TOKEN}"})
    page = context.new_page()
    SCREENSHOTS.mkdir(exist_ok=True)
    for name, path in (("overview", "/dashboard"), ("problem", f"/dashboard/problems/{scenario.overdue}")):
        assert page.goto(scenario.page(path)).status == 200
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[device]["width"]
        shot = SCREENSHOTS / f"{name}-{device}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 0
        print(f"screenshot: {shot}")
    context.close()
