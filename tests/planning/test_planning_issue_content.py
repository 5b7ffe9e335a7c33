"""The planned Jira issue: routing from the team, rule overrides, due date and escalation,
default and rule templates, the customer impact section."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from bridge.config.settings import JiraFieldSettings, load_settings
from bridge.detection.live_rules import load_configured_rules
from bridge.domain.events import TicketSnapshot
from bridge.planning.facts import ProblemFacts
from bridge.planning.impact import IMPACT_START, replace_impact_section
from bridge.planning.issue_content import plan_issue, problem_label
from tests.planning.conftest import OPENED, TEAMS, UTC_CALENDAR, ZENDESK, facts, problem, ticket
from tests.test_config import ENV

REPO = Path(__file__).resolve().parents[2]
TICKETS = [ticket(101, "App crashes on login"), ticket(102, "Crash after update")]


def plan(rule, problem_facts=None, tickets=TICKETS, **options):
    return plan_issue(rule, TEAMS[rule.team], problem_facts or facts(), tickets, zendesk_url=ZENDESK,
                      calendar=UTC_CALENDAR, now=OPENED, **options)


def test_a_rule_without_jira_keys_gets_the_team_defaults_and_default_texts(plain_rule):
    issue = plan(plain_rule, jira_fields=JiraFieldSettings(affected_tickets="customfield_10050"))
    assert (issue.project, issue.issue_type, issue.priority, issue.assignee) == ("ENG", "Bug", "Medium", "alice")
    assert issue.labels == ("from-support", "bridge-problem-42")
    assert issue.components == ("Support escalations",)
    assert issue.due_date == date(2025, 3, 21)  # 10 business days after Friday 2025-03-07
    assert issue.custom_fields == {"customfield_10050": 12}
    assert issue.summary == "The app crashes on start: 12 tickets"
    intro, _, impact = issue.description.partition("\n\n" + IMPACT_START)
    assert intro == ("The app crashes on start.\n\nDetected in Zendesk by the support bridge (rule app-crash, "
                     "problem 42). Tickets about the same problem are linked to this issue, never filed "
                     "again; the customer impact below is kept up to date.")
    assert "- #101 App crashes on login: https://acme.zendesk.com/agent/tickets/101" in impact
    assert impact.endswith("tags%3Aproblem_42\n=== End of customer impact ===")
    assert not issue.escalation.escalated and issue.template_errors == ()


def test_default_texts_name_the_group_and_what_the_threshold_counts(rule_from):
    rule = rule_from("""
        - name: invoices
          team: finance
          match: {text: {any: [invoice]}}
          group_by: organization
          threshold: {count: 3, of: organizations, window: 7d}
    """)
    issue = plan(rule, facts(group_key="4711", organization_count=1))
    assert issue.summary == "invoices (4711): 1 organization"
    assert issue.description.startswith(
        "Customers report a problem matching rule invoices.\n\n"
        "Detected in Zendesk by the support bridge (rule invoices, group 4711, problem 42).")
    assert plan(rule, facts(group_key="(none)")).summary == "invoices: 3 organizations"


def test_the_rules_jira_keys_override_the_team(rule_from):
    rule = rule_from("""
        - name: payments
          team: finance
          match: {text: {any: [payment]}}
          threshold: {count: 5, window: 90m}
          jira:
            issue_type: Incident
            priority: Highest
            labels: [payments, bridge-problem-42]
            components: [checkout]
            summary: "Payments failing for {{ problem.group or 'everyone' }}: {{ count }} tickets"
            description: |
              {{ rule.description or rule.name }} ({{ problem.priority }}, due {{ problem.due_date }})
              {% for t in tickets %}- {{ t.id }}
              {% endfor %}
    """)
    issue = plan(rule)
    assert (issue.project, issue.issue_type, issue.priority) == ("FIN", "Incident", "Highest")
    assert issue.labels == ("payments", "bridge-problem-42") and issue.components == ("checkout",)
    assert issue.assignee is None
    assert issue.due_date == date(2025, 3, 10)  # the team's map: Highest is 1 business day
    assert issue.summary == "Payments failing for everyone: 12 tickets"
    assert issue.description.startswith("payments (Highest, due 2025-03-10)\n- 101\n- 102\n\n" + IMPACT_START)


def test_a_problem_already_past_escalation_steps_starts_escalated(crash_rule):
    rule = crash_rule("""
        jira:
          priority: High
          due: {Highest: 1 business day, High: 3 business days}
          escalation:
            - {at: 10, of: tickets, priority: Highest}
            - {at: 50, of: tickets, priority: Highest, due: 8 hours}
    """)
    issue = plan(rule)
    assert (issue.priority, issue.due_date) == ("Highest", date(2025, 3, 10))
    assert issue.escalation.applied == frozenset({0})
    assert plan(rule, facts(ticket_count=6)).priority == "High"


def test_the_due_date_counts_from_when_the_problem_opened(plain_rule):
    later = OPENED.replace(day=17)
    retried = plan_issue(plain_rule, TEAMS["engineering"], facts(), TICKETS, zendesk_url=ZENDESK,
                         calendar=UTC_CALENDAR, now=later)
    assert retried.due_date == date(2025, 3, 21)
    not_yet_open = plan_issue(plain_rule, TEAMS["engineering"], facts(opened_at=None), TICKETS,
                              zendesk_url=ZENDESK, calendar=UTC_CALENDAR, now=later)
    assert not_yet_open.due_date == date(2025, 3, 31)
    # Found in history (bridge backfill): opened weeks before the bridge detected it; the team is
    # told now, so the due date counts from the detection.
    from_history = plan_issue(plain_rule, TEAMS["engineering"], facts(opened_at=OPENED - timedelta(days=20)),
                              TICKETS, zendesk_url=ZENDESK, calendar=UTC_CALENDAR, now=later)
    assert from_history.due_date == date(2025, 3, 21)


def test_failing_templates_fall_back_to_the_defaults_and_are_reported(crash_rule):
    rule = crash_rule("""
        jira:
          summary: "{{ problem.nonexistent }}"
          description: "{{ count / 0 }}"
    """, name="broken")
    issue = plan(rule)
    assert issue.summary == "broken: 12 tickets"
    assert issue.description.startswith("Customers report a problem matching rule broken.")
    assert issue.template_errors == (
        "rule broken: jira.summary: template failed (UndefinedError: 'dict object' has no attribute "
        "'nonexistent'); used the default",
        "rule broken: jira.description: template failed (ZeroDivisionError: division by zero); used the default")


def test_summaries_are_one_line_within_jiras_limit(crash_rule):
    rule = crash_rule("""
        jira: {summary: "{% for t in tickets %}{{ t.subject }}\\n{% endfor %}{{ 'x' * 300 }}"}
    """, name="long")
    summary = plan(rule).summary
    assert summary.startswith("App crashes on login Crash after update xxx")
    assert len(summary) == 255 and summary.endswith("…") and "\n" not in summary


def test_the_problem_label_is_stable():
    assert problem_label(42) == "bridge-problem-42"


def test_the_description_section_can_be_refreshed_in_place(plain_rule):
    issue = plan(plain_rule)
    edited = "Triage: looks like the login service.\n\n" + issue.description
    grown = plan(plain_rule, facts(ticket_count=40), [*TICKETS, ticket(103, "Crash again")])
    impact = grown.description[grown.description.index(IMPACT_START):]
    refreshed = replace_impact_section(edited, impact)
    assert refreshed.startswith("Triage: looks like the login service.\n\nThe app crashes on start.")
    assert "Affected: 40 tickets" in refreshed and "#103 Crash again" in refreshed
    assert "Affected: 12 tickets" not in refreshed


@pytest.fixture(scope="module")
def shipped_rules():
    return load_configured_rules(load_settings(REPO / "config.example.yaml", ENV))


def test_every_shipped_rule_plans_an_issue_without_template_errors(shipped_rules):
    settings = load_settings(REPO / "config.example.yaml", ENV)
    tickets = [TicketSnapshot(id=i, subject=f"Ticket {i}", organization_id=7) for i in range(1, 30)]
    for rule in shipped_rules:
        facts_ = ProblemFacts(problem(rule=rule.name, group_key="web", team=rule.team, ticket_count=29),
                              OPENED, OPENED)
        issue = plan_issue(rule, settings.teams[rule.team], facts_, tickets, zendesk_url=ZENDESK,
                           calendar=settings.calendar, now=OPENED)
        assert issue.template_errors == (), rule.name
        assert issue.project == settings.teams[rule.team].project
        assert issue.due_date >= OPENED.date() and problem_label(42) in issue.labels
