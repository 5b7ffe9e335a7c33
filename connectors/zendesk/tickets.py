"""The one reader of a Zendesk ticket object -> TicketSnapshot, for every place one arrives: an event
webhook's `detail`, a trigger body's fields, and the API (show_many, incremental export, ticket
files). The sources differ only in what a `TicketSource` says; the readers are connectors/payload.

Rules every source shares: ids as numbers or digit strings ("0" and "" are none); status,
priority, type and channel lower-cased ("on-hold" is hold, "-" is none); tags lower-cased, as
Zendesk stores them (it folds a tag's case when it saves one, so any case seen is our input's).
A value of the wrong type is a PayloadError (a ValueError), never a silently empty field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bridge.domain.events import TICKET_FIELDS, TicketSnapshot
from connectors.payload import PayloadError, integer_id, obj, string_list, text, timestamp

_STATUS_NAMES = {"on-hold": "hold", "on_hold": "hold", "-": None}
_ABSENT = {"", "-"}
_TEXT_FIELDS = ("subject", "description", "requester_email", "external_id")
_ENUM_FIELDS = ("status", "priority", "type", "channel")
_ID_FIELDS = ("requester_id", "organization_id", "group_id", "brand_id", "form_id")
_TIME_FIELDS = ("created_at", "updated_at")


@dataclass(frozen=True)
class TicketSource:
    """How one source spells a ticket, where it differs from the others."""
    # Source key -> snapshot field, for keys not named as the snapshot names them.
    renames: Mapping[str, str]
    # The source always sends the whole ticket: every field it can carry is known even when its key
    # is missing. None: a field is known when its key is there.
    always_known: frozenset[str] | None = None
    # Dates may be human text ("February 3, 2025"): such a date is unknown rather than an error.
    human_dates: bool = False
    # Custom fields with an empty value ("" or null) are left out rather than cleared.
    skip_empty_custom_fields: bool = False


# An event-subscription webhook's `detail`: the full ticket, without custom fields (the event
# carries the one that changed) or the requester's address.
EVENT_DETAIL = TicketSource(
    renames={}, always_known=frozenset(TICKET_FIELDS) - {"custom_fields", "requester_email"})
# The bridge's trigger body (fields under "ticket", or flat "ticket_<field>" keys): placeholders
# render unset fields empty and dates human unless the template asks for *_with_timestamp.
TRIGGER_BODY = TicketSource(renames={"title": "subject", "ticket_type": "type", "via": "channel"},
                            human_dates=True, skip_empty_custom_fields=True)
# The API's ticket object (`GET /api/v2/tickets/{id}`, show_many, incremental export).
API_TICKET = TicketSource(renames={"ticket_form_id": "form_id"})


def snapshot_from_ticket(data: dict, source: TicketSource, ticket_id: int | None = None) -> TicketSnapshot:
    """One ticket object; `ticket_id` when the caller found it elsewhere (an event's subject URI),
    else the object's `id` is required."""
    fields = {source.renames.get(key, key): value for key, value in data.items()}
    via = fields.get("via")
    if isinstance(via, dict) and "channel" in via:
        fields["channel"] = via["channel"]
    elif via is not None and not isinstance(via, dict):
        raise PayloadError("'via' must be an object")
    values: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        values[name] = text(fields, name)
    for name in _ENUM_FIELDS:
        values[name] = _enum(fields, name)
    for name in _ID_FIELDS:
        values[name] = integer_id(fields, name)
    for name in _TIME_FIELDS:
        values[name] = _time(fields, name, source.human_dates)
    values["tags"] = tuple(tags(fields, "tags"))
    values["custom_fields"] = _custom_fields(fields, source.skip_empty_custom_fields)
    if source.always_known is not None:
        known = source.always_known
    else:  # a field the source sends is known, even when empty (no tags is a fact); human dates not
        known = frozenset(name for name in TICKET_FIELDS
                          if name in fields and not (name in _TIME_FIELDS and values[name] is None
                                                     and source.human_dates))
    values = {name: value for name, value in values.items() if name in known or name == "custom_fields"}
    if ticket_id is None:
        ticket_id = integer_id(fields, "id", required=True)
    return TicketSnapshot(id=ticket_id, **values, known_fields=frozenset(known))


def snapshot_from_api_ticket(data: dict, requester_email: str | None = None) -> TicketSnapshot:
    """One API ticket; raises PayloadError (a ValueError) when it has no usable id or a field of
    the wrong type."""
    if not isinstance(data, dict):
        raise PayloadError("a ticket must be an object")
    if requester_email is not None:
        data = {**data, "requester_email": requester_email}
    return snapshot_from_ticket(data, API_TICKET)


def tags(data: dict, key: str) -> list[str]:
    """A list of tags (or a trigger's space-separated string), as Zendesk stores them: lower case."""
    return [tag.lower() for tag in string_list(data, key)]


def _enum(data: dict, key: str) -> str | None:
    value = text(data, key)
    if value is None:
        return None
    lowered = value.strip().lower()
    return _STATUS_NAMES.get(lowered, lowered) if lowered not in _ABSENT else None


def _time(data: dict, key: str, human_dates: bool) -> datetime | None:
    if not human_dates:
        return timestamp(data, key)
    try:
        return timestamp(data, key)
    except PayloadError:
        return None


def _custom_fields(data: dict, skip_empty: bool) -> dict[str, Any]:
    """The API's list of {id, value}, or a trigger template's object of id -> value."""
    raw = data.get("custom_fields")
    if isinstance(raw, list):
        pairs = [(integer_id(item, "id", required=True), item.get("value"))
                 for item in raw if isinstance(item, dict)]
    else:
        pairs = list(obj(data, "custom_fields").items())
    return {str(key): value for key, value in pairs if not (skip_empty and value in ("", None))}
