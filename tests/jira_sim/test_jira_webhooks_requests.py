"""Pin the exact requests the admin webhooks client sends: `/rest/webhooks/1.0/webhook` on Cloud and
Data Center alike (never `/rest/api/3/webhook`, which is only Connect and OAuth apps')."""

from __future__ import annotations

import json

import pytest
import responses

from connectors.jira.client import JiraClient
from connectors.jira.errors import JiraError
from connectors.jira.webhooks import JiraWebhooks, WebhookSpec

SPEC = WebhookSpec("zendesk-jira-bridge", "https://bridge.example.com/webhooks/jira?secret_fingerprint=ab",
                   ("jira:issue_created", "jira:version_released"), 'project in ("ENG")', "s3cret")


@pytest.mark.parametrize("server, deployment, user", [
    ("https://acme.atlassian.net", "cloud", "bot@acme.com"), ("https://jira.acme.com/jira", "server", None)])
@responses.activate
def test_register_and_update_send_the_admin_resource_its_fields(server, deployment, user):
    shown = {"self": f"{server}/rest/webhooks/1.0/webhook/7", "name": SPEC.name, "url": SPEC.url,
             "events": list(SPEC.events), "filters": {"issue-related-events-section": SPEC.jql_filter},
             "excludeBody": False, "enabled": True}
    responses.post(f"{server}/rest/webhooks/1.0/webhook", status=201, json=shown)
    responses.put(f"{server}/rest/webhooks/1.0/webhook/7", json=shown)
    webhooks = JiraWebhooks(JiraClient(server, deployment, user, "api-token"))

    assert webhooks.create(SPEC).id == "7"
    webhooks.update("7", SPEC)

    for call in responses.calls:
        assert json.loads(call.request.body) == {
            "name": "zendesk-jira-bridge", "url": SPEC.url, "events": ["jira:issue_created", "jira:version_released"],
            "filters": {"issue-related-events-section": 'project in ("ENG")'}, "excludeBody": False,
            "enabled": True, "secret": "s3cret"}


@responses.activate
def test_a_webhook_the_bridge_cannot_read_is_a_jira_error():
    responses.get("https://acme.atlassian.net/rest/webhooks/1.0/webhook", json=[{"name": "no self link"}])
    with pytest.raises(JiraError, match="cannot read"):
        JiraWebhooks(JiraClient("https://acme.atlassian.net", "cloud", "bot@acme.com", "t")).list()
