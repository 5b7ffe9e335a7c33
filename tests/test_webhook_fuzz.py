"""Property: nothing a client sends makes either webhook endpoint answer 5xx."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.storage.inbox import FAILED
from tests.support.clock import FakeClock
from tests.support.signing import jira_headers, jira_timestamp, zendesk_headers

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=20,
)
# Payloads that look like the vendors' so the parsers are exercised, not just the JSON reader.
zendesk_like = st.fixed_dictionaries({
    "type": st.sampled_from(["zen:event-type:ticket.created", "zen:event-type:ticket.tags_changed",
                             "zen:event-type:ticket.custom_field_changed",
                             "zen:event-type:ticket.comment_added"]) | st.text(),
    "id": st.text() | st.integers(),
    "detail": json_values | st.dictionaries(st.sampled_from(
        ["id", "tags", "status", "created_at", "updated_at", "via", "requester_id", "subject"]), json_values),
    "event": json_values,
    "time": json_values,
})
# Mostly the test clock's now (tests/support/clock.py), so that the parsers behind the age limit run.
FRESH_MS = jira_timestamp(FakeClock().now)
jira_like = st.fixed_dictionaries({
    "webhookEvent": st.sampled_from(["jira:issue_updated", "jira:version_released", "comment_created"]) | st.text(),
    "timestamp": st.integers(FRESH_MS - 1000, FRESH_MS + 1000) | json_values,
    "issue": json_values | st.fixed_dictionaries({"id": json_values, "key": json_values, "fields": json_values}),
    "changelog": json_values | st.fixed_dictionaries({"items": json_values}),
    "version": json_values,
})
raw_bodies = st.binary(max_size=300)
headers = st.dictionaries(
    st.sampled_from(["X-Zendesk-Webhook-Signature", "X-Zendesk-Webhook-Signature-Timestamp",
                     "X-Hub-Signature", "Content-Type", "X-Atlassian-Webhook-Identifier",
                     "X-Zendesk-Webhook-Invocation-Id", "Content-Length"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    max_size=4,
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(body=raw_bodies, extra=headers, endpoint=st.sampled_from(["/webhooks/zendesk", "/webhooks/jira"]))
def test_arbitrary_unsigned_requests_never_5xx(client, body, extra, endpoint):
    response = client.post(endpoint, data=body, headers=extra)
    assert response.status_code < 500


@FUZZ
@given(payload=zendesk_like | json_values,
       invocation=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=20))
def test_signed_zendesk_payloads_never_5xx(client, clock, runtime, payload, invocation):
    body = json.dumps(payload).encode()
    response = client.post("/webhooks/zendesk", data=body, headers=zendesk_headers(
        body, clock(), **{"X-Zendesk-Webhook-Invocation-Id": invocation or "inv"}))
    assert response.status_code in (200, 400), response.json
    assert_worker_settles_everything(runtime)


@FUZZ
@given(payload=jira_like | json_values)
def test_signed_jira_payloads_never_5xx(client, runtime, payload):
    body = json.dumps(payload).encode()
    response = client.post("/webhooks/jira", data=body, headers=jira_headers(body))
    assert response.status_code in (200, 400) or response.json["error"] == "stale_timestamp", response.json
    assert_worker_settles_everything(runtime)


def assert_worker_settles_everything(runtime):
    """What intake accepted, the worker settles at once: processed, ignored, or parked because the
    payload is malformed (intake checks only what identifies an event). Never a crash that waits
    for a retry."""
    runtime.new_worker().drain()
    counts = runtime.inbox.counts()
    assert counts["pending"] == counts["processing"] == 0, runtime.inbox.list()
    parked = [event for event in runtime.inbox.list() if event.status == FAILED]
    assert all(e.last_error.startswith("PayloadError") and e.attempts == 1 for e in parked), parked


@pytest.mark.parametrize("body", [b"\xff" * 10, b"{}", b'{"type": null}', b"null"])
def test_signed_odd_bodies(client, clock, body):
    assert client.post("/webhooks/zendesk", data=body, headers=zendesk_headers(body, clock())).status_code == 400
