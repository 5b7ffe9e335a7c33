"""Replays: a signed delivery sent again under a fresh delivery id (the ids are not signed) is a
duplicate; Jira bodies too old to remember are refused; real, different deliveries all count."""

from datetime import timedelta

import pytest

from tests.support.fixtures import load_fixture
from tests.support.settings import make_settings
from tests.support.signing import body_of, fresh_jira, jira_headers, zendesk_headers

TRIGGER = load_fixture("zendesk", "trigger__readme_template")
RESOLVED = load_fixture("jira", "issue_updated__resolved")
INVOCATION = "X-Zendesk-Webhook-Invocation-Id"


def test_a_zendesk_trigger_delivery_replayed_under_a_new_invocation_id_is_stored_once(client, clock, runtime):
    body = body_of(TRIGGER)
    signed = zendesk_headers(body, clock())  # captured once, replayed as is within the 5 minutes
    answers = [client.post("/webhooks/zendesk", data=body, headers={**signed, INVOCATION: invocation})
               for invocation in ("inv-1", "inv-forged-2", "inv-forged-3")]
    assert [(a.status_code, a.json["status"]) for a in answers] == [
        (200, "accepted"), (200, "duplicate"), (200, "duplicate")]
    assert [e.delivery_key for e in runtime.inbox.list()] == ["invocation:inv-1"]


def test_two_trigger_firings_with_the_same_body_signed_at_different_times_are_both_stored(
        client, clock, runtime):
    """The trigger template (docs/connecting.md) can render the same body twice (a change to a field it leaves out);
    Zendesk signs each firing with its own timestamp."""
    body = body_of(TRIGGER)
    first = client.post("/webhooks/zendesk", data=body,
                        headers=zendesk_headers(body, clock(), **{INVOCATION: "inv-1"}))
    clock.advance(1)
    second = client.post("/webhooks/zendesk", data=body,
                         headers=zendesk_headers(body, clock(), **{INVOCATION: "inv-2"}))
    assert (first.json["status"], second.json["status"]) == ("accepted", "accepted")
    assert len(runtime.inbox.list()) == 2


def test_a_jira_delivery_replayed_under_a_new_identifier_is_stored_once(client, clock, runtime):
    body = body_of(fresh_jira(RESOLVED, clock()))
    answers = [client.post("/webhooks/jira", data=body, headers=jira_headers(body, identifier=identifier))
               for identifier in ("wh-1", "wh-forged-2")]
    assert [a.json["status"] for a in answers] == ["accepted", "duplicate"]
    assert [e.delivery_key for e in runtime.inbox.list()] == ["wh-1"]


def test_a_jira_replay_is_still_a_duplicate_after_the_original_was_processed(client, clock, runtime):
    body = body_of(fresh_jira(RESOLVED, clock()))
    client.post("/webhooks/jira", data=body, headers=jira_headers(body, identifier="wh-1"))
    runtime.new_worker().drain()
    clock.advance(3600)
    replay = client.post("/webhooks/jira", data=body, headers=jira_headers(body, identifier="wh-forged"))
    assert (replay.status_code, replay.json["status"]) == (200, "duplicate")
    assert len(runtime.inbox.list()) == 1


def test_two_jira_deliveries_of_the_same_issue_a_millisecond_apart_are_both_stored(client, clock, runtime):
    for identifier, moment in (("wh-1", clock()), ("wh-2", clock() + timedelta(milliseconds=1))):
        body = body_of(fresh_jira(RESOLVED, moment))
        response = client.post("/webhooks/jira", data=body, headers=jira_headers(body, identifier=identifier))
        assert response.json["status"] == "accepted"
    assert len(runtime.inbox.list()) == 2


@pytest.mark.parametrize("age", [timedelta(hours=12, seconds=1), -timedelta(hours=12, seconds=1)])
def test_a_jira_body_older_or_newer_than_the_age_limit_is_refused_with_the_reason(client, clock, runtime, age):
    body = body_of(fresh_jira(RESOLVED, clock() - age))
    response = client.post("/webhooks/jira", data=body, headers=jira_headers(body, identifier="wh-1"))
    assert (response.status_code, response.json["error"]) == (401, "stale_timestamp")
    assert "43200 s" in response.json["message"]
    assert runtime.inbox.list() == []


def test_a_jira_retry_within_the_age_limit_is_accepted(client, clock, runtime):
    body = body_of(fresh_jira(RESOLVED, clock() - timedelta(hours=11)))
    response = client.post("/webhooks/jira", data=body, headers=jira_headers(body, identifier="wh-1"))
    assert response.status_code == 200


def test_a_jira_body_without_its_timestamp_is_refused(client, runtime):
    payload = {key: value for key, value in RESOLVED.items() if key != "timestamp"}
    body = body_of(payload)
    response = client.post("/webhooks/jira", data=body, headers=jira_headers(body, identifier="wh-1"))
    assert (response.status_code, response.json["error"]) == (400, "unparseable")
    assert "timestamp" in response.json["message"]


@pytest.mark.parametrize("section, key, seconds", [
    ("jira", "webhook_max_age_seconds", 13 * 3600),
    ("server", "signature_tolerance_seconds", 13 * 3600),
])
def test_an_acceptance_window_longer_than_the_inbox_remembers_is_a_config_error(section, key, seconds):
    with pytest.raises(ValueError, match=f"{section}.{key}"):
        make_settings("sqlite:///x.db", **{section: {key: seconds}, "scheduler": {"prune_inbox_days": 1}})
