"""`bridge problems list|show`: the same facts as the API, as tables or JSON."""

from __future__ import annotations

import json

import pytest

from tests.support.problem_data import CUSTOMER_TEXT


def lines_of(output: str) -> list[list[str]]:
    return [line.split() for line in output.splitlines()]


def test_list_is_a_table_newest_first(bridge_cli, built):
    result = bridge_cli("problems", "list")
    assert result.exit_code == 0, result.output
    header, engineering, finance = lines_of(result.stdout)
    assert header == ["id", "state", "team", "rule", "/", "group", "jira", "priority", "due", "accountability",
                      "tickets", "requesters", "orgs"]
    assert finance == [str(built.finance), "open", "finance", "double-charge", "FIN-7", "High", "2026-11-25",
                       "on_time", "2", "2", "0"]
    assert engineering == [str(built.engineering), "detecting", "engineering", "app-crash", "/", "8447346621310",
                           "-", "-", "-", "on_time", "1", "1", "0"]  # grouped by brand


@pytest.mark.parametrize("options, teams", [
    (["--team", "finance"], ["finance"]),
    (["--state", "detecting"], ["engineering"]),
    (["--state", "open", "--state", "detecting"], ["engineering", "finance"]),
    (["--team", "marketing"], []),
])
def test_list_filters(bridge_cli, built, options, teams):
    result = bridge_cli("problems", "list", "--json", *options)
    assert result.exit_code == 0, result.output
    assert sorted(p["team"] for p in json.loads(result.stdout)["problems"]) == teams


def test_list_says_so_when_there_is_nothing_and_when_it_cut_the_list(bridge_cli, built):
    assert bridge_cli("problems", "list", "--state", "closed").stdout.strip() == "no problems"
    assert "(1 of 2; --limit shows more)" in bridge_cli("problems", "list", "--limit", "1").stdout


def test_list_rejects_an_unknown_state(bridge_cli, built):
    result = bridge_cli("problems", "list", "--state", "opened")
    assert result.exit_code == 2 and "'opened' is not one of" in result.output


def test_show_prints_everything_the_api_detail_has(bridge_cli, built):
    result = bridge_cli("problems", "show", str(built.finance))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert f"problem {built.finance}: open, team finance, rule double-charge (origin rule)" in text
    assert "jira:     FIN-7  https://acme.atlassian.net/browse/FIN-7" in text
    assert "priority: High, due 2026-11-25" in text
    assert "affected: 2 tickets, 2 requesters, 0 organizations" in text
    tickets = text[text.index("tickets (3):"):text.index("unfinished actions")]
    assert "https://acme.zendesk.com/agent/tickets/1" in tickets and "linked 2026-11-23T12:03:00+00:00" in tickets
    assert lines_of(tickets)[3][:3] == ["2", "2026-11-23T12:01:00+00:00", "2026-11-23T12:03:00+00:00"]
    assert "unfinished actions (1):" in text
    assert f"{built.failed_action}   jira.create_issue  failed  1      jira: create issue in FIN: HTTP 503" in text
    assert "audit log (3):" in text and "ticket.left_problem" in text
    assert '{"rule": "double-charge", "ticket": 2}' in text
    assert "charged twice" not in text and CUSTOMER_TEXT not in text


def test_show_json_is_the_api_detail(bridge_cli, built):
    detail = json.loads(bridge_cli("problems", "show", str(built.finance), "--json").stdout)
    assert detail["jira_url"] == "https://acme.atlassian.net/browse/FIN-7"
    assert [t["id"] for t in detail["tickets"]] == [1, 2, 3]
    assert [a["status"] for a in detail["actions"]] == ["failed"]
    assert len(detail["audit"]) == 3


def test_show_an_unknown_problem_fails(bridge_cli, built):
    result = bridge_cli("problems", "show", "999")
    assert result.exit_code == 1 and "no problem 999" in result.output
    assert bridge_cli("problems", "show", "abc").exit_code == 2
