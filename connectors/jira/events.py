"""Jira webhook bodies (Cloud and Data Center) -> domain events."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bridge.domain.events import FieldChange, Ignored, IssueComment, IssueEvent, IssueSnapshot, VersionEvent
from connectors.jira.adf import adf_to_text, is_adf_document
from connectors.payload import PayloadError, obj, string_list, text, timestamp


def _issue_event(kind: str) -> Callable[[dict, str], IssueEvent]:
    def parse(payload: dict, delivery_id: str) -> IssueEvent:
        return IssueEvent(
            event_id=delivery_id,
            kind=kind,
            issue=issue_snapshot(obj(payload, "issue", required=True)),
            occurred_at=_occurred_at(payload),
            actor=_user(obj(payload, "user")),
            changes=_changelog(obj(payload, "changelog")),
        )

    return parse


def _version_event(kind: str) -> Callable[[dict, str], VersionEvent]:
    def parse(payload: dict, delivery_id: str) -> VersionEvent:
        version = obj(payload, "version", required=True)
        return VersionEvent(
            event_id=delivery_id,
            kind=kind,
            version_id=text(version, "id", required=True),
            name=text(version, "name") or "",
            project_id=text(version, "projectId"),
            released=version.get("released") is True,
            occurred_at=_occurred_at(payload),
        )

    return parse


# Data Center's comment webhooks carry no `issue`: the comment's own address names it.
_COMMENT_ISSUE_ID = re.compile(r"/issue/([0-9]+)/comment/")


def _comment_event(kind: str) -> Callable[[dict, str], IssueComment]:
    def parse(payload: dict, delivery_id: str) -> IssueComment:
        comment = obj(payload, "comment", required=True)
        issue = obj(payload, "issue")
        issue_id = text(issue, "id")
        if issue_id is None:
            found = _COMMENT_ISSUE_ID.search(text(comment, "self") or "")
            if found is None:
                raise PayloadError("comment event names no issue (neither 'issue.id' nor 'comment.self')")
            issue_id = found.group(1)
        return issue_comment(comment, issue_id, text(issue, "key"), delivery_id, kind, _occurred_at(payload))

    return parse


def issue_comment(comment: dict, issue_id: str, issue_key: str | None, event_id: str, kind: str,
                  occurred_at: datetime) -> IssueComment:
    """A comment as webhooks and the REST API both render it (`GET /issue/{key}/comment`)."""
    body = comment.get("body")
    if is_adf_document(body):
        body = adf_to_text(body)
    elif not isinstance(body, str):
        raise PayloadError("'comment.body' must be text or an Atlassian document")
    return IssueComment(event_id=event_id, kind=kind, issue_id=issue_id, issue_key=issue_key, body=body,
                        occurred_at=occurred_at, author=_user(obj(comment, "author")), comment_id=text(comment, "id"),
                        updated_at=timestamp(comment, "updated") or timestamp(comment, "created"))


def _known_and_ignored(reason: str) -> Callable[[dict, str], Ignored]:
    return lambda payload, delivery_id: Ignored(reason)


# The single list of supported Jira events: webhookEvent -> parser.
JIRA_EVENT_PARSERS: dict[str, Callable[[dict, str], Any]] = {
    "jira:issue_created": _issue_event("created"),
    "jira:issue_updated": _issue_event("updated"),
    "jira:issue_deleted": _issue_event("deleted"),
    "comment_created": _comment_event("comment_created"),  # may carry a workaround (jira.workaround_marker)
    "comment_updated": _comment_event("comment_updated"),
    "comment_deleted": _known_and_ignored("Jira comments stay in Jira"),
    "jira:version_released": _version_event("version_released"),
    "jira:version_unreleased": _version_event("version_unreleased"),
    "jira:version_updated": _version_event("version_updated"),
}
# What an event is about, by the prefix of its webhookEvent.
_SUBJECTS = {"jira:issue_": "issue", "jira:version_": "version"}
# The events the bridge's Jira webhook subscribes to: those above that it reads, comments included
# (a workaround comes as one: jira.workaround_marker). `bridge setup jira` registers them, `bridge
# check` wants them, docs/connecting.md lists them.
JIRA_WEBHOOK_EVENTS = tuple(kind for kind in JIRA_EVENT_PARSERS
                            if kind.startswith(tuple(_SUBJECTS)) or kind in ("comment_created", "comment_updated"))


def event_type_of(payload: Any) -> str:
    if not isinstance(payload, dict):
        raise PayloadError("body must be a JSON object")
    kind = payload.get("webhookEvent")
    if not isinstance(kind, str) or not kind:
        raise PayloadError("missing 'webhookEvent'")
    return kind[:120]


def subject_id_of(payload: Any) -> str | None:
    """The issue or version a webhook is about, without parsing the rest: what intake checks
    before it stores a delivery (the worker parses it all). None for an event the bridge does
    not read; PayloadError when an issue or version event names none."""
    kind = event_type_of(payload)
    if kind in JIRA_EVENT_PARSERS:
        for prefix, key in _SUBJECTS.items():
            if kind.startswith(prefix):
                return text(obj(payload, key, required=True), "id", required=True)
    return None


def parse_jira_webhook(payload: Any, delivery_id: str, text_fields: Collection[str] = ()
                       ) -> IssueEvent | VersionEvent | IssueComment | Ignored:
    """`text_fields`: the custom fields (ids) whose text an issue event's snapshot keeps."""
    kind = event_type_of(payload)
    parser = JIRA_EVENT_PARSERS.get(kind)
    if parser is None:
        return Ignored(f"unsupported Jira event: {kind}")
    event = parser(payload, delivery_id)
    if text_fields and isinstance(event, IssueEvent):
        texts = issue_text_fields(obj(obj(payload, "issue"), "fields"), text_fields)
        event = replace(event, issue=replace(event.issue, text_fields=texts))
    return event


