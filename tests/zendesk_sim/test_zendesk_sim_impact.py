"""What the weighted impact reads, in the simulator and through the client: organizations with
their fields, satisfaction ratings and ticket metrics, shaped and paged as Zendesk's spec says."""

from __future__ import annotations

import pytest
import requests
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from connectors.zendesk.impact_reads import ZendeskImpactSource, ticket_effort
from connectors.zendesk.simulator.errors import ApiError
from tests.zendesk_sim.test_zendesk_sim_openapi import specs  # noqa: F401 (the spec validators)


def api(sim, path: str, **params) -> requests.Response:
    return requests.get(f"{sim.url}/api/v2/{path}", params=params, auth=(f"{sim.api_email}/token", sim.api_token),
                        timeout=5)


def a_rated_ticket(sim, email: str, score: str = "bad", comment: str | None = "Still broken") -> int:
    ticket_id = sim.customer_creates_ticket("Export fails", "The export fails.", email=email)["id"]
    sim.agent_updates_ticket(ticket_id, comment={"body": "Looking into it", "public": True})
    sim.agent_updates_ticket(ticket_id, comment={"body": "Internal: reproduced", "public": False})
    sim.agent_updates_ticket(ticket_id, status="solved")
    sim.customer_rates(ticket_id, score, comment)
    return ticket_id


def test_every_answer_matches_the_zendesk_spec(sim, specs):  # noqa: F811
    organization = sim.create_organization("Acme", {"plan": "enterprise", "revenue": 5.2}, members=["a@acme.test"])
    rated = a_rated_ticket(sim, "a@acme.test")
    rating_id = sim.ticket(rated)["satisfaction_rating"]["id"]
    answers = [
        ("organizations/show_many", {"ids": str(organization["id"])}),
        ("satisfaction_ratings", {"score": "bad"}),
        (f"satisfaction_ratings/{rating_id}", {}),
        ("ticket_metrics", {}),
        (f"ticket_metrics/{rated}", {}),
    ]
    for path, params in answers:
        answer = api(sim, path, **params)
        assert answer.status_code == 200, (path, answer.text)
        request = requests.Request("GET", f"https://example.zendesk.com/api/v2/{path}", params=params,
                                   auth=("user/token", "token"))
        specs["support"].validate_response(RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(answer))
    # Side-loaded on tickets, the metric sets are those the metrics endpoints (checked above) show.
    side_loaded = api(sim, "tickets/show_many", ids=str(rated), include="metric_sets").json()["metric_sets"]
    assert side_loaded == api(sim, "ticket_metrics").json()["ticket_metrics"]


def test_a_tickets_organization_rating_and_metrics(sim):
    organization = sim.create_organization("Acme", {"plan": "enterprise"}, members=["a@acme.test"])
    rated = a_rated_ticket(sim, "a@acme.test")
    sim.agent_updates_ticket(rated, status="open")  # reopened
    ticket = sim.ticket(rated)
    assert ticket["organization_id"] == organization["id"]
    assert (ticket["satisfaction_rating"]["score"], ticket["satisfaction_rating"]["comment"]) == ("bad", "Still broken")
    [metrics] = api(sim, f"tickets/{rated}/metrics").json()["ticket_metric"]
    # The internal note is no reply.
    assert (metrics["ticket_id"], metrics["replies"], metrics["reopens"]) == (rated, 1, 1)
    assert metrics["full_resolution_time_in_minutes"] == {"calendar": 0, "business": 0}
    assert api(sim, f"ticket_metrics/{metrics['id']}").json()["ticket_metric"] == [metrics]
    unsolved = sim.customer_creates_ticket("Export fails", "Same here.", email="b@example.test")["id"]
    assert api(sim, f"ticket_metrics/{unsolved}").json()["ticket_metric"][0]["full_resolution_time_in_minutes"] == {
        "calendar": None, "business": None}


def test_only_a_solved_ticket_is_rated(sim):
    unsolved = sim.customer_creates_ticket("Export fails", "The export fails.")["id"]
    with pytest.raises(ApiError) as refused:
        sim.customer_rates(unsolved, "bad")
    assert refused.value.status == 422
    assert "must have been solved" in str(refused.value.extra["details"])


def test_ratings_filter_by_score_and_page_by_cursor(sim):
    bad = [a_rated_ticket(sim, f"c{n}@example.test") for n in range(3)]
    a_rated_ticket(sim, "happy@example.test", "good", None)
    a_rated_ticket(sim, "silent@example.test", "bad", None)
    first = api(sim, "satisfaction_ratings", score="bad_with_comment", **{"page[size]": 2}).json()
    assert [r["ticket_id"] for r in first["satisfaction_ratings"]] == [bad[2], bad[1]]
    assert first["meta"]["has_more"] is True
    rest = requests.get(first["links"]["next"], auth=(f"{sim.api_email}/token", sim.api_token), timeout=5).json()
    assert [r["ticket_id"] for r in rest["satisfaction_ratings"]] == [bad[0]]
    assert (rest["meta"]["has_more"], rest["links"]["next"]) == (False, None)
    assert len(api(sim, "satisfaction_ratings", score="bad").json()["satisfaction_ratings"]) == 4
    assert api(sim, "satisfaction_ratings", **{"page[size]": 101}).status_code == 400


def test_the_source_reads_a_hundred_at_a_time(sim, client):
    acme = sim.create_organization("Acme", {"plan": "Enterprise"}, members=["a@acme.test"])
    other = sim.create_organization("Other", {}, members=["b@other.test"])
    tickets = [sim.customer_creates_ticket("Export fails", "The export fails.", email=f"x{n}@example.test")["id"]
               for n in range(148)]
    tickets += [a_rated_ticket(sim, "a@acme.test"), a_rated_ticket(sim, "b@other.test", "good")]
    sim.clear_requests()

    reading = ZendeskImpactSource(client).read_impact(tickets, "plan")

    reads = [(r.path, len(r.query["ids"].split(","))) for r in sim.requests]
    assert reads == [("/api/v2/tickets/show_many.json", 100), ("/api/v2/tickets/show_many.json", 50),
                     ("/api/v2/organizations/show_many.json", 2)]
    assert dict(reading.organization_values) == {acme["id"]: "Enterprise", other["id"]: None}
    assert sum(t.bad_rating for t in reading.tickets) == 1
    assert sum(t.replies for t in reading.tickets) == 2
    assert len(reading.tickets) == 150


@pytest.mark.parametrize("ticket, metric_set, expected", [
    ({"id": 5, "satisfaction_rating": "bad"}, {}, (None, False, 0, None)),
    ({"id": 5, "organization_id": 9, "satisfaction_rating": None}, {"replies": "7"}, (9, False, 0, None)),
    ({"id": 5, "satisfaction_rating": {"score": "bad"}},
     {"replies": 3, "full_resolution_time_in_minutes": {"calendar": 90, "business": 30}}, (None, True, 3, 90)),
    ({"id": 5}, {"full_resolution_time_in_minutes": None, "replies": -1}, (None, False, 0, None)),
])
def test_odd_shapes_read_as_nothing_rather_than_failing(ticket, metric_set, expected):
    effort = ticket_effort(ticket, metric_set)
    assert (effort.organization_id, effort.bad_rating, effort.replies, effort.full_resolution_minutes) == expected
