"""The "Emerging" panel in Debian's chromium: a signed-in admin sees the burst of unmatched
tickets, accepts its suggested rule with the page's own form (its CSRF token and all), and comes
back to the overview saying so; the panel reads on a phone and passes axe-core."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bridge.detection.live_rules import load_configured_rules
from bridge.discovery.feed import DiscoveryFeed
from bridge.serving.server import ServerThread
from tests.dashboard.conftest import Console
from tests.dashboard.test_dashboard_browser import VIEWPORTS, _serious_accessibility_violations
from tests.discovery.test_discover_command import world
from tests.support.problem_data import API_TOKEN


@pytest.fixture
def served(tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    settings, runtime, burst, _ = world(tmp_path, now, overrides={"api": {"token": API_TOKEN}})
    DiscoveryFeed(runtime.engine, settings.discovery, runtime.rules.current, runtime.clock).catch_up()
    server = ServerThread(runtime).start()
    yield f"http://127.0.0.1:{server.port}", runtime, burst, tmp_path
    server.stop()
    runtime.engine.dispose()


def test_an_admin_accepts_the_emerging_groups_rule_from_the_panel(browser, served):
    url, runtime, burst, tmp_path = served
    context = browser.new_context(viewport=VIEWPORTS["phone"], is_mobile=True, has_touch=True)
    page = context.new_page()
    console = Console(page)
    assert page.goto(f"{url}/dashboard?token={API_TOKEN}").status == 200
    panel = page.locator("#emerging-groups")
    assert panel.locator("[data-number=emerging]").inner_text() == "1"
    card = panel.locator("article.emerging")
    assert card.locator("[data-number=size]").inner_text() == "7"
    assert card.get_by_role("link", name=f"#{burst[-1]}").get_attribute("href").endswith(f"/tickets/{burst[-1]}")
    assert _serious_accessibility_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]  # nothing sideways

    card.get_by_label("Rule file").select_option(str(tmp_path / "rules" / "refunds.yaml"))
    card.get_by_role("button", name="Accept rule").click()
    page.wait_for_url("**/dashboard/#emerging-groups")
    notice = page.get_by_role("status").inner_text()
    [rule] = [r.name for r in load_configured_rules(runtime.settings).rules if r.name.startswith("discovered-")]
    assert notice.startswith(f"Rule {rule} written to ") and "Detection takes the group's tickets over" in notice
    assert page.locator("#emerging-groups article.emerging").count() == 0
    assert console.errors == []
    context.close()
