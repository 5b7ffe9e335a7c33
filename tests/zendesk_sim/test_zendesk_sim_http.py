"""The simulator's HTTP surface driven with plain requests: auth, path forms, users, jobs, standalone."""

import threading

import pytest
import requests

from connectors.zendesk.simulator import build_standalone, run_standalone


@pytest.fixture
def api(sim):
    session = requests.Session()
    session.auth = (f"{sim.api_email}/token", sim.api_token)

    def call(method, path, **kwargs):
        return session.request(method, f"{sim.url}/api/v2/{path}", timeout=5, **kwargs)

    yield call
    session.close()


def test_requests_without_valid_basic_auth_are_401_and_recorded(sim):
    for auth in (None, (sim.api_email, sim.api_token), (f"{sim.api_email}/token", "wrong")):
        answer = requests.get(f"{sim.url}/api/v2/tickets/1.json", auth=auth, timeout=5)
        assert answer.status_code == 401
    assert [request.status for request in sim.requests] == [401, 401, 401]


def test_paths_work_with_and_without_json_suffix(sim, api):
    ticket_id = sim.customer_creates_ticket("Both forms", "body")["id"]
    assert api("GET", f"tickets/{ticket_id}").json()["ticket"]["id"] == ticket_id
    assert api("GET", f"tickets/{ticket_id}.json").json()["ticket"]["id"] == ticket_id
    assert api("GET", "tickets/999.json").json() == {"error": "RecordNotFound", "description": "Ticket not found"}


def test_users_are_created_from_the_requester(sim, api):
    created = api("POST", "tickets.json", json={"ticket": {
        "subject": "Hi", "comment": {"html_body": "<p>Hello &amp; bye</p>"},
        "requester": {"name": "Cy", "email": "cy@example.com"}}}).json()["ticket"]

    requester_id = created["requester_id"]
    assert api("GET", f"users/{requester_id}").json()["user"]["email"] == "cy@example.com"
    users = api("GET", "users/show_many.json", params={"ids": f"{requester_id},{sim.account.api_user_id}"}).json()
    assert [user["role"] for user in users["users"]] == ["end-user", "admin"]
    assert sim.comments(created["id"])[0]["body"] == "Hello & bye"


def test_invalid_status_is_rejected(sim, api):
    ticket_id = sim.customer_creates_ticket("Status", "body")["id"]
    answer = api("PUT", f"tickets/{ticket_id}.json", json={"ticket": {"status": "archived"}})
    assert (answer.status_code, answer.json()["error"]) == (422, "RecordInvalid")


def test_job_statuses_show_many(sim, api):
    ticket_id = sim.customer_creates_ticket("Jobs", "body")["id"]
    job_ids = [api("PUT", "tickets/update_many.json", params={"ids": ticket_id},
                   json={"ticket": {"additional_tags": [f"t{n}"]}}).json()["job_status"]["id"] for n in range(2)]
    assert sim.wait_for_jobs(timeout=5)

    jobs = api("GET", "job_statuses/show_many.json", params={"ids": ",".join(job_ids)}).json()["job_statuses"]

    assert [(job["id"], job["status"]) for job in jobs] == [(job_id, "completed") for job_id in job_ids]
    assert sim.ticket(ticket_id)["tags"] == ["t0", "t1"]


def test_build_standalone_configures_the_bridge_webhook(receiver, webhook_secret):
    with build_standalone(port=0, bridge_url=receiver.url, webhook_secret=webhook_secret) as standalone:
        standalone.customer_creates_ticket("From the demo", "body")
        assert standalone.wait_for_deliveries(timeout=5)
    assert len(receiver.received) == 1
    with pytest.raises(ValueError):
        build_standalone(port=0, bridge_url=receiver.url)


def test_run_standalone_returns_when_stopped():
    stop = threading.Event()
    runner = threading.Thread(target=run_standalone, kwargs={"port": 0, "stop_event": stop})
    runner.start()
    stop.set()
    runner.join(timeout=5)
    assert not runner.is_alive()
