"""Search and the cursor-based incremental export, through ZendeskClient against the simulator."""

import pytest

from connectors.zendesk.client import ZendeskError


@pytest.fixture
def mixed_tickets(sim):
    billing = [sim.customer_creates_ticket(f"Charged twice {n}", "double charge on invoice", tags=["billing"])["id"]
               for n in range(3)]
    shipping = sim.customer_creates_ticket("Parcel lost", "never arrived", tags=["shipping"])["id"]
    sim.agent_updates_ticket(billing[0], status="solved")
    sim.agent_updates_ticket(billing[1], status="open")
    return billing, shipping


def test_search_by_tag_and_status(client, mixed_tickets):
    billing, shipping = mixed_tickets

    def ids(query):
        return sorted(ticket["id"] for ticket in client.search_tickets(query))

    assert ids("type:ticket tags:billing") == billing
    assert ids("type:ticket tags:billing status:open") == [billing[1]]
    assert ids("type:ticket tags:billing status<solved") == billing[1:]
    assert ids("type:ticket status>new") == billing[:2]
    assert ids("type:ticket -tags:billing") == [shipping]
    assert ids('type:ticket "never arrived"') == [shipping]
    assert ids("type:user") == []


def test_search_follows_next_page(sim, client):
    ids = [sim.customer_creates_ticket(f"Defect {n}", "screen flickers", tags=["defect"])["id"] for n in range(130)]
    sim.clear_requests()

    found = [ticket["id"] for ticket in client.search_tickets("type:ticket tags:defect")]

    assert sorted(found) == ids
    assert [request.query.get("page") for request in sim.requests] == [None, "2"]


def test_incremental_export_walks_every_ticket_by_cursor(sim, client):
    ids = [sim.customer_creates_ticket(f"Ticket {n}", "body")["id"] for n in range(7)]
    sim.agent_updates_ticket(ids[0], status="open")

    seen, page = [], client.incremental_tickets(start_time=0, per_page=3)
    seen += [ticket["id"] for ticket in page.tickets]
    while not page.end_of_stream:
        page = client.incremental_tickets(cursor=page.next_cursor, per_page=3)
        seen += [ticket["id"] for ticket in page.tickets]

    assert seen == ids[1:] + ids[:1]
    assert client.incremental_tickets(cursor=page.next_cursor).tickets == []
    sim.agent_updates_ticket(ids[3], priority="high")
    assert [ticket["id"] for ticket in client.incremental_tickets(cursor=page.next_cursor).tickets] == [ids[3]]


def test_incremental_export_needs_a_valid_cursor(client):
    with pytest.raises(ZendeskError) as raised:
        client.incremental_tickets(cursor="not-a-cursor")
    assert raised.value.status == 400
