"""Zendesk API ticket objects (as `GET /api/v2/tickets/{id}` returns them) -> TicketSnapshot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bridge.domain.events import TICKET_FIELDS, TicketSnapshot

_ENUM_FIELDS = ("status", "priority", "type")  # lower-cased
# API key -> snapshot field.
_ID_FIELDS = {"requester_id": "requester_id", "organization_id": "organization_id",
              "group_id": "group_id", "brand_id": "brand_id", "ticket_form_id": "form_id"}


def snapshot_from_api_ticket(data: dict, requester_email: str | None = None) -> TicketSnapshot:
    """One API ticket; raises ValueError when it has no usable id."""
    ticket_id = _integer(data.get("id"))
    if ticket_id is None:
        raise ValueError("ticket has no id")
    values: dict[str, Any] = {}
    for key in ("subject", "description", "external_id"):
        if key in data:
            values[key] = data[key] if isinstance(data[key], str) else None
    for key in _ENUM_FIELDS:
        if key in data:
            values[key] = data[key].lower() if isinstance(data[key], str) else None
    for key, name in _ID_FIELDS.items():
        if key in data:
            values[name] = _integer(data[key])
    if isinstance(data.get("tags"), list):
        values["tags"] = tuple(str(tag).lower() for tag in data["tags"])
    via = data.get("via")
    if isinstance(via, dict) and "channel" in via:
        values["channel"] = str(via["channel"]).lower() if via["channel"] is not None else None
    if isinstance(data.get("custom_fields"), list):
        values["custom_fields"] = {str(item["id"]): item.get("value") for item in data["custom_fields"]
                                   if isinstance(item, dict) and "id" in item}
    for key in ("created_at", "updated_at"):
        if key in data:
            values[key] = _timestamp(data[key])
    if requester_email is not None:
        values["requester_email"] = requester_email
    known = frozenset(name for name in values if name in TICKET_FIELDS)
    return TicketSnapshot(id=ticket_id, **values, known_fields=known)


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
