"""Linked tickets hear about their Jira issue's progress: one identical update per 100 tickets
(update_many ?ids=), job by job, for whatever status the issue has when each job starts."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bridge.actions.recorded_send import (
    carrying,
    read_back_wait,
    record_before_sending,
    to_read_back,
    without_record,
)
from bridge.actions.results import Done, Later
from bridge.config import Settings
from bridge.domain.events import IssueSnapshot
from bridge.domain.ports import IssueTracker, TicketSystem
from bridge.domain.problems import WONT_FIX, Problem
from bridge.logs import log_event
from bridge.planning import ProblemFacts
from bridge.planning.templates import render_or_default, template_context
from bridge.rules import Rule
from bridge.storage.outbox import Action
from bridge.storage.problems import ProblemStore
from bridge.storage.snapshots import IssueSnapshots, TicketSnapshots
from bridge.sync_settings import TicketUpdate

STATUS_UPDATE = "zendesk.status_update"
log = logging.getLogger("bridge.actions")

POLL = timedelta(seconds=1)
TICKET_ATTEMPTS = 3
BULK_LIMIT = 100
CATEGORY_TAGS = {"new": "jira_status_to_do", "indeterminate": "jira_status_in_progress",
                 "done": "jira_status_done"}


def issue_view(issue: IssueSnapshot, url: str) -> dict:
    return {"key": issue.key, "url": url, "status": issue.status, "category": issue.status_category,
            "resolution": issue.resolution, "due_date": issue.due_date, "fix_versions": list(issue.fix_versions)}


def ticket_changes(update: TicketUpdate, context: dict, issue: IssueSnapshot, settings: Settings) -> dict:
    """The Zendesk change every linked ticket gets for this issue status."""
    changes: dict = {}
    message = update.public_message or update.internal_note
    if message is not None:
        text = render_or_default(message, context, f"Jira {issue.key}: {issue.status}", "status_sync").text
        changes["comment"] = {"body": text, "public": update.public_message is not None}
    if update.ticket_status:
        changes["status"] = update.ticket_status
    fields = settings.zendesk.fields
    custom = {}
    if fields.jira_status:
        custom[fields.jira_status] = issue.status
    if fields.expected_fix_date:
        custom[fields.expected_fix_date] = issue.due_date
    if custom:
        changes["custom_fields"] = custom
    tag = CATEGORY_TAGS.get(issue.status_category or "")
    if tag:  # lets agents build views by Jira status, and tells a retry what was already applied
        changes["additional_tags"] = [tag]
        changes["remove_tags"] = [other for other in CATEGORY_TAGS.values() if other != tag]
    return changes


class StatusActions:
    def __init__(self, settings: Settings, problems: ProblemStore, tickets: TicketSnapshots,
                 issue_snapshots: IssueSnapshots, issues: IssueTracker, zendesk: TicketSystem,
                 context_of):
        self.settings, self.problems, self.tickets = settings, problems, tickets
        self.issue_snapshots, self.issues, self.zendesk = issue_snapshots, issues, zendesk
        self.context_of = context_of  # problem -> (rule, facts), shared with ProblemActions

    def update_tickets(self, action: Action, now: datetime) -> Done | Later:
        problem: Problem = self.problems.get(action.problem_id)
        if problem is None or not problem.jira_key:
            return Done("no issue")
        issue = self.issue_snapshots.get_by_key(problem.jira_key)
        if issue is None:
            return Done("issue not seen yet")
        update = (self.settings.status_sync.not_fixed if problem.state == WONT_FIX
                  else self.settings.status_sync.update_for(issue.status, issue.status_category))
        if update is None:
            return Done(f"nothing configured for {issue.status}")
        target = f"{issue.status}|{issue.status_category}|{issue.resolution}|{problem.state}"
        payload = action.payload if action.payload.get("target") == target else {"target": target, "done": []}
        job = payload.get("job")
        if job:
            status = self.zendesk.bulk_update_status(job["id"])
            if not status.finished:
                return Later(now + POLL, payload)
            payload = self._after_job(problem, payload, job, status)
        wait = read_back_wait(payload, action.attempts, now, self.settings.closure.unknown_outcome)
        if wait:
            return wait
        if uncertain := to_read_back(payload, action.attempts):
            tag = CATEGORY_TAGS.get(issue.status_category or "")
            told = carrying(self.zendesk, uncertain, tag) if tag else set()
            payload = {**without_record(payload), "done": [*payload["done"], *told]}
        remaining = self._remaining(problem, set(payload["done"]))
        if not remaining:
            return Done(f"{len(payload['done'])} tickets told: {issue.status}")
        recording = record_before_sending(payload, remaining, action.attempts, now)
        if recording:
            return recording
        rule, facts = self.context_of(problem)
        context = _context(rule, facts, issue, self.issues.url(issue.key))
        job_id = self.zendesk.start_bulk_update(remaining, ticket_changes(update, context, issue, self.settings))
        return Later(now + POLL, {**without_record(payload), "job": {"id": job_id, "tickets": remaining}})

    def _after_job(self, problem: Problem, payload: dict, job: dict, status) -> dict:
        """Succeeded tickets are done; a failed one is tried again, up to TICKET_ATTEMPTS times,
        then given up on (and logged)."""
        failures = dict(payload.get("failures", {}))
        done = [*payload["done"]]
        for ticket_id in job["tickets"]:
            if ticket_id in status.succeeded:
                done.append(ticket_id)
                continue
            failures[str(ticket_id)] = failures.get(str(ticket_id), 0) + 1
            if failures[str(ticket_id)] >= TICKET_ATTEMPTS:
                done.append(ticket_id)
                log_event(log, logging.WARNING, "action.ticket_status_update_gave_up", problem_id=problem.id,
                          ticket_id=ticket_id, reason=str(status.failed.get(ticket_id, "no result"))[:200])
        return {"target": payload["target"], "done": done, "failures": failures}

    def _remaining(self, problem: Problem, done: set[int]) -> list[int]:
        """The next (up to) 100 linked tickets not yet told, leaving out closed ones (Zendesk
        cannot update them); snapshots are read only as far as needed to fill the batch."""
        linked = [t for t in self.problems.linked_ticket_ids(problem.id) if t not in done]
        batch: list[int] = []
        for start in range(0, len(linked), BULK_LIMIT):
            chunk = linked[start:start + BULK_LIMIT]
            closed = {t.id for t in self.tickets.get_many(chunk) if t.status == "closed"}
            batch += [t for t in chunk if t not in closed]
            if len(batch) >= BULK_LIMIT:
                break
        return batch[:BULK_LIMIT]


def _context(rule: Rule, facts: ProblemFacts, issue: IssueSnapshot, url: str) -> dict:
    context = template_context(rule, facts, (), jira_key=issue.key, jira_url=url)
    context["issue"] = issue_view(issue, url)
    return context

