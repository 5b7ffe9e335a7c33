"""Vendor-neutral domain events. Connectors parse webhooks into these; the domain only sees these."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

# Every field a ticket snapshot can carry; a payload states which of them it actually knew.
TICKET_FIELDS = (
    "subject", "description", "status", "priority", "type", "tags", "requester_id",
    "requester_email", "organization_id", "group_id", "brand_id", "form_id", "channel",
    "custom_fields", "created_at", "updated_at", "external_id",
)

# Zendesk's system user: the actor of automations, triggers and other changes no person made
# (Support API: 'An actor_id of "-1" is a Zendesk system user, such as an automations action').
SYSTEM_USER_ID = -1


@dataclass(frozen=True)
class TicketSnapshot:
    id: int
    subject: str | None = None
    description: str | None = None
    status: str | None = None
    priority: str | None = None
    type: str | None = None
    tags: tuple[str, ...] = ()
    requester_id: int | None = None
    requester_email: str | None = None
    organization_id: int | None = None
    group_id: int | None = None
    brand_id: int | None = None
    form_id: int | None = None
    channel: str | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    external_id: str | None = None
    # Which of TICKET_FIELDS the source payload carried; the rest are unknown, not empty.
    known_fields: frozenset[str] = frozenset()

    def merged_onto(self, older: TicketSnapshot | None) -> TicketSnapshot:
        """This partial snapshot laid over an older full one: known fields win, unknown ones keep."""
        if older is None:
            return self
        values: dict[str, Any] = {}
        for name in TICKET_FIELDS:
            if name == "custom_fields":
                values[name] = {**older.custom_fields, **self.custom_fields}
            elif name in self.known_fields:
                values[name] = getattr(self, name)
            else:
                values[name] = getattr(older, name)
        return replace(older, **values, known_fields=older.known_fields | self.known_fields)


@dataclass(frozen=True)
class TicketEvent:
    """Something happened to a Zendesk ticket (`kind` is e.g. created, status_changed, trigger)."""

    event_id: str
    kind: str
    ticket: TicketSnapshot
    occurred_at: datetime
    actor_id: int | None = None  # SYSTEM_USER_ID for automations and triggers
    changes: dict[str, Any] = field(default_factory=dict)
    # Read from history (`bridge backfill`), not happening now: detection judges windows at
    # `occurred_at`, as it would have when the ticket arrived.
    historical: bool = False

    @property
    def by_system(self) -> bool:
        return self.actor_id == SYSTEM_USER_ID


@dataclass(frozen=True)
class FieldChange:
    field: str
    from_value: str | None
    from_string: str | None
    to_value: str | None
    to_string: str | None


@dataclass(frozen=True)
class IssueSnapshot:
    id: str
    key: str
    project_key: str | None = None
    summary: str | None = None
    status: str | None = None
    status_category: str | None = None  # Jira's category key: new | indeterminate | done
    resolution: str | None = None
    fix_versions: tuple[str, ...] = ()
    due_date: str | None = None
    priority: str | None = None
    assignee: str | None = None
    labels: tuple[str, ...] = ()
    updated_at: datetime | None = None
    duplicates: tuple[str, ...] = ()  # keys of the issues this one duplicates ("Duplicate" links)
    # The text of the custom fields the bridge reads (jira.fields.workaround), by field id; an empty
    # field is left out.
    text_fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IssueEvent:
    """Something happened to a Jira issue (`kind` is created, updated, deleted, comment_created...)."""

    event_id: str
    kind: str
    issue: IssueSnapshot
    occurred_at: datetime
    actor: str | None = None
    changes: tuple[FieldChange, ...] = ()

    def change_of(self, field_name: str) -> FieldChange | None:
        return next((c for c in self.changes if c.field.lower() == field_name.lower()), None)


@dataclass(frozen=True)
class VersionEvent:
    """A Jira version changed (`kind` is version_released, version_unreleased, ...)."""

    event_id: str
    kind: str
    version_id: str
    name: str
    project_id: str | None
    released: bool
    occurred_at: datetime


@dataclass(frozen=True)
class IssueComment:
    """A comment written or edited on a Jira issue (`kind` is comment_created or comment_updated);
    `body` is its plain text. Data Center's webhooks name only the issue's id, not its key."""

    event_id: str
    kind: str
    issue_id: str
    issue_key: str | None
    body: str
    occurred_at: datetime
    author: str | None = None  # Cloud's accountId, Data Center's user name
    comment_id: str | None = None
    updated_at: datetime | None = None  # when it was written or last edited


@dataclass(frozen=True)
class Ignored:
    """A well-formed event this bridge knows about and deliberately does nothing with."""

    reason: str


DomainEvent = TicketEvent | IssueEvent | VersionEvent | IssueComment
