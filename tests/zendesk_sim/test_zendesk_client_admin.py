"""Webhooks and triggers through ZendeskClient; a webhook created over the API receives events."""

from datetime import UTC, datetime

from connectors.zendesk.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from connectors.zendesk.webhooks import ZendeskWebhooks, webhook_fields


def test_create_and_list_triggers(client):
    created = client.create_trigger(
        "Notify the problem bridge",
        conditions={"all": [{"field": "update_type", "operator": "is", "value": "Change"}], "any": []},
        actions=[{"field": "notification_webhook", "value": ["01ABC", "{\"ticket_id\": \"{{ticket.id}}\"}"]}],
    )

    listed = client.list_triggers()

    assert [trigger["id"] for trigger in listed] == [created["id"]]
    assert listed[0]["title"] == "Notify the problem bridge"
    assert listed[0]["actions"][0]["field"] == "notification_webhook"


def test_webhook_created_over_the_api_delivers_signed_events(sim, client, receiver):
    webhooks = ZendeskWebhooks(client)
    webhook = webhooks.create(webhook_fields("Bridge", receiver.url, ["zen:event-type:ticket.status_changed"]))
    secret = webhooks.signing_secret(webhook["id"])

    assert [listed["id"] for listed in webhooks.listing()] == [webhook["id"]]
    ticket_id = sim.customer_creates_ticket("Status only", "body")["id"]
    sim.agent_updates_ticket(ticket_id, status="pending", additional_tags=["ignored"])
    assert sim.wait_for_deliveries(timeout=5)

    [received] = receiver.received
    assert b"zen:event-type:ticket.status_changed" in received.body
    assert received.headers["X-Zendesk-Webhook-Id"] == webhook["id"]
    verify(secret, received.headers[SIGNATURE_HEADER], received.headers[TIMESTAMP_HEADER], received.body,
           now=datetime.now(UTC))
