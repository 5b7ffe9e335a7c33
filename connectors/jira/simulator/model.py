"""The simulated Jira's mutable records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors.jira.simulator.catalog import Project, User


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Comment:
    id: str
    body: str
    author: User
    created: datetime


@dataclass
class IssueLink:
    id: str
    type_name: str
    direction: str  # "inwardIssue" or "outwardIssue": where the other issue sits, seen from this one
    other_issue_id: str


@dataclass
class Version:
    id: str
    project_id: str
    name: str
    description: str = ""
    released: bool = False
    archived: bool = False
    release_date: str | None = None


@dataclass
class Issue:
    id: str
    key: str
    project: Project
    issue_type: str
    summary: str
    reporter: User
    created: datetime
    status: str
    priority: str
    description: str = ""
    labels: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    duedate: str | None = None
    assignee: User | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    resolution: str | None = None
    resolutiondate: datetime | None = None
    fix_versions: list[str] = field(default_factory=list)  # version ids
    updated: datetime | None = None
    comments: list[Comment] = field(default_factory=list)
    remote_links: list[dict[str, Any]] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    links: list[IssueLink] = field(default_factory=list)
    former_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ChangeItem:
    """One changelog item, in Jira's webhook shape."""

    field: str
    field_id: str
    from_value: str | None
    from_string: str | None
    to_value: str | None
    to_string: str | None
    field_type: str = "jira"

    def as_json(self) -> dict[str, Any]:
        return {
            "field": self.field, "fieldtype": self.field_type, "fieldId": self.field_id,
            "from": self.from_value, "fromString": self.from_string,
            "to": self.to_value, "toString": self.to_string,
        }


@dataclass(frozen=True)
class Change:
    """Something that happened in Jira and may be announced by a webhook."""

    webhook_event: str  # jira:issue_created, jira:issue_updated, jira:issue_deleted, comment_created, ...
    actor: User
    issue_event_type: str | None = None
    issue: Issue | None = None
    issue_snapshot: dict[str, Any] | None = None  # rendered at change time (v2 shape)
    items: tuple[ChangeItem, ...] = ()
    comment: Comment | None = None
    version: Version | None = None
