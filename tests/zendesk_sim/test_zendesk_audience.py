"""A proactive notice's reads against the simulator, through the real client and adapter: user and
organization search (the Search API's `type:user` / `type:organization`, Search Users), members of
the organizations found, tickets by external id; every request valid against Zendesk's spec."""

from __future__ import annotations

import pytest

from bridge.domain.ports import Customer
from connectors.zendesk.audience import ZendeskAudience
from connectors.zendesk.client import ZendeskError
from tests.zendesk_sim.test_zendesk_sim_openapi import as_spec_request, specs  # noqa: F401 - the fixture


@pytest.fixture
def people(sim):
    v23 = sim.create_organization("Acme", {"product_version": "2.3", "plan": "gold"}, tags=["enterprise"])["id"]
    v24 = sim.create_organization("Globex", {"product_version": "2.4"})["id"]
    ann = sim.create_customer("ann@example.com", "Ann Archer", organization_id=v23, tags=["beta"])["id"]
    bob = sim.create_customer("bob@example.com", "Bob Baker", organization_id=v23, suspended=True)["id"]
    cid = sim.create_customer("cid@example.com", "Cid Cole", organization_id=v24, tags=["beta"],
                              user_fields={"tier": "pro"})["id"]
    return {"v23": v23, "v24": v24, "ann": ann, "bob": bob, "cid": cid}


def test_user_and_organization_search_as_zendesk_documents_it(client, people):
    def users(query):
        return sorted(user["id"] for user in client.search_users(query))

    assert users("tags:beta") == [people["ann"], people["cid"]]
    assert users(f"organization:{people['v23']}") == [people["ann"], people["bob"]]
    assert users("organization:acme") == [people["ann"], people["bob"]]
    assert users("tier:pro") == [people["cid"]]
    assert users("is_suspended:true") == [people["bob"]]
    assert users("archer") == [people["ann"]]
    assert sorted(u["id"] for u in client.search("type:user -tags:beta role:end-user")) == [people["bob"]]
    assert [org["id"] for org in client.search("type:organization product_version:2.3")] == [people["v23"]]
    assert [org["id"] for org in client.search("type:organization tags:enterprise")] == [people["v23"]]
    assert list(client.search_tickets("type:user")) == []


def test_search_users_follows_its_pages(sim, client):
    for number in range(130):
        sim.create_customer(f"many{number}@example.com", tags=["many"])
    assert len(list(client.search_users("tags:many"))) == 130


def test_a_query_zendesk_cannot_read_is_refused_with_a_reason(client):
    with pytest.raises(ZendeskError) as refused:
        list(client.search('type:user "unclosed'))
    assert refused.value.status == 400


def test_the_audience_of_an_organization_query_is_its_members_with_their_organizations_tags(client, people):
    audience = ZendeskAudience(client)
    found = audience.find_customers("type:organization product_version:2.3")
    assert [customer.id for customer in found] == [people["ann"], people["bob"]]
    assert found[0] == Customer(id=people["ann"], name="Ann Archer", email="ann@example.com",
                                tags=frozenset({"beta"}), organization_id=people["v23"],
                                organization_tags=frozenset({"enterprise"}))
    assert found[1].suspended
    by_user_query = audience.find_customers("type:user tags:beta")
    assert [(c.id, c.organization_tags) for c in by_user_query] == [
        (people["ann"], frozenset({"enterprise"})), (people["cid"], frozenset())]


def test_tickets_are_found_by_their_external_id(sim, client, finished_job, people):
    job = client.create_many([{"subject": "Heads up", "comment": {"body": "A known issue"},
                               "requester_id": people["ann"], "external_id": "bridge-proactive-1-user-1",
                               "tags": ["bridge_proactive"]}])
    finished_job(job)
    [created] = [t["id"] for t in sim.tickets() if t["external_id"] == "bridge-proactive-1-user-1"]
    found = ZendeskAudience(client).tickets_by_external_id(["bridge-proactive-1-user-1", "bridge-proactive-1-user-2"])
    assert found == {"bridge-proactive-1-user-1": created}


def test_the_audience_requests_match_the_zendesk_spec(sim, client, people, specs):  # noqa: F811
    audience = ZendeskAudience(client)
    audience.find_customers("type:organization product_version:2.3")
    audience.find_customers("type:user tags:beta")
    audience.tickets_by_external_id(["bridge-proactive-1-user-1"])
    client.create_many([{"subject": "Heads up", "comment": {"body": "A known issue", "public": True},
                         "requester_id": people["ann"], "status": "solved", "external_id": "bridge-proactive-1-user-1",
                         "tags": ["bridge_proactive", "bridge_proactive_1"]}])

    assert len(sim.requests) == 6
    for recorded in sim.requests:
        spec, request = as_spec_request(recorded)
        specs[spec].validate_request(request)
