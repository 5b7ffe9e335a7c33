"""The weighted impact score end to end: customers of two organizations report two problems
through the Zendesk simulator; the bridge reads organizations, satisfaction ratings and ticket
metrics from it (batched), and the score, not the counts, escalates the Jira issue of the problem
that hurts the valuable customer."""

from __future__ import annotations

import pytest

from bridge.planning import problem_label
from bridge.problems.report import build_report
from tests.e2e.problems_support import (
    action_rows,
    issues_with_label,
    jira_comments,
    problem_environment,
    settle_all,
    wait_for,
    zendesk_calls,
)

EXPORT_RULE, FOOTER_RULE = "export-fails", "footer-typo"
ESCALATE_AT_SCORE = 30
IMPACT_FIELD = "customfield_10053"  # the Jira simulator's "Impact score"

# Two rules alike but for their words: one problem per organization below.
RULES = "rules:\n" + "".join(f"""
  - name: {name}
    team: engineering
    match:
      text: {{all: [{words}]}}
    threshold: {{count: 2, of: tickets, window: 1h}}
    jira:
      priority: Medium
      escalation:
        - {{at: {{score: {ESCALATE_AT_SCORE}}}, priority: Highest}}
""" for name, words in ((EXPORT_RULE, "export, fails"), (FOOTER_RULE, "footer, typo")))

IMPACT = {"organization_field": "plan", "organization_values": {"Enterprise": 25, "basic": 1},
          "bad_rating_weight": 5, "reply_weight": 1, "resolution_hour_weight": 0, "refresh_seconds": 1}


@pytest.fixture
def weighted(tmp_path):
    environment = problem_environment(
        tmp_path / "rules", rules=RULES, impact=IMPACT,
        jira={"counts_update_interval_seconds": 1, "fields": {"impact_score": IMPACT_FIELD}})
    yield environment
    environment.stop()


def problem_of(environment, rule: str, score: float | None = None):
    """The rule's problem once its issue exists and its impact was read (with `score`, if given)."""
    def found():
        problems = [p for p in environment.runtime.problems.list() if p.rule == rule]
        impact = problems[0].impact if problems and problems[0].jira_key else None
        return problems[0] if impact is not None and (score is None or impact.score == score) else None
    return wait_for(found, timeout=20, what=f"{rule}'s impact score {score}")


def issue_of(environment, problem) -> dict:
    [issue] = issues_with_label(environment, problem_label(problem.id))
    return issue


