"""The simulator's admin webhooks resource (`/rest/webhooks/1.0/webhook`) through the bridge's client,
and its deliveries: only to enabled webhooks, for their events, issues matching their JQL filter,
signed with their secret. Also custom number fields and screens, as `bridge setup jira` uses them."""

from __future__ import annotations

import pytest
import requests

from connectors.jira.custom_fields import create_number_field, screens
from connectors.jira.errors import JiraError
from connectors.jira.signature import SIGNATURE_HEADER, verify
from connectors.jira.webhooks import JiraWebhooks, WebhookSpec
from tests.jira_sim.conftest import API_TOKEN, EMAIL

RESOURCE = "/rest/webhooks/1.0/webhook"


def spec(url: str, **changes) -> WebhookSpec:
    base = {"name": "bridge", "url": url, "events": ("jira:issue_created", "jira:version_released"),
            "jql_filter": 'project in ("ENG")', "secret": "s3cret"}
    return WebhookSpec(**{**base, **changes})


def raw(sim, method: str, path: str, deployment: str, **kwargs) -> requests.Response:
    auth = (EMAIL, API_TOKEN) if deployment == "cloud" else None
    headers = {} if deployment == "cloud" else {"Authorization": f"Bearer {API_TOKEN}"}
    return requests.request(method, sim.url + path, auth=auth, headers=headers, timeout=5, **kwargs)


def test_register_list_update_and_delete(sim, client, deployment):
    webhooks = JiraWebhooks(client)
    created = webhooks.create(spec("https://bridge.example.com/webhooks/jira"))

    assert webhooks.list() == [created]
    assert (created.name, created.events, created.jql_filter, created.enabled) == (
        "bridge", ("jira:issue_created", "jira:version_released"), 'project in ("ENG")', True)
    shown = raw(sim, "GET", f"{RESOURCE}/{created.id}", deployment).json()
    assert shown["self"].endswith(f"{RESOURCE}/{created.id}") and "secret" not in shown
    updated = webhooks.update(created.id, spec("https://bridge.example.com/webhooks/jira", enabled=False))
    assert updated.enabled is False and webhooks.list() == [updated]
    webhooks.delete(created.id)
    assert webhooks.list() == []
    assert raw(sim, "GET", f"{RESOURCE}/{created.id}", deployment).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"url": "https://bridge.example.com"}, "name"),
    ({"name": "x", "url": "bridge.example.com"}, "url"),
    ({"name": "x", "url": "https://b.example.com", "events": ["jira:issue_exploded"]}, "events"),
    ({"name": "x", "url": "https://b.example.com", "filters": {"issue-related-events-section": "project in ("}},
     "filters"),
    ({"name": "x", "url": "https://b.example.com", "enabled": "yes"}, "enabled"),
])
def test_a_bad_registration_is_a_400_naming_the_field(sim, deployment, body, field):
    answer = raw(sim, "POST", RESOURCE, deployment, json=body)
    assert answer.status_code == 400 and field in answer.json()["errors"]
    assert raw(sim, "POST", RESOURCE, deployment, data="not json").status_code == 400
    assert sim.webhooks.targets == {}


def test_deliveries_follow_the_registration(sim, client, receiver):
    webhooks = JiraWebhooks(client)
    webhooks.create(spec(receiver.url))
    client.create_issue("ENG", "Bug", "matches the filter")
    client.create_issue("FIN", "Task", "outside the JQL filter")
    sim.release_version("FIN", "1.0")  # version events are not filtered by JQL
    sim.user_comments("ENG-1", "not subscribed")
    sim.wait_for_deliveries()

    assert [hook.json()["webhookEvent"] for hook in receiver.received] == ["jira:issue_created",
                                                                          "jira:version_released"]
    assert receiver.received[0].json()["issue"]["key"] == "ENG-1"
    for hook in receiver.received:
        verify("s3cret", hook.headers[SIGNATURE_HEADER], hook.body)


def test_a_disabled_webhook_sends_nothing_and_exclude_body_sends_no_body(sim, client, receiver):
    webhooks = JiraWebhooks(client)
    disabled = webhooks.create(spec(receiver.url, enabled=False))
    client.create_issue("ENG", "Bug", "x")
    sim.wait_for_deliveries()
    assert receiver.received == []

    webhooks.update(disabled.id, spec(receiver.url, exclude_body=True))
    client.create_issue("ENG", "Bug", "y")
    sim.wait_for_deliveries()
    (hook,) = receiver.received
    assert hook.body == b""


def test_an_update_without_a_secret_keeps_the_secret(sim, client, receiver):
    webhooks = JiraWebhooks(client)
    created = webhooks.create(spec(receiver.url))
    webhooks.update(created.id, spec(receiver.url, secret=None, name="renamed"))
    client.create_issue("ENG", "Bug", "x")
    sim.wait_for_deliveries()
    (hook,) = receiver.received
    verify("s3cret", hook.headers[SIGNATURE_HEADER], hook.body)


def test_a_webhook_wired_at_start_is_listed_with_every_event(sim, client, receiver):
    sim.configure_webhook(receiver.url, secret="s")
    (webhook,) = JiraWebhooks(client).list()
    assert webhook.url == receiver.url and "jira:issue_deleted" in webhook.events and webhook.jql_filter == ""


def test_a_created_number_field_can_be_set_on_issues(sim, client):
    field_id = create_number_field(client, "Affected requesters", "How many requesters")

    assert {f["id"]: f["name"] for f in client.fields()}[field_id] == "Affected requesters"
    key = client.create_issue("ENG", "Bug", "x", custom_fields={field_id: 7})["key"]
    assert sim.issue(key)["fields"][field_id] == 7
    with pytest.raises(JiraError) as refused:
        client.create_issue("ENG", "Bug", "y", custom_fields={field_id: "seven"})
    assert refused.value.status == 400


@pytest.mark.parametrize("field_type", ["com.atlassian.jira.plugin.system.customfieldtypes:magic", ["float"]])
def test_a_field_of_an_unknown_type_is_refused(sim, deployment, field_type):
    answer = raw(sim, "POST", f"/rest/api/{'3' if deployment == 'cloud' else '2'}/field", deployment,
                 json={"name": "x", "type": field_type})
    assert answer.status_code == 400 and "type" in answer.json()["errors"]


def test_screens_are_listed_page_by_page(sim, client):
    names = [screen.name for screen in screens(client, page_size=2)]
    assert names[:2] == ["FIN: Default Issue Screen", "FIN: Bug Screen"] and "SHIP: Bug Screen" in names
    assert len(names) == len(set(names)) == 6
