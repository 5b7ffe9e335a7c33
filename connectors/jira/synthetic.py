"""An issue state (or a comment) read by polling Jira, as the `jira:issue_updated` (or
`comment_created`) webhook body the worker parses, so a polled change takes the same path as a
delivered one."""

from __future__ import annotations

from typing import Any

from bridge.domain.events import IssueComment, IssueSnapshot

POLL_MARKER = "bridge_poll"  # tells a polled body from a delivered one (the changelog is missing)
ISSUE_UPDATED, COMMENT_CREATED = "jira:issue_updated", "comment_created"


def polled_issue_update(issue: IssueSnapshot) -> tuple[str, dict]:
    """(delivery key, body): the same state polled twice has the same key, so it is stored once."""
    updated_ms = round(issue.updated_at.timestamp() * 1000) if issue.updated_at else 0
    body = {"webhookEvent": ISSUE_UPDATED, POLL_MARKER: True,
            "issue": {"id": issue.id, "key": issue.key, "fields": _fields(issue)}}
    if updated_ms:
        body["timestamp"] = updated_ms
    return f"poll:{issue.id}:{updated_ms}", body


def polled_comment(comment: IssueComment) -> tuple[str, dict]:
    """(delivery key, body) of a comment read from an issue: the same comment, as last edited,
    polled twice has the same key, so it is stored once."""
    written = comment.updated_at or comment.occurred_at
    body = {"webhookEvent": COMMENT_CREATED, POLL_MARKER: True, "timestamp": round(written.timestamp() * 1000),
            "issue": {"id": comment.issue_id, "key": comment.issue_key},
            "comment": {"id": comment.comment_id, "body": comment.body,
                        "author": {"accountId": comment.author} if comment.author else None,
                        "updated": written.isoformat(timespec="milliseconds")}}
    return f"poll:comment:{comment.comment_id}:{body['timestamp']}", body


def _fields(issue: IssueSnapshot) -> dict:
    status: dict[str, Any] = {"name": issue.status} if issue.status else {}
    if issue.status_category:
        status["statusCategory"] = {"key": issue.status_category}
    return {
        "project": {"key": issue.project_key} if issue.project_key else None,
        "summary": issue.summary,
        "status": status or None,
        "resolution": {"name": issue.resolution} if issue.resolution else None,
        "fixVersions": [{"name": name} for name in issue.fix_versions],
        "duedate": issue.due_date,
        "priority": {"name": issue.priority} if issue.priority else None,
        "assignee": {"accountId": issue.assignee} if issue.assignee else None,
        "labels": list(issue.labels),
        "updated": issue.updated_at.isoformat(timespec="milliseconds") if issue.updated_at else None,
        **issue.text_fields,
    }
