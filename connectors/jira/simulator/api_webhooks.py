"""The admin webhooks REST resource, `/rest/webhooks/1.0/webhook`, as Jira Cloud and Data Center
document it: list, register, get, update and delete by id. A webhook is `name`, `url`, `events`,
`filters` ({"issue-related-events-section": JQL}), `excludeBody`, `enabled` and a write-only
`secret` (X-Hub-Signature): it is never shown again. An update that omits `secret` or `enabled`
keeps the current one. (`/rest/api/3/webhook` is Connect and OAuth apps' resource, not this one.)"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint

from connectors.jira.simulator.catalog import API_USER
from connectors.jira.simulator.errors import JiraApiError
from connectors.jira.simulator.jql import parse_jql
from connectors.jira.simulator.routes import json_object, simulator
from connectors.jira.simulator.webhooks import WebhookTarget

webhooks_admin_api = Blueprint("jira_sim_webhooks_admin", __name__, url_prefix="/rest/webhooks/1.0")

JQL_FILTER = "issue-related-events-section"
# The events a webhook can subscribe to (Jira knows more; these are the ones the simulator has).
KNOWN_EVENTS = frozenset({
    "jira:issue_created", "jira:issue_updated", "jira:issue_deleted",
    "comment_created", "comment_updated", "comment_deleted",
    "jira:version_created", "jira:version_updated", "jira:version_released", "jira:version_unreleased",
    "jira:version_deleted", "project_created", "project_updated", "project_deleted",
})


@webhooks_admin_api.get("/webhook")
def list_webhooks():
    sim = simulator()
    return [_webhook_json(target_id, target) for target_id, target in sorted(sim.webhooks.targets.items())]


@webhooks_admin_api.post("/webhook")
def register_webhook():
    target = _target_from(json_object(), current=None)
    target_id = simulator().webhooks.add_target(target)
    return _webhook_json(target_id, target), 201


@webhooks_admin_api.get("/webhook/<int:target_id>")
def get_webhook(target_id: int):
    return _webhook_json(target_id, _existing(target_id))


@webhooks_admin_api.put("/webhook/<int:target_id>")
def update_webhook(target_id: int):
    target = _target_from(json_object(), current=_existing(target_id))
    simulator().webhooks.replace_target(target_id, target)
    return _webhook_json(target_id, target)


@webhooks_admin_api.delete("/webhook/<int:target_id>")
def delete_webhook(target_id: int):
    _existing(target_id)
    simulator().webhooks.remove_target(target_id)
    return "", 204


def _existing(target_id: int) -> WebhookTarget:
    target = simulator().webhooks.targets.get(target_id)
    if target is None:
        raise JiraApiError(404, [f"Webhook with id {target_id} does not exist."])
    return target


def _target_from(body: dict[str, Any], current: WebhookTarget | None) -> WebhookTarget:
    errors = {}
    name, url = body.get("name"), body.get("url")
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "A webhook needs a name."
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        errors["url"] = "A webhook needs an http(s) URL."
    events = body.get("events", [])
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        errors["events"] = "events must be a list of event names."
    elif unknown := sorted(set(events) - KNOWN_EVENTS):
        errors["events"] = f"Unknown events: {', '.join(unknown)}."
    jql = _jql_filter(body.get("filters"), errors)
    secret = body.get("secret", current.secret if current else None)
    if secret is not None and not isinstance(secret, str):
        errors["secret"] = "secret must be a string."
    enabled = body.get("enabled", current.enabled if current else True)
    exclude_body = body.get("excludeBody", False)
    if not isinstance(enabled, bool) or not isinstance(exclude_body, bool):
        errors["enabled"] = "enabled and excludeBody must be true or false."
    if errors:
        raise JiraApiError(400, errors=errors)
    assert isinstance(url, str) and isinstance(name, str), "checked above"
    return WebhookTarget(url, secret or None, None, frozenset(events), name, enabled, jql, exclude_body,
                         last_updated=int(time.time() * 1000))


def _jql_filter(filters: Any, errors: dict[str, str]) -> str | None:
    if filters is None:
        return None
    jql = filters.get(JQL_FILTER) if isinstance(filters, dict) else None
    if not isinstance(filters, dict) or not isinstance(jql, str | None):
        errors["filters"] = f'filters must be {{"{JQL_FILTER}": "<JQL>"}}.'
        return None
    if jql:
        try:
            parse_jql(jql)
        except JiraApiError as error:
            errors["filters"] = " ".join(error.messages)
    return jql or None


def _webhook_json(target_id: int, target: WebhookTarget) -> dict[str, Any]:
    events = sorted(target.events) if target.events is not None else sorted(KNOWN_EVENTS)
    return {"self": f"{simulator().url}/rest/webhooks/1.0/webhook/{target_id}", "name": target.name,
            "url": target.delivery_url(), "events": events,
            "filters": {JQL_FILTER: target.jql_filter or ""}, "excludeBody": target.exclude_body,
            "enabled": target.enabled, "lastUpdatedUser": API_USER.account_id,
            "lastUpdatedDisplayName": API_USER.display_name, "lastUpdated": target.last_updated}
