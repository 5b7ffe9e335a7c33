"""Webhook bodies in Jira's shape (see the captured payloads in tests/fixtures/jira/)."""

from __future__ import annotations

import itertools
import time
from typing import Any

from connectors.jira.simulator.model import Change
from connectors.jira.simulator.render import Renderer

_changelog_ids = itertools.count(10500)


def webhook_payload(change: Change, renderer: Renderer) -> dict[str, Any]:
    payload: dict[str, Any] = {"timestamp": int(time.time() * 1000), "webhookEvent": change.webhook_event}
    if change.version is not None:
        version = renderer.version(change.version)
        version.update(overdue=False, userReleaseDate=_user_date(change.version.release_date))
        payload["version"] = version
        return payload
    if change.comment is not None:
        snapshot = change.issue_snapshot
        assert snapshot is not None, "a comment's change carries its issue"
        fields = snapshot["fields"]
        payload["comment"] = renderer.comment(change.comment)
        payload["issue"] = {**{k: snapshot[k] for k in ("id", "self", "key")},
                            "fields": {k: fields[k] for k in ("summary", "issuetype", "project", "assignee",
                                                              "priority", "status")}}
        return payload
    payload["issue_event_type_name"] = change.issue_event_type
    payload["user"] = renderer.user(change.actor)
    payload["issue"] = change.issue_snapshot
    if change.items:
        payload["changelog"] = {"id": str(next(_changelog_ids)), "items": [item.as_json() for item in change.items]}
    return payload


def _user_date(iso_date: str | None) -> str | None:
    if not iso_date:
        return None
    year, month, day = iso_date.split("-")
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{int(day):02d}/{months[int(month) - 1]}/{year[2:]}"
