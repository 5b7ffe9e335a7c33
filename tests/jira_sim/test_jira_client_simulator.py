"""JiraClient (the real jira library) against the simulator over HTTP, for Cloud and Data Center."""

from __future__ import annotations

import pytest

from connectors.jira.errors import JiraError
from connectors.jira.issue_tracker import JiraIssueTracker
from connectors.jira.simulator.catalog import UI_USER


def _assignee_for(deployment: str) -> str:
    return UI_USER.account_id if deployment == "cloud" else UI_USER.name


def test_create_issue_with_every_field(client, sim, deployment):
    created = client.create_issue(
        "ENG", "Bug", "Checkout fails for PayPal", description="Seen in 12 tickets.\nSee Zendesk.",
        priority="High", labels=["bridge-problem-42", "billing"], components=["Web"], due_date="2030-01-31",
        assignee=_assignee_for(deployment), custom_fields={"customfield_10050": 12},
    )

    assert created["key"] == "ENG-1"
    fields = sim.issue("ENG-1")["fields"]
    assert fields["summary"] == "Checkout fails for PayPal"
    assert fields["description"] == "Seen in 12 tickets.\nSee Zendesk."
    assert fields["priority"]["name"] == "High"
    assert fields["labels"] == ["bridge-problem-42", "billing"]
    assert [c["name"] for c in fields["components"]] == ["Web"]
    assert fields["duedate"] == "2030-01-31"
    assert fields["assignee"]["displayName"] == UI_USER.display_name
    assert fields["customfield_10050"] == 12
    assert fields["status"]["statusCategory"]["key"] == "new"
    sent = next(r for r in sim.requests if r.method == "POST")
    if deployment == "cloud":
        assert sent.path == "/rest/api/3/issue" and sent.json["fields"]["description"]["type"] == "doc"
    else:
        assert sent.path == "/rest/api/2/issue"
        assert sent.json["fields"]["description"] == "Seen in 12 tickets.\nSee Zendesk."


@pytest.mark.parametrize(
    ("project", "issue_type", "custom_fields", "error_field"),
    [("NOPE", "Bug", {}, "project"), ("ENG", "Epic", {}, "issuetype"),
     ("ENG", "Bug", {"customfield_99999": 1}, "customfield_99999"),
     ("ENG", "Bug", {"customfield_10050": "many"}, "customfield_10050")],
)
def test_invalid_create_is_a_400_naming_the_field(client, project, issue_type, custom_fields, error_field):
    with pytest.raises(JiraError) as raised:
        client.create_issue(project, issue_type, "x", custom_fields=custom_fields)
    assert raised.value.status == 400
    assert error_field in raised.value.field_errors


def test_find_by_label_pages_through_results(client, sim, deployment):
    keys = [client.create_issue("FIN", "Task", f"refund {n}", labels=["bridge-problem-7"])["key"] for n in range(12)]
    client.create_issue("FIN", "Task", "unrelated", labels=["other"])
    sim.clear_requests()

    found = client.find_issues_by_label("bridge-problem-7")

    assert [issue["key"] for issue in found] == keys
    searches = [r for r in sim.requests if "search" in r.path]
    assert len(searches) == 3  # the simulator's pages hold 5 issues
    if deployment == "cloud":
        assert {r.path for r in searches} == {"/rest/api/3/search/jql"}
        assert "nextPageToken" not in searches[0].query and "nextPageToken" in searches[2].query
    else:
        assert {r.path for r in searches} == {"/rest/api/2/search"}
        assert [r.query["startAt"] for r in searches] == [["0"], ["5"], ["10"]]


def test_unsupported_jql_is_a_400_not_everything(client):
    client.create_issue("ENG", "Bug", "x")
    with pytest.raises(JiraError) as raised:
        list(client.search("summary ~ checkout"))
    assert raised.value.status == 400


def test_search_by_status_category_and_update_time(client, sim):
    first = client.create_issue("ENG", "Bug", "a")["key"]
    client.create_issue("ENG", "Bug", "b")
    sim.user_transitions(first, "Done", resolution="Fixed")

    done = list(client.search('project = ENG AND statusCategory = Done AND updated >= -5m ORDER BY updated ASC'))

    assert [issue["key"] for issue in done] == [first]


def test_transition_to_done_sets_resolution_and_back_to_do_clears_it(client, sim):
    key = client.create_issue("SHIP", "Bug", "Parcels lost")["key"]
    by_target = {t["to"]["name"]: t for t in client.transitions(key)}
    assert by_target["Done"]["to"]["statusCategory"]["key"] == "done"
    assert "resolution" in by_target["Done"]["fields"]

    client.transition(key, "Done", resolution="Won't Do")
    fields = client.get_issue(key, ["status", "resolution"])["fields"]
    assert (fields["status"]["name"], fields["resolution"]["name"]) == ("Done", "Won't Do")

    client.transition(key, "To Do")
    assert client.get_issue(key, ["resolution"])["fields"]["resolution"] is None


