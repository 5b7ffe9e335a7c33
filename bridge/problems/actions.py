"""What a problem's outbox actions do: create its Jira issue (idempotently), tell Zendesk which
tickets are linked to it, and keep the counts and escalations on the Jira issue current."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Connection

from bridge.actions.problem_context import ProblemContext
from bridge.actions.results import Done, Later
from bridge.actions.zendesk_batches import BatchSender, BatchState, Finished, state_of, with_state
from bridge.actions.zendesk_batches.state import upgraded
from bridge.config.settings import Settings
from bridge.domain.lifecycle import Cause, transition
from bridge.domain.ports import IssueTracker, TicketSystem
from bridge.domain.problems import CLOSED, FIXED, WORKED_AROUND, Problem
from bridge.jira_progress.status_actions import STATUS_UPDATE
from bridge.logs import log_event
from bridge.planning import (
    ProblemFacts,
    escalate,
    escalation_comment,
    escalation_marker,
    impact_field_values,
    link_changes,
    link_tag,
    plan_issue,
    problem_label,
    render_impact_section,
    replace_impact_section,
    unlink_changes,
)
from bridge.planning.links import zendesk_ticket_url
from bridge.rules import Rule
from bridge.storage.audit import AuditLog
from bridge.storage.outbox import Action, Outbox
from bridge.storage.snapshots import TicketSnapshots

log = logging.getLogger("bridge.actions")

CREATE_ISSUE, SYNC_LINKS, UPDATE_ISSUE = "jira.create_issue", "zendesk.sync_links", "jira.update_issue"
REGRESS = "jira.regress"
EXAMPLE_TICKETS = 5

# What a shipped fix starts (the closure notifying every affected customer), in its transaction.
FixShipped = Callable[[Connection, Problem, datetime], object]
# Queues a read of the problem's weighted impact (bridge/problems/impact_actions.py).
ReadImpact = Callable[[Connection, Problem, datetime], None]
# What else tickets joining or leaving a problem queue (a workaround's answer), in their transaction.
TicketsChanged = Callable[[Connection, Problem, datetime], object]


def counts_text(problem: Problem) -> str:
    """What the Jira issue shows: counts, and the impact score once read (`12/9/4` or `12/9/4/42.5`)."""
    score = f"/{problem.impact.score:g}" if problem.impact else ""
    return f"{problem.ticket_count}/{problem.requester_count}/{problem.organization_count}{score}"


def _no_impact_reads(connection: Connection, problem: Problem, now: datetime) -> None:
    pass


class ProblemActions:
    def __init__(self, settings: Settings, context: ProblemContext, tickets: TicketSnapshots, outbox: Outbox,
                 audit: AuditLog, issues: IssueTracker, zendesk: TicketSystem, batches: BatchSender,
                 on_fix: FixShipped, read_impact: ReadImpact = _no_impact_reads,
                 on_tickets_changed: TicketsChanged | None = None):
        self.settings, self.context, self.problems, self.tickets = settings, context, context.problems, tickets
        self.outbox, self.audit, self.issues, self.zendesk = outbox, audit, issues, zendesk
        self.batches, self.on_fix, self.read_impact = batches, on_fix, read_impact
        self.on_tickets_changed = on_tickets_changed

    def handlers(self) -> dict:
        return {CREATE_ISSUE: self.create_issue, SYNC_LINKS: self.sync_links, UPDATE_ISSUE: self.update_issue,
                REGRESS: self.regress}

    # --- queued by detection -------------------------------------------------------------------

    def problem_opened(self, connection: Connection, problem: Problem, now: datetime) -> None:
        self.outbox.enqueue(connection, CREATE_ISSUE, now, problem.id, dedupe_key=f"create:{problem.id}")

    def problem_regressed(self, connection: Connection, problem: Problem, ticket_id: int, now: datetime) -> None:
        self.outbox.enqueue(connection, REGRESS, now, problem.id, payload={"ticket": ticket_id},
                            dedupe_key=f"regress:{problem.id}")

    def issue_status_moved(self, connection: Connection, problem: Problem, now: datetime) -> None:
        self.outbox.enqueue(connection, STATUS_UPDATE, now, problem.id, dedupe_key=f"status:{problem.id}")

    def fix_shipped(self, connection: Connection, problem: Problem, now: datetime) -> None:
        self.on_fix(connection, problem, now)
        # The issue's counts are final now: a write deferred by the interval is not left waiting.
        self.outbox.bring_forward(connection, f"update:{problem.id}", now)

    def issue_lost(self, connection: Connection, problem: Problem, now: datetime) -> None:
        """The issue was deleted in Jira: a new one is created, and tickets are linked to it."""
        self.problems.forget_links(connection, problem.id)
        self.problem_opened(connection, problem, now)

    def tickets_changed(self, connection: Connection, problem: Problem, now: datetime) -> None:
        """Tickets joined or left: tell Zendesk, and (debounced) update the counts on Jira."""
        if self.on_tickets_changed is not None:
            self.on_tickets_changed(connection, problem, now)
        if problem.jira_key is None:
            return  # the issue's creation links the tickets there are by then
        self.outbox.enqueue(connection, SYNC_LINKS, now, problem.id, dedupe_key=f"links:{problem.id}")
        self._counts_changed(connection, problem.id, now, problem.counts_written_at)
        self.read_impact(connection, problem, now)

    def impact_changed(self, connection: Connection, problem: Problem, now: datetime) -> None:
        """A new impact score: onto the Jira issue (debounced like the counts), escalating if it reaches a step."""
        self._counts_changed(connection, problem.id, now, problem.counts_written_at)

    def _counts_changed(self, connection: Connection, problem_id: int, now: datetime,
                        written_at: datetime | None) -> None:
        """Update the counts on Jira, at least `counts_update_interval_seconds` after they were
        last written there (Jira caps writes per issue)."""
        interval = timedelta(seconds=self.settings.jira.counts_update_interval_seconds)
        self.outbox.enqueue(connection, UPDATE_ISSUE, now, problem_id, dedupe_key=f"update:{problem_id}",
                            not_before=written_at + interval if written_at else None)

    # --- handlers ------------------------------------------------------------------------------

    def create_issue(self, action: Action, now: datetime) -> Done | Later:
        problem = self._problem(action)
        if problem.jira_key:
            return Done(f"already has {problem.jira_key}")
        # Jira has no idempotency key: the label carrying the problem id finds an issue a crashed
        # or timed-out earlier attempt created, so a retry never makes a second one.
        found = self.issues.find_by_label(problem_label(problem.id))
        if found is None and self._too_early_to_trust_search(action):
            return Later(now + self.settings.jira.search_lag, {**action.payload, "searched_late": action.attempts})
        rule = self._rule(problem)
        plan = plan_issue(rule, self.settings.teams[problem.team], self._facts(problem),
                          self._examples(problem), zendesk_url=self.settings.zendesk.agent_base,
                          calendar=self.settings.calendar, now=now, jira_fields=self.settings.jira.fields,
                          literal=self.issues.literal)
        for error in plan.template_errors:
            log_event(log, logging.WARNING, "action.template_failed", problem_id=problem.id, error=error)
        issue = found or self.issues.create(plan)
        if plan.escalation.escalated:
            if found:  # created by an attempt that may have planned before this escalation
                self.issues.update_fields(issue.key, {"priority": {"name": plan.priority},
                                                      "duedate": plan.due_date.isoformat()})
            self.issues.comment_once(issue.key, escalation_comment(plan.escalation),
                                     escalation_marker(plan.escalation))

        def record(connection: Connection, when: datetime) -> None:
            self.problems.record_issue(connection, problem.id, issue.key, issue.id, plan.priority,
                                       plan.due_date, plan.escalation.applied, counts_text(problem), when)
            # Tickets that joined while the issue was being created found no issue to update (see
            # tickets_changed): their counts, and any escalation they reach, come next.
            if counts_text(self.problems.refresh_counts(connection, problem.id, when)) != counts_text(problem):
                self._counts_changed(connection, problem.id, when, written_at=when)
            self.audit.record(connection, when, "jira.issue_created" if not found else "jira.issue_found",
                              f"problem:{problem.id}", {
                                  "key": issue.key, "project": plan.project, "priority": plan.priority,
                                  "due_date": plan.due_date.isoformat(), "issue_type": plan.issue_type})
            self.outbox.enqueue(connection, SYNC_LINKS, when, problem.id, dedupe_key=f"links:{problem.id}")
            self.read_impact(connection, problem, when)

        return Done(f"{'found' if found else 'created'} {issue.key}", record)

    def _too_early_to_trust_search(self, action: Action) -> bool:
        """On a retry, an earlier attempt may have created the issue moments before it failed: too
        recently for Jira Cloud's search to show it. Each retry looks once more, after the lag."""
        return (action.attempts > 1 and bool(self.settings.jira.search_lag)
                and action.payload.get("searched_late") != action.attempts)

    def sync_links(self, action: Action, now: datetime) -> Done | Later:
        """One problem's Zendesk links: one update_many job of at most 100 tickets per run, those
        to link first, then those to unlink (bridge/zendesk_batches); the next run is queued."""
        problem = self._problem(action)
        rule, facts = self.context.rule_and_facts(problem)
        state = state_of(action.payload)
        tag = link_tag(rule, facts).text
        in_flight = state.job is not None or state.sending is not None
        unlinking = (bool(upgraded(action.payload).get("unlinking")) if in_flight
                     else not self._to_link(problem.id, state.excluded(now), 1))
        kind = "unlink" if unlinking else "link"
        key = problem.jira_key
        if key is None and not unlinking:
            return Done("no Jira issue to link to")  # it lost its issue; the new one queues its links

        def changes() -> dict:
            if key is None or unlinking:
                # A closed problem's tickets may have moved to another (a duplicate): keep their fields.
                return unlink_changes(rule, facts, self.settings, clear_fields=problem.state != CLOSED).changes
            return link_changes(rule, facts, key, self.issues.url(key), problem.due_date, self.settings).changes

        candidates = self._to_unlink if unlinking else self._to_link
        step = self.batches.step(
            state, action.attempts, now, one_job=True, context={"problem_id": problem.id, "kind": kind},
            next_batch=lambda excluded, limit: candidates(problem.id, excluded, limit),
            send=lambda batch: self.zendesk.start_bulk_update(batch, changes()),
            landed=lambda ticket: (tag in ticket.tags) != unlinking)  # an unlink lands when the tag is gone
        if not isinstance(step, Finished):
            return Later(step.until, with_state({"unlinking": True} if unlinking else {}, step.state), step.reason)
        done = step.state.done
        if not done and state.job is None:
            return Done("nothing to sync")
        failed = len([t for t in state.job.tickets if t not in done]) if state.job else 0
        outcome = f"{kind}ed {len(done)} tickets" + (f", {failed} failed" if failed else "")
        return Done(outcome, self._links_recorded(problem.id, kind, step.state))

    def _to_link(self, problem_id: int, excluded: set[int], limit: int) -> list[int]:
        found = self.problems.tickets_to_link(problem_id, limit + len(excluded))
        return [t for t in found if t not in excluded][:limit]

    def _to_unlink(self, problem_id: int, excluded: set[int], limit: int) -> list[int]:
        found = self.problems.tickets_to_unlink(problem_id, limit + len(excluded))
        return [t for t in found if t not in excluded][:limit]

    def update_issue(self, action: Action, now: datetime) -> Done:
        """The counts (fields and the description's impact section), and escalations: one Jira
        edit per run, and the runs are at least `counts_update_interval_seconds` apart."""
        problem = self._problem(action)
        if not problem.jira_key:
            return Done("no issue yet")
        rule = self._rule(problem)
        facts = self._facts(problem)
        # A fixed problem is past escalating; one that ended with its workaround is not escalated
        # (its rule's impact bar said so).
        steps = rule.spec.jira.escalation if problem.state not in (FIXED, CLOSED, WORKED_AROUND) else []
        result = escalate(steps, facts.measures, problem.escalation_applied,
                          priority=problem.priority or self.settings.teams[problem.team].priority,
                          due_date=problem.due_date,
                          due_settings=(rule.spec.jira.due, self.settings.teams[problem.team].due),
                          calendar=self.settings.calendar, now=now)
        counts = counts_text(problem)
        if counts == problem.counts_written and not result.escalated:
            return Done("already current")
        fields: dict = dict(impact_field_values(problem, self.settings.jira.fields))
        section = render_impact_section(facts, self._examples(problem), zendesk_url=self.settings.zendesk.agent_base,
                                        link_tag=link_tag(rule, facts).text, zone=self.settings.calendar.zone,
                                        literal=self.issues.literal)
        fields["description"] = replace_impact_section(self.issues.description(problem.jira_key), section)
        if result.escalated:
            fields["priority"] = {"name": result.priority}
            if result.due_date:
                fields["duedate"] = result.due_date.isoformat()
        self.issues.update_fields(problem.jira_key, fields)
        if result.escalated:
            # A retry after the comment may word it otherwise: Jira's webhook for the edit above
            # may have brought the new priority here already.
            self.issues.comment_once(problem.jira_key, escalation_comment(result), escalation_marker(result))

        def record(connection: Connection, when: datetime) -> None:
            # Tickets that joined while this ran were absorbed by this action's key: if the counts
            # moved meanwhile, the next update is queued (after the interval).
            if counts_text(self.problems.refresh_counts(connection, problem.id, when)) != counts:
                self._counts_changed(connection, problem.id, when, written_at=when)
            if result.escalated:
                self.problems.record_counts_written(connection, problem.id, counts, when, result.priority,
                                                    result.due_date, result.applied)
                self.audit.record(connection, when, "problem.escalated", f"problem:{problem.id}", {
                    "priority": result.priority, "due_date": result.due_date and result.due_date.isoformat(),
                    "reason": escalation_comment(result)})
            else:
                self.problems.record_counts_written(connection, problem.id, counts, when)

        return Done(f"wrote counts {counts}{' and escalated' if result.escalated else ''}", record)

    def regress(self, action: Action, now: datetime) -> Done:
        """Reopen the fixed issue with a comment, or (config `regression.action: new_issue`) open
        a new issue related to it; the regressed problem's tickets then follow the issue."""
        problem = self._problem(action)
        old_key = problem.jira_key
        if not old_key:
            return Done("no issue to reopen")
        ticket = int(action.payload["ticket"])
        why = (f"Regression: Zendesk ticket #{ticket} reports the same problem after the "
               f"fix{' in ' + problem.fix_version if problem.fix_version else ''} shipped "
               f"({zendesk_ticket_url(self.settings.zendesk.agent_base, ticket)}).")
        if self.settings.regression.action == "reopen":
            self.issues.move_to_status(old_key, self.settings.regression.reopen_status)
            self.issues.comment_once(old_key, why)
            return Done(f"reopened {old_key}",
                        self.audit.later(f"problem:{problem.id}", "jira.issue_reopened", {"key": old_key}))
        rule = self._rule(problem)
        plan = plan_issue(rule, self.settings.teams[problem.team], self._facts(problem), self._examples(problem),
                          zendesk_url=self.settings.zendesk.agent_base, calendar=self.settings.calendar, now=now,
                          jira_fields=self.settings.jira.fields, literal=self.issues.literal)
        label = f"{problem_label(problem.id)}-regression-{action.id}"
        issue = self.issues.find_by_label(label) or self.issues.create(
            replace(plan, labels=(*[name for name in plan.labels if name != problem_label(problem.id)], label)))
        self.issues.relate(issue.key, old_key)
        self.issues.comment_once(issue.key, why)

        def record(connection: Connection, when: datetime) -> None:
            self.problems.replace_issue(connection, problem.id, issue.key, issue.id, plan.priority, plan.due_date,
                                        when)
            self.problems.change_state(connection, problem.id, transition(
                self.problems.lock(connection, problem.id).state, Cause.NEW_ISSUE, when,
                details={"key": issue.key, "relates_to": old_key}), when)
            self.problems.forget_links(connection, problem.id)
            self.outbox.enqueue(connection, SYNC_LINKS, when, problem.id, dedupe_key=f"links:{problem.id}")

        return Done(f"created {issue.key} related to {old_key}", record)


    # --- helpers -------------------------------------------------------------------------------

    def _links_recorded(self, problem_id: int, kind: str, state: BatchState):
        def record(connection: Connection, when: datetime) -> None:
            if kind == "link":
                self.problems.mark_linked(connection, problem_id, state.done, when)
            else:
                self.problems.mark_unlinked(connection, problem_id, state.done, when)
            if state.done:
                self.audit.record(connection, when, f"zendesk.tickets_{kind}ed", f"problem:{problem_id}",
                                  {"tickets": sorted(state.done)})
            # Whatever joined or left meanwhile, or failed just now, gets the next run (which keeps
            # the failures' count). Asked inside this transaction: a separate read would not see the
            # links just marked.
            if state.failures or self.problems.has_tickets_to_sync(connection, problem_id):
                self.outbox.enqueue(connection, SYNC_LINKS, when, problem_id, with_state({}, state.carried()),
                                    dedupe_key=f"links:{problem_id}")
        return record

    def _problem(self, action: Action) -> Problem:
        return self.context.problem(action)

    def _rule(self, problem: Problem) -> Rule:
        return self.context.rule(problem)

    def _facts(self, problem: Problem) -> ProblemFacts:
        return self.context.facts(problem)

    def _examples(self, problem: Problem):
        return self.tickets.get_many(self.problems.linked_ticket_ids(problem.id, EXAMPLE_TICKETS))
