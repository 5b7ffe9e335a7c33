"""Every v3 request JiraClient sends to the Cloud simulator is valid for Jira Cloud's OpenAPI spec.

Validated with openapi-core (request body, path and query parameters) against the vendored spec.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest

from connectors.jira.client import JiraClient
from connectors.jira.custom_fields import create_number_field, screens
from connectors.jira.simulator import JiraSimulator
from connectors.jira.simulator.catalog import UI_USER
from tests.jira_sim.conftest import API_TOKEN, EMAIL

# Copied unchanged from shared/vendor/jira (see tests/fixtures/README.md).
SPEC_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "jira-cloud-platform-swagger-v3.v3.json"


@pytest.fixture(scope="module")
def cloud_spec():
    spec = json.loads(SPEC_PATH.read_text())
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None)), spec["servers"][0]["url"]


def _exercise_every_client_call(client: JiraClient) -> None:
    key = client.create_issue("ENG", "Bug", "Checkout fails", description="Seen twice", priority="High",
                              labels=["bridge-problem-1"], components=["Web"], due_date="2030-01-01",
                              assignee=UI_USER.account_id, custom_fields={"customfield_10050": 2})["key"]
    other = client.create_issue("ENG", "Task", "Follow-up")["key"]
    client.find_issues_by_label("bridge-problem-1")
    client.get_issue(key, ["summary", "status"])
    client.edit_issue(key, {"customfield_10050": 3, "description": "Seen three times"},
                      update={"labels": [{"add": "billing"}]})
    client.add_comment(key, "Now 3 tickets")
    client.transition(key, "Done", resolution="Fixed")
    client.upsert_remote_link(key, "zendesk-1", "https://acme.zendesk.com/agent/tickets/1", "#1")
    client.link_issues("Relates", key, other)
    client.set_entity_property(key, "bridge.problem", {"id": 1})
    client.get_entity_property(key, "bridge.problem")
    version = client.create_version("ENG", "1.0", description="First")
    client.release_version(version["id"])
    client.project_versions("ENG")
    client.issue_types("ENG")
    create_number_field(client, "Affected requesters", "How many requesters")  # bridge setup jira --fields
    screens(client)


def test_client_requests_are_valid_for_the_cloud_spec(cloud_spec):
    openapi, server_url = cloud_spec
    with JiraSimulator(deployment="cloud", api_token=API_TOKEN) as sim:
        with JiraClient(sim.url, "cloud", EMAIL, API_TOKEN, timeout=5) as client:
            _exercise_every_client_call(client)
        recorded = [r for r in sim.requests if r.path.startswith("/rest/api/3/")]

    assert {r.path for r in recorded if r.method in ("POST", "PUT")} >= {
        "/rest/api/3/issue", "/rest/api/3/issueLink", "/rest/api/3/version", "/rest/api/3/field"}
    for sent in recorded:
        request = MockRequest(server_url, sent.method.lower(), sent.path, args=sent.query,
                              data=json.dumps(sent.json) if sent.json is not None else None,
                              content_type="application/json")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # openapi-core cannot model Atlassian's OAuth scheme
            openapi.validate_request(request)
