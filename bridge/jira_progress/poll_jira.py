"""`poll_jira`: re-read the Jira issues of active problems and feed changes whose webhook never came
into the inbox, as the webhook would have (the worker then applies them with the same logic): the
issues' states, and with `jira.workaround_marker`, the newest comment carrying it on each changed
issue (the worker applies each comment once, however it came)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from bridge.domain.events import IssueSnapshot
from bridge.domain.ports import IssueTracker, RemoteError
from bridge.logs import log_event
from bridge.planning.workaround import workaround_text
from bridge.storage.cursors import Cursors
from bridge.storage.db import reading
from bridge.storage.inbox import Delivery, Inbox
from bridge.storage.schema import issues, problems
from connectors.jira.synthetic import COMMENT_CREATED, ISSUE_UPDATED, polled_comment, polled_issue_update

log = logging.getLogger("bridge.scheduler")

CURSOR = "jira.poll"  # the newest `updated` seen, as Jira's clock tells it
KEYS_PER_SEARCH = 50  # keeps each JQL short


class JiraPoller:
    def __init__(self, engine: Engine, inbox: Inbox, cursors: Cursors, issue_tracker: IssueTracker,
                 overlap: timedelta, clock: Callable[[], datetime], comment_marker: str | None = None):
        self.engine, self.inbox, self.cursors = engine, inbox, cursors
        self.issue_tracker, self.overlap, self.clock = issue_tracker, overlap, clock
        self.comment_marker = comment_marker  # jira.workaround_marker: comments are read too

    def run(self) -> str:
        keys = active_issue_keys(self.engine)
        if not keys:
            return "no active problem has a Jira issue"
        stored_cursor = self.cursors.get(CURSOR)
        newest = datetime.fromisoformat(stored_cursor) if stored_cursor else None
        since = newest - self.overlap if newest else None
        # Issues the bridge holds no snapshot of (e.g. linked by agents) are read whatever their age.
        known = issue_keys_known(self.engine, keys)
        searches = [(batch, since) for batch in _batches([k for k in keys if k in known])]
        searches += [(batch, None) for batch in _batches([k for k in keys if k not in known])]
        seen = stored = 0
        try:
            for batch, batch_since in searches:
                found = self.issue_tracker.search_updated(batch, batch_since)
                stored += self._store(found)
                if self.comment_marker:
                    stored += self._store_comments(found, self.comment_marker)
                seen += len(found)
                newest = _latest(newest, [issue.updated_at for issue in found])
        except RemoteError as error:  # Jira down or refusing: keep the cursor, try next time
            log_event(log, logging.WARNING, "scheduler.poll_jira_failed", status=error.status,
                      temporary=error.temporary, stored=stored)
            return f"failed after storing {stored}"
        if newest is not None and newest.isoformat() != stored_cursor:
            self.cursors.set(CURSOR, newest.isoformat(), self.clock())
        if stored:
            log_event(log, logging.INFO, "scheduler.poll_jira_caught_changes", stored=stored, seen=seen)
        return f"{len(keys)} issues, {seen} changed, {stored} stored"

    def _store(self, found: list[IssueSnapshot]) -> int:
        """Inbox deliveries for the states the bridge has not applied yet; how many were new."""
        applied = applied_issue_times(self.engine, [issue.id for issue in found])
        now = self.clock()
        deliveries = []
        for issue in found:
            if _already_applied(issue.updated_at, applied.get(issue.id)):
                continue
            key, body = polled_issue_update(issue)
            deliveries.append(Delivery("jira", key, ISSUE_UPDATED, json.dumps(body), now))
        return sum(self.inbox.store_many(deliveries)) if deliveries else 0

    def _store_comments(self, issues: list[IssueSnapshot], marker: str) -> int:
        """Inbox deliveries for the newest comment carrying the marker on each of these (changed)
        issues, the bridge's own comments aside; how many were new. Older ones were overtaken."""
        own = self.issue_tracker.own_account()
        now = self.clock()
        deliveries = []
        for issue in issues:
            newest = next((comment for comment in self.issue_tracker.newest_comments(issue)
                           if comment.author != own and workaround_text(comment.body, marker)), None)
            if newest is not None:
                key, body = polled_comment(newest)
                deliveries.append(Delivery("jira", key, COMMENT_CREATED, json.dumps(body), now))
        return sum(self.inbox.store_many(deliveries)) if deliveries else 0


def _latest(current: datetime | None, moments: list[datetime | None]) -> datetime | None:
    known = [moment for moment in (current, *moments) if moment is not None]
    return max(known) if known else None


def _already_applied(incoming: datetime | None, applied: datetime | None) -> bool:
    return incoming is not None and applied is not None and incoming <= applied


def _batches(keys: list[str]) -> list[list[str]]:
    return [keys[start:start + KEYS_PER_SEARCH] for start in range(0, len(keys), KEYS_PER_SEARCH)]


def active_issue_keys(engine: Engine) -> list[str]:
    c = problems.c
    query = (select(c.jira_key).where(c.active_key.is_not(None), c.jira_key.is_not(None))
             .distinct().order_by(c.jira_key))
    with reading(engine) as connection:
        return list(connection.execute(query).scalars())


def issue_keys_known(engine: Engine, keys: list[str]) -> set[str]:
    with reading(engine) as connection:
        return set(connection.execute(select(issues.c.key).where(issues.c.key.in_(keys))).scalars())


def applied_issue_times(engine: Engine, issue_ids: list[str]) -> dict[str, datetime | None]:
    if not issue_ids:
        return {}
    with reading(engine) as connection:
        rows = connection.execute(select(issues.c.id, issues.c.issue_updated_at).where(issues.c.id.in_(issue_ids)))
        return {row.id: row.issue_updated_at for row in rows}
