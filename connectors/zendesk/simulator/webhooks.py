"""The simulated account's webhooks, as the Webhooks API keeps them: validation as Zendesk answers
it, signing secrets, and the invocations the deliverer really made."""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from connectors.zendesk.simulator.delivery import Delivery, attempt_status
from connectors.zendesk.simulator.errors import ApiError
from connectors.zendesk.simulator.events import subscribed
from connectors.zendesk.simulator.store import iso

CONDITIONAL_EVENTS = "conditional_ticket_events"
EVENT_TYPE = re.compile(r"zen:event-type:[a-z_]+\.[a-z_]+")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
REQUEST_FORMATS = ("json", "xml", "form_encoded")
STATUSES = ("active", "inactive")
REQUIRED = ("name", "endpoint", "http_method", "request_format", "status")
WRITABLE = ("name", "description", "endpoint", "http_method", "request_format", "status", "subscriptions",
            "authentication", "custom_headers")
ADMIN_FORBIDDEN = ("signing_secret", "external_source")  # "Admins cannot set" these on update or patch


class WebhookError(ApiError):
    """The Webhooks API's error shape: `{"errors": [{"code", "message", "field"}]}`."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(status, code, message)
        self.field = field

    def body(self) -> dict:
        error = {"code": self.error, "message": self.description}
        if self.field:
            error["field"] = self.field
        return {"errors": [error]}


def invalid(field: str, message: str) -> WebhookError:
    return WebhookError(400, "InvalidValue", message, field)


def webhook_not_found() -> WebhookError:
    return WebhookError(404, "NotFound", "Webhook not found")


def invocation_not_found() -> WebhookError:
    return WebhookError(404, "NotFound", "Invocation not found")


class WebhookRegistry:
    """Webhooks by id, with their secrets; callers hold the account's lock."""

    def __init__(self, clock: Callable[[], datetime], user_id: int):
        self.clock = clock
        self.user_id = str(user_id)
        self.webhooks: dict[str, dict] = {}
        self.secrets: dict[str, str] = {}

    def create(self, data: dict, secret: str | None = None, validate: bool = True) -> dict:
        if validate:
            _check(data, REQUIRED)
        webhook_id = "01" + secrets.token_hex(12).upper()
        now = iso(self.clock())
        webhook = {"id": webhook_id, "http_method": "POST", "request_format": "json", "status": "active",
                   "subscriptions": [], **{key: copy.deepcopy(data[key]) for key in WRITABLE if key in data},
                   "created_at": now, "created_by": self.user_id, "updated_at": now, "updated_by": self.user_id}
        self.webhooks[webhook_id] = webhook
        self.secrets[webhook_id] = secret or secrets.token_urlsafe(32)
        return copy.deepcopy(webhook)

    def show(self, webhook_id: str) -> dict:
        return copy.deepcopy(self._get(webhook_id))

    def listing(self, name_contains: str | None, status: str | None) -> list[dict]:
        return [copy.deepcopy(webhook) for webhook in self.webhooks.values()
                if (not name_contains or name_contains.lower() in webhook["name"].lower())
                and (not status or webhook["status"] == status)]

    def replace(self, webhook_id: str, data: dict) -> None:
        """PUT: the webhook becomes what the request says (read-only fields stay)."""
        webhook = self._get(webhook_id)
        _check(data, REQUIRED)
        for key in WRITABLE:
            webhook.pop(key, None)
        self._apply(webhook, data)

    def patch(self, webhook_id: str, data: dict) -> None:
        webhook = self._get(webhook_id)
        _check({**webhook, **data}, ())
        self._apply(webhook, data)

    def delete(self, webhook_id: str) -> None:
        self._get(webhook_id)
        del self.webhooks[webhook_id], self.secrets[webhook_id]

    def secret(self, webhook_id: str) -> str:
        self._get(webhook_id)
        return self.secrets[webhook_id]

    def reset_secret(self, webhook_id: str) -> str:
        self._get(webhook_id)
        self.secrets[webhook_id] = secrets.token_urlsafe(32)
        return self.secrets[webhook_id]

    def receiving(self, event_type: str) -> list[tuple[str, dict]]:
        """(id, webhook) of every active webhook subscribed to `event_type`."""
        return [(webhook_id, webhook) for webhook_id, webhook in self.webhooks.items()
                if webhook["status"] == "active" and subscribed(webhook.get("subscriptions") or [], event_type)]

    def _get(self, webhook_id: str) -> dict:
        if webhook_id not in self.webhooks:
            raise webhook_not_found()
        return self.webhooks[webhook_id]

    def _apply(self, webhook: dict, data: dict) -> None:
        for key in ADMIN_FORBIDDEN:
            if key in data:
                raise invalid(key, f"{key} cannot be set when updating a webhook")
        webhook.update({key: copy.deepcopy(data[key]) for key in WRITABLE if key in data})
        webhook.update({"updated_at": iso(self.clock()), "updated_by": self.user_id})


