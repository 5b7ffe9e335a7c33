"""Pin the exact HTTP requests JiraClient sends to real-looking Cloud and Data Center URLs."""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest
import responses
from responses import matchers

from connectors.jira.client import JiraClient
from connectors.jira.errors import JiraError

CLOUD = "https://acme.atlassian.net"
DATA_CENTER = "https://jira.acme.com"


@responses.activate
def test_cloud_create_uses_v3_adf_and_basic_auth_without_a_server_info_call():
    responses.post(f"{CLOUD}/rest/api/3/issue", status=201,
                   json={"id": "10001", "key": "ENG-7", "self": f"{CLOUD}/rest/api/3/issue/10001"})
    client = JiraClient(CLOUD, "cloud", "bot@acme.com", "api-token")

    assert client.create_issue("ENG", "Bug", "Refunds fail", description="Two tickets", labels=["bridge-problem-9"],
                               assignee="5b10a2844c20165700ede21g") == {"id": "10001", "key": "ENG-7"}

    (call,) = responses.calls
    assert call.request.headers["Authorization"] == "Basic " + base64.b64encode(b"bot@acme.com:api-token").decode()
    assert json.loads(call.request.body) == {"fields": {
        "project": {"key": "ENG"}, "issuetype": {"name": "Bug"}, "summary": "Refunds fail",
        "description": {"type": "doc", "version": 1, "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Two tickets"}]}]},
        "labels": ["bridge-problem-9"], "assignee": {"accountId": "5b10a2844c20165700ede21g"}}}


@responses.activate
def test_cloud_search_uses_search_jql_with_next_page_token():
    responses.get(f"{CLOUD}/rest/api/3/field", json=[{"id": "labels", "name": "Labels", "clauseNames": ["labels"]}])
    search = f"{CLOUD}/rest/api/3/search/jql"
    responses.get(search, match=[matchers.query_param_matcher(
        {"jql": 'labels = "p-1" ORDER BY created ASC', "fields": ["summary", "labels"], "maxResults": "100"})],
        json={"issues": [{"id": "1", "key": "ENG-1"}], "nextPageToken": "abc", "isLast": False})
    responses.get(search, match=[matchers.query_param_matcher(
        {"jql": 'labels = "p-1" ORDER BY created ASC', "fields": ["summary", "labels"], "maxResults": "100",
         "nextPageToken": "abc"})], json={"issues": [{"id": "2", "key": "ENG-2"}], "isLast": True})
    client = JiraClient(CLOUD, "cloud", "bot@acme.com", "api-token")

    assert [i["key"] for i in client.find_issues_by_label("p-1", fields=["summary", "labels"])] == ["ENG-1", "ENG-2"]
    assert [call.request.path_url.split("?")[0] for call in responses.calls] == [
        "/rest/api/3/field", "/rest/api/3/search/jql", "/rest/api/3/search/jql"]


@responses.activate
def test_data_center_uses_bearer_token_v2_plain_text_and_start_at_search():
    responses.post(f"{DATA_CENTER}/rest/api/2/issue/ENG-1/comment", status=201, json={"id": "5", "body": "Fixed"})
    responses.get(f"{DATA_CENTER}/rest/api/2/field", json=[])
    responses.get(f"{DATA_CENTER}/rest/api/2/search", match=[matchers.query_param_matcher(
        {"jql": "project = ENG", "startAt": "0", "validateQuery": "True", "fields": "summary", "maxResults": "100"})],
        json={"startAt": 0, "maxResults": 100, "total": 1, "issues": [{"id": "1", "key": "ENG-1"}]})
    client = JiraClient(DATA_CENTER, "server", None, "personal-access-token")

    client.add_comment("ENG-1", "Fixed")
    assert [i["key"] for i in client.search("project = ENG", fields=["summary"])] == ["ENG-1"]

    comment = responses.calls[0].request
    assert comment.headers["Authorization"] == "Bearer personal-access-token"
    assert json.loads(comment.body) == {"body": "Fixed"}


@responses.activate
def test_transition_by_target_status_and_release_version_bodies():
    responses.get(f"{CLOUD}/rest/api/3/issue/ENG-1/transitions", json={"transitions": [
        {"id": "31", "name": "Close", "to": {"name": "Done"}}]})
    responses.post(f"{CLOUD}/rest/api/3/issue/ENG-1/transitions", status=204)
    responses.put(f"{CLOUD}/rest/api/3/version/10100", json={"id": "10100", "released": True})
    client = JiraClient(CLOUD, "cloud", "bot@acme.com", "api-token")

    client.transition("ENG-1", "Done", resolution="Fixed")
    client.release_version("10100", release_date=date(2030, 1, 2))

    assert json.loads(responses.calls[1].request.body) == {"transition": {"id": "31"},
                                                           "fields": {"resolution": {"name": "Fixed"}}}
    assert json.loads(responses.calls[2].request.body) == {"released": True, "releaseDate": "2030-01-02"}


@responses.activate
def test_429_is_not_retried_by_the_library():
    responses.put(f"{CLOUD}/rest/api/3/issue/ENG-1", status=429, headers={"Retry-After": "12"},
                  json={"errorMessages": ["Too many requests"]})
    client = JiraClient(CLOUD, "cloud", "bot@acme.com", "api-token")

    with pytest.raises(JiraError) as raised:
        client.edit_issue("ENG-1", {"customfield_10050": 5})

    assert (raised.value.status, raised.value.retry_after) == (429, 12.0)
    assert len(responses.calls) == 1
