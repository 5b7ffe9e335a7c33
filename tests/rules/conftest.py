from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bridge.domain.events import TicketSnapshot
from bridge.rules import RuleSet, load_rules

TEAMS = ("finance", "engineering", "shipping")
CUSTOM_FIELDS = {"product": 360001, "order_number": 360002}
REPO = Path(__file__).resolve().parents[2]
INVALID = REPO / "tests" / "fixtures" / "rules_invalid"


def ticket(id: int = 1, **values) -> TicketSnapshot:
    return TicketSnapshot(id=id, **values)


@pytest.fixture
def rules_from(tmp_path):
    """Write YAML (dedented) to a rule file and load it with the test teams and custom fields."""
    def load(text: str, name: str = "rules.yaml") -> RuleSet:
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return load_rules([name], tmp_path, TEAMS, CUSTOM_FIELDS)
    return load


@pytest.fixture
def match_rule(rules_from):
    """Build a one-rule set from a `match:` body (YAML flow or block) and return its Rule."""
    def build(match_yaml: str, **extra: str):
        body = textwrap.indent(textwrap.dedent(match_yaml).strip(), " " * 6)
        more = "".join(f"    {key}: {value}\n" for key, value in extra.items())
        text = (f"rules:\n  - name: r\n    team: finance\n    threshold: {{count: 1, window: 1h}}\n"
                f"{more}    match:\n{body}\n")
        return rules_from(text).rules[0]
    return build
