"""Jira's admin webhooks, through `/rest/webhooks/1.0/webhook` (Cloud and Data Center alike; not
`/rest/api/3/webhook`, which only Connect and OAuth apps may use). A webhook's `secret` is
write-only: Jira signs with it (X-Hub-Signature) but never shows it again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.jira.client import JiraClient
from connectors.jira.errors import JiraError
from connectors.payload import PayloadError, obj, string_list, text

WEBHOOKS_RESOURCE = "rest/webhooks/1.0/webhook"
JQL_FILTER = "issue-related-events-section"


@dataclass(frozen=True)
class WebhookSpec:
    """What a webhook is registered with."""

    name: str
    url: str
    events: tuple[str, ...]
    jql_filter: str
    secret: str | None = None  # None: unsigned (the URL carries a token instead)
    enabled: bool = True
    exclude_body: bool = False

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "url": self.url, "events": list(self.events),
                                "filters": {JQL_FILTER: self.jql_filter}, "excludeBody": self.exclude_body,
                                "enabled": self.enabled}
        if self.secret is not None:
            body["secret"] = self.secret
        return body


@dataclass(frozen=True)
class JiraWebhook:
    """A registered webhook as Jira shows it (without its secret)."""

    id: str
    name: str
    url: str
    events: tuple[str, ...]
    jql_filter: str
    enabled: bool
    exclude_body: bool


class JiraWebhooks:
    def __init__(self, client: JiraClient):
        self._client = client

    def list(self) -> list[JiraWebhook]:
        answer = self._client.send_to_resource("GET", WEBHOOKS_RESOURCE, action="list webhooks")
        if not isinstance(answer, list):
            raise JiraError("list webhooks: Jira did not answer with a list")
        return [_webhook(item) for item in answer]

    def create(self, spec: WebhookSpec) -> JiraWebhook:
        return _webhook(self._client.send_to_resource("POST", WEBHOOKS_RESOURCE, spec.as_json(),
                                                      action=f"register webhook {spec.name}"))

    def update(self, webhook_id: str, spec: WebhookSpec) -> JiraWebhook:
        return _webhook(self._client.send_to_resource("PUT", f"{WEBHOOKS_RESOURCE}/{webhook_id}", spec.as_json(),
                                                      action=f"update webhook {webhook_id}"))

    def delete(self, webhook_id: str) -> None:
        self._client.send_to_resource("DELETE", f"{WEBHOOKS_RESOURCE}/{webhook_id}",
                                      action=f"delete webhook {webhook_id}")


def _webhook(raw: Any) -> JiraWebhook:
    try:
        if not isinstance(raw, dict):
            raise PayloadError("a webhook must be a JSON object")
        self_url = text(raw, "self", required=True)
        return JiraWebhook(
            id=self_url.rstrip("/").rsplit("/", 1)[-1],
            name=text(raw, "name") or "",
            url=text(raw, "url") or "",
            events=tuple(string_list(raw, "events")),
            jql_filter=text(obj(raw, "filters"), JQL_FILTER) or "",
            enabled=raw.get("enabled", True) is True,
            exclude_body=raw.get("excludeBody") is True,
        )
    except PayloadError as error:
        raise JiraError(f"Jira answered with a webhook the bridge cannot read: {error}") from None
