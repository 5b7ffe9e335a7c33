"""Names by which rules refer to ticket fields (conditions and group_by), and how to read them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bridge.domain.events import TicketSnapshot

# Rule-facing name -> TicketSnapshot attribute.
SNAPSHOT_FIELDS = {
    "status": "status",
    "priority": "priority",
    "type": "type",
    "channel": "channel",
    "brand": "brand_id",
    "group": "group_id",
    "form": "form_id",
    "organization": "organization_id",
    "requester": "requester_id",
    "ticket": "id",  # group_by: ticket gives every ticket a problem of its own
}
REQUESTER_DOMAIN = "requester_domain"
CUSTOM_PREFIX = "custom_fields."
FIELD_NAMES = (*SNAPSHOT_FIELDS, REQUESTER_DOMAIN)

# Values Zendesk allows for the enumerated fields (lower-case, as the API returns them).
ALLOWED_VALUES = {
    "status": ("new", "open", "pending", "hold", "solved", "closed"),
    "priority": ("low", "normal", "high", "urgent"),
    "type": ("problem", "incident", "question", "task"),
}


def requester_domain(ticket: TicketSnapshot) -> str | None:
    email = ticket.requester_email or ""
    _, at, domain = email.rpartition("@")
    if not at:
        return None
    return domain.strip().lower() or None


def resolve_custom_field(key: str, custom_fields: Mapping[str, int]) -> str:
    """A custom field id (digits) or a name declared in config, as the snapshot's str id key."""
    key = key.strip()
    if key.isdigit():
        return key
    if key in custom_fields:
        return str(custom_fields[key])
    declared = ", ".join(sorted(custom_fields)) or "none"
    raise ValueError(f"unknown custom field name {key!r} (config custom_fields declares: {declared})")


@dataclass(frozen=True)
class FieldRef:
    """One ticket field: a standard one by rule-facing name, or a custom field by id."""

    name: str
    custom_id: str | None = None

    def read(self, ticket: TicketSnapshot) -> Any:
        if self.custom_id is not None:
            return ticket.custom_fields.get(self.custom_id)
        if self.name == REQUESTER_DOMAIN:
            return requester_domain(ticket)
        return getattr(ticket, SNAPSHOT_FIELDS[self.name])


def parse_field_ref(text: str, custom_fields: Mapping[str, int]) -> FieldRef:
    """`organization`, `requester_domain`, `custom_fields.<id or config name>`; ValueError otherwise."""
    if text.startswith(CUSTOM_PREFIX):
        return FieldRef(text, resolve_custom_field(text[len(CUSTOM_PREFIX):], custom_fields))
    if text in FIELD_NAMES:
        return FieldRef(text)
    raise ValueError(f"unknown field {text!r} (expected one of {', '.join(FIELD_NAMES)}, "
                     f"or custom_fields.<id or name>)")
