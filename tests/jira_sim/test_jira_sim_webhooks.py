"""Webhooks from the simulator: signed like Jira, shaped like the captured payloads, at-least-once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from connectors.jira.adf import adf_to_text
from connectors.jira.custom_fields import create_field
from connectors.jira.signature import IDENTIFIER_HEADER, SIGNATURE_HEADER, verify
from connectors.signing import SignatureError

SECRET = "jira-webhook-secret"
CAPTURED_RESOLVED = Path(__file__).parents[1] / "fixtures" / "jira" / "issue_updated__resolved.json"


@pytest.fixture
def signed_sim(sim, receiver):
    sim.configure_webhook(receiver.url, secret=SECRET)
    return sim


def _headers(hook) -> dict[str, str]:
    return {name.lower(): value for name, value in hook.headers.items()}


def test_webhooks_are_signed_with_the_secret(signed_sim, client, receiver):
    client.create_issue("ENG", "Bug", "x")
    signed_sim.wait_for_deliveries()

    (hook,) = receiver.events("jira:issue_created")
    signature = _headers(hook)[SIGNATURE_HEADER.lower()]
    verify(SECRET, signature, hook.body)
    with pytest.raises(SignatureError):
        verify("another-secret", signature, hook.body)


def test_done_transition_payload_matches_the_captured_shape(signed_sim, client, receiver):
    key = client.create_issue("ENG", "Bug", "x", labels=["bridge-problem-3"])["key"]
    client.transition(key, "In Progress")
    signed_sim.user_transitions(key, "Done", resolution="Fixed")
    signed_sim.wait_for_deliveries()

    payload = receiver.events("jira:issue_updated")[-1].json()
    captured = json.loads(CAPTURED_RESOLVED.read_text())
    assert set(captured) <= set(payload)
    assert payload["issue_event_type_name"] == "issue_generic"
    item_keys = set(captured["changelog"]["items"][0])
    items = payload["changelog"]["items"]
    assert all(set(item) == item_keys for item in items)
    assert [(i["field"], i["fromString"], i["toString"]) for i in items] == [
        ("resolution", None, "Fixed"), ("status", "In Progress", "Done")]
    fields = payload["issue"]["fields"]
    assert fields["resolution"]["name"] == "Fixed"
    assert fields["status"]["statusCategory"]["key"] == "done"
    assert fields["labels"] == ["bridge-problem-3"]
    assert set(captured["issue"]["fields"]["status"]) <= set(fields["status"])
    assert isinstance(payload["timestamp"], int) and payload["user"]["displayName"]


def test_duplicate_mode_repeats_the_same_identifier(signed_sim, client, receiver):
    signed_sim.webhooks.duplicate = True
    client.create_issue("ENG", "Bug", "x")
    signed_sim.wait_for_deliveries()

    identifiers = [_headers(hook)[IDENTIFIER_HEADER.lower()] for hook in receiver.received]
    assert len(identifiers) == 2 and len(set(identifiers)) == 1


def test_failed_delivery_is_retried_with_the_same_identifier(signed_sim, client, receiver):
    receiver.statuses = [500, 503]
    client.create_issue("ENG", "Bug", "x")
    signed_sim.wait_for_deliveries()

    assert [attempt.status for attempt in signed_sim.deliveries] == [500, 503, 200]
    assert len({_headers(hook)[IDENTIFIER_HEADER.lower()] for hook in receiver.received}) == 1


def test_url_token_is_appended_when_configured(sim, client, receiver):
    sim.configure_webhook(receiver.url, url_token="t0ken")
    client.create_issue("ENG", "Bug", "x")
    sim.wait_for_deliveries()

    (hook,) = receiver.received
    assert hook.query == {"token": "t0ken"}
    assert SIGNATURE_HEADER.lower() not in _headers(hook)


def test_suppressed_change_sends_no_webhook(signed_sim, client, receiver):
    key = client.create_issue("ENG", "Bug", "x")["key"]
    with signed_sim.webhooks_suppressed():
        signed_sim.user_transitions(key, "Done")
    signed_sim.user_comments(key, "after the fix")
    signed_sim.wait_for_deliveries()

    assert [hook.json()["webhookEvent"] for hook in receiver.received] == ["jira:issue_created", "comment_created"]
    assert signed_sim.suppressed_changes[0].webhook_event == "jira:issue_updated"


def test_held_deliveries_can_arrive_in_reverse_order(signed_sim, client, receiver):
    signed_sim.webhooks.hold()
    key = client.create_issue("ENG", "Bug", "x")["key"]
    signed_sim.user_edits(key, {"summary": "y"})
    signed_sim.webhooks.release(reverse=True)
    signed_sim.wait_for_deliveries()

    assert [hook.json()["webhookEvent"] for hook in receiver.received] == ["jira:issue_updated", "jira:issue_created"]


def test_version_release_and_delete_and_move_events(signed_sim, client, receiver):
    key = client.create_issue("ENG", "Bug", "x")["key"]
    signed_sim.release_version("ENG", "3.1", release_date="2030-02-01")
    new_key = signed_sim.user_moves_issue(key, "SHIP")
    client.delete_issue(new_key)
    signed_sim.wait_for_deliveries()

    (release,) = receiver.events("jira:version_released")
    version = release.json()["version"]
    assert (version["name"], version["released"], version["userReleaseDate"]) == ("3.1", True, "01/Feb/30")
    (moved,) = receiver.events("jira:issue_updated")
    changes = [(i["field"], i["fromString"], i["toString"]) for i in moved.json()["changelog"]["items"]]
    assert ("Key", key, new_key) in changes
    (deleted,) = receiver.events("jira:issue_deleted")
    assert deleted.json()["issue"]["key"] == new_key


def test_webhook_registered_over_rest_receives_only_its_events(sim, client, receiver):
    response = requests.post(f"{sim.url}/rest/webhooks/1.0/webhook", auth=("admin@example.com", sim.api_token),
                             json={"name": "bridge", "url": receiver.url, "events": ["comment_created"]}, timeout=5)
    assert response.status_code == 201
    key = client.create_issue("ENG", "Bug", "x")["key"]
    client.add_comment(key, "hello")
    sim.wait_for_deliveries()

    (hook,) = receiver.received
    assert hook.json()["comment"]["body"] == "hello"


CAPTURED_CUSTOM_FIELD = Path(__file__).parents[1] / "fixtures" / "jira" / "issue_updated__custom_field.json"


def test_a_paragraph_field_is_text_in_webhooks_and_v2_an_atlassian_document_in_v3(signed_sim, client, receiver,
                                                                                    deployment):
    field_id = create_field(client, "Workaround", "How customers get by", "text")
    key = client.create_issue("ENG", "Bug", "x")["key"]
    client.edit_issue(key, fields={field_id: "Pay with a saved card.\nOr PayPal."})
    signed_sim.wait_for_deliveries()

    payload = receiver.events("jira:issue_updated")[-1].json()
    # The changelog item of a custom text field, as in the captured custom-field change: the text in
    # fromString/toString, no ids.
    [captured_item] = json.loads(CAPTURED_CUSTOM_FIELD.read_text())["changelog"]["items"]
    [item] = payload["changelog"]["items"]
    assert set(item) == set(captured_item)
    assert item == {"field": "Workaround", "fieldtype": "custom", "fieldId": field_id, "from": None,
                    "fromString": None, "to": None, "toString": "Pay with a saved card.\nOr PayPal."}
    assert payload["issue"]["fields"][field_id] == "Pay with a saved card.\nOr PayPal."
    read = client.get_issue(key, [field_id])["fields"][field_id]
    if deployment == "cloud":  # REST v3: a paragraph field is an Atlassian document
        assert read["type"] == "doc" and adf_to_text(read) == "Pay with a saved card.\nOr PayPal."
    else:
        assert read == "Pay with a saved card.\nOr PayPal."
