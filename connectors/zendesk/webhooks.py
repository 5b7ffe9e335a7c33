"""The Zendesk Webhooks API (/api/v2/webhooks...) through ZendeskClient's session: plain data in
and out, ZendeskError on failure, no policy."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from connectors.zendesk.client import ZendeskClient

# The name the bridge's webhook is found again by.
WEBHOOK_NAME = "Problem bridge"
PAGE_SIZE = 100


def webhook_fields(name: str, endpoint: str, subscriptions: Iterable[str], status: str = "active") -> dict:
    """A webhook subscribed to Zendesk events: these must be POSTed as JSON."""
    return {"name": name, "endpoint": endpoint, "http_method": "POST", "request_format": "json",
            "status": status, "subscriptions": list(subscriptions)}


class ZendeskWebhooks:
    def __init__(self, client: ZendeskClient):
        self.client = client

    def listing(self, name_contains: str | None = None) -> list[dict]:
        """Every webhook (following the cursor pages), optionally those whose name contains a text."""
        params = {"page[size]": str(PAGE_SIZE)}
        if name_contains:
            params["filter[name_contains]"] = name_contains
        webhooks: list[dict] = []
        while True:
            body = self.client.call("GET", "webhooks", params=params)
            webhooks.extend(body.get("webhooks") or [])
            meta = body.get("meta") or {}
            if not meta.get("has_more") or not meta.get("after_cursor"):
                return webhooks
            params = {**params, "page[after]": meta["after_cursor"]}

    def show(self, webhook_id: str) -> dict:
        return self.client.call("GET", self._path(webhook_id))["webhook"]

    def create(self, webhook: dict) -> dict:
        return self.client.call("POST", "webhooks", json={"webhook": webhook})["webhook"]

    def update(self, webhook_id: str, webhook: dict) -> None:
        """PUT: the webhook becomes `webhook` (name, endpoint, method, format, status, subscriptions)."""
        self.client.call("PUT", self._path(webhook_id), json={"webhook": webhook})

    def patch(self, webhook_id: str, changes: dict) -> None:
        self.client.call("PATCH", self._path(webhook_id), json={"webhook": changes})

    def delete(self, webhook_id: str) -> None:
        self.client.call("DELETE", self._path(webhook_id))

    def signing_secret(self, webhook_id: str) -> str:
        return self.client.call("GET", self._path(webhook_id, "signing_secret"))["signing_secret"]["secret"]

    def reset_signing_secret(self, webhook_id: str) -> str:
        return self.client.call("POST", self._path(webhook_id, "signing_secret"))["signing_secret"]["secret"]

    def recent_invocations(self, webhook_id: str, count: int = 20) -> list[dict]:
        """The latest `count` invocations, newest first: id, status, event_type, latest_completed_at, ..."""
        params = {"page[size]": str(count), "sort": "-latest_completed_at"}
        return self.client.call("GET", self._path(webhook_id, "invocations"), params=params).get("invocations") or []

    def test(self, webhook_id: str, endpoint: str) -> dict:
        """Have Zendesk send a signed test request to `endpoint` with the webhook's secret: the
        answer's `status`, `message`, `response_code`, `response_body`."""
        return self.client.call("POST", "webhooks/test", params={"webhook_id": webhook_id},
                                json={"webhook": {"endpoint": endpoint}})["test"]

    @staticmethod
    def _path(webhook_id: str, *rest: str) -> str:
        return "/".join(("webhooks", quote(webhook_id, safe=""), *rest))
