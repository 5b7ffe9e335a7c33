"""Zendesk ticket events reach the bridge through signed webhooks; its snapshots follow the ticket."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import requests

from bridge.demo.scenario import PRODUCT_FIELD_ID
from bridge.storage.inbox import DONE
from tests.support.signing import zendesk_headers


def create_billing_ticket(loopback, **extra) -> dict:
    return loopback.zendesk.customer_creates_ticket(
        "Charged twice for order #48213", "My card was charged twice: two charges of EUR 29.00.",
        email="maria.lopez@example.com", name="Maria Lopez", tags=["web_form"],
        custom_fields={PRODUCT_FIELD_ID: "acme_plus_subscription"}, **extra)


def test_customer_ticket_arrives_and_the_snapshot_matches_the_api(loopback, settle, zendesk_client):
    created = create_billing_ticket(loopback)
    settle(loopback)

    in_zendesk = zendesk_client.get_ticket(created["id"])  # read back through zenpy, over HTTP
    snapshot = loopback.runtime.tickets.get(created["id"])
    assert snapshot is not None
    assert (snapshot.subject, snapshot.description) == (in_zendesk["subject"], in_zendesk["description"])
    assert snapshot.status == in_zendesk["status"] == "new"
    assert snapshot.tags == tuple(in_zendesk["tags"]) == ("web_form",)
    assert snapshot.requester_id == in_zendesk["requester_id"]
    assert snapshot.channel == "web"
    assert loopback.runtime.inbox.counts()[DONE] == 1


def test_agent_status_and_tag_changes_update_the_snapshot(loopback, settle):
    ticket_id = create_billing_ticket(loopback)["id"]
    settle(loopback)

    loopback.zendesk.agent_updates_ticket(ticket_id, status="open", additional_tags=["double_charge"])
    loopback.zendesk.agent_updates_ticket(ticket_id, status="pending", remove_tags=["web_form"])
    settle(loopback)

    snapshot = loopback.runtime.tickets.get(ticket_id)
    assert snapshot.status == "pending"
    assert snapshot.tags == ("double_charge",)


def test_duplicate_deliveries_are_stored_once(loopback, settle):
    loopback.zendesk.set_delivery_options(duplicates=3)
    ticket_id = create_billing_ticket(loopback)["id"]
    loopback.zendesk.agent_updates_ticket(ticket_id, status="open")
    settle(loopback)

    deliveries = loopback.zendesk.deliveries
    assert len(deliveries) == 2 and all(len(d.attempts) == 3 for d in deliveries)
    counts = loopback.runtime.inbox.counts()
    assert sum(counts.values()) == counts[DONE] == 2
    assert loopback.runtime.tickets.event_counts() == {ticket_id: 2}


def test_reordered_redeliveries_end_with_the_latest_snapshot(unconnected_loopback, settle):
    ticket_id = make_changes_while_the_bridge_is_unreachable(unconnected_loopback, seconds_apart=1.05)

    redeliver(unconnected_loopback, reversed(unconnected_loopback.zendesk.deliveries))
    settle(unconnected_loopback)

    latest = unconnected_loopback.zendesk.ticket(ticket_id)
    snapshot = unconnected_loopback.runtime.tickets.get(ticket_id)
    assert (snapshot.status, snapshot.tags) == (latest["status"], tuple(latest["tags"])) == ("pending", ("waiting",))


def test_reordered_changes_within_one_second_end_with_the_latest_snapshot(unconnected_loopback, settle):
    ticket_id = make_changes_while_the_bridge_is_unreachable(unconnected_loopback, seconds_apart=0)

    redeliver(unconnected_loopback, reversed(unconnected_loopback.zendesk.deliveries))
    settle(unconnected_loopback)

    assert unconnected_loopback.runtime.tickets.get(ticket_id).status == "pending"


def make_changes_while_the_bridge_is_unreachable(environment, seconds_apart: float) -> int:
    """A ticket created, opened, then set pending; every webhook fails (nothing listens on port 1)."""
    environment.zendesk.set_delivery_options(max_attempts=1, backoff_seconds=0)
    environment.zendesk.configure_webhook("http://127.0.0.1:1/webhooks/zendesk", environment.zendesk_webhook_secret)
    ticket_id = create_billing_ticket(environment)["id"]
    environment.zendesk.agent_updates_ticket(ticket_id, status="open", tags=["triaged"])
    time.sleep(seconds_apart)
    environment.zendesk.agent_updates_ticket(ticket_id, status="pending", tags=["waiting"])
    assert environment.zendesk.wait_for_deliveries(timeout=5)
    assert not any(delivery.delivered for delivery in environment.zendesk.deliveries)
    return ticket_id


def redeliver(environment, deliveries) -> None:
    """Send recorded deliveries to the bridge as Zendesk's retries would, in the given order."""
    for delivery in deliveries:
        body = json.dumps(delivery.envelope).encode()
        headers = zendesk_headers(body, datetime.now(UTC), secret=delivery.secret,
                                  **{"X-Zendesk-Webhook-Invocation-Id": delivery.invocation_id})
        answer = requests.post(environment.webhook_url("zendesk"), data=body, headers=headers, timeout=5)
        assert answer.status_code == 200, answer.text