def test_transition_to_unknown_status_lists_what_is_available(client):
    key = client.create_issue("SHIP", "Bug", "x")["key"]
    with pytest.raises(JiraError, match="In Review"):
        client.transition(key, "Shipped")


def test_remote_link_with_same_global_id_is_updated_not_duplicated(client):
    key = client.create_issue("ENG", "Bug", "x")["key"]
    first = client.upsert_remote_link(key, "zendesk-ticket-1", "https://acme.zendesk.com/agent/tickets/1", "#1")
    second = client.upsert_remote_link(key, "zendesk-ticket-1", "https://acme.zendesk.com/agent/tickets/1", "#1 (3)")

    links = client.remote_links(key)
    assert first["id"] == second["id"]
    assert [(link["globalId"], link["object"]["title"]) for link in links] == [("zendesk-ticket-1", "#1 (3)")]


def test_entity_property_round_trip(client):
    key = client.create_issue("ENG", "Bug", "x")["key"]
    assert client.get_entity_property(key, "bridge.problem") is None
    client.set_entity_property(key, "bridge.problem", {"problem_id": 42})
    assert client.get_entity_property(key, "bridge.problem") == {"problem_id": 42}


def test_version_create_and_release(client, sim):
    version = client.create_version("ENG", "2.4.0")
    released = client.release_version(version["id"])
    assert released["released"] is True
    assert [v["name"] for v in client.project_versions("ENG") if v["released"]] == ["2.4.0"]
    with pytest.raises(JiraError) as raised:
        client.create_version("ENG", "2.4.0")
    assert raised.value.status == 400


def test_edit_comment_and_link(client, sim):
    first = client.create_issue("ENG", "Bug", "x", labels=["a"])["key"]
    second = client.create_issue("ENG", "Bug", "y")["key"]
    client.edit_issue(first, {"customfield_10050": 30}, update={"labels": [{"add": "b"}]})
    client.add_comment(first, "30 tickets now")
    client.link_issues("Duplicate", second, first)

    fields = sim.issue(first)["fields"]
    assert fields["labels"] == ["a", "b"] and fields["customfield_10050"] == 30
    assert [c["body"] for c in fields["comment"]["comments"]] == ["30 tickets now"]
    assert fields["issuelinks"][0]["inwardIssue"]["key"] == second


def test_moved_issue_answers_to_its_old_key(client, sim):
    old_key = client.create_issue("ENG", "Bug", "x")["key"]
    new_key = sim.user_moves_issue(old_key, "SHIP")
    assert new_key == "SHIP-1"
    assert client.get_issue(old_key)["key"] == "SHIP-1"


def test_instance_data_for_config_checks(client, deployment):
    assert client.server_info()["deploymentType"] == ("Cloud" if deployment == "cloud" else "Server")
    assert {p["key"] for p in client.projects()} == {"FIN", "ENG", "SHIP"}
    assert [t["name"] for t in client.issue_types("FIN")] == ["Bug", "Task", "Story"]
    assert "Affected tickets" in {f["name"] for f in client.fields()}


def test_recent_comments_are_the_newest_first(client, sim):
    key = client.create_issue("ENG", "Bug", "x")["key"]
    for number in range(1, 5):
        client.add_comment(key, f"comment {number}\nsecond line")
    assert client.recent_comments(key, 3) == [f"comment {n}\nsecond line" for n in (4, 3, 2)]


def test_comment_once_does_not_repeat_what_the_issue_already_says(client, sim):
    tracker = JiraIssueTracker(client, sim.url)
    key = client.create_issue("ENG", "Bug", "x")["key"]
    escalated = "Escalated to Highest: 5 tickets affected.\nDue date moved up."

    assert tracker.comment_once(key, escalated) is True
    assert tracker.comment_once(key, escalated) is False  # a retry after a crash
    assert tracker.comment_once(key, escalated.replace("\n", "\r\n  ")) is False  # Jira's own spacing
    assert tracker.comment_once(key, "Escalated to Highest: 6 tickets affected.") is True
    # Worded otherwise on the retry, recognised by what stays the same:
    assert tracker.comment_once(key, "Priority stays Highest: 5 tickets affected.", "5 tickets affected") is False
    assert [c["body"] for c in sim.issue(key)["fields"]["comment"]["comments"]] == [
        escalated, "Escalated to Highest: 6 tickets affected."]
