"""Zendesk API tickets -> snapshots, ticket files, and the dry-run report."""

import json
from datetime import UTC, datetime

import pytest

from bridge.cli.ticket_files import load_tickets
from bridge.rules import dry_run
from bridge.rules.yamlsource import SourceErrors
from connectors.zendesk.tickets import snapshot_from_api_ticket
from tests.rules.conftest import REPO

TICKETS = REPO / "tests" / "fixtures" / "tickets"


def test_snapshot_from_api_ticket():
    data = json.loads((TICKETS / "api_ticket.json").read_text())["ticket"]
    snapshot = snapshot_from_api_ticket(data, requester_email="ann@example.com")
    assert (snapshot.id, snapshot.status, snapshot.priority, snapshot.type) == (35436, "open", "high", "incident")
    assert snapshot.tags == ("billing", "vip")
    assert (snapshot.requester_id, snapshot.organization_id, snapshot.group_id) == (20978392, 509974, 98738)
    assert (snapshot.brand_id, snapshot.form_id, snapshot.channel) == (1, 2, "web")
    assert snapshot.custom_fields == {"360001": "app_ios", "360002": None}
    assert snapshot.created_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert snapshot.requester_email == "ann@example.com"
    assert {"subject", "form_id", "channel", "custom_fields"} <= snapshot.known_fields


def test_partial_api_ticket_knows_only_what_it_carried():
    snapshot = snapshot_from_api_ticket({"id": "7", "status": "PENDING", "via": {"channel": None}})
    assert (snapshot.id, snapshot.status, snapshot.channel) == (7, "pending", None)
    assert snapshot.known_fields == {"status", "channel"}
    with pytest.raises(ValueError):
        snapshot_from_api_ticket({"subject": "no id"})


def test_load_tickets_from_json_and_jsonl():
    assert [t.id for t in load_tickets(TICKETS / "api_ticket.json")] == [35436]
    assert [t.id for t in load_tickets(TICKETS / "double_charges.jsonl")] == [1, 2, 3, 4]


def test_load_tickets_reports_bad_lines(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1}\nnot json\n[1]\n', encoding="utf-8")
    with pytest.raises(SourceErrors) as caught:
        load_tickets(path)
    assert [(e.line, e.message.split(":")[0]) for e in caught.value.errors] == [
        (2, "not a Zendesk ticket"), (3, "not a Zendesk ticket")]


@pytest.fixture
def report(rules_from):
    ruleset = rules_from("""
        rules:
          - name: double-charge
            team: finance
            match: {text: {any: [charged twice, billed twice, paid twice]}}
            group_by: organization
            threshold: {count: 2, of: tickets, window: 24h}
            jira:
              issue_type: Bug
              priority: High
              summary: "Double charges for org {{ problem.group }}: {{ count }} tickets"
              due: {High: 2 business days, Highest: 1 business day}
              escalation: [{at: 2, of: organizations, priority: Highest}]
          - name: never
            team: finance
            match: {tags: {any: [never]}}
            threshold: {count: 1, window: 1h}
    """)
    return dry_run(ruleset, load_tickets(TICKETS / "double_charges.jsonl"))


def test_dry_run_lists_matches_groups_and_planned_issues(report):
    double, never = report.rules
    assert report.ticket_count == 4
    assert double.matched_ticket_ids == [1, 2, 3]
    assert [(g.key, g.ticket_ids, g.crosses_threshold) for g in double.groups] == [
        ("100", [1, 2], True), ("200", [3], False)]
    issue = double.groups[0].planned_issue
    assert (issue.team, issue.issue_type, issue.priority, issue.due) == ("finance", "Bug", "High", "2 business days")
    assert issue.summary == "Double charges for org 100: 2 tickets"
    assert double.groups[0].crossed_at_ticket == 2
    assert double.groups[0].counts == {"tickets": 2, "requesters": 2, "organizations": 1}
    assert never.matched_ticket_ids == [] and never.groups == []


def test_dry_run_text_and_json(report):
    text = report.format_text()
    assert "double-charge (team finance, 2 tickets within 1d)" in text
    assert "group '100': tickets 1, 2; latest window: 2 tickets, 2 requesters, 1 organizations -> PROBLEM" in text
    assert "would create in finance: [Bug, High, due 2 business days] Double charges for org 100: 2 tickets" in text
    assert "group '200'" in text and "below threshold" in text
    data = json.loads(report.to_json())
    assert data["rules"][0]["groups"][0]["planned_issue"]["summary"].startswith("Double charges")


def test_dry_run_escalates_and_reports_template_errors(rules_from):
    ruleset = rules_from("""
        rules:
          - name: any-crash
            team: engineering
            match: {text: {any: [crash*]}}
            threshold: {count: 1, window: 1h}
            jira:
              priority: Medium
              summary: "{{ problem.nonexistent }}"
              escalation: [{at: 2, of: tickets, priority: Highest, due: 1 day}]
    """)
    tickets = [snapshot_from_api_ticket({"id": i, "subject": "crash"}) for i in (1, 2)]
    issue = dry_run(ruleset, tickets).rules[0].groups[0].planned_issue
    assert (issue.priority, issue.due, issue.issue_type) == ("Highest", "1 day", "(team default)")
    assert issue.summary.startswith("(template error:")


def test_dry_run_skips_the_bridges_own_follow_ups_as_the_worker_does(rules_from):
    """The shipped double-charge fix reply matches its own rule; its follow-ups are not reports."""
    ruleset = rules_from("""
        rules:
          - name: double-charge
            team: finance
            match: {text: {any: ["duplicate charge*", "charged twice"]}}
            threshold: {count: 2, window: 1h}
    """)
    followup = {"subject": "Update on your request #1", "description": "The duplicate charge has been reversed."}
    tickets = [snapshot_from_api_ticket({"id": 1, "subject": "Charged twice"}),
               snapshot_from_api_ticket({"id": 2, **followup, "external_id": "bridge-closure-3-ticket-1"}),
               snapshot_from_api_ticket({"id": 3, **followup, "tags": ["bridge_followup"]})]

    report = dry_run(ruleset, tickets)

    assert (report.ticket_count, report.bridge_tickets_skipped) == (1, 2)
    assert report.rules[0].matched_ticket_ids == [1]
    assert report.format_text().startswith("1 tickets checked against 1 rules (2 more created by the bridge")
