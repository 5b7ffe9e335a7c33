"""A workaround written in Jira: a comment on a problem's issue that starts with the configured
marker (`jira.workaround_marker`, e.g. "Workaround:") carries it, the rest of the comment being the
text; or the issue's workaround field (`jira.fields.workaround`), when it is set or changed."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection

from bridge.domain.events import IssueComment, IssueSnapshot
from bridge.domain.ports import IssueTracker, RemoteError
from bridge.logs import log_event
from bridge.planning.workaround import field_workaround, workaround_text
from bridge.storage.problems import ProblemStore
from bridge.workaround.start import JIRA_COMMENT, JIRA_FIELD, NoWorkaround, Workarounds

log = logging.getLogger("bridge.workaround")


class OwnAccountUnknown(RuntimeError):
    """Jira did not say yet which account the bridge acts as; the comment is applied on a retry."""


class OwnJiraAccount:
    """The Jira account the bridge's credentials act as: the bridge writes comments itself
    (escalations, overdue notices, regressions) and its own never give a workaround. Learned once,
    outside any transaction (`learn`, before a batch's comments are applied)."""

    def __init__(self, issue_tracker: IssueTracker):
        self.issue_tracker = issue_tracker
        self._account: str | None = None
        self._learned = False

    def learn(self) -> None:
        if self._learned:
            return
        try:
            self._account, self._learned = self.issue_tracker.own_account(), True
        except RemoteError as error:
            log_event(log, logging.WARNING, "workaround.own_account_unknown", status=error.status)

    def account(self) -> str | None:
        if not self._learned:
            raise OwnAccountUnknown("Jira has not said which account the bridge acts as (it is retried)")
        return self._account


class WorkaroundFromJira:
    def __init__(self, marker: str | None, field_id: str | None, problems: ProblemStore, workarounds: Workarounds,
                 own_account: OwnJiraAccount):
        self.marker, self.field_id, self.problems, self.workarounds = marker, field_id, problems, workarounds
        self.own_account = own_account

    def apply_comment(self, connection: Connection, event: IssueComment, now: datetime) -> str:
        """The inbox row's outcome. A comment is applied once, whichever of its webhook and the
        poll brings it (an edit of it is a new one)."""
        text = workaround_text(event.body, self.marker or "")
        if text is None:
            return "comment without a workaround"
        if event.author is not None and event.author == self.own_account.account():
            return "the bridge's own comment: not a workaround"
        problem = self.problems.active_with_issue(connection, event.issue_key or "", event.issue_id)
        if problem is None:
            return f"workaround comment on issue {event.issue_id}: no active problem"
        version = event.updated_at.isoformat() if event.updated_at else ""
        if event.comment_id and not self.workarounds.store.first_reading(connection, event.comment_id, version,
                                                                         problem.id, now):
            return f"workaround comment {event.comment_id} for problem {problem.id}: applied before"
        refused = self._record(connection, problem.id, text, JIRA_COMMENT, now)
        if refused:
            return f"workaround comment for problem {problem.id} refused: {refused}"
        return f"workaround from Jira for problem {problem.id}"

    def apply_fields(self, connection: Connection, problem_id: int, before: IssueSnapshot | None,
                     after: IssueSnapshot, now: datetime) -> str | None:
        """The issue's workaround field set or changed: the problem's workaround (a changed text
        rewrites the article; tickets already told are not told again). An outcome, or None."""
        text = field_workaround(before, after, self.field_id)
        if text is None:
            return None
        refused = self._record(connection, problem_id, text, JIRA_FIELD, now)
        return f"workaround field refused: {refused}" if refused else "workaround from its Jira field"

    def _record(self, connection: Connection, problem_id: int, text: str, source: str, now: datetime) -> str | None:
        """Why the problem refused the workaround, or None once it is recorded."""
        try:
            self.workarounds.record(connection, problem_id, text, None, source, now)
        except NoWorkaround as reason:
            log_event(log, logging.INFO, "workaround.refused", problem_id=problem_id, source=source,
                      reason=str(reason))
            return str(reason)
        return None
