"""The simulator's Webhooks API through ZendeskWebhooks: every request and answer valid against the
webhooks spec, Zendesk's validation errors, and deliveries that follow what the API registered
(status, endpoint, subscriptions, secret), listed back as invocations."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import requests
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from connectors.zendesk.errors import ZendeskError
from connectors.zendesk.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from connectors.zendesk.webhooks import ZendeskWebhooks, webhook_fields
from tests.zendesk_sim.test_zendesk_sim_openapi import WEBHOOKS_SPEC, build_validator, load_spec

STATUS_CHANGED = "zen:event-type:ticket.status_changed"
CREATED = "zen:event-type:ticket.created"


@pytest.fixture(scope="module")
def spec():
    return build_validator(load_spec(WEBHOOKS_SPEC))


@pytest.fixture
def webhooks(client):
    return ZendeskWebhooks(client)


def api(sim, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{sim.url}/api/v2/{path}", auth=(f"{sim.api_email}/token", sim.api_token),
                            timeout=15, **kwargs)


def spec_checked(spec, sim, method: str, path: str, valid_request: bool = True, **kwargs) -> requests.Response:
    """Call the simulator and validate the answer (and the request, unless it is meant to be
    invalid) against the webhooks spec."""
    answer = api(sim, method, path, **kwargs)
    spec_url = f"https://support.zendesk.com/api/v2/{path}"
    request = RequestsOpenAPIRequest(requests.Request(method, spec_url, auth=("u/token", "t"), **kwargs))
    if valid_request:
        spec.validate_request(request)
    spec.validate_response(request, RequestsOpenAPIResponse(answer))
    return answer


def delivered_types(receiver) -> list[str]:
    return [json.loads(received.body)["type"] for received in receiver.received]


def test_every_operation_answers_as_the_spec_says(sim, receiver, spec):
    body = {"webhook": webhook_fields("Bridge", receiver.url, [STATUS_CHANGED])}
    created = spec_checked(spec, sim, "POST", "webhooks", json=body)
    assert created.status_code == 201
    webhook_id = created.json()["webhook"]["id"]
    assert spec_checked(spec, sim, "GET", f"webhooks/{webhook_id}").json()["webhook"]["subscriptions"] == [
        STATUS_CHANGED]
    assert spec_checked(spec, sim, "GET", "webhooks", params={"filter[name_contains]": "brid"}).json()[
        "webhooks"][0]["id"] == webhook_id
    updated = {"webhook": {**body["webhook"], "subscriptions": [CREATED]}}
    assert spec_checked(spec, sim, "PUT", f"webhooks/{webhook_id}", json=updated).status_code == 204
    assert spec_checked(spec, sim, "PATCH", f"webhooks/{webhook_id}",
                        json={"webhook": {"status": "inactive"}}).status_code == 204
    first = spec_checked(spec, sim, "GET", f"webhooks/{webhook_id}/signing_secret").json()["signing_secret"]
    reset = spec_checked(spec, sim, "POST", f"webhooks/{webhook_id}/signing_secret")
    assert reset.status_code == 201 and reset.json()["signing_secret"]["secret"] != first["secret"]
    tested = spec_checked(spec, sim, "POST", "webhooks/test", params={"webhook_id": webhook_id},
                          json={"webhook": {"endpoint": receiver.url}})
    assert tested.json()["test"]["response_code"] == 200
    assert spec_checked(spec, sim, "GET", f"webhooks/{webhook_id}/invocations").json()["invocations"] == []
    api(sim, "PATCH", f"webhooks/{webhook_id}", json={"webhook": {"status": "active"}})
    sim.customer_creates_ticket("Delivered", "body")
    assert sim.wait_for_deliveries(timeout=5)
    [delivered] = spec_checked(spec, sim, "GET", f"webhooks/{webhook_id}/invocations").json()["invocations"]
    [attempt] = spec_checked(spec, sim, "GET", f"webhooks/{webhook_id}/invocations/{delivered['id']}/attempts").json()[
        "attempts"]
    assert (attempt["status"], attempt["response_code"], attempt["invocation_id"]) == ("success", 200, delivered["id"])
    assert spec_checked(spec, sim, "DELETE", f"webhooks/{webhook_id}").status_code == 204
    assert spec_checked(spec, sim, "GET", f"webhooks/{webhook_id}").status_code == 404


@pytest.mark.parametrize("webhook, field", [
    ({"name": "No endpoint", "http_method": "POST", "request_format": "json", "status": "active"}, "endpoint"),
    ({**webhook_fields("Bad URL", "not a url", [CREATED])}, "endpoint"),
    ({**webhook_fields("GET events", "https://bridge.example.com/hook", [CREATED]), "http_method": "GET"},
     "http_method"),
    ({**webhook_fields("Wildcard", "https://bridge.example.com/hook", ["zen:event-type:ticket.*"])},
     "subscriptions"),
    ({**webhook_fields("Odd status", "https://bridge.example.com/hook", [CREATED]), "status": "paused"}, "status"),
])
def test_invalid_webhooks_are_refused_naming_the_field(sim, spec, webhook, field):
    answer = spec_checked(spec, sim, "POST", "webhooks", valid_request=False, json={"webhook": webhook})
    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert (error["code"], error["field"]) == ("InvalidValue", field)


def test_admins_cannot_set_the_signing_secret_and_unknown_webhooks_are_404(sim, webhooks, receiver):
    webhook = webhooks.create(webhook_fields("Bridge", receiver.url, [CREATED]))
    with pytest.raises(ZendeskError) as refused:
        webhooks.patch(webhook["id"], {"signing_secret": {"secret": "mine"}})
    assert (refused.value.status, refused.value.code) == (400, "InvalidValue")
    with pytest.raises(ZendeskError) as missing:
        webhooks.show("01NOSUCHWEBHOOK")
    assert (missing.value.status, missing.value.code) == (404, "NotFound")


def test_the_list_follows_cursor_pages(sim, webhooks, receiver):
    created = [webhooks.create(webhook_fields(f"Hook {n}", receiver.url, [CREATED]))["id"] for n in range(3)]
    first = api(sim, "GET", "webhooks", params={"page[size]": "2"}).json()
    assert len(first["webhooks"]) == 2 and first["meta"]["has_more"] and first["links"]["next"]
    assert [webhook["id"] for webhook in webhooks.listing()] == created
    assert [webhook["name"] for webhook in webhooks.listing("hook 2")] == ["Hook 2"]


def test_deliveries_follow_the_registered_status_endpoint_subscriptions_and_secret(sim, webhooks, receiver):
    webhook_id = webhooks.create(webhook_fields("Bridge", receiver.url, [STATUS_CHANGED]))["id"]
    webhooks.patch(webhook_id, {"status": "inactive"})
    ticket_id = sim.customer_creates_ticket("Quiet", "body")["id"]
    sim.agent_updates_ticket(ticket_id, status="pending")
    assert sim.wait_for_deliveries(timeout=5) and receiver.received == []

    webhooks.update(webhook_id, webhook_fields("Bridge", receiver.url, [STATUS_CHANGED, CREATED]))
    secret = webhooks.reset_signing_secret(webhook_id)
    sim.customer_creates_ticket("Heard", "body")
    assert sim.wait_for_deliveries(timeout=5)
    assert delivered_types(receiver) == [CREATED]
    [received] = receiver.received
    verify(secret, received.headers[SIGNATURE_HEADER], received.headers[TIMESTAMP_HEADER], received.body,
           now=datetime.now(UTC))


def test_invocations_are_the_real_deliveries_newest_first(sim, webhooks, receiver):
    sim.set_delivery_options(max_attempts=2, backoff_seconds=0.01)
    webhook_id = webhooks.create(webhook_fields("Bridge", receiver.url, [CREATED]))["id"]
    sim.customer_creates_ticket("Accepted", "body")
    assert sim.wait_for_deliveries(timeout=5)
    receiver.answers.extend([401, 401])
    sim.customer_creates_ticket("Refused", "body")
    assert sim.wait_for_deliveries(timeout=5)

    invocations = webhooks.recent_invocations(webhook_id)
    assert [(item["status"], item["attempts_count"]) for item in invocations] == [("client error", 2), ("success", 1)]
    assert {item["event_type"] for item in invocations} == {CREATED}
    assert [item["id"] for item in invocations][::-1] == [
        received.headers["X-Zendesk-Webhook-Invocation-Id"] for received in receiver.received[::2]]
    refused = api(sim, "GET", f"webhooks/{webhook_id}/invocations/{invocations[0]['id']}/attempts").json()
    assert [(attempt["status"], attempt["response_code"]) for attempt in refused["attempts"]] == [
        ("client error", 401), ("client error", 401)]


def test_a_test_request_is_signed_with_the_webhooks_secret_and_reports_the_answer(sim, webhooks, receiver):
    webhook_id = webhooks.create(webhook_fields("Bridge", receiver.url, [CREATED]))["id"]
    secret = webhooks.signing_secret(webhook_id)
    receiver.answers.append(401)

    result = webhooks.test(webhook_id, receiver.url)

    assert (result["status"], result["response_code"]) == ("failed", 401)
    [received] = receiver.received
    verify(secret, received.headers[SIGNATURE_HEADER], received.headers[TIMESTAMP_HEADER], received.body,
           now=datetime.now(UTC))
    assert webhooks.recent_invocations(webhook_id) == []  # tests are not invocations
    unreachable = webhooks.test(webhook_id, "http://127.0.0.1:9/webhooks/zendesk")
    assert unreachable["status"] == "failed" and "response_code" not in unreachable
