"""What becoming overdue does (config `accountability.overdue`): a Jira comment to the assignee
with the counts, days overdue and the trend; the Jira priority one level higher; an internal note
on every linked Zendesk ticket (update_many, 100 tickets per job, one job at a time); a message to
a Slack-compatible chat webhook. Network calls happen outside transactions; each handler does
nothing once the problem is fixed or its due date moved (the check starts over then)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import requests
from sqlalchemy import Connection

from bridge.actions.results import Done, Later
from bridge.actions.zendesk_batches import BatchSender, Finished, state_of, with_state
from bridge.config.settings import OverdueSettings, Settings
from bridge.domain.events import IssueSnapshot
from bridge.domain.ports import IssueTracker, RemoteError, TicketSystem
from bridge.domain.problems import CHECKED_STATES, Problem
from bridge.overdue.accountability import (
    bumped_priority,
    chat_text,
    compute_trend,
    days_overdue,
    overdue_comment,
    overdue_headline,
    overdue_tag,
    ticket_note,
)
from bridge.storage.accountability import AccountabilityStore
from bridge.storage.audit import AuditLog
from bridge.storage.outbox import Action
from bridge.storage.problems import ProblemStore
from bridge.storage.snapshots import IssueSnapshots

log = logging.getLogger("bridge.actions")

OVERDUE_COMMENT, OVERDUE_PRIORITY = "jira.overdue_comment", "jira.overdue_priority"
OVERDUE_NOTE, OVERDUE_CHAT = "zendesk.overdue_note", "chat.overdue"
TREND_DAYS = 14
CHAT_TIMEOUT = 5.0


def overdue_action_kinds(overdue: OverdueSettings) -> list[str]:
    """The outbox actions becoming overdue queues, as configured."""
    return [kind for kind, wanted in ((OVERDUE_COMMENT, overdue.jira_comment),
                                      (OVERDUE_PRIORITY, overdue.priority_bump),
                                      (OVERDUE_NOTE, overdue.ticket_note),
                                      (OVERDUE_CHAT, overdue.chat_webhook_url is not None)) if wanted]


def post_chat_message(url: str, text: str, post: Callable = requests.post) -> None:
    """POST {"text": ...} (Slack's incoming-webhook format); RemoteError when it is not accepted."""
    try:
        response = post(url, json={"text": text}, timeout=CHAT_TIMEOUT)
    except requests.RequestException as error:
        raise RemoteError(f"chat webhook unreachable: {type(error).__name__}", temporary=True) from error
    if not 200 <= response.status_code < 300:
        temporary = response.status_code == 429 or response.status_code >= 500
        retry_after = response.headers.get("Retry-After")
        raise RemoteError(f"chat webhook answered {response.status_code}", temporary=temporary,
                          retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
                          status=response.status_code)


@dataclass(frozen=True)
class StillOverdue:
    problem: Problem
    due_date: date
    days: int


@dataclass(frozen=True)
class OverdueIssue(StillOverdue):
    jira_key: str
    issue: IssueSnapshot | None  # as last seen


class OverdueActions:
    def __init__(self, settings: Settings, problems: ProblemStore, store: AccountabilityStore,
                 issue_snapshots: IssueSnapshots, audit: AuditLog, issues: IssueTracker,
                 zendesk: TicketSystem, batches: BatchSender, post: Callable = requests.post):
        self.settings, self.problems, self.store, self.issue_snapshots = settings, problems, store, issue_snapshots
        self.audit, self.issues, self.zendesk, self.batches, self.post = audit, issues, zendesk, batches, post

    def handlers(self) -> dict:
        return {OVERDUE_COMMENT: self.comment, OVERDUE_PRIORITY: self.bump_priority,
                OVERDUE_NOTE: self.note_tickets, OVERDUE_CHAT: self.chat}

    def comment(self, action: Action, now: datetime) -> Done:
        overdue = self._overdue_issue(action, now)
        if isinstance(overdue, str):
            return Done(overdue)
        problem, key, days = overdue.problem, overdue.jira_key, overdue.days
        trend = compute_trend(self.store.join_times(problem.id), now, TREND_DAYS, overdue.due_date,
                              self.settings.calendar.zone)
        assignee = overdue.issue.assignee if overdue.issue else None
        self.issues.comment_once(key, overdue_comment(problem, assignee, days, trend), overdue_headline(problem, days))
        return Done(f"commented on {key}: {days} days overdue",
                    self.audit.later(f"problem:{problem.id}", "jira.overdue_commented", {"key": key, "days": days}))

    def bump_priority(self, action: Action, now: datetime) -> Done:
        overdue = self._overdue_issue(action, now)
        if isinstance(overdue, str):
            return Done(overdue)
        problem, snapshot = overdue.problem, overdue.issue
        current = (snapshot.priority if snapshot and snapshot.priority else None) or problem.priority
        higher = bumped_priority(current)
        if higher is None:
            return Done(f"priority {current or 'unknown'} cannot go higher")
        self.issues.update_fields(overdue.jira_key, {"priority": {"name": higher}})

        def record(connection: Connection, when: datetime) -> None:
            self.problems.set_priority(connection, problem.id, higher, when)
            self.audit.record(connection, when, "jira.overdue_priority_bumped", f"problem:{problem.id}",
                              {"key": problem.jira_key, "from": current, "to": higher})

        return Done(f"priority {current} -> {higher}", record)

    def note_tickets(self, action: Action, now: datetime) -> Done | Later:
        """An internal note on every linked ticket, 100 per update_many job, one job at a time
        (bridge/zendesk_batches). The note's tag (one per problem and due date) tells a retry which
        tickets of a batch of unknown outcome got it."""
        overdue = self._still_overdue(action, now)
        if isinstance(overdue, str):
            return Done(overdue)
        problem, days = overdue.problem, overdue.days
        tag = overdue_tag(problem)

        def send(batch: list[int]) -> str:
            return self.zendesk.start_bulk_update(
                batch, {"comment": {"body": ticket_note(problem, days), "public": False}, "additional_tags": [tag]})

        step = self.batches.step(
            state_of(action.payload), action.attempts, now, send=send,
            context={"problem_id": problem.id, "kind": OVERDUE_NOTE},
            next_batch=lambda excluded, limit: [
                t for t in self.problems.linked_ticket_ids(problem.id) if t not in excluded][:limit],
            landed=lambda ticket: tag in ticket.tags)
        if not isinstance(step, Finished):
            return Later(step.until, with_state(action.payload, step.state), step.reason)
        noted, failed = step.state.done, step.state.given_up
        outcome = f"noted {len(noted)} tickets" + (f", {len(failed)} failed" if failed else "")
        details = {"tickets": len(noted), "failed": sorted(failed)}
        record = self.audit.later(f"problem:{problem.id}", "zendesk.overdue_noted", details)
        return Done(outcome, record if noted or failed else None)

    def chat(self, action: Action, now: datetime) -> Done:
        url = self.settings.accountability.overdue.chat_webhook_url
        if not url:
            return Done("no chat webhook configured")
        overdue = self._still_overdue(action, now)
        if isinstance(overdue, str):
            return Done(overdue)
        problem, days = overdue.problem, overdue.days
        issue_url = self.issues.url(problem.jira_key) if problem.jira_key else None
        post_chat_message(url, chat_text(problem, days, issue_url), self.post)
        return Done("posted to the chat webhook",
                    self.audit.later(f"problem:{problem.id}", "chat.overdue_posted", {"days": days}))

    def _overdue_issue(self, action: Action, now: datetime) -> OverdueIssue | str:
        """The problem, its issue as last seen and how late it is, or why there is nothing to do on Jira."""
        overdue = self._still_overdue(action, now)
        if isinstance(overdue, str):
            return overdue
        key = overdue.problem.jira_key
        if not key:
            return "no Jira issue"
        return OverdueIssue(overdue.problem, overdue.due_date, overdue.days, key,
                            self.issue_snapshots.get_by_key(key))

    def _still_overdue(self, action: Action, now: datetime) -> StillOverdue | str:
        """The problem and how late it is, or why the action is stale."""
        problem = self.problems.get(action.problem_id) if action.problem_id else None
        if problem is None:
            raise LookupError(f"problem {action.problem_id} does not exist")
        if problem.state not in CHECKED_STATES:
            return f"problem is {problem.state}"
        due = problem.due_date
        if due is None or due.isoformat() != action.payload.get("due_date"):
            return f"due date moved to {due.isoformat() if due else None}"
        return StillOverdue(problem, due, days_overdue(due, now, self.settings.calendar.zone))

