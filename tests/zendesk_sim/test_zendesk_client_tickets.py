"""Single-ticket calls through ZendeskClient (zenpy) against the simulator over HTTP."""

import pytest

from connectors.zendesk.client import PLACEHOLDER_DOMAIN, PLACEHOLDER_SUBDOMAIN, ZendeskError, zenpy_host_for


def test_zenpy_host_is_kept_for_zendesk_urls_and_replaced_for_any_other_address():
    assert zenpy_host_for("https://acme.zendesk.com") == ("acme", "zendesk.com")
    assert zenpy_host_for("http://127.0.0.1:8090") == (PLACEHOLDER_SUBDOMAIN, PLACEHOLDER_DOMAIN)
    assert zenpy_host_for("https://localhost:8443") == (PLACEHOLDER_SUBDOMAIN, PLACEHOLDER_DOMAIN)


def test_create_ticket_creates_the_requester_and_stores_fields(sim, client):
    created = client.create_ticket("Charged twice", "My card was billed twice", "Ann Lee", "ann@example.com",
                                   tags=["Billing"], custom_fields={360001: "invoice"})

    stored = sim.ticket(created["id"])
    requester = sim.account.user(stored["requester_id"])
    assert (requester["name"], requester["email"]) == ("Ann Lee", "ann@example.com")
    assert stored["tags"] == ["billing"]
    assert stored["custom_fields"] == [{"id": 360001, "value": "invoice"}]
    assert stored["description"] == "My card was billed twice"
    assert client.get_ticket(created["id"])["subject"] == "Charged twice"


def test_show_many_splits_into_calls_of_at_most_100_ids(sim, client):
    ids = [sim.customer_creates_ticket(f"Ticket {n}", "body")["id"] for n in range(130)]
    sim.clear_requests()

    tickets = client.show_many(ids)

    assert sorted(ticket["id"] for ticket in tickets) == ids
    calls = [request for request in sim.requests if request.path.endswith("show_many.json")]
    assert [len(call.query["ids"].split(",")) for call in calls] == [100, 30]


def test_comments_public_and_private_are_kept_apart(sim, client):
    ticket = sim.customer_creates_ticket("Late order", "Where is my parcel?")
    client.add_comment(ticket["id"], "Internal: carrier delay", public=False)
    client.add_comment(ticket["id"], "Your parcel is on its way", public=True)

    comments = client.list_comments(ticket["id"])

    assert [(comment["body"], comment["public"]) for comment in comments] == [
        ("Where is my parcel?", True), ("Internal: carrier delay", False), ("Your parcel is on its way", True)]
    assert comments[1]["author_id"] == sim.account.api_user_id


def test_update_ticket_changes_status_and_tags(sim, client):
    ticket = sim.customer_creates_ticket("Broken widget", "It broke", tags=["defect"])

    client.update_ticket(ticket["id"], {"status": "pending", "additional_tags": ["bridge_linked"],
                                        "remove_tags": ["defect"]})

    stored = sim.ticket(ticket["id"])
    assert (stored["status"], stored["tags"]) == ("pending", ["bridge_linked"])


def test_closed_ticket_cannot_be_updated(sim, client):
    ticket = sim.customer_creates_ticket("Old issue", "Long ago")
    sim.agent_updates_ticket(ticket["id"], status="closed")

    with pytest.raises(ZendeskError) as raised:
        client.add_comment(ticket["id"], "The fix has shipped", public=True)

    assert raised.value.status == 422
    assert "closed prevents ticket update" in raised.value.message
    assert len(sim.comments(ticket["id"])) == 1


def test_follow_up_reaches_the_requester_of_a_closed_ticket(sim, client):
    closed = sim.customer_creates_ticket("Old issue", "Long ago", email="bob@example.com")
    sim.agent_updates_ticket(closed["id"], status="closed")

    follow_up = client.create_ticket("Re: Old issue", "The fix has shipped", via_followup_source_id=closed["id"])

    assert sim.ticket(closed["id"])["followup_ids"] == [follow_up["id"]]
    stored = sim.ticket(follow_up["id"])
    assert stored["via"]["source"]["rel"] == "follow_up"
    assert stored["via"]["source"]["from"] == {"ticket_id": closed["id"]}


def test_follow_up_of_an_open_ticket_is_rejected(sim, client):
    open_ticket = sim.customer_creates_ticket("Still open", "body")

    with pytest.raises(ZendeskError) as raised:
        client.create_ticket("Re: Still open", "text", via_followup_source_id=open_ticket["id"])

    assert raised.value.status == 422


def test_missing_ticket_is_a_404_zendesk_error(client):
    with pytest.raises(ZendeskError) as raised:
        client.get_ticket(999999)
    assert raised.value.status == 404
