"""Every request ZendeskClient sends to the simulator is valid against Zendesk's OpenAPI spec.

Support API calls are checked against Zendesk's official oas.yaml; webhook calls against botbrains'
hand-written webhooks spec (the official file has no /webhooks paths). The spec lists paths without
the `.json` suffix zenpy adds, so the suffix is dropped before matching.

One correction is applied to the official spec: TicketUpdateInput.custom_fields points at
CustomFieldObject, the ticket-field *definition* (read-only id, required key/type/title), while the
documented request form is `[{"id": <field id>, "value": ...}]`.
"""

from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.validation.request.exceptions import InvalidRequestBody

from connectors.zendesk.simulator import RecordedRequest
from connectors.zendesk.webhooks import ZendeskWebhooks, webhook_fields

# Copied unchanged from shared/vendor/zendesk (see tests/fixtures/README.md).
VENDOR = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
SUPPORT_SPEC = VENDOR / "zendesk-support-api-oas.yaml"
WEBHOOKS_SPEC = VENDOR / "zendesk-webhooks-api-oas.botbrains.yaml"


class ZendeskSpecLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The spec has unquoted `=` scalars, which PyYAML reads as the `value` tag: load them as strings."""


ZendeskSpecLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


CUSTOM_FIELD_VALUE = {"type": "object", "required": ["id"],
                      "properties": {"id": {"type": "integer"}, "value": {"nullable": True}}}


def load_spec(path: Path) -> dict:
    with path.open() as spec_file:
        return yaml.load(spec_file, Loader=ZendeskSpecLoader)


def build_validator(spec: dict) -> OpenAPI:
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


@pytest.fixture(scope="session")
def specs() -> dict[str, OpenAPI]:
    support = load_spec(SUPPORT_SPEC)
    support["components"]["schemas"]["TicketUpdateInput"]["properties"]["custom_fields"]["items"] = CUSTOM_FIELD_VALUE
    return {"support": build_validator(support), "webhooks": build_validator(load_spec(WEBHOOKS_SPEC))}


def as_spec_request(recorded) -> tuple[str, RequestsOpenAPIRequest]:
    path = recorded.path.removesuffix(".json")
    query = f"?{urlencode(recorded.query)}" if recorded.query else ""
    if path.startswith("/api/v2/webhooks"):
        spec, url = "webhooks", f"https://support.zendesk.com{path}{query}"
    else:
        spec, url = "support", f"https://example.zendesk.com{path}{query}"
    request = requests.Request(recorded.method, url, json=recorded.json, auth=("user/token", "token"))
    return spec, RequestsOpenAPIRequest(request)


def test_client_requests_match_the_zendesk_spec(sim, client, receiver, finished_job, specs):
    closed = sim.customer_creates_ticket("Old", "body")["id"]
    sim.agent_updates_ticket(closed, status="closed")
    created = client.create_ticket("Charged twice", "billed twice", "Ann", "ann@example.com", tags=["billing"],
                                   custom_fields={360001: "invoice"})
    client.create_ticket("Re: Old", "Fixed now", via_followup_source_id=closed, public=False)
    client.get_ticket(created["id"])
    client.show_many([created["id"], closed])
    client.update_ticket(created["id"], {"status": "pending", "priority": "high", "additional_tags": ["x"]})
    client.add_comment(created["id"], "Internal note", public=False)
    client.list_comments(created["id"])
    finished_job(client.update_many_same([created["id"]], {"status": "solved", "remove_tags": ["x"],
                                                           "custom_fields": {360001: "refund"},
                                                           "comment": {"body": "Refunded", "public": True}}))
    finished_job(client.update_many_individual([{"id": created["id"], "additional_tags": ["y"]}]))
    list(client.search_tickets("type:ticket tags:billing status<closed"))
    client.incremental_tickets(start_time=0)
    client.create_trigger("Notify bridge", {"all": [{"field": "status", "operator": "is", "value": "open"}]}, [])
    client.list_triggers()
    webhooks = ZendeskWebhooks(client)
    webhook = webhooks.create(webhook_fields("Bridge", receiver.url, ["zen:event-type:ticket.status_changed"]))
    webhooks.listing()
    webhooks.signing_secret(webhook["id"])

    assert len(sim.requests) == 18
    for recorded in sim.requests:
        spec, request = as_spec_request(recorded)
        specs[spec].validate_request(request)


def test_webhook_and_field_setup_requests_match_the_zendesk_specs(sim, client, receiver, specs):
    """What `bridge setup zendesk` and `bridge check` send: every ZendeskWebhooks call, a new ticket
    field, and the organization fields' listing (impact.organization_field's check)."""
    webhooks = ZendeskWebhooks(client)
    webhook_id = webhooks.create(webhook_fields("Bridge", receiver.url, ["zen:event-type:ticket.created"]))["id"]
    webhooks.listing("Bridge")
    webhooks.show(webhook_id)
    webhooks.update(webhook_id, webhook_fields("Bridge", receiver.url, ["zen:event-type:ticket.status_changed"]))
    webhooks.patch(webhook_id, {"status": "inactive"})
    webhooks.signing_secret(webhook_id)
    webhooks.reset_signing_secret(webhook_id)
    webhooks.recent_invocations(webhook_id)
    webhooks.test(webhook_id, receiver.url)
    webhooks.delete(webhook_id)
    client.create_ticket_field("Jira issue", "text")
    sim.define_organization_field("plan", "Plan", "dropdown")
    assert [field["key"] for field in client.organization_fields()] == ["plan"]

    assert len(sim.requests) == 12
    for recorded in sim.requests:
        spec, request = as_spec_request(recorded)
        specs[spec].validate_request(request)


def test_simulated_job_results_match_the_zendesk_spec(sim, client, finished_job, specs):
    """Created tickets answer `{id, index}` (CreateResourceResult, no `success`); updates answer
    UpdateResourceResult, and a ticket that could not be updated FailedResult."""
    open_id = sim.customer_creates_ticket("Open", "body")["id"]
    closed_id = sim.customer_creates_ticket("Closed", "body")["id"]
    sim.agent_updates_ticket(closed_id, status="closed")
    auth = (f"{sim.api_email}/token", sim.api_token)
    created = requests.post(f"{sim.url}/api/v2/tickets/create_many.json", auth=auth, timeout=5, json={
        "tickets": [{"subject": f"s{n}", "comment": {"body": "b"}} for n in range(2)]}).json()["job_status"]["id"]
    updated = client.update_many_same([open_id, closed_id], {"status": "solved"})

    for job_id in (created, updated):
        finished_job(job_id)
        answer = requests.get(f"{sim.url}/api/v2/job_statuses/{job_id}.json", auth=auth, timeout=5)
        request = requests.Request("GET", f"https://example.zendesk.com/api/v2/job_statuses/{job_id}",
                                   auth=("user/token", "token"))
        specs["support"].validate_response(RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(answer))
    assert [set(result) for result in sim.account.job(created)["results"]] == [{"id", "index"}] * 2
    assert [result["success"] for result in sim.account.job(updated)["results"]] == [True, False]


def test_the_spec_check_rejects_a_ticket_without_a_comment(specs):
    spec, request = as_spec_request(RecordedRequest("POST", "/api/v2/tickets.json", {}, {"ticket": {"subject": 5}}))
    with pytest.raises(InvalidRequestBody):
        specs[spec].validate_request(request)
