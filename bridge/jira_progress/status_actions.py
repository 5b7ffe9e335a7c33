"""Linked tickets hear about their Jira issue's progress: one identical update per 100 tickets
(update_many ?ids=), job by job, for whatever status the issue has when each job starts."""

from __future__ import annotations

from datetime import datetime

from bridge.actions.open_tickets import not_closed
from bridge.actions.problem_context import ProblemContext
from bridge.actions.results import Done, Later
from bridge.actions.zendesk_batches import BatchSender, BatchState, Finished, state_of, with_state
from bridge.config.settings import Settings
from bridge.config.sync_settings import TicketUpdate
from bridge.domain.events import IssueSnapshot
from bridge.domain.ports import IssueTracker, TicketSystem
from bridge.domain.problems import WONT_FIX, Problem
from bridge.planning import ProblemFacts
from bridge.planning.templates import render_or_default, template_context
from bridge.rules import Rule
from bridge.storage.outbox import Action
from bridge.storage.snapshots import IssueSnapshots, TicketSnapshots

STATUS_UPDATE = "zendesk.status_update"
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
    def __init__(self, settings: Settings, context: ProblemContext, tickets: TicketSnapshots,
                 issue_snapshots: IssueSnapshots, issues: IssueTracker, zendesk: TicketSystem,
                 batches: BatchSender):
        self.settings, self.context, self.problems, self.tickets = settings, context, context.problems, tickets
        self.issue_snapshots, self.issues, self.zendesk, self.batches = issue_snapshots, issues, zendesk, batches

    def handlers(self) -> dict:
        return {STATUS_UPDATE: self.update_tickets}

    def update_tickets(self, action: Action, now: datetime) -> Done | Later:
        problem = self.problems.get(action.problem_id) if action.problem_id else None
        if problem is None or not problem.jira_key:
            return Done("no issue")
        issue = self.issue_snapshots.get_by_key(problem.jira_key)
        if issue is None:
            return Done("issue not seen yet")
        update = (self.settings.status_sync.not_fixed if problem.state == WONT_FIX
                  else self.settings.status_sync.update_for(issue.status, issue.status_category))
        if update is None:
            return Done(f"nothing configured for {issue.status}")
        # The issue moved on since this action started: every ticket hears about the new status.
        target = f"{issue.status}|{issue.status_category}|{issue.resolution}|{problem.state}"
        state = state_of(action.payload) if action.payload.get("target") == target else BatchState()
        tag = CATEGORY_TAGS.get(issue.status_category or "")

        def send(batch: list[int]) -> str:
            rule, facts = self.context.rule_and_facts(problem)
            context = _context(rule, facts, issue, self.issues.url(issue.key))
            return self.zendesk.start_bulk_update(batch, ticket_changes(update, context, issue, self.settings))

        step = self.batches.step(
            state, action.attempts, now, send=send, context={"problem_id": problem.id, "kind": STATUS_UPDATE},
            next_batch=lambda excluded, limit: self._remaining(problem, excluded, limit),
            landed=(lambda ticket: tag in ticket.tags) if tag else None)
        if not isinstance(step, Finished):
            return Later(step.until, with_state({"target": target}, step.state), step.reason)
        given_up = f", {len(step.state.given_up)} given up" if step.state.given_up else ""
        return Done(f"{len(step.state.done)} tickets told{given_up}: {issue.status}")

    def _remaining(self, problem: Problem, excluded: set[int], limit: int) -> list[int]:
        """The next (up to) `limit` linked tickets not yet told, leaving out closed ones."""
        linked = [t for t in self.problems.linked_ticket_ids(problem.id) if t not in excluded]
        return not_closed(linked, self.tickets, limit)

def _context(rule: Rule, facts: ProblemFacts, issue: IssueSnapshot, url: str) -> dict:
    context = template_context(rule, facts, (), jira_key=issue.key, jira_url=url)
    context["issue"] = issue_view(issue, url)
    return context