def test_a_valuable_unhappy_customer_escalates_the_issue_by_its_impact_score(weighted):
    sim = weighted.zendesk
    sim.create_organization("Acme", {"plan": "enterprise", "annual_revenue": 900000},
                            members=["ann@acme.example", "bob@acme.example"])
    sim.create_organization("Tiny", {"plan": "basic"}, members=["cy@tiny.example", "di@tiny.example"])
    exports = [sim.customer_creates_ticket("Export fails", "The CSV export fails every time.", email=email)["id"]
               for email in ("ann@acme.example", "bob@acme.example")]
    footers = [sim.customer_creates_ticket("Typo in footer", "There is a typo in the footer.", email=email)["id"]
               for email in ("cy@tiny.example", "di@tiny.example")]

    export = problem_of(weighted, EXPORT_RULE, score=25)  # one enterprise organization, nothing else yet
    footer = problem_of(weighted, FOOTER_RULE, score=1)
    assert (export.impact.organizations, export.impact.organization_points) == (1, 25)
    assert issue_of(weighted, export)["fields"]["priority"]["name"] == "Medium"  # counts alone: no step

    # Agents answer, solve; the customers rate their tickets bad: the next read sees it.
    for first, second in (exports, footers):
        sim.agent_updates_ticket(first, comment={"body": "We are looking into it.", "public": True})
        sim.agent_updates_ticket(second, status="solved")
        sim.customer_rates(second, "bad", "Still broken")

    export = problem_of(weighted, EXPORT_RULE, score=31)  # 25 + 1 bad rating × 5 + 1 reply × 1
    footer = problem_of(weighted, FOOTER_RULE, score=7)  # 1 + 5 + 1: below the step
    assert (export.impact.bad_ratings, export.impact.replies) == (1, 1)
    # The escalation's comment is its last write (after the priority and the fields).
    wait_for(lambda: any("Escalated to Highest: impact score 31 (threshold impact score 30)" in comment
                         for comment in jira_comments(weighted, export.jira_key)), timeout=20, what="the escalation")
    issue = issue_of(weighted, export)
    assert (issue["fields"]["priority"]["name"], issue["fields"][IMPACT_FIELD]) == ("Highest", 31)
    assert "Impact score: 31 (organizations 25 from 1; 1 bad rating 5; 1 reply 1;" in issue["fields"]["description"]
    footer_issue = wait_for(lambda: (found := issue_of(weighted, footer))["fields"].get(IMPACT_FIELD) == 7 and found,
                            timeout=20, what="the footer issue's score")
    assert footer_issue["fields"]["priority"]["name"] == "Medium"

    # Batched reads: tickets with their metric sets side-loaded, organizations by show_many.
    ticket_reads = [r for r in zendesk_calls(weighted, "/tickets/show_many") if r.query.get("include") == "metric_sets"]
    organization_reads = zendesk_calls(weighted, "/organizations/show_many")
    assert ticket_reads and organization_reads
    assert all(len(r.query["ids"].split(",")) <= 100 for r in ticket_reads + organization_reads)

    report = build_report(weighted.runtime.engine, export.detected_at.replace(year=2000), export.updated_at.replace(
        year=2100), weighted.runtime.settings.calendar.zone)
    assert [(item.rule, item.score) for item in report.top_impact] == [(EXPORT_RULE, 31), (FOOTER_RULE, 7)]


def test_a_problem_open_before_impact_was_switched_on_is_scored_once_the_bridge_restarts_with_it(tmp_path):
    environment = problem_environment(
        tmp_path / "rules", rules=RULES.replace(f"      escalation:\n        - {{at: {{score: {ESCALATE_AT_SCORE}}}, "
                                                "priority: Highest}\n", ""),
        jira={"counts_update_interval_seconds": 1, "fields": {"impact_score": IMPACT_FIELD}})
    try:
        sim = environment.zendesk
        sim.create_organization("Acme", {"plan": "enterprise"}, members=["eve@acme.example", "fay@acme.example"])
        for email in ("eve@acme.example", "fay@acme.example"):
            sim.customer_creates_ticket("Export fails", "The CSV export fails every time.", email=email)
        settle_all(environment)
        [problem] = environment.runtime.problems.list()
        assert problem.jira_key and problem.impact is None  # impact is off: counts only
        assert issue_of(environment, problem)["fields"][IMPACT_FIELD] is None

        environment.restart_bridge({"impact": {**IMPACT, "refresh_seconds": 3600}})

        scored = problem_of(environment, EXPORT_RULE, score=25)
        assert scored.impact.settings_digest == environment.settings.impact.digest()
        wait_for(lambda: issue_of(environment, scored)["fields"][IMPACT_FIELD] == 25, timeout=20,
                 what="the score on the Jira issue")
        reads = action_rows(environment.runtime, "zendesk.read_impact", problem.id)
        # The read queued at start, and the hourly refresh it queued in turn.
        assert [row.status for row in reads] == ["done", "pending"], [(r.status, r.outcome) for r in reads]

        # Restarting with the same weights queues nothing; other weights read the score again.
        environment.restart_bridge({})
        assert len(action_rows(environment.runtime, "zendesk.read_impact", problem.id)) == 2
        environment.restart_bridge({"impact": {"organization_values": {"Enterprise": 40}}})
        wait_for(lambda: issue_of(environment, scored)["fields"][IMPACT_FIELD] == 40, timeout=20,
                 what="the score under the new weights")
    finally:
        environment.stop()
