"""The simulator's JQL subset: what the bridge needs is understood, anything else is a 400."""

from __future__ import annotations

import pytest

from connectors.jira.simulator.catalog import API_USER
from connectors.jira.simulator.errors import JiraApiError
from connectors.jira.simulator.jql import parse_jql
from connectors.jira.simulator.store import JiraStore


@pytest.fixture
def store():
    jira = JiraStore("http://jira.test", cloud=True)
    for project, labels in (("ENG", ["a"]), ("ENG", ["b"]), ("FIN", ["a", "c"])):
        jira.create_issue({"project": {"key": project}, "issuetype": {"name": "Bug"}, "summary": "s",
                           "labels": labels}, API_USER)
    jira.transition_to_status("ENG-2", "Done", "Fixed", API_USER)
    return jira


@pytest.mark.parametrize(("jql", "keys"), [
    ("labels = a", ["ENG-1", "FIN-1"]),
    ('labels in (b, "c")', ["ENG-2", "FIN-1"]),
    ("project = ENG AND labels not in (b)", ["ENG-1"]),
    ("key in (ENG-2, FIN-1) ORDER BY key DESC", ["FIN-1", "ENG-2"]),
    ("statusCategory = Done", ["ENG-2"]),
    ('status = "To Do" AND resolution is EMPTY', ["ENG-1", "FIN-1"]),
    ('updated >= "2000-01-01 00:00" ORDER BY updated ASC', ["ENG-1", "FIN-1", "ENG-2"]),
    ("updated >= -5m AND created < 1d", ["ENG-1", "ENG-2", "FIN-1"]),
])
def test_supported_queries(store, jql, keys):
    assert [issue.key for issue in parse_jql(jql).run(list(store.issues.values()))] == keys


@pytest.mark.parametrize("jql", [
    "summary ~ refund", "labels = a OR labels = b", "labels =", "labels in (a", "updated >= yesterday",
    "project = ENG ORDER BY rank", "labels = a AND",
])
def test_unsupported_queries_are_rejected(jql):
    with pytest.raises(JiraApiError) as raised:
        parse_jql(jql)
    assert raised.value.status == 400
    assert raised.value.messages[0].startswith("Error in the JQL Query")
