"""`poll_jira` catches Jira changes whose webhook never came, feeds each through the inbox once, and
keeps its position in the `cursors` table across restarts and Jira outages."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bridge.jira_progress.poll_jira import CURSOR
from bridge.runtime import build_runtime
from bridge.storage.cursors import Cursors
from bridge.storage.inbox import DONE
from tests.e2e.conftest import jira_client_for
from tests.scheduler.conftest import jobs_of, open_problem_for_issue


def problem_issue(environment, settle, summary: str = "Checkout crashes") -> str:
    """A Jira issue the bridge has heard of (its creation webhook) and an open problem owning it."""
    with jira_client_for(environment) as client:
        created = client.create_issue("ENG", "Bug", summary)
    settle(environment)
    open_problem_for_issue(environment.runtime, created["key"], created["id"])
    return created["key"]


def polled_deliveries(runtime) -> list:
    return [event for event in runtime.inbox.list(limit=1000)
            if event.source == "jira" and event.delivery_key.startswith("poll:")]


def status_known_to_bridge(environment, key: str) -> str:
    return environment.runtime.issue_snapshots.get_by_key(key).status


def test_a_missed_webhook_is_caught_and_stored_once_however_often_the_poll_runs(loopback, settle):
    key = problem_issue(loopback, settle)
    with loopback.jira.webhooks_suppressed():
        loopback.jira.user_transitions(key, "In Progress")
    settle(loopback)
    assert status_known_to_bridge(loopback, key) == "To Do"  # the webhook was missed

    poll = jobs_of(loopback.runtime)["poll_jira"]
    poll.run()
    poll.run()  # before or after the worker applied the first: the same change is not stored again
    settle(loopback)
    poll.run()

    assert status_known_to_bridge(loopback, key) == "In Progress"
    [polled] = polled_deliveries(loopback.runtime)
    assert polled.status == DONE and polled.event_type == "jira:issue_updated"
    body = json.loads(polled.body)
    assert body["bridge_poll"] is True and body["issue"]["key"] == key and "changelog" not in body


def test_a_change_seen_by_webhook_and_poll_is_applied_from_both_without_harm(loopback, settle):
    key = problem_issue(loopback, settle)
    loopback.jira.webhooks.hold()
    loopback.jira.user_transitions(key, "In Progress")
    jobs_of(loopback.runtime)["poll_jira"].run()  # the poll is first; the webhook comes late
    loopback.jira.webhooks.release()
    settle(loopback)

    assert status_known_to_bridge(loopback, key) == "In Progress"
    [polled] = polled_deliveries(loopback.runtime)
    delivered = [e for e in loopback.runtime.inbox.list(limit=1000)
                 if e.source == "jira" and not e.delivery_key.startswith("poll:")]
    assert polled.status == DONE and {e.status for e in delivered} == {DONE} and len(delivered) == 2


def test_a_change_the_webhook_already_brought_is_not_stored_again(loopback, settle):
    key = problem_issue(loopback, settle)
    loopback.jira.user_transitions(key, "In Progress")
    settle(loopback)
    jobs_of(loopback.runtime)["poll_jira"].run()
    assert status_known_to_bridge(loopback, key) == "In Progress"
    assert polled_deliveries(loopback.runtime) == []


def test_issues_of_inactive_problems_are_not_polled(loopback):
    with jira_client_for(loopback) as client:
        key = client.create_issue("ENG", "Bug", "Nobody's problem")["key"]
    with loopback.jira.webhooks_suppressed():
        loopback.jira.user_transitions(key, "In Progress")
    loopback.jira.clear_requests()
    assert jobs_of(loopback.runtime)["poll_jira"].run() == "no active problem has a Jira issue"
    assert loopback.jira.requests == [] and polled_deliveries(loopback.runtime) == []


def searched_jql(environment) -> list[str]:
    return [request.query["jql"][0] for request in environment.jira.requests
            if request.path.endswith("/search/jql") and "jql" in request.query]


def test_the_cursor_survives_a_restart_and_the_next_poll_starts_from_it(loopback, settle):
    key = problem_issue(loopback, settle)
    with loopback.jira.webhooks_suppressed():
        loopback.jira.user_transitions(key, "In Progress")
    jobs_of(loopback.runtime)["poll_jira"].run()
    updated = datetime.fromisoformat(loopback.jira.issue(key)["fields"]["updated"].replace("+0000", "+00:00"))
    cursor = datetime.fromisoformat(Cursors(loopback.runtime.engine).get(CURSOR))
    assert cursor == updated

    restarted = build_runtime(loopback.settings)  # another process on the same database
    try:
        loopback.jira.clear_requests()
        jobs_of(restarted)["poll_jira"].run()
    finally:
        restarted.engine.dispose()
    overlap = timedelta(seconds=loopback.settings.scheduler.poll_jira_overlap_seconds)
    since = (cursor - overlap).strftime("%Y-%m-%d %H:%M")  # the simulator's user is in UTC
    assert searched_jql(loopback) == [f'updated >= "{since}" AND key in ("{key}") ORDER BY updated ASC']


def test_jira_down_keeps_the_cursor_and_the_next_poll_catches_up(loopback, settle):
    key = problem_issue(loopback, settle)
    poll = jobs_of(loopback.runtime)["poll_jira"]
    poll.run()
    cursors = Cursors(loopback.runtime.engine)
    before = cursors.get(CURSOR)
    with loopback.jira.webhooks_suppressed():
        loopback.jira.user_transitions(key, "In Progress")

    loopback.jira.inject_faults(1, "503")
    assert poll.run().startswith("failed")
    assert cursors.get(CURSOR) == before and polled_deliveries(loopback.runtime) == []

    poll.run()
    settle(loopback)
    assert status_known_to_bridge(loopback, key) == "In Progress"
    assert cursors.get(CURSOR) > before
