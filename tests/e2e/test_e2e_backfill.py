"""`bridge backfill --apply` against a running bridge: last month's double charges, never seen by
a webhook, become a problem whose Jira issue the bridge's own action worker creates, and whose
tickets are told in Zendesk, as for live tickets. Everything over HTTP, the shipped rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from bridge.cli import main
from tests.e2e.problems_support import the_issue, the_problem
from tests.support.settings import write_config


def test_an_applied_backfill_opens_the_problem_and_the_bridge_carries_it_out(unconnected_loopback, settle,
                                                                             tmp_path):
    environment = unconnected_loopback
    zendesk = environment.zendesk
    zendesk.set_export_rate_limit(None)  # one page; the limit has its own tests (tests/backfill)
    three_weeks_ago = datetime.now(UTC).replace(microsecond=0) - timedelta(days=21)
    charged = [zendesk.created_ticket_at(three_weeks_ago + timedelta(minutes=30 * n), "Invoice",
                                                  "My card was charged twice", email=f"payer{n}@example.com")["id"]
               for n in range(3)]
    config = write_config(tmp_path, environment.settings)

    result = CliRunner().invoke(main, ["--config", str(config), "backfill", "--apply", "--json"])
    assert result.exit_code == 0, result.output
    [opened] = json.loads(result.stdout)["opened"]
    assert (opened["rule"], opened["team"], opened["tickets"]) == ("billing-double-charge", "finance", 3)

    settle(environment)
    problem = the_problem(environment.runtime, "billing-double-charge")
    issue = the_issue(environment, problem)
    assert issue["key"].startswith("FIN-")
    assert sorted(link.ticket_id for link in environment.runtime.problems.ticket_links(problem.id)) == charged
    for ticket_id in charged:  # the rule's tag, put on by the bridge's bulk update
        assert "problem_billing_double_charge" in zendesk.ticket(ticket_id)["tags"]
