"""Errors reach the caller as one JiraError, after exactly one request: the library never retries."""

from __future__ import annotations

import pytest

from connectors.jira.client import JiraClient
from connectors.jira.errors import JiraError
from connectors.jira.simulator import JiraSimulator
from tests.jira_sim.conftest import API_TOKEN, EMAIL


@pytest.mark.parametrize(("kind", "status"), [("500", 500), ("503", 503), ("429", 429), ("timeout", None)])
def test_injected_faults_surface_once_as_jira_error(client, sim, kind, status):
    sim.inject_faults(1, kind)
    with pytest.raises(JiraError) as raised:
        client.create_issue("ENG", "Bug", "x")
    assert raised.value.status == status
    if kind == "429":
        assert raised.value.retry_after == sim.fault_retry_after
    assert len([r for r in sim.requests if r.method == "POST"]) <= 1
    assert sim.store.issues == {}  # nothing was created
    assert client.create_issue("ENG", "Bug", "x")["key"] == "ENG-1"  # the next call goes through


def test_timeout_after_write_leaves_the_issue_created(client, sim):
    sim.inject_faults(1, "timeout_after_write")
    with pytest.raises(JiraError, match="timed out"):
        client.create_issue("ENG", "Bug", "x", labels=["bridge-problem-1"])
    assert [i["key"] for i in client.find_issues_by_label("bridge-problem-1")] == ["ENG-1"]


def test_per_issue_write_limit_answers_429_with_retry_after(deployment):
    with JiraSimulator(deployment=deployment, issue_write_windows=((3, 30.0),)) as sim:
        client = JiraClient(sim.url, deployment, EMAIL, API_TOKEN, timeout=2)
        key = client.create_issue("ENG", "Bug", "x")["key"]
        for count in range(3):
            client.edit_issue(key, {"customfield_10050": count})
        with pytest.raises(JiraError) as raised:
            client.add_comment(key, "one too many")
        assert raised.value.status == 429
        assert 1 <= raised.value.retry_after <= 30
        other = client.create_issue("ENG", "Bug", "y")["key"]
        client.edit_issue(other, {"customfield_10050": 1})  # the limit is per issue
        client.close()


def test_wrong_credentials_are_a_401(sim, deployment):
    with (JiraClient(sim.url, deployment, EMAIL, "wrong-token", timeout=2) as client,
          pytest.raises(JiraError) as raised):
        client.projects()
    assert raised.value.status == 401


def test_unreachable_jira_is_a_jira_error_without_status():
    with JiraSimulator() as sim:
        url = sim.url
    with JiraClient(url, "cloud", EMAIL, API_TOKEN, timeout=1) as client, pytest.raises(JiraError) as raised:
        client.server_info()
    assert raised.value.status is None
