"""Customer text reaches engineering's Jira as text on both deployments: hostile subjects,
descriptions and requester details never become links, images or formatting (Data Center renders
descriptions as wiki markup; Cloud's ADF keeps text literal); the summary stays as typed."""

from __future__ import annotations

import html
import re

import pytest

from tests.e2e.problems_support import assert_nothing_parked, problem_environment, settle_all, the_problem

RULE = "phishing-bait"
RULES = f"""
rules:
  - name: {RULE}
    description: Customers cannot log in.
    team: engineering
    match:
      text: {{any: [login]}}
    threshold: {{count: 2, of: tickets, window: 1h}}
    jira:
      summary: "Login broken: {{{{ tickets[0].subject }}}}"
      description: |
        First report: {{{{ tickets[0].subject }}}}
        {{{{ tickets[0].description }}}}
"""

SUBJECT = "login [phish|https://evil.example/login] !https://evil.example/px.png!"
DESCRIPTION = ("h1. Login fails\n{noformat}*urgent*{noformat} see https://evil.example/reset "
               "or [~admin] \\[x|https://evil.example/2]")


@pytest.fixture(params=["cloud", "server"])
def environment(request, tmp_path):
    environment = problem_environment(tmp_path / "rules", jira_deployment=request.param, rules=RULES)
    yield environment
    environment.stop()


def shown_text(rendered_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered_html.replace("<br/>\n", "\n").replace("</p><p>", "\n")))


def test_hostile_customer_text_shows_as_typed_in_jira(environment):
    for number in (1, 2):
        environment.zendesk.customer_creates_ticket(
            SUBJECT, DESCRIPTION, email=f"customer{number}@example.com", name="[phish|https://evil.example/me]")
    settle_all(environment)

    problem = the_problem(environment.runtime, RULE)
    issue = environment.jira.issue(problem.jira_key, rendered=True)
    rendered = issue["renderedFields"]["description"]
    assert "evil.example" in rendered
    assert not re.search(r"<a [^>]*evil\.example", rendered) and "<img" not in rendered
    shown = shown_text(rendered)
    assert f"First report: {SUBJECT}\n{DESCRIPTION}\n" in shown
    first = min(environment.runtime.problems.linked_ticket_ids(problem.id))
    assert f"#{first} {SUBJECT}: http" in shown
    if environment.jira_deployment == "server":  # the bridge's own links stay links
        assert f'<a href="{environment.zendesk.url}/agent/tickets/{first}"' in rendered
    assert issue["fields"]["summary"] == f"Login broken: {SUBJECT}"  # Jira shows summaries as plain text
    assert_nothing_parked(environment.runtime)
