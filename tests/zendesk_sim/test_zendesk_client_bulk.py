"""Bulk jobs: both update_many forms, per-ticket results, the 100-per-call and 30-jobs limits."""

import pytest
import requests

from connectors.zendesk.client import ZendeskError


def test_update_many_same_applies_one_change_to_every_ticket(sim, client, finished_job):
    ids = [sim.customer_creates_ticket(f"Double charge {n}", "billed twice", tags=["billing"])["id"] for n in range(3)]

    job_id = client.update_many_same(ids, {"status": "solved", "additional_tags": ["fixed"],
                                           "remove_tags": ["billing"], "custom_fields": {360001: "refunded"},
                                           "comment": {"body": "Refund issued", "public": True}})

    assert sim.requests[-1].query == {"ids": ",".join(map(str, ids))}
    job = finished_job(job_id)
    assert (job["status"], job["total"], job["progress"]) == ("completed", 3, 3)
    assert [(result["id"], result["success"]) for result in job["results"]] == [(ticket_id, True) for ticket_id in ids]
    for ticket_id in ids:
        stored = sim.ticket(ticket_id)
        assert (stored["status"], stored["tags"]) == ("solved", ["fixed"])
        assert stored["custom_fields"] == [{"id": 360001, "value": "refunded"}]
        assert sim.comments(ticket_id)[-1]["body"] == "Refund issued"


def test_update_many_individual_applies_each_change(sim, client, finished_job):
    first = sim.customer_creates_ticket("One", "body")["id"]
    second = sim.customer_creates_ticket("Two", "body")["id"]

    job_id = client.update_many_individual([
        {"id": first, "status": "pending", "comment": {"body": "Looking into it", "public": False}},
        {"id": second, "priority": "high", "additional_tags": ["escalated"]},
    ])

    assert sim.requests[-1].json == {"tickets": [
        {"id": first, "status": "pending", "comment": {"body": "Looking into it", "public": False}},
        {"id": second, "priority": "high", "additional_tags": ["escalated"]}]}
    job = finished_job(job_id)
    assert [result["success"] for result in job["results"]] == [True, True]
    assert sim.ticket(first)["status"] == "pending"
    assert (sim.ticket(second)["priority"], sim.ticket(second)["tags"]) == ("high", ["escalated"])


def test_closed_ticket_in_a_bulk_job_gets_a_per_ticket_error(sim, client, finished_job):
    open_id = sim.customer_creates_ticket("Open", "body")["id"]
    closed_id = sim.customer_creates_ticket("Closed", "body")["id"]
    sim.agent_updates_ticket(closed_id, status="closed")

    job = finished_job(client.update_many_same([open_id, closed_id], {"status": "solved"}))

    assert job["status"] == "completed"
    ok, failed = job["results"]
    assert (ok["id"], ok["success"]) == (open_id, True)
    assert (failed["id"], failed["success"], failed["error"]) == (closed_id, False, "TicketUpdateFailed")
    assert failed == {"id": closed_id, "action": "update", "success": False, "error": "TicketUpdateFailed",
                      "details": "Status: closed prevents ticket update"}  # the spec's FailedResult
    assert sim.ticket(closed_id)["status"] == "closed"


def test_more_than_100_tickets_per_bulk_call_are_rejected(sim, client):
    with pytest.raises(ZendeskError) as raised:
        client.update_many_same(range(1, 102), {"status": "solved"})
    assert raised.value.status == 400
    assert "TooManyValues" in raised.value.message

    with pytest.raises(ZendeskError) as raised:
        client.update_many_individual([{"id": n, "status": "solved"} for n in range(1, 102)])
    assert raised.value.status == 400

    auth = (f"{sim.api_email}/token", sim.api_token)
    show_many = requests.get(f"{sim.url}/api/v2/tickets/show_many.json",
                             params={"ids": ",".join(map(str, range(1, 102)))}, auth=auth, timeout=5)
    assert (show_many.status_code, show_many.json()["error"]) == (400, "TooManyValues")
    create_many = requests.post(f"{sim.url}/api/v2/tickets/create_many",
                                json={"tickets": [{"subject": "s", "comment": {"body": "b"}}] * 101}, auth=auth,
                                timeout=5)
    assert create_many.status_code == 400
    assert sim.account.jobs.jobs == {}


def test_create_many_runs_as_a_job(sim, finished_job):
    auth = (f"{sim.api_email}/token", sim.api_token)
    answer = requests.post(f"{sim.url}/api/v2/tickets/create_many.json", auth=auth, timeout=5,
                           json={"tickets": [{"subject": f"s{n}", "comment": {"body": "b"}} for n in range(2)]})

    job = finished_job(answer.json()["job_status"]["id"])

    created = [ticket["id"] for ticket in sim.tickets()]
    assert [ticket["subject"] for ticket in sim.tickets()] == ["s0", "s1"]
    # The spec's CreateResourceResult: the new ticket's id and its index in the request, no `success`.
    assert job["results"] == [{"id": created[0], "index": 0}, {"id": created[1], "index": 1}]


def test_the_31st_job_in_flight_is_refused_with_too_many_jobs(sim, client):
    ticket_id = sim.customer_creates_ticket("Busy", "body")["id"]
    sim.set_job_limits(delay_seconds=30)
    for _ in range(30):
        client.update_many_same([ticket_id], {"additional_tags": ["x"]})

    with pytest.raises(ZendeskError) as raised:
        client.update_many_same([ticket_id], {"additional_tags": ["y"]})

    assert raised.value.status == 429
    assert "TooManyJobs" in raised.value.message
    assert sim.requests[-1].status == 429
