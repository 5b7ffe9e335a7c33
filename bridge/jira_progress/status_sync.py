"""Jira events applied to problems, inside the worker's transaction: state, due date and key
follow the issue; linked tickets hear about status moves (one bulk update per 100 tickets, queued);
a fix starts the closure that notifies every affected customer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection

from bridge.config.settings import Settings
from bridge.detection.agent_rules import link_rule_name
from bridge.domain.events import IssueEvent, IssueSnapshot, VersionEvent
from bridge.domain.lifecycle import Cause, transition
from bridge.domain.problems import AGENT_LINK, FIXED, OPEN, WONT_FIX, Problem
from bridge.jira_progress.issue_sync import IssueChange, decide
from bridge.logs import log_event
from bridge.storage.audit import AuditLog
from bridge.storage.problems import ProblemStore
from bridge.storage.snapshots import IssueSnapshots

log = logging.getLogger("bridge.status_sync")


class SyncListener(Protocol):
    """The outbox side (bridge/actions): what to queue after a decision."""

    def issue_status_moved(self, connection: Connection, problem: Problem, now: datetime) -> None: ...

    def fix_shipped(self, connection: Connection, problem: Problem, now: datetime) -> None: ...

    def issue_lost(self, connection: Connection, problem: Problem, now: datetime) -> None: ...

    def tickets_changed(self, connection: Connection, problem: Problem, now: datetime) -> None: ...


# What the issue's fields say beyond its state (a workaround: bridge/workaround/from_jira.py), given
# the problem's id and the issue before and after; an outcome to add, or None.
FieldsChanged = Callable[[Connection, int, IssueSnapshot | None, IssueSnapshot, datetime], str | None]


class StatusSync:
    def __init__(self, settings: Settings, problems: ProblemStore, issue_snapshots: IssueSnapshots,
                 audit: AuditLog, listener: SyncListener, on_fields: FieldsChanged | None = None):
        self.settings, self.problems, self.issue_snapshots = settings, problems, issue_snapshots
        self.audit, self.listener, self.on_fields = audit, listener, on_fields

    def apply_issue_event(self, connection: Connection, event: IssueEvent, now: datetime) -> str:
        before = self.issue_snapshots.current(connection, event.issue.id)
        after = self.issue_snapshots.record(connection, event.issue, now)
        problem = self.problems.active_with_issue(connection, event.issue.key, event.issue.id)
        if problem is None:
            return f"issue {event.issue.key} {event.kind}: no problem linked"
        if event.kind == "deleted":
            return self._issue_deleted(connection, problem, now)
        outcome = self._apply(connection, problem, before, after, now, f"issue {after.key} {event.kind}")
        # After the state: a fix that shipped in the same change wins over a workaround.
        fields = self.on_fields(connection, problem.id, before, after, now) if self.on_fields else None
        return f"{outcome}; {fields}" if fields else outcome

    def apply_version_event(self, connection: Connection, event: VersionEvent, now: datetime) -> str:
        """A released version ships the fix of every problem whose issue carries it, for teams that
        ship fixes by release."""
        if event.kind != "version_released" or not event.released:
            return f"version {event.name} {event.kind}: nothing to do"
        shipped = []
        for problem in self.problems.active_with_issues(connection):
            team = self.settings.teams.get(problem.team)
            issue = self.issue_snapshots.current(connection, problem.jira_id) if problem.jira_id else None
            if (team is None or team.fix_on != "release" or issue is None or problem.state == FIXED
                    or event.name not in issue.fix_versions):
                continue
            self._mark_fixed(connection, problem, now, event.name, reason=f"version {event.name} released")
            shipped.append(problem.jira_key or f"problem {problem.id}")
        return f"version {event.name} released: fixed {', '.join(shipped) or 'nothing'}"

    def _apply(self, connection, problem: Problem, before: IssueSnapshot | None, after: IssueSnapshot,
               now: datetime, prefix: str) -> str:
        team = self.settings.teams.get(problem.team)
        change = decide(problem, before, after, self.settings.status_sync.fixed_resolutions,
                        team.fix_on if team else "resolution")
        if change.is_noop:
            return f"{prefix}: nothing changed for problem {problem.id}"
        if change.state == WONT_FIX and after.duplicates:
            merged = self._merge_into_duplicate(connection, problem, after.duplicates[0], now)
            if merged:
                return f"{prefix}: {merged}"
        followed = self._follow_issue(connection, problem.id, change, now)
        moved = change.state is not None and change.state != FIXED  # fixed: below, with its closure
        if followed or moved:
            details = {"status": after.status, "category": after.status_category, "resolution": after.resolution,
                       **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in followed.items()},
                       **({"state": change.state} if moved else {})}
            if moved:
                problem = self.problems.change_state(connection, problem.id, transition(
                    problem.state, Cause.JIRA_STATUS_MOVED, now, to=change.state, details=details), now)
            else:
                problem = self.problems.lock(connection, problem.id)
                self.audit.record(connection, now, "problem.synced_from_jira", f"problem:{problem.id}", details)
        if change.state == FIXED:
            version = after.fix_versions[-1] if after.fix_versions else None
            self._mark_fixed(connection, problem, now, version, reason=f"{after.key} resolved {after.resolution}")
        elif change.notify_tickets:
            self.listener.issue_status_moved(connection, problem, now)
        log_event(log, logging.INFO, "problem.synced", problem_id=problem.id, jira_key=after.key,
                  state=change.state or problem.state, notify=change.notify_tickets)
        return f"{prefix}: problem {problem.id} {change.state or 'updated'}"

    def _follow_issue(self, connection, problem_id: int, change: IssueChange, now: datetime) -> dict:
        """Key, priority and due date as Jira has them now; the columns written."""
        values: dict = {}
        if change.key:
            self.problems.set_jira_key(connection, problem_id, change.key, now)
            values["jira_key"] = change.key
        if change.priority:
            self.problems.set_priority(connection, problem_id, change.priority, now)
            values["priority"] = change.priority
        if change.due_date or change.due_date_cleared:
            self.problems.set_due_date(connection, problem_id, change.due_date, now)
            values["due_date"] = change.due_date
        return values

    def _merge_into_duplicate(self, connection, problem: Problem, key: str, now: datetime) -> str | None:
        """Resolved as a duplicate of `key`: the tickets move to that issue's problem (opened for it
        if there is none) and this problem closes. None when no team owns `key`'s project."""
        target = self.problems.active_with_issue(connection, key)
        if target is None:
            team = next((name for name, settings in self.settings.teams.items()
                         if settings.project.upper() == key.rsplit("-", 1)[0].upper()), None)
            if team is None:
                return None
            target = self.problems.active_for_update(connection, link_rule_name(team), key, team, now,
                                                     state=OPEN, origin=AGENT_LINK, jira_key=key)
        if target.id == problem.id:
            return None
        moved = self.problems.move_tickets(connection, problem.id, target.id, now)
        target = self.problems.refresh_counts(connection, target.id, now)
        closed = self.problems.change_state(connection, problem.id, transition(
            problem.state, Cause.MERGED_INTO_DUPLICATE, now,
            details={"duplicate_of": key, "into_problem": target.id, "tickets": moved}), now)
        self.audit.record(connection, now, "problem.received_duplicate", f"problem:{target.id}",
                          {"from_problem": problem.id, "jira_key": problem.jira_key, "tickets": moved})
        self.listener.tickets_changed(connection, target, now)
        self.listener.tickets_changed(connection, closed, now)
        return f"duplicate of {key}: {len(moved)} tickets moved to problem {target.id}"

    def _mark_fixed(self, connection, problem: Problem, now: datetime, version: str | None, reason: str) -> None:
        problem = self.problems.change_state(connection, problem.id, transition(
            problem.state, Cause.FIX_SHIPPED, now, fix_version=version,
            details={"jira_key": problem.jira_key, "fix_version": version, "reason": reason}), now)
        self.listener.fix_shipped(connection, problem, now)

    def _issue_deleted(self, connection, problem: Problem, now: datetime) -> str:
        """The issue is gone but the customers' problem is not: it gets a new issue."""
        lost = problem.jira_key
        self.problems.clear_issue(connection, problem.id, now)
        problem = self.problems.change_state(connection, problem.id, transition(
            problem.state, Cause.ISSUE_DELETED, now, details={"jira_key": lost}), now)
        self.listener.issue_lost(connection, problem, now)
        return f"issue {lost} deleted: problem {problem.id} gets a new issue"
