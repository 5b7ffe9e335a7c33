"""A workaround written in Jira: a comment on a problem's issue that starts with the configured
marker (`jira.workaround_marker`, e.g. "Workaround:") carries it; the rest of the comment is the text."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection

from bridge.domain.events import IssueComment
from bridge.logs import log_event
from bridge.storage.problems import ProblemStore
from bridge.workaround.start import JIRA_COMMENT, NoWorkaround, Workarounds

log = logging.getLogger("bridge.workaround")


def workaround_text(body: str, marker: str) -> str | None:
    """The text after the marker, if the comment starts with it (case and surrounding space aside)."""
    stripped = body.strip()
    if not marker or stripped[:len(marker)].casefold() != marker.casefold():
        return None
    return stripped[len(marker):].strip() or None


class WorkaroundFromJira:
    def __init__(self, marker: str | None, problems: ProblemStore, workarounds: Workarounds):
        self.marker, self.problems, self.workarounds = marker, problems, workarounds

    def apply_comment(self, connection: Connection, event: IssueComment, now: datetime) -> str:
        """The inbox row's outcome."""
        text = workaround_text(event.body, self.marker or "")
        if text is None:
            return "comment without a workaround"
        problem = self.problems.active_with_issue(connection, event.issue_key or "", event.issue_id)
        if problem is None:
            return f"workaround comment on issue {event.issue_id}: no active problem"
        try:
            self.workarounds.record(connection, problem.id, text, None, JIRA_COMMENT, now)
        except NoWorkaround as reason:
            log_event(log, logging.INFO, "workaround.refused", problem_id=problem.id, reason=str(reason))
            return f"workaround comment for problem {problem.id} refused: {reason}"
        return f"workaround from Jira for problem {problem.id}"
