"""Customer text in the planned issue goes through the tracker's `literal`: subjects, descriptions,
the group key (read from ticket fields) in the description; never the summary (plain text in
Jira), never the rule's or the bridge's own words."""

from bridge.planning.impact import IMPACT_END, IMPACT_START, replace_impact_section
from bridge.planning.issue_content import plan_issue
from connectors.jira.wiki import wiki_literal
from tests.planning.conftest import OPENED, TEAMS, UTC_CALENDAR, ZENDESK, facts, ticket

HOSTILE = "[phish|https://evil.example/login]"


def marked(text: str) -> str:
    return f"<<{text}>>"


def plan(rule, problem_facts, tickets, literal=marked):
    return plan_issue(rule, TEAMS[rule.team], problem_facts, tickets, zendesk_url=ZENDESK,
                      calendar=UTC_CALENDAR, now=OPENED, literal=literal)


def test_customer_values_in_the_description_pass_through_literal(rule_from):
    rule = rule_from("""
        - name: logins
          description: "Logins fail (see [runbook|https://wiki.example/login])."
          team: engineering
          match: {text: {any: [login]}}
          group_by: organization
          threshold: {count: 2, window: 1h}
          jira:
            summary: "Login: {{ tickets[0].subject }}"
            description: "{{ rule.description }} {{ tickets[0].subject }} / {{ tickets[0].description }} /
              {{ problem.group }} / {{ tickets[0].tags | join(',') }} / {{ count }}"
    """)
    tickets = [ticket(7, HOSTILE, description="!https://evil.example/px.png!", tags=("vip",))]
    issue = plan(rule, facts(group_key="[org]"), tickets)
    body, _, impact = issue.description.partition("\n\n" + IMPACT_START)
    assert body == (f"Logins fail (see [runbook|https://wiki.example/login]). <<{HOSTILE}>> / "
                    "<<!https://evil.example/px.png!>> / <<[org]>> / <<vip>> / 12")
    assert f"- #7 <<{HOSTILE}>>: {ZENDESK}/agent/tickets/7" in impact
    assert issue.summary == f"Login: {HOSTILE}"


def test_the_default_description_passes_the_group_key_through_literal(rule_from):
    rule = rule_from("""
        - name: logins
          team: engineering
          match: {text: {any: [login]}}
          group_by: organization
          threshold: {count: 2, window: 1h}
    """)
    issue = plan(rule, facts(group_key=HOSTILE), [ticket(7, "login")])
    assert f"(rule logins, group <<{HOSTILE}>>, problem 42)" in issue.description
    assert issue.summary.startswith(f"logins ({HOSTILE})")


def test_an_escaped_description_keeps_its_impact_section_replaceable(rule_from):
    rule = rule_from("""
        - name: logins
          team: engineering
          match: {text: {any: [login]}}
          threshold: {count: 2, window: 1h}
    """)
    first = plan(rule, facts(), [ticket(7, HOSTILE)], literal=wiki_literal).description
    second = plan(rule, facts(ticket_count=13), [ticket(7, HOSTILE), ticket(8, "h1. login")],
                  literal=wiki_literal).description
    section = second[second.index(IMPACT_START):]
    assert replace_impact_section(first, section) == second
    assert section.endswith(IMPACT_END) and "- #8 &#104;1. login:" in section
