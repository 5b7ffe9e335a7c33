"""1,000 tickets joining one problem cost a bounded number of Jira writes (no per-ticket call) and
ceil(N/100) Zendesk bulk updates plus their job polls; no per-ticket Zendesk write at all.

The simulated Zendesk sends webhooks one at a time (about 30 ms each against the bridge: 30 s
for 1,000), where the real one sends many in parallel. So the simulator's webhook points at a
closed port, and its recorded deliveries, signed like Zendesk signs them, are posted to the
bridge's endpoint from 8 connections at once (the loopback bridge has 8 threads).
"""

from __future__ import annotations

import json
import math
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bridge.planning import problem_label
from tests.e2e.problems_support import (
    CRASH_RULE,
    assert_nothing_parked,
    jira_comments,
    jira_writes,
    link_updates,
    problem_environment,
    report_crash,
    settle_all,
    the_issue,
    the_problem,
    utc_now,
    wait_for,
    zendesk_calls,
)
from tests.support.signing import zendesk_headers

TICKETS = 1000
BULK = 100


@pytest.fixture
def bridge(tmp_path):
    environment = problem_environment(tmp_path / "rules", connect_webhooks=False)
    environment.jira.configure_webhook(environment.webhook_url("jira"), secret=environment.jira_webhook_secret)
    yield environment
    environment.stop()


def created_tickets_delivered_in_parallel(environment, count: int) -> list[int]:
    """`count` crash reports; their ticket.created webhooks reach the bridge over 8 connections."""
    environment.zendesk.set_delivery_options(max_attempts=1, backoff_seconds=0)
    environment.zendesk.configure_webhook("http://127.0.0.1:1/webhooks/zendesk", environment.zendesk_webhook_secret,
                                          subscriptions=["zen:event-type:ticket.created"])
    tickets = [report_crash(environment) for _ in range(count)]
    assert environment.zendesk.wait_for_deliveries(timeout=30)
    deliveries = environment.zendesk.deliveries
    assert len(deliveries) == count

    def post(delivery) -> int:
        body = json.dumps(delivery.envelope).encode()
        headers = zendesk_headers(body, utc_now(), secret=delivery.secret,
                                  **{"X-Zendesk-Webhook-Invocation-Id": delivery.invocation_id})
        return requests.post(environment.webhook_url("zendesk"), data=body, headers=headers, timeout=10).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(post, deliveries)) == {200}
    return tickets


def test_a_thousand_tickets_cost_bounded_jira_writes_and_bulk_zendesk_updates(bridge):
    started = time.monotonic()
    # Jira answers 429 until every ticket is in: the issue is created for all of them at once,
    # the case where the cost is exactly the minimum.
    bridge.jira.fault_retry_after = 1
    bridge.jira.inject_faults(100_000, "429")
    tickets = created_tickets_delivered_in_parallel(bridge, TICKETS)
    wait_for(lambda: bridge.runtime.inbox.counts()["done"] >= TICKETS, timeout=60, what="tickets processed")
    processed = time.monotonic()
    while bridge.jira.take_fault():
        pass
    settle_all(bridge, timeout=60)
    finished = time.monotonic()

    problem = the_problem(bridge.runtime, CRASH_RULE)
    issue = the_issue(bridge, problem)
    assert problem.ticket_count == TICKETS and len(bridge.jira.store.issues) == 1

    # Jira: the create and its escalation comment; nothing per ticket.
    writes = [(r.method, r.path.removeprefix("/rest/api/3/")) for r in jira_writes(bridge) if r.status < 300]
    assert writes == [("POST", "issue"), ("POST", f"issue/{issue['key']}/comment")]
    assert len(jira_comments(bridge, issue["key"])) == 1

    # Zendesk: ceil(N/100) bulk link updates of 100 distinct tickets each, plus job polls.
    links = [r for r in link_updates(bridge, problem) if r.status == 200]
    linked = [int(i) for r in links for i in r.query["ids"].split(",")]
    assert len(links) == math.ceil(TICKETS / BULK) and sorted(linked) == sorted(tickets)
    writes = [r for r in bridge.zendesk.requests if r.method != "GET"]
    assert {(r.method, r.path) for r in writes} == {("PUT", "/api/v2/tickets/update_many.json")}
    assert all(len(r.query["ids"].split(",")) <= BULK for r in writes)
    polls = zendesk_calls(bridge, "job_statuses", "GET")
    assert len(polls) >= len(writes)
    assert all(f"problem_{problem.id}" in bridge.zendesk.ticket(t)["tags"] for t in tickets)
    assert_nothing_parked(bridge.runtime)
    print(f"\n{TICKETS} tickets: in and processed in {processed - started:.1f} s, settled after "
          f"{finished - started:.1f} s; Jira writes {len(jira_writes(bridge))} "
          f"(searches {sum('search' in r.path for r in bridge.jira.requests)}); Zendesk update_many "
          f"{len(writes)} ({len(links)} links), job polls {len(polls)}, label {problem_label(problem.id)}")
