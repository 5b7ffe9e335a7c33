"""Jira issue events reach the bridge through signed webhooks; the issue snapshot follows Jira."""

from __future__ import annotations

import time

from bridge.storage.inbox import DONE


def test_issue_created_with_the_jira_library_and_moved_by_a_person_reaches_the_bridge(
        loopback, settle, jira_client):
    key = jira_client.create_issue("ENG", "Bug", "App crashes on launch", labels=["customer-impact"])["key"]
    settle(loopback)
    assert loopback.runtime.issue_snapshots.get_by_key(key).status == "To Do"

    loopback.jira.user_transitions(key, "In Progress")
    loopback.jira.user_transitions(key, "Done", resolution="Fixed")
    settle(loopback)

    snapshot = loopback.runtime.issue_snapshots.get_by_key(key)
    assert (snapshot.project_key, snapshot.summary, snapshot.labels) == ("ENG", "App crashes on launch",
                                                                        ("customer-impact",))
    assert (snapshot.status, snapshot.status_category, snapshot.resolution) == ("Done", "done", "Fixed")
    assert loopback.runtime.inbox.counts()[DONE] == 3


def test_duplicate_jira_deliveries_are_stored_once(loopback, settle, jira_client):
    loopback.jira.webhooks.duplicate = True
    key = jira_client.create_issue("SHIP", "Task", "Parcels stuck in transit")["key"]
    loopback.jira.user_transitions(key, "In Progress")
    settle(loopback)

    attempts = loopback.jira.deliveries
    assert len(attempts) == 4 and len({attempt.identifier for attempt in attempts}) == 2
    counts = loopback.runtime.inbox.counts()
    assert sum(counts.values()) == counts[DONE] == 2


def test_delayed_and_reversed_jira_deliveries_end_with_the_latest_snapshot(loopback, settle, jira_client):
    loopback.jira.webhooks.delay = 0.1
    loopback.jira.webhooks.hold()
    key = jira_client.create_issue("FIN", "Task", "Double charges")["key"]
    for status in ("In Progress", "In Review", "Done"):
        time.sleep(0.01)  # Jira timestamps have milliseconds
        loopback.jira.user_transitions(key, status)
    time.sleep(0.15)  # every delivery is due: the reversed order is the sending order
    loopback.jira.webhooks.release(reverse=True)
    settle(loopback)

    events = [attempt.json()["webhookEvent"] for attempt in loopback.jira.deliveries]
    assert events[0] == "jira:issue_updated" and events[-1] == "jira:issue_created"
    jira_status = loopback.jira.issue(key)["fields"]["status"]["name"]
    assert loopback.runtime.issue_snapshots.get_by_key(key).status == jira_status == "Done"
