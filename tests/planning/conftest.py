from __future__ import annotations

import textwrap
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bridge.config.settings import CalendarSettings, TeamSettings
from bridge.domain.events import TicketSnapshot
from bridge.domain.problems import OPEN, Problem
from bridge.planning.facts import ProblemFacts
from bridge.rules import Rule, load_rules

ZENDESK = "https://acme.zendesk.com"
JIRA = "https://acme.atlassian.net"
UTC_CALENDAR = CalendarSettings()
# Friday 2025-03-07, 10:00 UTC.
OPENED = datetime(2025, 3, 7, 10, 0, tzinfo=UTC)
TEAMS = {
    "engineering": TeamSettings(project="ENG", issue_type="Bug", components=("Support escalations",),
                                labels=("from-support",), assignee="alice", due="10 business days"),
    "finance": TeamSettings(project="FIN", issue_type="Task", due={"Highest": "1 business day",
                                                                   "Medium": "5 business days"}),
}


def problem(**values) -> Problem:
    base = Problem(id=42, rule="r", group_key="", team="engineering", state=OPEN, detected_at=OPENED,
                   opened_at=OPENED, updated_at=OPENED, ticket_count=12, requester_count=9,
                   organization_count=3)
    return replace(base, **values)


def facts(**values) -> ProblemFacts:
    return ProblemFacts(problem(**values))


def ticket(id: int, subject: str | None = "The app crashes", **values) -> TicketSnapshot:
    return TicketSnapshot(id=id, subject=subject, **values)


@pytest.fixture
def rule_from(tmp_path):
    """The one rule of a rule file body (YAML, dedented) loaded with the test teams."""
    def load(text: str) -> Rule:
        (tmp_path / "rules.yaml").write_text("rules:\n" + textwrap.indent(textwrap.dedent(text), "  "))
        return load_rules(["rules.yaml"], tmp_path, TEAMS.keys(), {}).rules[0]
    return load


@pytest.fixture
def crash_rule(rule_from):
    """An engineering rule counting crash tickets (5 in 24h) plus the `extra` YAML keys."""
    def build(extra: str, name: str = "crash") -> Rule:
        header = (f"- name: {name}\n  team: engineering\n  match: {{text: {{any: [crash]}}}}\n"
                  "  threshold: {count: 5, window: 24h}\n")
        return rule_from(header + textwrap.indent(textwrap.dedent(extra).strip("\n"), "  ") + "\n")
    return build


@pytest.fixture
def plain_rule(crash_rule) -> Rule:
    return crash_rule("description: The app crashes on start.", name="app-crash")
