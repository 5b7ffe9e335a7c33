"""Pin the exact HTTP requests ZendeskClient sends to a real Zendesk URL (no address rewriting)."""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from bridge.domain.ports import BulkJob
from connectors.zendesk.client import ZendeskClient, ZendeskError
from connectors.zendesk.ticket_system import ZendeskTicketSystem, bulk_job

API = "https://acme.zendesk.com/api/v2"
TICKET = {"id": 5, "subject": "Charged twice", "status": "open", "tags": ["billing"], "custom_fields": []}
JOB = {"id": "8b7e", "status": "queued", "progress": None, "total": 2, "results": None,
       "url": f"{API}/job_statuses/8b7e.json"}


@pytest.fixture
def acme():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def client():
    return ZendeskClient("https://acme.zendesk.com", "agent@acme.com", "api-token", timeout=5)


def only_call(mock):
    [call] = mock.calls
    request = call.request
    parts = urlsplit(request.url)
    body = json.loads(request.body) if request.body else None
    return request.method, parts.path, {key: values[0] for key, values in parse_qs(parts.query).items()}, body


def test_get_ticket_uses_basic_auth_with_the_token_suffix(acme, client):
    acme.get(f"{API}/tickets/5.json", json={"ticket": TICKET})

    assert client.get_ticket(5)["subject"] == "Charged twice"

    assert only_call(acme) == ("GET", "/api/v2/tickets/5.json", {}, None)
    credentials = base64.b64encode(b"agent@acme.com/token:api-token").decode()
    assert acme.calls[0].request.headers["Authorization"] == f"Basic {credentials}"


def test_show_many_sends_comma_separated_ids(acme, client):
    acme.get(f"{API}/tickets/show_many.json", json={"tickets": [TICKET], "next_page": None})

    client.show_many([5, 6, 7])

    assert only_call(acme) == ("GET", "/api/v2/tickets/show_many.json", {"ids": "5,6,7"}, None)


def test_create_ticket_body(acme, client):
    acme.post(f"{API}/tickets.json", json={"ticket": TICKET, "audit": {"id": 1, "ticket_id": 5, "events": []}},
              status=201)

    client.create_ticket("Re: Charged twice", "Fixed now", "Ann", "ann@example.com", tags=["bridge"],
                         custom_fields={360001: "x"}, via_followup_source_id=4, public=False)

    assert only_call(acme) == ("POST", "/api/v2/tickets.json", {}, {"ticket": {
        "subject": "Re: Charged twice", "comment": {"body": "Fixed now", "public": False}, "tags": ["bridge"],
        "requester": {"name": "Ann", "email": "ann@example.com"}, "custom_fields": [{"id": 360001, "value": "x"}],
        "via_followup_source_id": 4}})


def test_update_many_same_uses_the_ids_query_and_one_ticket_body(acme, client):
    acme.put(f"{API}/tickets/update_many.json", json={"job_status": JOB})

    job_id = client.update_many_same([5, 6], {"status": "solved", "additional_tags": ["fixed"],
                                              "comment": {"body": "Fixed", "public": True}})

    assert job_id == "8b7e"
    assert only_call(acme) == ("PUT", "/api/v2/tickets/update_many.json", {"ids": "5,6"}, {"ticket": {
        "status": "solved", "additional_tags": ["fixed"], "comment": {"body": "Fixed", "public": True}}})


def test_update_many_individual_sends_a_tickets_array(acme, client):
    acme.put(f"{API}/tickets/update_many.json", json={"job_status": JOB})

    client.update_many_individual([{"id": 5, "status": "solved"}, {"id": 6, "custom_fields": {1: "a"}}])

    assert only_call(acme) == ("PUT", "/api/v2/tickets/update_many.json", {}, {"tickets": [
        {"id": 5, "status": "solved"}, {"id": 6, "custom_fields": [{"id": 1, "value": "a"}]}]})


