"""Zendesk webhook bodies -> domain events: event-subscription envelopes and trigger bodies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bridge.domain.events import SYSTEM_USER_ID, Ignored, TicketEvent, TicketSnapshot
from connectors.payload import PayloadError, integer_id, obj, text, timestamp
from connectors.zendesk.tickets import EVENT_DETAIL, TRIGGER_BODY, snapshot_from_ticket, tags

TICKET_EVENT_PREFIX = "zen:event-type:ticket."
TRIGGER_EVENT_TYPE = "trigger"


def user_id(data: dict, key: str) -> int | None:
    """A user id that may be Zendesk's system user: "-1" (or -1) for automations, triggers and
    comments no person wrote; any other value is read as an id."""
    if data.get(key) in (SYSTEM_USER_ID, str(SYSTEM_USER_ID)):
        return SYSTEM_USER_ID
    return integer_id(data, key)


def _current_previous(event: dict) -> dict:
    return {"current": event.get("current"), "previous": event.get("previous")}


def _tags_changed(event: dict) -> dict:
    # The docs give no example; captures disagree: tags_added/tags_removed, added/removed, or
    # added.tags/removed.tags. Read whichever is there.
    def read(*keys: str) -> list[str]:
        value = next((event[k] for k in keys if k in event), None)
        if isinstance(value, dict):
            value = value.get("tags")
        return tags({"tags": value}, "tags")

    return {"tags_added": read("tags_added", "added"), "tags_removed": read("tags_removed", "removed")}


def _comment_added(event: dict) -> dict:
    comment = obj(event, "comment")
    author = obj(comment, "author")
    return {"comment": {
        "id": integer_id(comment, "id"),
        "body": text(comment, "body") or "",
        "public": comment.get("is_public") is not False,
        "author_id": user_id(author, "id"),
        "author_is_staff": author.get("is_staff") is True,
    }}


def _custom_field_changed(event: dict) -> dict:
    field = obj(event, "custom_field") or obj(event, "field")
    field_id = integer_id(field, "id", required=True)
    current = event.get("current")
    value = current.get("value") if isinstance(current, dict) else current
    return {"custom_field": {"id": str(field_id), "value": value}}


def _no_changes(event: dict) -> dict:
    return {}


# The single list of supported ticket events: event type suffix -> what the `event` object says.
TICKET_EVENT_HANDLERS: dict[str, Callable[[dict], dict]] = {
    "created": _no_changes,
    "status_changed": _current_previous,
    "priority_changed": _current_previous,
    "type_changed": _current_previous,
    "subject_changed": _current_previous,
    "description_changed": _current_previous,
    "group_assignment_changed": _current_previous,
    "agent_assignment_changed": _current_previous,
    "organization_changed": _current_previous,
    "requester_changed": _current_previous,
    "brand_changed": _current_previous,
    "form_changed": _current_previous,
    "custom_status_changed": _current_previous,
    "tags_changed": _tags_changed,
    "comment_added": _comment_added,
    "custom_field_changed": _custom_field_changed,
    "soft_deleted": _no_changes,
    "permanently_deleted": _no_changes,
    "undeleted": _no_changes,
    "marked_as_spam": _no_changes,
    "merged": _no_changes,
}

# What the bridge's Zendesk webhook subscribes to: `bridge setup zendesk` creates it so, `bridge
# check` insists on it, docs/connecting.md lists it.
SUBSCRIBED_EVENT_TYPES: tuple[str, ...] = tuple(TICKET_EVENT_PREFIX + suffix for suffix in TICKET_EVENT_HANDLERS)


def delivery_key(payload: dict, invocation_id: str | None) -> str:
    """What identifies a delivery across Zendesk's retries: the event id, else the invocation id."""
    event_id = payload.get("id") if payload.get("type") else None
    if isinstance(event_id, str) and event_id:
        return event_id[:200]
    if invocation_id:
        return "invocation:" + invocation_id[:180]
    raise PayloadError("no event id and no X-Zendesk-Webhook-Invocation-Id header")


