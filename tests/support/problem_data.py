"""Problems built through the real detection path (webhook events in the inbox, the worker), plus
the Jira side recorded through ProblemStore, for the API and `bridge problems|actions` tests."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bridge.config.settings import Settings
from bridge.domain.problems import Accountability
from tests.detection.conftest import Scenario
from tests.support.settings import make_settings

API_TOKEN = "api-test-token-7f3a"
# Customer words that must never leave Zendesk through the API or the CLI.
CUSTOMER_TEXT = "Mrs Jones says she was charged twice"
TEAMS = {"finance": {"project": "FIN"}, "engineering": {"project": "ENG"}}
RULES = """
rules:
  - name: double-charge
    team: finance
    match: {text: {any: ["charged twice"]}}
    threshold: {count: 2, of: tickets, window: 24h}
  - name: app-crash
    team: engineering
    match: {tags: {any: [crash]}}
    group_by: brand
    threshold: {count: 3, of: tickets, window: 24h}
"""


@dataclass(frozen=True)
class BuiltProblems:
    finance: int  # open, FIN-7; tickets 1 (Zendesk told) and 3 linked, 2 left; issue creation parked
    engineering: int  # still detecting
    failed_action: int


def problem_settings(database_url: str, rules_dir: Path, **overrides) -> Settings:
    rules_dir.mkdir(exist_ok=True)
    (rules_dir / "rules.yaml").write_text(textwrap.dedent(RULES))
    overrides = {"teams": TEAMS, "rules": [str(rules_dir / "*.yaml")], "api": {"token": API_TOKEN},
                 "zendesk": {"bridge_user_id": 999}, **overrides}
    return make_settings(database_url, **overrides)


def build_problems(runtime, clock) -> BuiltProblems:
    scenario = Scenario(runtime, clock)
    scenario.ticket_event(1, subject=CUSTOMER_TEXT)
    clock.advance(60)
    scenario.ticket_event(2, subject=CUSTOMER_TEXT)
    scenario.process()
    clock.advance(60)
    scenario.ticket_event(10, subject="App crashes", tags=["crash"])
    scenario.process()
    clock.advance(60)
    scenario.ticket_event(3, subject=CUSTOMER_TEXT)
    scenario.ticket_event(2, kind="subject_changed", subject="Sorted, thanks")
    scenario.process()
    finance, engineering = (scenario.problems(team=team)[0].id for team in ("finance", "engineering"))
    with runtime.engine.begin() as connection:
        runtime.problems.record_issue(connection, finance, "FIN-7", "10007", "High", date(2026, 11, 25),
                                      (), "2 tickets", clock())
        runtime.problems.mark_linked(connection, finance, [1], clock())
    [action] = runtime.outbox.claim("test", 1, clock(), timedelta(minutes=1))
    runtime.outbox.fail(action.id, "test", "jira: create issue in FIN: HTTP 503", clock(), None)
    return BuiltProblems(finance, engineering, action.id)



def record_accountability(runtime, problem_id: int, state: str, at) -> None:
    """Set a problem's accountability columns as the due-date check records them."""
    problem = runtime.problems.get(problem_id)
    with runtime.engine.begin() as connection:
        runtime.accountability.record(connection, problem_id, Accountability(state), problem.due_date,
                                      at_risk_at=at if state in ("at_risk", "overdue") else None,
                                      overdue_at=at if state == "overdue" else None)