def invocation(delivery: Delivery) -> dict:
    """A finished delivery as the Webhooks API lists it."""
    completed = delivery.completed_at or delivery.created_at
    return {"id": delivery.invocation_id, "webhook_id": delivery.webhook_id,
            "status": delivery.invocation_status, "created_at": iso(delivery.created_at),
            "latest_completed_at": iso(completed), "event_type": delivery.event_type,
            "attempts_count": len(delivery.attempts)}


def attempts(delivery: Delivery) -> list[dict]:
    """The delivery's attempts as the Webhooks API lists them, oldest first."""
    listed = []
    for number, (outcome, moment) in enumerate(zip(delivery.attempts, delivery.attempted_at, strict=True), 1):
        attempt: dict[str, object] = {
            "id": f"{delivery.invocation_id}-{number}", "invocation_id": delivery.invocation_id,
            "status": attempt_status(outcome), "created_at": iso(moment)}
        if isinstance(outcome, int):
            attempt["response_code"] = outcome
        else:
            attempt["error_message"] = outcome
        listed.append(attempt)
    return listed


def check_endpoint(value: object, field: str = "endpoint") -> str:
    if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc:
        raise invalid(field, f"{field} must be an http or https URL")
    return value


def _check(webhook: dict, required: tuple[str, ...]) -> None:
    """Raise WebhookError (400 InvalidValue naming the field) for what Zendesk refuses."""
    for key in required:
        if webhook.get(key) in (None, ""):
            raise invalid(key, f"{key} is required")
    if not isinstance(webhook.get("name", ""), str) or not webhook.get("name"):
        raise invalid("name", "name must be a non-empty string")
    check_endpoint(webhook.get("endpoint"))
    for key, allowed in (("http_method", HTTP_METHODS), ("request_format", REQUEST_FORMATS), ("status", STATUSES)):
        if key in webhook and webhook[key] not in allowed:
            raise invalid(key, f"{key} must be one of {', '.join(allowed)}")
    subscriptions = webhook.get("subscriptions") or []
    if not isinstance(subscriptions, list) or not all(isinstance(item, str) for item in subscriptions):
        raise invalid("subscriptions", "subscriptions must be a list of event types")
    for item in subscriptions:
        if item != CONDITIONAL_EVENTS and not EVENT_TYPE.fullmatch(item):
            raise invalid("subscriptions", f"{item} is not a valid event type")
    events = [item for item in subscriptions if item != CONDITIONAL_EVENTS]
    if events and len(events) != len(subscriptions):
        raise invalid("subscriptions", f"{CONDITIONAL_EVENTS} cannot be combined with event types")
    if events and (webhook.get("http_method", "POST"), webhook.get("request_format", "json")) != ("POST", "json"):
        raise invalid("http_method", "a webhook subscribed to Zendesk events must use POST and json")