def test_job_status_and_incremental_and_search_paths(acme, client):
    acme.get(f"{API}/job_statuses/8b7e.json", json={"job_status": {**JOB, "status": "completed", "results": []}})
    acme.get(f"{API}/incremental/tickets/cursor.json",
             json={"tickets": [TICKET], "after_cursor": "abc", "end_of_stream": True})
    acme.get(f"{API}/search.json", json={"results": [{**TICKET, "result_type": "ticket"}], "next_page": None,
                                          "count": 1})

    assert client.job_status("8b7e")["status"] == "completed"
    assert client.incremental_tickets(start_time=0) == ([TICKET], "abc", True)
    assert [ticket["id"] for ticket in client.search_tickets("type:ticket tags:billing status<solved")] == [5]

    queries = [(call.request.method, urlsplit(call.request.url).path, parse_qs(urlsplit(call.request.url).query))
               for call in acme.calls]
    assert queries == [
        ("GET", "/api/v2/job_statuses/8b7e.json", {}),
        ("GET", "/api/v2/incremental/tickets/cursor.json", {"start_time": ["0"]}),
        ("GET", "/api/v2/search.json", {"query": ["type:ticket tags:billing status<solved"]}),
    ]


def test_429_is_raised_at_once_with_retry_after(acme, client):
    acme.get(f"{API}/tickets/5.json", status=429, headers={"Retry-After": "12"}, json={"error": "APIRateLimitExceeded"})

    with pytest.raises(ZendeskError) as raised:
        client.get_ticket(5)

    assert (raised.value.status, raised.value.retry_after) == (429, 12.0)
    assert len(acme.calls) == 1


# Job results as the Support API documents them (job_statuses "Results"; oas.yaml JobStatusResultObject):
# a bulk create answers `{id, index}` per created ticket, with no `success`; an update answers
# `{id, action, status, success}`; a failure `{id, action, success: false, error, details}`.
CREATE_MANY_DONE = {"id": "dd93", "url": f"{API}/job_statuses/dd93.json", "total": 2, "progress": 2,
                    "status": "completed", "message": "Completed at 2018-03-08 06:07:49 +0000",
                    "results": [{"id": 244, "index": 0}, {"id": 245, "index": 1}]}
UPDATE_MANY_DONE = {"id": "82de", "url": f"{API}/job_statuses/82de.json", "total": 2, "progress": 2,
                    "status": "completed", "message": "Completed at 2018-03-08 10:07:04 +0000",
                    "results": [{"action": "update", "id": 244, "status": "Updated", "success": True},
                                {"action": "update", "id": 245, "success": False, "error": "TicketUpdateFailed",
                                 "details": "Status: closed prevents ticket update"}]}


def test_job_results_are_read_as_the_spec_gives_them(acme, client):
    acme.get(f"{API}/job_statuses/dd93.json", json={"job_status": CREATE_MANY_DONE})
    acme.get(f"{API}/job_statuses/show_many.json", json={"job_statuses": [UPDATE_MANY_DONE]})
    zendesk = ZendeskTicketSystem(client)

    assert zendesk.bulk_update_status("dd93") == BulkJob(finished=True, created={0: 244, 1: 245})
    assert zendesk.bulk_statuses(["82de"]) == {"82de": BulkJob(
        finished=True, succeeded=frozenset({244}), failed={245: "Status: closed prevents ticket update"})}
    assert [urlsplit(call.request.url).path for call in acme.calls] == [
        "/api/v2/job_statuses/dd93.json", "/api/v2/job_statuses/show_many.json"]


@pytest.mark.parametrize("job, read", [
    # A create that failed: no id, so by its index (or its position when the index is missing too).
    ({"status": "completed", "job_type": "bulk_create_job", "results": [
        {"id": 7, "index": 0}, {"index": 1, "error": "RecordInvalid", "details": "Requester: invalid"},
        {"error": "RecordInvalid"}]},
     BulkJob(finished=True, created={0: 7}, failed={1: "Requester: invalid", 2: "RecordInvalid"})),
    # ids as digit strings; a job without a job_type tells creates by `index` without `action`.
    ({"status": "completed", "results": [{"id": "8", "index": "0"}]}, BulkJob(finished=True, created={0: 8})),
    ({"status": "completed", "results": [{"id": "9", "action": "update", "success": True, "status": "Updated"}]},
     BulkJob(finished=True, succeeded=frozenset({9}))),
    # A whole job failed, or one whose results are an object (permanent deletion) or null.
    ({"status": "failed", "results": None}, BulkJob(finished=True)),
    ({"status": "completed", "results": {"success": True}}, BulkJob(finished=True)),
    ({"status": "working", "results": None}, BulkJob(finished=False)),
])
def test_job_result_shapes_from_the_spec_and_its_edges(job, read):
    assert bulk_job(job) == read
