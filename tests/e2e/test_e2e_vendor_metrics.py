"""Every request the bridge's own clients (zenpy, jira) send to the simulators is timed by endpoint
on /metrics, and failures are counted by outcome; no ticket id or issue key becomes a label."""

from __future__ import annotations

import pytest
import requests

from bridge.domain.ports import RemoteError
from tests.support.prometheus import sample, samples


def test_every_request_to_zendesk_and_jira_is_timed_and_failures_counted(loopback):
    runtime = loopback.runtime
    ticket = loopback.zendesk.customer_creates_ticket("Cannot log in", "The app says my password is wrong")
    runtime.ticket_system.fetch_tickets([ticket["id"]])
    loopback.zendesk.inject_faults(1, "500")
    with pytest.raises(RemoteError):
        runtime.ticket_system.fetch_tickets([ticket["id"]])
    loopback.jira.inject_faults(1, "503")
    with pytest.raises(RemoteError):
        runtime.issue_tracker.description("ENG-404")

    text = requests.get(f"{loopback.bridge_url}/metrics", timeout=5).text
    show_many = {"vendor": "zendesk", "method": "GET", "endpoint": "/api/v2/tickets/show_many.json"}
    assert sample(text, "bridge_vendor_request_seconds_count", **show_many) == 2  # one read answered, one failed
    assert sample(text, "bridge_vendor_request_errors_total", **show_many, outcome="5xx") == 1
    jira_errors = [labels for labels in samples(text, "bridge_vendor_request_errors_total")
                   if labels["vendor"] == "jira"]
    assert [(e["endpoint"], e["outcome"]) for e in jira_errors] == [("/rest/api/3/issue/{key}", "5xx")]
    endpoints = {labels["endpoint"] for labels in samples(text, "bridge_vendor_request_seconds_count")}
    assert not any(segment in (str(ticket["id"]), "ENG-404") for e in endpoints for segment in e.split("/"))