def event_type_of(payload: dict) -> str:
    kind = payload.get("type")
    if isinstance(kind, str) and kind:
        return kind[:120]
    if isinstance(payload.get("ticket"), dict) or "ticket_id" in payload:
        return TRIGGER_EVENT_TYPE
    raise PayloadError("neither an event envelope (type) nor the bridge's trigger body (ticket)")


def ticket_id_of(payload: dict) -> int | None:
    """The ticket a webhook is about, without parsing the rest: what intake checks before it
    stores a delivery (the worker parses it all). None for an event the bridge does not read;
    PayloadError when a ticket event names no ticket."""
    kind = event_type_of(payload)
    if kind == TRIGGER_EVENT_TYPE:
        return integer_id(_trigger_fields(payload), "id", required=True)
    suffix = kind[len(TICKET_EVENT_PREFIX):] if kind.startswith(TICKET_EVENT_PREFIX) else None
    if suffix not in TICKET_EVENT_HANDLERS:
        return None
    return _ticket_id(obj(payload, "detail", required=True), payload.get("subject"))


def parse_zendesk_webhook(payload: Any, delivery_id: str) -> TicketEvent | Ignored:
    if not isinstance(payload, dict):
        raise PayloadError("body must be a JSON object")
    kind = event_type_of(payload)
    if kind == TRIGGER_EVENT_TYPE:
        return _parse_trigger(payload, delivery_id)
    if not kind.startswith(TICKET_EVENT_PREFIX):
        return Ignored(f"not a ticket event: {kind}")
    suffix = kind[len(TICKET_EVENT_PREFIX):]
    handler = TICKET_EVENT_HANDLERS.get(suffix)
    if handler is None:
        return Ignored(f"unsupported ticket event: {suffix}")
    detail = obj(payload, "detail", required=True)
    event = obj(payload, "event")
    changes = handler(event)
    snapshot = snapshot_from_ticket(detail, EVENT_DETAIL, _ticket_id(detail, payload.get("subject")))
    if "custom_field" in changes:
        field = changes["custom_field"]
        snapshot = replace(snapshot, custom_fields={field["id"]: field["value"]})
    return TicketEvent(
        event_id=delivery_id,
        kind=suffix,
        ticket=snapshot,
        occurred_at=timestamp(payload, "time") or _updated_or_now(snapshot),
        actor_id=user_id(detail, "actor_id"),
        changes=changes,
    )


def _ticket_id(detail: dict, subject_uri: Any) -> int:
    ticket_id = integer_id(detail, "id")
    if ticket_id is None and isinstance(subject_uri, str) and subject_uri.startswith("zen:ticket:"):
        ticket_id = integer_id({"id": subject_uri.rsplit(":", 1)[-1]}, "id")
    if ticket_id is None:
        raise PayloadError("ticket id missing from detail")
    return ticket_id


def _trigger_fields(payload: dict) -> dict:
    """The trigger template (docs/connecting.md) nests fields under "ticket"; flat "ticket_<field>"
    keys (a common hand-written template, e.g. Zulip's) are read too. TRIGGER_BODY names what they are called."""
    return obj(payload, "ticket") or {
        key[len("ticket_"):]: value for key, value in payload.items() if key.startswith("ticket_")
    } | {k: payload[k] for k in ("tags", "created_at", "updated_at") if k in payload}


def _parse_trigger(payload: dict, delivery_id: str) -> TicketEvent:
    snapshot = snapshot_from_ticket(_trigger_fields(payload), TRIGGER_BODY)
    return TicketEvent(
        event_id=delivery_id,
        kind=TRIGGER_EVENT_TYPE,
        ticket=snapshot,
        occurred_at=_updated_or_now(snapshot),
    )


def _updated_or_now(snapshot: TicketSnapshot) -> datetime:
    return snapshot.updated_at or datetime.now(UTC)
