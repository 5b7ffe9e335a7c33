"""Detection: does this ticket, as it is now, count towards a problem, join one, or leave one?

Runs inside the worker's transaction for every ticket event, so an event's effect on problems
commits together with the event being marked done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Connection

from bridge.agent_rules import link_rule_name
from bridge.domain.events import TicketSnapshot
from bridge.domain.lifecycle import Cause, transition
from bridge.domain.problems import AGENT_LINK, FIXED, OPEN, Problem
from bridge.logs import log_event
from bridge.planning.agent_tags import IssueLinkRequest
from bridge.rules import Rule, RuleSet, window_crossing
from bridge.storage.audit import AuditLog
from bridge.storage.problems import ProblemStore

log = logging.getLogger("bridge.detection")

# Occurrences this much older than a detecting problem's window can never complete a span again
# (events arrive at most this late), so they are forgotten.
LATE_ARRIVAL = timedelta(days=2)


@dataclass
class DetectionResult:
    counted: list[str] = field(default_factory=list)    # rules whose detecting problem counted it
    opened: list[Problem] = field(default_factory=list)  # problems that crossed their threshold now
    joined: list[Problem] = field(default_factory=list)  # open problems the ticket joined now
    left: list[int] = field(default_factory=list)         # problems the ticket left

    def summary(self) -> str:
        parts = [f"counted {','.join(self.counted)}" if self.counted else "",
                 f"opened {','.join(str(p.id) for p in self.opened)}" if self.opened else "",
                 f"joined {','.join(str(p.id) for p in self.joined)}" if self.joined else "",
                 f"left {','.join(map(str, self.left))}" if self.left else ""]
        return "; ".join(p for p in parts if p) or "no rule matched"


class ProblemListener(Protocol):
    """What happens next (the outbox actions); called inside the detecting transaction."""

    def problem_opened(self, connection: Connection, problem: Problem, now: datetime) -> None: ...

    def problem_regressed(self, connection: Connection, problem: Problem, ticket_id: int,
                          now: datetime) -> None: ...

    def tickets_changed(self, connection: Connection, problem: Problem, now: datetime) -> None: ...


class Detector:
    def __init__(self, rules: Callable[[], RuleSet], problems: ProblemStore, audit: AuditLog,
                 listener: ProblemListener,
                 issue_links: Callable[[TicketSnapshot], Sequence[IssueLinkRequest]] = lambda ticket: (),
                 regression_window: timedelta = timedelta(days=30)):
        self.rules = rules
        self.problems = problems
        self.audit = audit
        self.listener = listener
        self.issue_links = issue_links  # agents' link tags on a ticket (jira_eng_123 -> ENG-123)
        self.regression_window = regression_window

    def evaluate(self, connection: Connection, ticket: TicketSnapshot, event_time: datetime,
                 now: datetime, gone: bool = False) -> DetectionResult:
        """`gone`: the ticket was deleted, merged or marked as spam; it leaves every problem."""
        result = DetectionResult()
        matched = {} if gone else {rule.name: rule for rule in self.rules().matching(ticket)}
        links = () if gone else tuple(self.issue_links(ticket))
        linked_keys = {link.key for link in links}
        self._leave_problems_no_longer_matched(connection, ticket, matched, linked_keys, now, result)
        for rule in matched.values():
            counted_key = rule.counting_key(ticket)
            if counted_key is not None:
                self._count(connection, rule, ticket, counted_key, event_time, now, result)
        for link in links:
            self._join_linked_issue(connection, ticket, link, now, result)
        return result

    def _leave_problems_no_longer_matched(self, connection, ticket, matched, linked_keys, now, result) -> None:
        for membership in self.problems.memberships_of(connection, ticket.id):
            rule = matched.get(membership.rule)
            still = (rule is not None and rule.group_key(ticket) == membership.group_key
                     and rule.counting_key(ticket) is not None)
            if still or (membership.jira_key is not None and membership.jira_key in linked_keys):
                continue
            self.problems.remove_ticket(connection, membership.problem_id, ticket.id, now)
            result.left.append(membership.problem_id)
            if not self.problems.drop_if_empty_detecting(connection, membership.problem_id):
                problem = self.problems.refresh_counts(connection, membership.problem_id, now)
                self.audit.record(connection, now, "ticket.left_problem", f"problem:{membership.problem_id}",
                                  {"ticket": ticket.id, "rule": membership.rule})
                if problem.past_detection:
                    self.listener.tickets_changed(connection, problem, now)

    def _linked(self, connection, problem_id: int, ticket_id: int) -> bool:
        return any(m.problem_id == problem_id for m in self.problems.memberships_of(connection, ticket_id))

    def _regress(self, connection, problem: Problem, ticket: TicketSnapshot, now: datetime) -> Problem:
        """A ticket with the same cause after the fix shipped: the loop opens again."""
        problem = self.problems.change_state(connection, problem.id, transition(
            problem.state, Cause.REGRESSION, now,
            details={"ticket": ticket.id, "jira_key": problem.jira_key, "fix_version": problem.fix_version}), now)
        log_event(log, logging.INFO, "problem.regressed", problem_id=problem.id, jira_key=problem.jira_key)
        self.listener.problem_regressed(connection, problem, ticket.id, now)
        return problem

    def _join_linked_issue(self, connection, ticket: TicketSnapshot, link: IssueLinkRequest,
                           now: datetime, result: DetectionResult) -> None:
        """An agent linked the ticket to a Jira issue: join the problem that has it, or open one
        for it (the issue exists already, so there is nothing to create)."""
        problem = self.problems.active_with_issue(connection, link.key) or self.problems.active_for_update(
            connection, link_rule_name(link.team), link.key, link.team, now, state=OPEN,
            origin=AGENT_LINK, jira_key=link.key)
        if not self.problems.link(connection, problem.id, ticket, now):
            return
        problem = self.problems.refresh_counts(connection, problem.id, now)
        result.joined.append(problem)
        self.audit.record(connection, now, "ticket.linked_by_agent", f"problem:{problem.id}",
                          {"ticket": ticket.id, "jira_key": link.key, "tag": link.tag})
        self.listener.tickets_changed(connection, problem, now)

    def _count(self, connection, rule: Rule, ticket: TicketSnapshot, counted_key: str,
               event_time: datetime, now: datetime, result: DetectionResult) -> None:
        problem = self.problems.active_for_update(connection, rule.name, rule.group_key(ticket),
                                                  rule.team, now)
        if problem.state == FIXED and not self._linked(connection, problem.id, ticket.id):
            if event_time <= problem.fixed_at + self.regression_window:
                problem = self._regress(connection, problem, ticket, now)
            else:  # long after the fix: a new problem, counted from scratch
                self.problems.change_state(connection, problem.id, transition(
                    problem.state, Cause.REGRESSION_WINDOW_OVER, now, details={"reason": "regression window over"}),
                    now)
                problem = self.problems.active_for_update(connection, rule.name, rule.group_key(ticket),
                                                          rule.team, now)
        self.problems.record_occurrence(connection, problem.id, ticket, counted_key, event_time)
        if problem.past_detection:
            if self.problems.link(connection, problem.id, ticket, now):
                problem = self.problems.refresh_counts(connection, problem.id, now)
                result.joined.append(problem)
                self.audit.record(connection, now, "ticket.joined_problem", f"problem:{problem.id}",
                                  {"ticket": ticket.id, "rule": rule.name})
                self.listener.tickets_changed(connection, problem, now)
            return
        result.counted.append(rule.name)
        window = rule.spec.threshold.window
        self.problems.forget_occurrences_before(connection, problem.id, now - window - LATE_ARRIVAL)
        occurrences = self.problems.occurrences(connection, problem.id)
        crossing = window_crossing(occurrences, rule.spec.threshold.count, window)
        if crossing is None:
            self.problems.refresh_counts(connection, problem.id, now)
            return
        members = [o.ticket_id for o in occurrences if o.event_time >= crossing.event_time - window]
        opening = transition(problem.state, Cause.THRESHOLD_REACHED, now, details={
            "rule": rule.name, "group": problem.group_key, "team": problem.team,
            "tickets": sorted(members), "threshold": rule.spec.threshold.count,
        })
        self.problems.open(connection, problem.id, members, opening, now)
        problem = self.problems.refresh_counts(connection, problem.id, now)
        result.opened.append(problem)
        log_event(log, logging.INFO, "problem.opened", problem_id=problem.id, rule=rule.name,
                  team=problem.team, tickets=problem.ticket_count)
        self.listener.problem_opened(connection, problem, now)