def issue_text_fields(fields: dict, wanted: Collection[str]) -> dict[str, str]:
    """The text of the `wanted` custom fields: plain (REST v2, webhooks) or an Atlassian document
    (REST v3's paragraph fields); an empty field, or one holding no text, is left out."""
    texts = {}
    for field_id in wanted:
        value = fields.get(field_id)
        if is_adf_document(value):
            value = adf_to_text(value)
        if isinstance(value, str) and value.strip():
            texts[field_id] = value
    return texts


def issue_snapshot(issue: dict, text_fields: Collection[str] = ()) -> IssueSnapshot:
    """An issue as Jira's REST API and webhooks both render it (also used for search results)."""
    fields = obj(issue, "fields")
    status = obj(fields, "status")
    return IssueSnapshot(
        id=text(issue, "id", required=True),
        key=text(issue, "key", required=True),
        project_key=text(obj(fields, "project"), "key"),
        summary=text(fields, "summary"),
        status=text(status, "name"),
        status_category=text(obj(status, "statusCategory"), "key"),
        resolution=text(obj(fields, "resolution"), "name"),
        fix_versions=tuple(_names(fields, "fixVersions")),
        due_date=text(fields, "duedate"),
        priority=text(obj(fields, "priority"), "name"),
        assignee=_user(obj(fields, "assignee")),
        labels=tuple(string_list(fields, "labels")),
        updated_at=timestamp(fields, "updated"),
        duplicates=tuple(_duplicated_keys(fields)),
        text_fields=issue_text_fields(fields, text_fields),
    )


def _duplicated_keys(fields: dict) -> list[str]:
    """Issues this one "duplicates": Duplicate links pointing outward from it."""
    links = fields.get("issuelinks") or []
    if not isinstance(links, list):
        raise PayloadError("'issuelinks' must be a list")
    keys = []
    for link in links:
        if not isinstance(link, dict) or text(obj(link, "type"), "name") != "Duplicate":
            continue
        target = text(obj(link, "outwardIssue"), "key")
        if target:
            keys.append(target)
    return keys


def _names(fields: dict, key: str) -> list[str]:
    value = fields.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise PayloadError(f"{key!r} must be a list of objects")
    return [text(v, "name") or text(v, "id") or "" for v in value]


def _user(user: dict) -> str | None:
    # Cloud identifies users by accountId; Data Center by name (or key).
    return text(user, "accountId") or text(user, "name") or text(user, "key")


def _changelog(changelog: dict) -> tuple[FieldChange, ...]:
    items = changelog.get("items") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise PayloadError("'changelog.items' must be a list of objects")
    return tuple(
        FieldChange(
            field=text(item, "fieldId") or text(item, "field") or "",
            from_value=text(item, "from"),
            from_string=text(item, "fromString"),
            to_value=text(item, "to"),
            to_string=text(item, "toString"),
        )
        for item in items
    )


def _occurred_at(payload: dict) -> datetime:
    return timestamp(payload, "timestamp") or datetime.now(UTC)
