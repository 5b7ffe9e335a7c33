"""Dashboard tests: a real bridge (waitress on loopback, SQLite) holding a scenario of problems built
through the real detection path, and Debian's chromium driven by Playwright (never `playwright
install`: .ci/run installs the `chromium` package)."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from bridge.closure.start import start_by_hand
from bridge.runtime import build_runtime
from bridge.serving.server import ServerThread
from tests.detection.conftest import Scenario
from tests.support.clock import FakeClock
from tests.support.problem_data import API_TOKEN, build_problems, problem_settings, record_accountability
from tests.support.settings import write_config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# A third rule, next to tests/support/problem_data.py's two, for a problem that gets fixed.
MORE_RULES = """
rules:
  - name: login-broken
    team: engineering
    match: {tags: {any: [login]}}
    threshold: {count: 2, of: tickets, window: 24h}
  - name: export-slow
    team: engineering
    match: {tags: {any: [export]}}
    threshold: {count: 3, of: tickets, window: 24h}
"""


@dataclass(frozen=True)
class DashboardScenario:
    url: str  # http://127.0.0.1:PORT
    overdue: int  # finance, FIN-7, overdue
    at_risk: int  # engineering, ENG-3, at risk
    fixed: int  # engineering, ENG-9, fixed in 2.4.1, customers being notified
    detecting: int  # engineering, export-slow: 2 of 3 tickets
    config: Path  # the bridge's config file, for `bridge report` on the same database
    now: datetime  # the scenario's clock (stopped)

    def page(self, path: str = "/dashboard") -> str:
        return self.url + path


def _record_entered(runtime, problem_id: int, state: str, at) -> None:
    """As the due-date check does: the accountability columns and the audit entry."""
    record_accountability(runtime, problem_id, state, at)
    with runtime.engine.begin() as connection:
        runtime.audit.record(connection, at, f"problem.{state}", f"problem:{problem_id}", {"state": state})


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    directory = tmp_path_factory.mktemp("dashboard")
    clock = FakeClock()
    settings = problem_settings(f"sqlite:///{directory / 'bridge.db'}", directory / "rules")
    (directory / "rules" / "more.yaml").write_text(textwrap.dedent(MORE_RULES))
    runtime = build_runtime(settings, clock=clock)
    built = build_problems(runtime, clock)  # finance open with FIN-7; engineering's app-crash detecting
    events = Scenario(runtime, clock)
    events.sequence = 100  # build_problems used evt-1.. already (event ids are deduplicated)
    for ticket in (11, 12):
        events.ticket_event(ticket, subject="App crashes", tags=["crash"])
    clock.advance(3600)
    events.ticket_event(13, subject="App crashes", tags=["crash"])
    for ticket in (20, 21):
        events.ticket_event(ticket, subject="Cannot log in", tags=["login"])
    for ticket in (30, 31):
        events.ticket_event(ticket, subject="Export is slow", tags=["export"])
    events.process()
    [fixed] = [p.id for p in events.problems(rule="login-broken")]
    [detecting] = [p.id for p in events.problems(rule="export-slow")]
    with runtime.engine.begin() as connection:
        runtime.problems.record_issue(connection, built.engineering, "ENG-3", "20003", "Medium",
                                      date(2026, 11, 30), (), "4 tickets", clock())
        runtime.problems.record_issue(connection, fixed, "ENG-9", "20009", "High", date(2026, 11, 27),
                                      (), "2 tickets", clock())
    clock.advance(3600)
    _record_entered(runtime, built.finance, "overdue", clock())
    _record_entered(runtime, built.engineering, "at_risk", clock())
    with runtime.engine.begin() as connection:
        start_by_hand(runtime.closure, runtime.problems, connection, fixed, clock(), "2.4.1")
    clock.advance(60)  # a report's period ends before "now": what happened a minute ago is in it
    server = ServerThread(runtime).start()
    yield DashboardScenario(f"http://127.0.0.1:{server.port}", built.finance, built.engineering, fixed, detecting,
                            write_config(directory, settings), clock())
    server.stop()
    runtime.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    if not shutil.which("chromium") and not shutil.which(CHROMIUM):
        pytest.fail("the dashboard tests need Debian's chromium: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Console:
    """What a page reported: console errors, uncaught errors, failed or refused requests."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda message: self.errors.append(f"console: {message.text}")
                if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: self.errors.append(f"failed: {request.url}"))
        page.on("response", lambda response: self.errors.append(f"{response.status}: {response.url}")
                if response.status >= 400 else None)


@pytest.fixture
def signed_in(browser, scenario):
    """A browser context signed in the way a person is: `?token=` once, then the session cookie."""
    context = browser.new_context()
    page = context.new_page()
    console = Console(page)
    response = page.goto(scenario.page(f"/dashboard?token={API_TOKEN}"))
    assert response.status == 200 and page.url == scenario.page("/dashboard")
    yield page, console
    context.close()
