"""What /metrics tells an operator beyond the intake: problems by state and against their due
dates, the outbox's backlog, fix notifications' progress, the scheduler's leadership and jobs,
every request to Zendesk and Jira by endpoint, and the process itself."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from datetime import timedelta

import pytest
import requests

from bridge.closure.start import start_by_hand
from bridge.http.app import create_app
from bridge.runtime import build_runtime
from bridge.scheduler.scheduler import BridgeScheduler, JobSpec
from connectors.observed import endpoint_of, observe_requests
from tests.support.problem_data import build_problems, problem_settings, record_accountability
from tests.support.prometheus import sample, scrape_after_a_new_read


@pytest.fixture
def built(database_url, tmp_path, clock):
    runtime = build_runtime(problem_settings(database_url, tmp_path / "rules"), clock=clock)
    yield runtime, build_problems(runtime, clock), create_app(runtime).test_client()
    runtime.engine.dispose()


def test_problems_by_state_and_against_their_due_dates(built, clock):
    runtime, problems, client = built
    record_accountability(runtime, problems.finance, "overdue", clock())
    text = scrape_after_a_new_read(client, runtime)

    every = runtime.problems.list()
    for state in ("detecting", "open", "fixed", "closed", "worked_around"):
        assert sample(text, "bridge_problems", state=state) == sum(p.state == state for p in every)
    assert sample(text, "bridge_problems", state="open") >= 1
    assert sample(text, "bridge_problems_accountability", accountability="overdue") == 1
    assert sample(text, "bridge_problems_accountability", accountability="at_risk") == 0


def test_the_outbox_backlog_and_how_long_the_oldest_due_action_waited(built, clock):
    runtime, problems, client = built
    with runtime.engine.begin() as connection:
        runtime.outbox.enqueue(connection, "jira.update_issue", clock(), problems.finance, dedupe_key="due")
        # Deferred an hour (a debounced counts update): waiting, but not late.
        runtime.outbox.enqueue(connection, "jira.update_issue", clock() - timedelta(minutes=5), problems.engineering,
                               dedupe_key="deferred", not_before=clock() + timedelta(hours=1))
    counts = runtime.outbox.counts()
    clock.advance(90)
    text = scrape_after_a_new_read(client, runtime)
    for status in ("pending", "failed", "done"):
        assert sample(text, "bridge_outbox_actions", status=status) == counts[status]
    assert counts["failed"] == 1 and counts["pending"] == 2  # build_problems failed one on purpose
    assert sample(text, "bridge_outbox_lag_seconds") == 90


def test_a_running_fix_notification_shows_its_progress(built, clock):
    runtime, problems, client = built
    with runtime.engine.begin() as connection:
        start_by_hand(runtime.closure, runtime.problems, connection, problems.finance, clock(), "2.1")
    text = scrape_after_a_new_read(client, runtime)
    assert sample(text, "bridge_closures_running") == 1
    linked = len(runtime.problems.linked_ticket_ids(problems.finance))
    assert linked >= 1 and sample(text, "bridge_closure_tickets", state="pending") == linked
    assert sample(text, "bridge_closure_tickets", state="notified") == 0


def test_the_process_and_python_collectors_are_exported(built):
    _, _, client = built
    text = client.get("/metrics").get_data(as_text=True)
    assert sample(text, "process_cpu_seconds_total") is not None
    assert "python_info{" in text and "python_gc_collections_total{" in text


def test_the_scheduler_reports_leadership_and_each_jobs_last_run(built):
    runtime, _, client = built

    def broken() -> None:
        raise RuntimeError("the database went away")

    scheduler = BridgeScheduler([JobSpec("works", 0.1, lambda: "ok"), JobSpec("breaks", 0.1, broken)],
                                _AlwaysLeader(), leader_check_seconds=0.1, observer=runtime.metrics)
    before = time.time()
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while True:
            text = client.get("/metrics").get_data(as_text=True)
            ran = sample(text, "bridge_scheduler_job_last_run_timestamp_seconds", job="works", outcome="ok")
            failed = sample(text, "bridge_scheduler_job_last_run_timestamp_seconds", job="breaks", outcome="failed")
            if ran and failed:
                break
            assert time.monotonic() < deadline, text
            time.sleep(0.05)
        assert sample(text, "bridge_scheduler_leader") == 1
        assert ran >= before and failed >= before
        assert sample(text, "bridge_scheduler_job_last_run_timestamp_seconds", job="breaks", outcome="ok") is None
    finally:
        scheduler.shutdown()
    assert sample(client.get("/metrics").get_data(as_text=True), "bridge_scheduler_leader") == 0


class _AlwaysLeader:
    def check(self) -> bool:
        return True

    def release(self) -> None:
        pass


@pytest.mark.parametrize(("url", "endpoint"), [
    ("https://acme.zendesk.com/api/v2/tickets/4711.json", "/api/v2/tickets/{id}.json"),
    ("https://acme.zendesk.com/api/v2/tickets/update_many.json?ids=1,2", "/api/v2/tickets/update_many.json"),
    ("https://acme.zendesk.com/api/v2/help_center/en-us/sections/12/articles.json",
     "/api/v2/help_center/en-us/sections/{id}/articles.json"),
    ("https://acme.atlassian.net/rest/api/3/issue/ENG-12/comment", "/rest/api/3/issue/{key}/comment"),
    ("https://acme.atlassian.net/rest/api/2/issue/10042", "/rest/api/2/issue/{id}"),
    ("https://acme.zendesk.com/api/v2/job_statuses/8b726e606741012ffc2d782bcb7848fe.json",
     "/api/v2/job_statuses/{id}.json"),
    ("https://acme.zendesk.com/api/v2/job_statuses/show_many.json?ids=a,b", "/api/v2/job_statuses/show_many.json"),
    ("https://jira.example.com/rest/webhooks/1.0/webhook/3", "/rest/webhooks/1.0/webhook/{id}"),
])
def test_an_endpoint_names_the_api_call_not_the_ticket(url, endpoint):
    assert endpoint_of(url) == endpoint


@pytest.fixture
def silent_server():
    """Accepts connections and never answers: a peer that hangs."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def test_a_peer_that_hangs_is_counted_as_a_timeout_and_one_that_refuses_as_a_connection_error(silent_server):
    seen: list[tuple] = []
    session = requests.Session()
    observe_requests(session, "zendesk", lambda *observed: seen.append(observed))
    with pytest.raises(requests.Timeout):
        session.get(f"{silent_server}/api/v2/tickets/7.json", timeout=0.3)
    refused = socket.create_server(("127.0.0.1", 0))
    port = refused.getsockname()[1]
    refused.close()
    with pytest.raises(requests.ConnectionError):
        session.get(f"http://127.0.0.1:{port}/api/v2/users/me.json", timeout=2)
    assert [(vendor, method, endpoint, outcome) for vendor, method, endpoint, _, outcome in seen] == [
        ("zendesk", "GET", "/api/v2/tickets/{id}.json", "timeout"),
        ("zendesk", "GET", "/api/v2/users/me.json", "connection_error")]
    assert 0.25 < seen[0][3] < 5
