"""`bridge setup zendesk`: what the Zendesk account needs for the bridge, decided from what it has
(`plan_setup`, pure), then done (`apply_setup`).

The webhook is found again by its name (or, wired by hand, by its URL), so running setup again
changes only what drifted; the optional ticket fields are found by the configured id or by their
title."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bridge.setup.wording import did
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.events import SUBSCRIBED_EVENT_TYPES
from connectors.zendesk.webhooks import WEBHOOK_NAME, ZendeskWebhooks, webhook_fields

WEBHOOK_PATH = "/webhooks/zendesk"
# Compared as the bridge needs them; subscriptions as a set.
WEBHOOK_SETTINGS = ("endpoint", "status", "http_method", "request_format", "subscriptions")


@dataclass(frozen=True)
class OptionalField:
    key: str  # under zendesk.fields
    title: str
    type: str


OPTIONAL_FIELDS = (OptionalField("jira_key", "Jira issue", "text"),
                   OptionalField("jira_status", "Jira status", "text"),
                   OptionalField("expected_fix_date", "Expected fix date", "date"))


@dataclass(frozen=True)
class WebhookStep:
    action: Literal["create", "update", "keep"]
    webhook_id: str | None
    wanted: dict
    changes: tuple[str, ...] = ()  # the settings an update changes


@dataclass(frozen=True)
class FieldStep:
    field: OptionalField
    existing_id: int | None  # None: to be created


@dataclass(frozen=True)
class ZendeskPlan:
    webhook: WebhookStep
    fields: tuple[FieldStep, ...] = ()

    @property
    def changes_anything(self) -> bool:
        return self.webhook.action != "keep" or any(step.existing_id is None for step in self.fields)


def webhook_endpoint(public_url: str) -> str:
    return public_url.rstrip("/") + WEBHOOK_PATH


def bridge_webhook(webhooks: list[dict], endpoint: str | None) -> dict | None:
    """The bridge's webhook among the account's: the first with its name, else (one wired by
    hand) the first subscribed to Zendesk events that sends to `endpoint`. Webhooks connected to
    triggers are left alone."""
    named = next((webhook for webhook in webhooks if webhook.get("name") == WEBHOOK_NAME), None)
    return named or next((webhook for webhook in webhooks if endpoint and webhook.get("endpoint") == endpoint
                          and any(kind.startswith("zen:event-type:") for kind in webhook.get("subscriptions") or [])),
                         None)


def webhook_drift(webhook: dict, wanted: dict) -> tuple[str, ...]:
    """The settings in which `webhook` differs from `wanted`."""
    def normal(key: str, value: object) -> object:
        return set(value) if key == "subscriptions" and isinstance(value, list) else value

    return tuple(key for key in WEBHOOK_SETTINGS if normal(key, webhook.get(key)) != normal(key, wanted[key]))


def plan_webhook(webhooks: list[dict], public_url: str) -> WebhookStep:
    wanted = webhook_fields(WEBHOOK_NAME, webhook_endpoint(public_url), SUBSCRIBED_EVENT_TYPES)
    existing = bridge_webhook(webhooks, wanted["endpoint"])
    if existing is None:
        return WebhookStep("create", None, wanted)
    changes = webhook_drift(existing, wanted)
    return WebhookStep("update" if changes else "keep", existing["id"], wanted, changes)


def plan_fields(ticket_fields: list[dict], configured: Mapping[str, int | None]) -> tuple[FieldStep, ...]:
    """Each optional field: the configured one if Zendesk has it, else an active custom field of
    the same title, else one to create."""
    known = {field["id"] for field in ticket_fields}
    by_title = {field.get("title"): field["id"] for field in ticket_fields
                if field.get("active", True) and field.get("removable", True)}
    steps = []
    for field in OPTIONAL_FIELDS:
        configured_id = configured.get(field.key)
        existing = configured_id if configured_id in known else by_title.get(field.title)
        steps.append(FieldStep(field, existing))
    return tuple(steps)


def plan_setup(webhooks: list[dict], public_url: str, ticket_fields: list[dict] | None = None,
               configured_fields: Mapping[str, int | None] | None = None) -> ZendeskPlan:
    """What to do; `ticket_fields` None when the fields are not wanted."""
    fields = () if ticket_fields is None else plan_fields(ticket_fields, configured_fields or {})
    return ZendeskPlan(plan_webhook(webhooks, public_url), fields)


@dataclass(frozen=True)
class SetupResult:
    webhook_id: str
    signing_secret: str
    field_ids: dict[str, int]


def apply_setup(plan: ZendeskPlan, client: ZendeskClient) -> SetupResult:
    """Carry the plan out; the signing secret is read back from Zendesk."""
    webhooks = ZendeskWebhooks(client)
    step = plan.webhook
    if step.action == "create":
        webhook_id = webhooks.create(step.wanted)["id"]
    else:
        assert step.webhook_id is not None, "an existing webhook has its id"
        webhook_id = step.webhook_id
        if step.action == "update":
            webhooks.patch(webhook_id, {key: step.wanted[key] for key in step.changes})
    field_ids = {field_step.field.key: field_step.existing_id if field_step.existing_id is not None
                 else client.create_ticket_field(field_step.field.title, field_step.field.type)["id"]
                 for field_step in plan.fields}
    return SetupResult(webhook_id, webhooks.signing_secret(webhook_id), field_ids)


@dataclass(frozen=True)
class ZendeskSetup:
    """What `bridge setup zendesk` did, or would do: a line per step, the API agent's user id, and
    (unless a dry run) the webhook's id, signing secret and the fields' ids."""

    lines: list[str]
    user_id: int | None
    result: SetupResult | None


def set_up_zendesk(client: ZendeskClient, public_url: str, dry_run: bool, with_fields: bool = False,
                   configured_fields: Mapping[str, int | None] | None = None) -> ZendeskSetup:
    """Read what Zendesk has, plan, describe, and act unless `dry_run`."""
    user = client.current_user()
    ticket_fields = client.ticket_fields() if with_fields else None
    plan = plan_setup(ZendeskWebhooks(client).listing(), public_url, ticket_fields, configured_fields)
    result = None if dry_run else apply_setup(plan, client)
    return ZendeskSetup(describe_plan(plan, dry_run), user.get("id"), result)


def describe_plan(plan: ZendeskPlan, dry_run: bool) -> list[str]:
    step = plan.webhook
    endpoint = step.wanted["endpoint"]
    if step.action == "create":
        lines = [f'webhook "{WEBHOOK_NAME}": {did("create", dry_run)} it, sending {len(step.wanted["subscriptions"])} '
                 f"ticket event types to {endpoint}"]
    elif step.action == "update":
        lines = [f'webhook "{WEBHOOK_NAME}" ({step.webhook_id}): {did("update", dry_run)} {", ".join(step.changes)}']
    else:
        lines = [f'webhook "{WEBHOOK_NAME}" ({step.webhook_id}): up to date, sending to {endpoint}']
    for field_step in plan.fields:
        field = field_step.field
        if field_step.existing_id is None:
            lines.append(f'ticket field "{field.title}" ({field.type}): {did("create", dry_run)} it')
        else:
            lines.append(f'ticket field "{field.title}": exists ({field_step.existing_id})')
    return lines


def config_keys(public_url: str, user_id: int | None, field_ids: Mapping[str, int]) -> list[tuple[str, object]]:
    """The config keys setup found or made the values of."""
    keys: list[tuple[str, object]] = [("server.public_url", public_url), ("zendesk.bridge_user_id", user_id)]
    return keys + [(f"zendesk.fields.{key}", field_id) for key, field_id in field_ids.items()]
