"""GET /api/problems and /api/problems/<id>: what they show, filters, bad parameters, 404s."""

from __future__ import annotations

import pytest

from bridge.http.app import create_app
from bridge.runtime import build_runtime
from tests.support.problem_data import API_TOKEN, CUSTOMER_TEXT, build_problems, problem_settings


def test_the_list_shows_every_problem_newest_first(api, built):
    response = api("/api/problems")
    assert response.status_code == 200
    body = response.json
    assert (body["total"], body["limit"], body["offset"]) == (2, 50, 0)
    assert [p["id"] for p in body["problems"]] == [built.engineering, built.finance]
    finance = body["problems"][1]
    assert finance == {
        "id": built.finance, "rule": "double-charge", "group": "", "team": "finance", "state": "open",
        "origin": "rule", "jira_key": "FIN-7", "jira_url": "https://acme.atlassian.net/browse/FIN-7",
        "priority": "High", "due_date": "2026-11-25",
        "counts": {"tickets": 2, "requesters": 2, "organizations": 0},
        "detected_at": "2026-11-23T12:01:00+00:00", "opened_at": "2026-11-23T12:01:00+00:00",
        "updated_at": "2026-11-23T12:03:00+00:00", "accountability": "on_time", "at_risk_at": None,
        "overdue_at": None, "impact": None, "impact_text": None, "proactive_notified": 0,
    }
    engineering = body["problems"][0]
    assert (engineering["state"], engineering["jira_key"], engineering["jira_url"]) == ("detecting", None, None)


@pytest.mark.parametrize("query, expected", [
    ({"team": "finance"}, ["finance"]),
    ({"team": "engineering,finance"}, ["engineering", "finance"]),
    ({"team": "marketing"}, []),
    ({"state": "open"}, ["finance"]),
    ({"state": "detecting, open"}, ["engineering", "finance"]),
    ({"state": ["fixed", "detecting"]}, ["engineering"]),
    ({"state": "closed"}, []),
    ({"team": "finance", "state": "detecting"}, []),
])
def test_filters_by_team_and_state(api, built, query, expected):
    problems = api("/api/problems", **query).json["problems"]
    assert sorted(p["team"] for p in problems) == expected


def test_limit_and_offset_page_through_the_list(api, built):
    first = api("/api/problems", limit=1).json
    second = api("/api/problems", limit=1, offset=1).json
    assert [p["id"] for p in first["problems"] + second["problems"]] == [built.engineering, built.finance]
    assert first["total"] == second["total"] == 2
    assert api("/api/problems", offset=5).json["problems"] == []


@pytest.mark.parametrize("query, reason, mentions", [
    ({"limit": "ten"}, "bad_parameter", "limit: expected a whole number"),
    ({"limit": "0"}, "bad_parameter", "limit: must be between 1 and 500"),
    ({"limit": "501"}, "bad_parameter", "limit: must be between 1 and 500"),
    ({"limit": "-1"}, "bad_parameter", "limit"),
    ({"limit": "1.5"}, "bad_parameter", "limit"),
    ({"limit": ""}, "bad_parameter", "limit"),
    ({"offset": "-1"}, "bad_parameter", "offset: must be between 0"),
    ({"offset": "9" * 30}, "bad_parameter", "offset: must be between 0"),
    ({"offset": "9" * 5000}, "bad_parameter", "offset: expected a whole number"),
    ({"state": "opened"}, "bad_parameter", "state: unknown state(s) opened"),
    ({"state": "open,solved"}, "bad_parameter", "solved"),
    ({"status": "open"}, "unknown_parameter", "status"),
])
def test_bad_parameters_are_400_with_a_reason(api, built, query, reason, mentions):
    response = api("/api/problems", **query)
    assert response.status_code == 400
    assert response.json["error"] == reason
    assert mentions in response.json["message"]


def test_the_detail_adds_tickets_unfinished_actions_and_the_audit_log(api, built):
    response = api(f"/api/problems/{built.finance}")
    assert response.status_code == 200
    detail = response.json
    assert detail["jira_key"] == "FIN-7" and detail["counts"]["tickets"] == 2
    tickets = {t["id"]: t for t in detail["tickets"]}
    assert sorted(tickets) == [1, 2, 3]
    assert tickets[1]["url"] == "https://acme.zendesk.com/agent/tickets/1"
    assert tickets[1]["linked_at"] == "2026-11-23T12:03:00+00:00" and tickets[1]["left_at"] is None
    assert tickets[2]["left_at"] == "2026-11-23T12:03:00+00:00"
    assert tickets[3]["joined_at"] == "2026-11-23T12:03:00+00:00" and tickets[3]["linked_at"] is None
    assert detail["actions"] == [{"id": built.failed_action, "kind": "jira.create_issue", "status": "failed",
                                  "attempts": 1, "last_error": "jira: create issue in FIN: HTTP 503",
                                  "created_at": "2026-11-23T12:01:00+00:00"}]
    actions = [entry["action"] for entry in detail["audit"]]
    assert actions == ["problem.opened", "ticket.joined_problem", "ticket.left_problem"]
    assert detail["audit"][0]["details"]["tickets"] == [1, 2]


def test_no_customer_text_leaves_through_the_api(api, built):
    bodies = [api("/api/problems").get_data(as_text=True)]
    bodies += [api(f"/api/problems/{problem_id}").get_data(as_text=True)
               for problem_id in (built.finance, built.engineering)]
    assert all("charged twice" not in body.lower() for body in bodies)
    assert "charged twice" in CUSTOMER_TEXT


def test_a_detecting_problem_has_no_tickets_linked_yet(api, built):
    detail = api(f"/api/problems/{built.engineering}").json
    assert (detail["state"], detail["tickets"], detail["actions"]) == ("detecting", [], [])


@pytest.mark.parametrize("path", ["/api/problems/999", "/api/problems/0", "/api/problems/abc",
                                  "/api/problems/-1", "/api/problems/1.5", "/api/problems/" + "9" * 30])
def test_unknown_and_malformed_ids_are_404(api, built, path):
    response = api(path)
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


def test_links_use_the_ui_addresses_where_they_differ_from_the_api(database_url, tmp_path, clock):
    """Behind an API gateway the agent interface and the Jira site live elsewhere: links go there."""
    settings = problem_settings(database_url, tmp_path / "rules",
                                zendesk={"bridge_user_id": 999, "agent_url": "https://acme.zendesk.com/"},
                                jira={"browse_url": "https://acme.atlassian.net"})
    settings = settings.model_copy(update={
        "zendesk": settings.zendesk.model_copy(update={"url": "https://zendesk-gateway.internal"}),
        "jira": settings.jira.model_copy(update={"url": "https://api.atlassian.com/ex/jira/c10ud"})})
    runtime = build_runtime(settings, clock=clock)
    built = build_problems(runtime, clock)
    client = create_app(runtime).test_client()
    detail = client.get(f"/api/problems/{built.finance}", headers={"Authorization": f"Bearer {API_TOKEN}"}).json
    runtime.engine.dispose()
    assert detail["jira_url"] == "https://acme.atlassian.net/browse/FIN-7"
    assert {t["url"] for t in detail["tickets"]} == {f"https://acme.zendesk.com/agent/tickets/{n}" for n in (1, 2, 3)}


def test_a_ui_address_must_be_a_web_address(database_url, tmp_path):
    with pytest.raises(ValueError, match="agent_url"):
        problem_settings(database_url, tmp_path / "rules", zendesk={"bridge_user_id": 999, "agent_url": "acme"})
