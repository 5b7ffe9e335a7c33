"""`bridge demo`: runs the whole scenario against the simulators and reports what really happened."""

from __future__ import annotations

import json

import requests
from click.testing import CliRunner

from bridge.cli import main
from tests.support.processes import BridgeProcess

SUMMARY_KEYS = {"ok", "failures", "seed", "duration_seconds", "tickets_played", "agent_updates", "webhooks",
                "events", "tickets_known", "issues_known", "problems_supported", "problems", "jira_issues",
                "fixes_shipped", "tickets_notified", "zendesk", "api_calls", "report"}


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
    assert events["accepted"] == events["processed"] == delivered
    assert events["failed"] == events["waiting"] == events["rejected"] == 0
    assert summary["tickets_known"] == 40
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
    assert stages[-1] == "== report" and "# Problem report" in result.stderr


def test_demo_keep_running_serves_until_stopped():
    demo = BridgeProcess("demo", "--keep-running", "--tickets", "6")
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
        assert requests.get(f"{bridge_url}/api/problems", timeout=5).status_code == 401
        assert requests.get(f"{zendesk_url}/api/v2/tickets/1.json", timeout=5).status_code == 401
    finally:
        code = demo.stop()
    assert code == 0, demo.output
    assert "Summary (seed 7)" in demo.output
    assert "# Problem report" in demo.output
