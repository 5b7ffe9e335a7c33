"""Rate limits, injected faults and bad credentials surface as ZendeskError, without retries or sleeps."""

import time

import pytest

from connectors.zendesk.client import ZendeskClient, ZendeskError


def test_rate_limit_answers_429_with_retry_after_and_the_client_does_not_wait(sim, client):
    ticket_id = sim.customer_creates_ticket("Rate", "body")["id"]
    sim.set_rate_limit(max_requests=2, window_seconds=60)
    client.get_ticket(ticket_id)
    client.get_ticket(ticket_id)

    started = time.monotonic()
    with pytest.raises(ZendeskError) as raised:
        client.get_ticket(ticket_id)

    assert time.monotonic() - started < 1
    assert raised.value.status == 429
    assert 59 <= raised.value.retry_after <= 60
    assert [request.status for request in sim.requests] == [200, 200, 429]


def test_rate_limit_applies_to_raw_requests_too(sim, client):
    sim.set_rate_limit(max_requests=0)
    with pytest.raises(ZendeskError) as raised:
        client.update_many_same([1], {"status": "solved"})
    assert (raised.value.status, raised.value.retry_after) == (429, 60.0)


@pytest.mark.parametrize("call", [
    lambda client, ticket_id: client.get_ticket(ticket_id),
    lambda client, ticket_id: client.update_many_same([ticket_id], {"status": "open"}),
    lambda client, ticket_id: list(client.search_tickets("type:ticket")),
])
def test_injected_500_is_one_failed_call_without_retry(sim, client, call):
    ticket_id = sim.customer_creates_ticket("Faulty", "body")["id"]
    sim.inject_faults(1, "500")

    with pytest.raises(ZendeskError) as raised:
        call(client, ticket_id)

    assert raised.value.status == 500
    assert [request.status for request in sim.requests] == [500]
    call(client, ticket_id)


def test_injected_429_carries_retry_after(sim, client):
    sim.inject_faults(1, "429")
    with pytest.raises(ZendeskError) as raised:
        client.show_many([1])
    assert (raised.value.status, raised.value.retry_after) == (429, 7.0)


def test_injected_timeout_surfaces_as_error_without_status(sim):
    impatient = ZendeskClient(sim.url, sim.api_email, sim.api_token, timeout=0.2)
    sim.inject_faults(1, "timeout")

    with pytest.raises(ZendeskError) as raised:
        impatient.get_ticket(1)

    assert raised.value.status is None
    assert "timed out" in raised.value.message


def test_wrong_token_is_401(sim):
    intruder = ZendeskClient(sim.url, sim.api_email, "wrong-token", timeout=2)
    with pytest.raises(ZendeskError) as raised:
        intruder.get_ticket(1)
    assert raised.value.status == 401


def test_connection_refused_is_an_error_without_status(sim):
    url = sim.url
    sim.stop()
    with pytest.raises(ZendeskError) as raised:
        ZendeskClient(url, "a@example.com", "token", timeout=1).get_ticket(1)
    assert raised.value.status is None
