"""`bridge demo`: runs the whole scenario against the simulators and reports what really happened."""

from __future__ import annotations

import json

import requests
from click.testing import CliRunner

from bridge.cli import main
from connectors.zendesk.webhooks import WEBHOOK_NAME, ZendeskWebhooks
from tests.e2e.conftest import zendesk_client_for
from tests.support.processes import BridgeProcess

SUMMARY_KEYS = {"ok", "failures", "seed", "duration_seconds", "tickets_played", "agent_updates", "webhooks",
                "events", "tickets_known", "issues_known", "problems_supported", "problems", "jira_issues",
                "fixes_shipped", "tickets_notified", "zendesk", "api_calls", "report", "setup", "backfill",
                "articles_published", "tickets_answered_by_article", "ended_with_article",
                "proactive_notices_sent", "discovered_rules"}
CHECK_TEST_DELIVERIES = 2  # `bridge check` proves each vendor's secret with one signed test delivery


def test_demo_json_summary_reports_what_happened():
    result = CliRunner().invoke(main, ["demo", "--json", "--tickets", "40", "--seed", "3"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary) == SUMMARY_KEYS
    assert summary["ok"] and summary["failures"] == []
    played = summary["tickets_played"]
    assert played["total"] == 40 and all(played[c] > 0 for c in ("billing", "defect", "delivery", "noise"))
    events, zendesk_webhooks = summary["events"], summary["webhooks"]["zendesk"]
    assert zendesk_webhooks["delivered"] == zendesk_webhooks["sent"] >= 40 + summary["agent_updates"]
    delivered = zendesk_webhooks["delivered"] + summary["webhooks"]["jira"]["delivered"]
    assert events["accepted"] == events["processed"] == delivered + CHECK_TEST_DELIVERIES
    assert events["failed"] == events["waiting"] == events["rejected"] == 0
    # Played, from before the wiring, one joining the problem that ended with its article, the
    # tickets of the bridge's proactive notice (known, never evaluated: they are its own), and the
    # discovery stage's burst and the ticket after it.
    [discovered] = summary["discovered_rules"]
    assert summary["tickets_known"] == (40 + summary["backfill"]["history_tickets"] + 1
                                        + summary["proactive_notices_sent"] + discovered["tickets_played"])
    assert summary["jira_issues"]["total"] == sum(len(v) for v in summary["jira_issues"]["by_project"].values())
    assert summary["duration_seconds"] < 30
    if summary["problems_supported"]:
        open_rules = {p["rule"] for p in summary["problems"]["list"] if p["state"] != "detecting"}
        assert {"billing-double-charge", "defects-app-crash", "delivery-late-or-lost"} <= open_rules
    # The closing stage is `bridge report` over the demo's period; its figures are in the summary.
    report = summary["report"]
    assert report["fixed_on_time"] + report["fixed_late"] + report["fixed_without_due_date"] == len(
        summary["fixes_shipped"])
    assert report["regressions"] == 0
    if summary["problems_supported"]:
        assert {"billing-double-charge", "defects-app-crash", "delivery-late-or-lost"} <= {
            cause["rule"] for cause in report["top_root_causes"]}
    # Narration went to stderr, so stdout stays parseable.
    assert "== play_tickets" in result.stderr
    stages = [line for line in result.stderr.splitlines() if line.startswith("== ")]
    assert stages[:4] == ["== setup", "== check_wiring", "== backfill_dry_run", "== backfill_apply"]
    assert stages[-1] == "== report" and "# Problem report" in result.stderr
    # The outbreak ends with a proactive notice: previewed, then sent, each customer once.
    assert summary["proactive_notices_sent"] == 18  # 3 organizations on the affected version, 6 members each
    assert "--dry-run\n" in result.stderr and "left out, opted_out" in result.stderr
    assert "proactive notice 1 done: 18 of 18 customers told, one ticket each" in result.stderr
    # A failure no shipped rule knows: discovered, its rule accepted, detected, and the next ticket joins.
    assert (discovered["group_tickets"], discovered["precision"], discovered["file"]) == (7, 1.0, "discovered.yaml")
    assert (discovered["problem_state"], discovered["problem_tickets"]) == ("open", 8)
    assert discovered["jira_key"] in {issue["key"] for issue in summary["jira_issues"]["by_project"]["ENG"]}
    assert "$ bridge discover --limit 2\n" in result.stderr and "EMERGING (new)  7 tickets" in result.stderr
    assert discovered["rule"] in {cause["rule"] for cause in report["top_root_causes"]}


def test_demo_ends_a_low_impact_problem_with_a_help_center_article():
    result = CliRunner().invoke(main, ["demo", "--json", "--tickets", "12"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    # The backfilled address problem (a handful of customers, below its rule's bar of 25) ends
    # with the article engineering's Jira comment gave: its tickets and one joining later answered.
    [ended] = summary["ended_with_article"]
    [problem] = [p for p in summary["problems"]["list"] if p["rule"] == "delivery-address-problems"]
    assert problem["state"] == "worked_around"
    assert summary["articles_published"] == 1
    backfill = summary["backfill"]
    addresses = backfill["history_tickets"] - backfill["everyday_tickets"]
    assert summary["tickets_answered_by_article"] == problem["ticket_count"] == addresses + 1
    assert ended not in summary["fixes_shipped"]
    assert f"{ended} ended with its workaround article: no fix to ship" in result.stderr
    assert "joined problem" in result.stderr and "answered with the article at once" in result.stderr


def test_demo_sets_itself_up_with_bridge_setup_and_bridge_check_is_green():
    result = CliRunner().invoke(main, ["demo", "--json", "--tickets", "12"])

    assert result.exit_code == 0, result.output
    setup = json.loads(result.stdout)["setup"]
    bridge_url = setup["commands"][0].rsplit(" ", 1)[1]
    assert setup["commands"] == [f"bridge setup zendesk --public-url {bridge_url}",
                                 f"bridge setup jira --public-url {bridge_url}"]
    assert f'webhook "{WEBHOOK_NAME}": created it, sending 21 ticket event types to {bridge_url}/webhooks/zendesk' \
        in setup["lines"]
    assert any(line.startswith("done: registered Jira webhook") for line in setup["lines"])
    assert setup["check"] == {"ok": True, "problems": []}
    assert f"$ bridge check --public-url {bridge_url}" in result.stderr


def test_demo_backfills_the_tickets_from_before_the_wiring_and_the_dry_run_and_apply_agree():
    result = CliRunner().invoke(main, ["demo", "--json", "--tickets", "12"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    backfill = summary["backfill"]
    history, everyday = backfill["history_tickets"], backfill["everyday_tickets"]
    assert backfill["tickets_read"] == backfill["tickets_evaluated"] == history
    assert backfill["problems_found"] == backfill["problems_opened"]
    # The address burst opens its problem; the everyday questions (discovery's baseline) open none.
    addresses = history - everyday
    assert addresses >= 5 and everyday >= 10
    [opened] = backfill["problems_opened"]
    assert (opened["rule"], opened["tickets"], opened["requesters"]) == (
        "delivery-address-problems", addresses, addresses)
    # The problem the backfill opened is in the bridge like any other, with its Jira issue (and the
    # ticket that joined it when it ended with its workaround article).
    assert {p["rule"]: p["ticket_count"] for p in summary["problems"]["list"]}["delivery-address-problems"] == (
        addresses + 1)
    assert any("delivery addresses" in issue["summary"] for issue in summary["jira_issues"]["by_project"]["SHIP"])
    assert "would open 1 problem:" in result.stderr and "\n  opened 1 problem:" in result.stderr


def test_the_loopback_bridge_signs_with_the_secret_setup_read_back_from_zendesks_webhooks_api(loopback):
    webhooks = ZendeskWebhooks(zendesk_client_for(loopback))
    [webhook] = webhooks.listing()
    assert (webhook["name"], webhook["endpoint"]) == (WEBHOOK_NAME, loopback.webhook_url("zendesk"))
    assert loopback.settings.zendesk.webhook_secret.get_secret_value() == webhooks.signing_secret(webhook["id"])
    calls = {(request.method, request.path) for request in loopback.zendesk.requests}
    assert {("POST", "/api/v2/webhooks"), ("GET", f"/api/v2/webhooks/{webhook['id']}/signing_secret")} <= calls


def test_demo_keep_running_serves_until_stopped():
    demo = BridgeProcess("demo", "--keep-running")  # the default stream: some fixes ship
    try:
        bridge_url = demo.wait_for_line(r"^bridge:\s+(http://\S+)", timeout=60).group(1)
        dashboard = demo.wait_for_line(r"^bridge dashboard:\s+(http://\S+)/dashboard\?token=(\S+)$")
        zendesk_url = demo.wait_for_line(r"^zendesk simulator:\s+(http://\S+)").group(1)
        demo.wait_for_line("press Ctrl-C to stop")
        assert requests.get(f"{bridge_url}/readyz", timeout=5).status_code == 200
        # The demo's bridge has an API token (new every run): the one in the dashboard's URL.
        assert dashboard.group(1) == bridge_url
        token = dashboard.group(2)
        listed = requests.get(f"{bridge_url}/api/problems", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert listed.status_code == 200 and listed.json()["total"] >= 1
        # A first look worth having: open (one overdue, one at risk: the backfilled refund problem,
        # opened two weeks ago, fixed and come back), still detecting.
        problems = listed.json()["problems"]
        assert {"open", "detecting"} <= {problem["state"] for problem in problems}
        assert any(problem["accountability"] == "overdue" for problem in problems if problem["state"] == "open")
        assert [p["rule"] for p in problems if p["accountability"] == "at_risk"] == ["billing-refund-missing"]
        overview = requests.get(f"{bridge_url}/dashboard", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert overview.status_code == 200 and 'class="card overdue"' in overview.text
        assert "No fix shipped" not in overview.text and "None: no rule is counting" not in overview.text
        assert requests.get(f"{bridge_url}/api/problems", timeout=5).status_code == 401
        assert requests.get(f"{zendesk_url}/api/v2/tickets/1.json", timeout=5).status_code == 401
    finally:
        code = demo.stop()
    assert code == 0, demo.output
    assert "Summary (seed 7)" in demo.output
    assert "# Problem report" in demo.output
