"""Webhook delivery: Zendesk's envelope shape, signature, one envelope per change, authorship, knobs."""

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.signing import SignatureError
from connectors.zendesk.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

DOCS_EXAMPLE = Path(__file__).parents[1] / "fixtures" / "zendesk" / "ticket.created__docs_example.json"


def envelopes(receiver):
    return [json.loads(received.body) for received in receiver.received]


@pytest.fixture
def subscribed(sim, receiver, webhook_secret):
    sim.configure_webhook(receiver.url, webhook_secret)
    return receiver


def test_ticket_created_envelope_has_the_documented_shape(sim, subscribed):
    ticket = sim.customer_creates_ticket("Charged twice", "billed twice", tags=["billing"],
                                         custom_fields={360001: "invoice"}, priority="low")
    assert sim.wait_for_deliveries(timeout=5)

    [envelope] = envelopes(subscribed)
    example = json.loads(DOCS_EXAMPLE.read_text())
    assert envelope.keys() == example.keys()
    assert envelope["detail"].keys() == example["detail"].keys()
    assert envelope["type"] == "zen:event-type:ticket.created"
    assert envelope["subject"] == f"zen:ticket:{ticket['id']}"
    assert uuid.UUID(envelope["id"])
    assert envelope["time"].endswith("Z") and datetime.fromisoformat(envelope["time"][:26] + "+00:00")
    assert envelope["event"]["meta"]["sequence"]["position"] == 1
    detail = envelope["detail"]
    assert (detail["id"], detail["requester_id"]) == (str(ticket["id"]), str(ticket["requester_id"]))
    assert (detail["status"], detail["priority"], detail["tags"]) == ("NEW", "LOW", ["billing"])
    assert detail["actor_id"] == str(ticket["requester_id"])
    assert "custom_fields" not in detail and "comments" not in detail


def test_signature_verifies_with_the_right_secret_only(sim, subscribed, webhook_secret):
    sim.customer_creates_ticket("Signed", "body")
    assert sim.wait_for_deliveries(timeout=5)

    [received] = subscribed.received
    signature, timestamp = received.headers[SIGNATURE_HEADER], received.headers[TIMESTAMP_HEADER]
    now = datetime.now(UTC)
    verify(webhook_secret, signature, timestamp, received.body, now=now)
    with pytest.raises(SignatureError):
        verify("another-secret", signature, timestamp, received.body, now=now)
    assert received.headers["X-Zendesk-Webhook-Invocation-Id"].isdigit()
    assert received.headers["X-Zendesk-Webhook-Id"]


def test_one_envelope_per_change_with_event_data_and_api_authorship(sim, client, subscribed):
    sim.define_custom_field(360001, "Root cause", "tagger")
    ticket_id = sim.customer_creates_ticket("Broken", "it broke", tags=["defect"])["id"]
    client.update_ticket(ticket_id, {"status": "solved", "priority": "urgent", "subject": "Broken widget",
                                     "additional_tags": ["fixed"], "remove_tags": ["defect"],
                                     "custom_fields": {360001: "firmware"},
                                     "comment": {"body": "Fixed in 2.1", "public": True}})
    assert sim.wait_for_deliveries(timeout=5)

    update = {envelope["type"].rsplit(".", 1)[1]: envelope for envelope in envelopes(subscribed)[1:]}
    assert set(update) == {"comment_added", "status_changed", "priority_changed", "subject_changed",
                           "tags_changed", "custom_field_changed"}
    event = {name: {key: value for key, value in envelope["event"].items() if key != "meta"}
             for name, envelope in update.items()}
    assert event["status_changed"] == {"current": "SOLVED", "previous": "NEW"}
    assert event["priority_changed"] == {"current": "URGENT", "previous": None}
    assert event["subject_changed"] == {"current": "Broken widget", "previous": "Broken"}
    assert event["tags_changed"] == {"tags_added": ["fixed"], "tags_removed": ["defect"]}
    assert event["custom_field_changed"] == {
        "custom_field": {"id": "360001", "title": "Root cause", "type": "tagger"},
        "current": {"value": "firmware"}, "previous": {"value": None}}
    comment = event["comment_added"]["comment"]
    assert (comment["body"], comment["is_public"]) == ("Fixed in 2.1", True)
    assert comment["author"] == {"id": str(sim.account.api_user_id), "is_staff": True, "name": "Bridge API"}
    sequences = {envelope["event"]["meta"]["sequence"]["id"] for envelope in update.values()}
    assert len(sequences) == 1
    positions = sorted(envelope["event"]["meta"]["sequence"]["position"] for envelope in update.values())
    assert positions == [1, 2, 3, 4, 5, 6]
    assert {envelope["detail"]["actor_id"] for envelope in update.values()} == {str(sim.account.api_user_id)}


