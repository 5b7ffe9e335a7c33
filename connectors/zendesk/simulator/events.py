"""Zendesk event-subscription envelopes (zen:event-type:ticket.*) built from store changes."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from connectors.zendesk.simulator.store import Change

EVENT_TYPE_PREFIX = "zen:event-type:"
EVENT_VERSION = "2022-11-06"
DETAIL_ID_FIELDS = ("assignee_id", "brand_id", "group_id", "id", "organization_id", "requester_id", "submitter_id")


def _string_or_none(value) -> str | None:
    return None if value is None else str(value)


def _upper_or_none(value: str | None) -> str | None:
    return value.upper() if value else None


def ticket_detail(ticket: dict, actor_id: int) -> dict:
    """The `detail` snapshot: ids as strings, enums upper-case, no custom fields and no comments."""
    detail: dict[str, Any] = {field: _string_or_none(ticket[field]) for field in DETAIL_ID_FIELDS}
    detail.update({
        "actor_id": str(actor_id),
        "created_at": ticket["created_at"],
        "custom_status": None,
        "description": ticket["description"],
        "external_id": _string_or_none(ticket["external_id"]),
        "form_id": _string_or_none(ticket["ticket_form_id"]),
        "is_public": ticket["is_public"],
        "priority": _upper_or_none(ticket["priority"]),
        "status": _upper_or_none(ticket["status"]),
        "subject": ticket["subject"],
        "tags": list(ticket["tags"]),
        "type": _upper_or_none(ticket["type"]),
        "updated_at": ticket["updated_at"],
        "via": {"channel": ticket["via"]["channel"]},
    })
    return dict(sorted(detail.items()))


def event_time(moment: datetime) -> str:
    """ISO time with nanosecond digits, as Zendesk writes it."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}000Z"


def build_envelopes(account_id: int, ticket: dict, changes: list[Change], actor_id: int,
                    moment: datetime) -> list[dict]:
    """One envelope per change; changes from one action share a sequence id."""
    sequence_id = secrets.token_hex(13)
    detail = ticket_detail(ticket, actor_id)
    return [
        {
            "account_id": account_id,
            "detail": detail,
            "event": {**change.event, "meta": {"sequence": {"id": sequence_id, "position": position}}},
            "id": str(uuid.uuid4()),
            "subject": f"zen:ticket:{ticket['id']}",
            "time": event_time(moment),
            "type": EVENT_TYPE_PREFIX + change.event_type,
            "zendesk_event_version": EVENT_VERSION,
        }
        for position, change in enumerate(changes, start=1)
    ]


def subscribed(subscriptions: list[str], event_type: str) -> bool:
    """Whether a webhook with these subscriptions receives `event_type` (full zen:event-type:... name)."""
    return any(event_type == item or (item.endswith("*") and event_type.startswith(item[:-1]))
               for item in subscriptions)
