"""Which of a set of Jira issues changed since a moment (the scheduler's poll for missed webhooks)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bridge.domain.events import IssueSnapshot
from bridge.logs import log_event
from connectors.jira.client import JiraClient, jql_string
from connectors.jira.errors import JiraError
from connectors.jira.events import issue_snapshot
from connectors.payload import PayloadError

log = logging.getLogger("connectors.jira.search")

# Everything issue_snapshot reads.
SNAPSHOT_FIELDS = ("summary", "status", "resolution", "fixVersions", "duedate", "priority", "assignee",
                   "labels", "updated", "project")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class UpdatedIssueSearch:
    def __init__(self, client: JiraClient, text_fields: tuple[str, ...] = ()):
        self.client, self.text_fields = client, text_fields  # custom fields whose text snapshots keep
        self._zone: ZoneInfo | None = None
        self._myself: dict | None = None

    def run(self, keys: list[str], since: datetime | None) -> list[IssueSnapshot]:
        """One JQL search (keep `keys` to a few dozen), oldest change first."""
        if not keys:
            return []
        since_clause = f'updated >= "{self._jql_time(since)}" AND ' if since else ""
        found = self._search(keys, since_clause)
        return sorted(found, key=lambda issue: (issue.updated_at or _EPOCH, issue.id))

    def _search(self, keys: list[str], since_clause: str) -> list[IssueSnapshot]:
        jql = f"{since_clause}key in ({', '.join(jql_string(key) for key in keys)}) ORDER BY updated ASC"
        try:
            issues = list(self.client.search(jql, SNAPSHOT_FIELDS + self.text_fields))
        except JiraError as error:
            # Jira rejects the whole query when one key no longer exists (deleted, or not visible
            # to the bridge's user): halve the list until the culprit is alone, then skip it.
            if error.status != 400:
                raise
            if len(keys) == 1:
                log_event(log, logging.WARNING, "jira.search_key_rejected", key=keys[0], error=error.message[:200])
                return []
            middle = len(keys) // 2
            return self._search(keys[:middle], since_clause) + self._search(keys[middle:], since_clause)
        snapshots = []
        for issue in issues:
            try:
                snapshots.append(issue_snapshot(issue, self.text_fields))
            except PayloadError as error:
                log_event(log, logging.WARNING, "jira.search_issue_unreadable", key=issue.get("key"),
                          error=str(error))
        return snapshots

    def _jql_time(self, moment: datetime) -> str:
        """JQL reads dates in the searching user's time zone, at minute precision."""
        return moment.astimezone(self._user_zone()).strftime("%Y-%m-%d %H:%M")

    def own_account(self) -> str | None:
        """The account the bridge's credentials act as: Cloud's accountId, Data Center's name."""
        myself = self._read_myself()
        account = myself.get("accountId") or myself.get("name") or myself.get("key")
        return account if isinstance(account, str) else None

    def _read_myself(self) -> dict:
        if self._myself is None:
            answer = self.client.myself()
            self._myself = answer if isinstance(answer, dict) else {}
        return self._myself

    def _user_zone(self) -> ZoneInfo:
        if self._zone is None:
            name = self._read_myself().get("timeZone")
            try:
                self._zone = ZoneInfo(name) if isinstance(name, str) and name else ZoneInfo("UTC")
            except (ZoneInfoNotFoundError, ValueError):
                log_event(log, logging.WARNING, "jira.unknown_time_zone", time_zone=name)
                self._zone = ZoneInfo("UTC")
        return self._zone