def test_agent_and_customer_changes_carry_their_own_actor(sim, subscribed):
    ticket = sim.customer_creates_ticket("Who did it", "body")
    sim.agent_updates_ticket(ticket["id"], status="pending")
    sim.customer_comments(ticket["id"], "any news?")
    assert sim.wait_for_deliveries(timeout=5)

    actors = [(envelope["type"].rsplit(".", 1)[1], envelope["detail"]["actor_id"])
              for envelope in envelopes(subscribed)]
    assert actors == [("created", str(ticket["requester_id"])), ("status_changed", str(sim.agent_id)),
                      ("comment_added", str(ticket["requester_id"]))]
    comment = envelopes(subscribed)[2]["event"]["comment"]
    assert comment["author"]["is_staff"] is False


def test_description_change_by_an_agent_is_its_own_event(sim, subscribed):
    ticket_id = sim.customer_creates_ticket("Typo", "helo")["id"]
    sim.agent_updates_ticket(ticket_id, description="hello")
    assert sim.wait_for_deliveries(timeout=5)

    changed = envelopes(subscribed)[1]
    assert changed["type"] == "zen:event-type:ticket.description_changed"
    assert (changed["event"]["current"], changed["event"]["previous"]) == ("hello", "helo")
    assert changed["detail"]["description"] == "hello"


def test_duplicate_mode_delivers_the_same_envelope_twice(sim, subscribed):
    sim.set_delivery_options(duplicates=2)
    sim.customer_creates_ticket("Twice", "body")
    assert sim.wait_for_deliveries(timeout=5)

    first, second = subscribed.received
    assert json.loads(first.body)["id"] == json.loads(second.body)["id"]
    assert first.headers["X-Zendesk-Webhook-Invocation-Id"] == second.headers["X-Zendesk-Webhook-Invocation-Id"]


def test_failed_deliveries_are_retried_and_recorded(sim, subscribed):
    sim.set_delivery_options(backoff_seconds=0.01)
    subscribed.answers.extend([500, 503])
    sim.customer_creates_ticket("Retry me", "body")
    assert sim.wait_for_deliveries(timeout=5)

    [delivery] = sim.deliveries
    assert (delivery.attempts, delivery.delivered) == ([500, 503, 200], True)
    assert len({json.loads(received.body)["id"] for received in subscribed.received}) == 1


def test_deliveries_give_up_after_max_attempts(sim, subscribed):
    sim.set_delivery_options(backoff_seconds=0.01, max_attempts=2)
    subscribed.answers.extend([500, 500, 500])
    sim.customer_creates_ticket("Never accepted", "body")
    assert sim.wait_for_deliveries(timeout=5)

    [delivery] = sim.deliveries
    assert (delivery.attempts, delivery.delivered) == ([500, 500], False)


def test_shuffle_mode_still_delivers_every_envelope(sim, subscribed):
    sim.set_delivery_options(shuffle=True)
    ticket_id = sim.customer_creates_ticket("Many changes", "body")["id"]
    sim.agent_updates_ticket(ticket_id, status="open", priority="high", additional_tags=["a"])
    assert sim.wait_for_deliveries(timeout=5)

    assert len(subscribed.received) == 4


def test_bulk_job_changes_are_delivered_after_the_job_runs(sim, client, subscribed, finished_job):
    ids = [sim.customer_creates_ticket(f"T{n}", "body")["id"] for n in range(2)]
    finished_job(client.update_many_same(ids, {"status": "solved"}))
    assert sim.wait_for_deliveries(timeout=5)

    solved = [envelope["subject"] for envelope in envelopes(subscribed) if envelope["type"].endswith("status_changed")]
    assert sorted(solved) == [f"zen:ticket:{ticket_id}" for ticket_id in ids]
