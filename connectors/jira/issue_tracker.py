"""The domain's IssueTracker port, implemented over JiraClient."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from bridge.domain.events import IssueComment, IssueSnapshot
from bridge.domain.ports import IssueRef, NewIssue
from connectors.jira.adf import adf_to_text, is_adf_document
from connectors.jira.client import JiraClient
from connectors.jira.errors import JiraError
from connectors.jira.events import issue_comment
from connectors.jira.search import UpdatedIssueSearch
from connectors.payload import PayloadError
from connectors.remote import remote_errors

# A comment a crashed attempt posted is among the issue's newest when the retry looks.
RECENT_COMMENTS = 50


class JiraIssueTracker:
    def __init__(self, client: JiraClient, base_url: str, text_fields: tuple[str, ...] = ()):
        """`text_fields`: custom fields (ids) whose text the polled snapshots keep (jira.fields.workaround)."""
        self.client = client
        self.base_url = base_url.rstrip("/")
        self._updated_search = UpdatedIssueSearch(client, text_fields)

    def literal(self, text: str) -> str:
        return self.client.deployment.literal_text(text)

    def find_by_label(self, label: str) -> IssueRef | None:
        with remote_errors("Jira", JiraError):
            found = self.client.find_issues_by_label(label, fields=["labels"])
        return IssueRef(found[0]["key"], str(found[0]["id"])) if found else None

    def create(self, plan: NewIssue) -> IssueRef:
        with remote_errors("Jira", JiraError):
            created = self.client.create_issue(
                plan.project, plan.issue_type, plan.summary, description=plan.description,
                priority=plan.priority, labels=list(plan.labels), components=list(plan.components),
                due_date=plan.due_date.isoformat(), assignee=plan.assignee,
                custom_fields=dict(plan.custom_fields) or None)
        return IssueRef(created["key"], str(created["id"]))

    def update_fields(self, key: str, fields: dict) -> None:
        with remote_errors("Jira", JiraError):
            self.client.edit_issue(key, fields=fields)

    def description(self, key: str) -> str | None:
        with remote_errors("Jira", JiraError):
            value = self.client.get_issue(key, ["description"])["fields"].get("description")
        return adf_to_text(value) if is_adf_document(value) else value

    def comment_once(self, key: str, body: str, marker: str | None = None) -> bool:
        wanted = _words(body if marker is None else marker)
        with remote_errors("Jira", JiraError):
            if any(wanted in _words(text) for text in self.client.recent_comments(key, RECENT_COMMENTS)):
                return False
            self.client.add_comment(key, body)
        return True

    def move_to_status(self, key: str, status: str) -> None:
        with remote_errors("Jira", JiraError):
            self.client.transition(key, status)

    def relate(self, key: str, other_key: str) -> None:
        with remote_errors("Jira", JiraError):
            self.client.link_issues("Relates", key, other_key)

    def url(self, key: str) -> str:
        return f"{self.base_url}/browse/{key}"

    def search_updated(self, keys: Iterable[str], since: datetime | None) -> list[IssueSnapshot]:
        with remote_errors("Jira", JiraError):
            return self._updated_search.run(list(keys), since)

    def newest_comments(self, issue: IssueSnapshot) -> list[IssueComment]:
        with remote_errors("Jira", JiraError):
            comments = self.client.newest_comments(issue.key, RECENT_COMMENTS)
        read = []
        for comment in comments:
            try:
                read.append(issue_comment(comment, issue.id, issue.key, f"comment:{comment.get('id')}",
                                          "comment_created", issue.updated_at or datetime.now(UTC)))
            except PayloadError:
                continue  # not a comment the bridge could read a workaround from
        return read

    def own_account(self) -> str | None:
        with remote_errors("Jira", JiraError):
            return self._updated_search.own_account()


def _words(text: str) -> str:
    """Text as compared with a posted comment: Jira may change line endings and spacing."""
    return " ".join(text.split())
