from __future__ import annotations

from dataclasses import replace

import pytest

from bridge.closure.message import ClosureMessage
from bridge.storage.closures import PENDING, ClosureTicket
from tests.planning.conftest import crash_rule, facts, plain_rule, rule_from  # noqa: F401 - fixtures

CLOSURE_ID = 9


def ticket(ticket_id: int, **values) -> ClosureTicket:
    base = ClosureTicket(ticket_id=ticket_id, state=PENDING, requester_id=1000 + ticket_id,
                         requester_name=f"Alex{ticket_id} Doe", closed=False, verify=False, attempts=0,
                         job_id=None, sent_at=None, followup_ticket_id=None, last_error=None)
    return replace(base, **values)


@pytest.fixture
def message_for(crash_rule):  # noqa: F811 - the fixture imported above
    """A closure message for a rule whose `zendesk.on_fix` is the given YAML (None: no rule)."""
    def build(on_fix: str | None, fix_version: str | None = "2.4.1", jira_key: str | None = "ENG-7",
              no_rule: bool = False) -> ClosureMessage:
        rule = None if no_rule else crash_rule(f"zendesk:\n  on_fix:\n{on_fix}" if on_fix else "description: d")
        return ClosureMessage(CLOSURE_ID, rule, facts(jira_key=jira_key), fix_version)
    return build
