"""Detection: does this ticket, as it is now, count towards a problem, join one, or leave one?

Runs inside the worker's transaction for every ticket event, so an event's effect on problems
commits together with the event being marked done. Each step loads what its decision needs
through the stores, asks the pure decision (bridge/detection/decision.py) and applies the
effects it returns; each effect is applied by one method here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Connection

from bridge.detection.agent_rules import link_rule_name
from bridge.detection.decision import (
    CountEffect,
    CountingProblem,
    ForgetOccurrences,
    Join,
    JoinIssueProblem,
    KeepDetecting,
    Leave,
    LinkEffect,
    Open,
    RecordOccurrence,
    Regress,
    RuleMatch,
    StartAfresh,
    agent_link,
    counting,
    leaving,
)
from bridge.domain.events import TicketSnapshot
from bridge.domain.lifecycle import Cause, transition
from bridge.domain.problems import AGENT_LINK, DETECTING, FIXED, OPEN, Membership, Problem, active_key
from bridge.logs import log_event
from bridge.planning.agent_tags import IssueLinkRequest
from bridge.rules import RuleSet
from bridge.rules.window import Occurrence
from bridge.storage.audit import AuditLog
from bridge.storage.problems import ProblemStore

log = logging.getLogger("bridge.detection")


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


@dataclass
class DetectionBatch:
    """What evaluating several tickets in one transaction shares: their memberships, read ahead
    in one query (each used once), the rules' problems once locked (both dropped when problems
    change under them), and what is done once per problem before the transaction commits:
    recounting it, and telling the listener its tickets changed."""

    memberships: dict[int, list[Membership]] = field(default_factory=dict)
    # The rules a ticket was expected to match, as it was expected to be (used if it is).
    matches: dict[int, tuple[TicketSnapshot, list[RuleMatch]]] = field(default_factory=dict)
    locked: dict[tuple[str, str], Problem] = field(default_factory=dict)
    stale_counts: set[int] = field(default_factory=set)
    tickets_changed: set[int] = field(default_factory=set)

    # Whether memberships were dropped because problems changed (see Detector._memberships).
    memberships_stale: bool = False

    def problems_changed(self) -> None:
        self.memberships.clear()
        self.memberships_stale = True
        self.locked.clear()


@dataclass(frozen=True)
class _Evaluation:
    """One ticket event being evaluated, inside the worker's transaction."""

    connection: Connection
    ticket: TicketSnapshot
    now: datetime
    result: DetectionResult
    batch: DetectionBatch
    judged_at: datetime  # the time windows are judged at: now, or a historical event's own time

    @property
    def happened_at(self) -> datetime:
        """When the ticket's change happened: now, or a replayed historical event's own time. A
        problem found in history opens, and its tickets join it, when they did in that history."""
        return self.judged_at


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

    def start_batch(self, connection: Connection, ticket_ids: Collection[int],
                    expected: Sequence[TicketSnapshot] = ()) -> DetectionBatch:
        """For evaluating these tickets in this transaction; `finish_batch` before it commits.
        `expected`: the tickets as they will likely be evaluated (the first of each id counts):
        the problems they and the tickets' memberships will need are locked now, in id order."""
        batch = DetectionBatch(self.problems.memberships_of_many(connection, ticket_ids) if ticket_ids else {})
        rules = self.rules()
        for ticket in expected:
            if ticket.id not in batch.matches:
                batch.matches[ticket.id] = (ticket, [RuleMatch.of(rule, ticket) for rule in rules.matching(ticket)])
        keys = {active_key(match.rule.name, match.group_key)
                for _, matches in batch.matches.values() for match in matches if match.counts}
        members_of = {m.problem_id for memberships in batch.memberships.values() for m in memberships}
        for problem in self.problems.lock_active(connection, keys, members_of):
            batch.locked[(problem.rule, problem.group_key)] = problem
        return batch

    def finish_batch(self, connection: Connection, batch: DetectionBatch, now: datetime) -> None:
        self.problems.refresh_counts_many(connection, batch.stale_counts, now)
        for problem_id in sorted(batch.tickets_changed):
            self.listener.tickets_changed(connection, self.problems.current(connection, problem_id), now)
        batch.stale_counts.clear()
        batch.tickets_changed.clear()

    def evaluate(self, connection: Connection, ticket: TicketSnapshot, event_time: datetime,
                 now: datetime, gone: bool = False, batch: DetectionBatch | None = None,
                 judged_at: datetime | None = None) -> DetectionResult:
        """`gone`: the ticket was deleted, merged or marked as spam; it leaves every problem.
        `batch`: one of several evaluations in this transaction (`start_batch`); without it, this
        evaluation is a batch of its own. `judged_at`: the time windows are judged at (what
        counting may forget), `now` unless the event is history replayed (`bridge backfill`).

        The steps keep this order (leave, then count per matching rule, then agents' links): it is
        the order in which they lock rows that `start_batch` did not lock already, and concurrent
        workers rely on it to take turns."""
        alone = batch is None
        evaluation = _Evaluation(connection, ticket, now, DetectionResult(), batch or DetectionBatch(),
                                 judged_at or now)
        expected = evaluation.batch.matches.pop(ticket.id, None)
        if gone:
            matches = []
        elif expected is not None and expected[0] == ticket:
            matches = expected[1]
        else:
            matches = [RuleMatch.of(rule, ticket) for rule in self.rules().matching(ticket)]
        links = () if gone else tuple(self.issue_links(ticket))
        memberships = self._memberships(evaluation)
        for leave in leaving(memberships, matches, (link.key for link in links)):
            self._leave(evaluation, leave)
        for rule_match in matches:
            if rule_match.counts:
                self._count(evaluation, rule_match, event_time)
        for link in links:
            self._link_by_agent(evaluation, link)
        if alone:
            self.finish_batch(connection, evaluation.batch, now)
        return evaluation.result

    # --- loading and deciding ------------------------------------------------------------------

    def _count(self, evaluation: _Evaluation, rule_match: RuleMatch, event_time: datetime) -> None:
        assert rule_match.counted_key is not None
        threshold = rule_match.rule.spec.threshold
        problem = self._rule_problem(evaluation, rule_match)
        occurrence = Occurrence(evaluation.ticket.id, rule_match.counted_key, event_time)
        effects = counting(self._counting_problem(evaluation, problem), occurrence, threshold.count,
                           threshold.window, evaluation.judged_at, self.regression_window)
        for effect in effects:
            problem = self._apply_count(evaluation, rule_match, problem, effect)

    def _rule_problem(self, evaluation: _Evaluation, rule_match: RuleMatch) -> Problem:
        """The rule's active problem for the group, locked (once per batch)."""
        key = (rule_match.rule.name, rule_match.group_key)
        problem = evaluation.batch.locked.get(key)
        if problem is None:
            problem = self.problems.active_for_update(evaluation.connection, *key, rule_match.rule.team,
                                                      evaluation.now)
            evaluation.batch.locked[key] = problem
        return problem

    def _counting_problem(self, evaluation: _Evaluation, problem: Problem) -> CountingProblem:
        """What counting needs to know of the locked problem: its state and only what that state
        makes relevant (while detecting, its occurrences; once fixed, whether the ticket is in it)."""
        if problem.state == FIXED:
            return CountingProblem(problem.state, problem.fixed_at,
                                   has_ticket=self._has_ticket(evaluation, problem.id))
        if problem.state == DETECTING:
            occurrences = self.problems.occurrences(evaluation.connection, problem.id)
            return CountingProblem(problem.state, occurrences=tuple(occurrences))
        return CountingProblem(problem.state)

    def _memberships(self, evaluation: _Evaluation) -> list[Membership]:
        """The ticket's memberships as read ahead (each once). Once problems changed under the
        batch, the first ticket to need its memberships reads them again for every ticket the
        batch has yet to evaluate, in one query."""
        batch, ticket_id = evaluation.batch, evaluation.ticket.id
        memberships = batch.memberships.pop(ticket_id, None)
        if memberships is not None:
            return memberships
        if batch.memberships_stale and batch.matches:
            batch.memberships = self.problems.memberships_of_many(evaluation.connection, {ticket_id, *batch.matches})
            batch.memberships_stale = False
            return batch.memberships.pop(ticket_id)
        return self.problems.memberships_of(evaluation.connection, ticket_id)

    def _has_ticket(self, evaluation: _Evaluation, problem_id: int) -> bool:
        memberships = self.problems.memberships_of(evaluation.connection, evaluation.ticket.id)
        return any(m.problem_id == problem_id for m in memberships)

    def _link_by_agent(self, evaluation: _Evaluation, link: IssueLinkRequest) -> None:
        existing = self.problems.active_with_issue(evaluation.connection, link.key)
        self._apply_link(evaluation, link, agent_link(existing.id if existing else None))

    # --- applying: one method per effect -------------------------------------------------------

    def _apply_count(self, evaluation: _Evaluation, rule_match: RuleMatch, problem: Problem,
                     effect: CountEffect) -> Problem:
        """Apply one counting effect to the rule's current problem; the problem after it."""
        match effect:
            case Regress():
                return self._regress(evaluation, problem)
            case StartAfresh():
                return self._start_afresh(evaluation, rule_match, problem)
            case RecordOccurrence(occurrence):
                self._record_occurrence(evaluation, problem, occurrence)
                return problem
            case Join():
                return self._join(evaluation, rule_match, problem)
            case ForgetOccurrences(before):
                self._forget_occurrences(evaluation, problem, before)
                return problem
            case KeepDetecting():
                return self._keep_detecting(evaluation, rule_match, problem)
            case Open(members):
                return self._open(evaluation, rule_match, problem, members)
        raise TypeError(f"unknown counting effect {effect!r}")

    def _apply_link(self, evaluation: _Evaluation, link: IssueLinkRequest, effect: LinkEffect) -> None:
        if isinstance(effect, JoinIssueProblem):
            problem_id = effect.problem_id
        else:
            problem_id = self._open_issue_problem(evaluation, link).id
        self._join_by_agent(evaluation, link, problem_id)

    def _leave(self, evaluation: _Evaluation, leave: Leave) -> None:
        connection, now, ticket = evaluation.connection, evaluation.now, evaluation.ticket
        self.problems.remove_ticket(connection, leave.problem_id, ticket.id, now)
        evaluation.result.left.append(leave.problem_id)
        if self.problems.drop_if_empty_detecting(connection, leave.problem_id):
            evaluation.batch.problems_changed()
            return
        evaluation.batch.stale_counts.add(leave.problem_id)
        self.audit.record(connection, now, "ticket.left_problem", f"problem:{leave.problem_id}",
                          {"ticket": ticket.id, "rule": leave.rule})
        if self.problems.current(connection, leave.problem_id).past_detection:
            evaluation.batch.tickets_changed.add(leave.problem_id)

    def _regress(self, evaluation: _Evaluation, problem: Problem) -> Problem:
        connection, now = evaluation.connection, evaluation.now
        problem = self.problems.change_state(connection, problem.id, transition(
            problem.state, Cause.REGRESSION, now, details={
                "ticket": evaluation.ticket.id, "jira_key": problem.jira_key, "fix_version": problem.fix_version}),
            now)
        evaluation.batch.problems_changed()
        log_event(log, logging.INFO, "problem.regressed", problem_id=problem.id, jira_key=problem.jira_key)
        self.listener.problem_regressed(connection, problem, evaluation.ticket.id, now)
        return problem

    def _start_afresh(self, evaluation: _Evaluation, rule_match: RuleMatch, problem: Problem) -> Problem:
        connection, now = evaluation.connection, evaluation.now
        self.problems.change_state(connection, problem.id, transition(
            problem.state, Cause.REGRESSION_WINDOW_OVER, now, details={"reason": "regression window over"}), now)
        evaluation.batch.problems_changed()
        return self.problems.active_for_update(connection, rule_match.rule.name, rule_match.group_key,
                                               rule_match.rule.team, now)

    def _record_occurrence(self, evaluation: _Evaluation, problem: Problem, occurrence: Occurrence) -> None:
        self.problems.record_occurrence(evaluation.connection, problem.id, evaluation.ticket,
                                        occurrence.counted_key, occurrence.event_time)

    def _forget_occurrences(self, evaluation: _Evaluation, problem: Problem, before: datetime) -> None:
        self.problems.forget_occurrences_before(evaluation.connection, problem.id, before)

    def _join(self, evaluation: _Evaluation, rule_match: RuleMatch, problem: Problem) -> Problem:
        connection, now, ticket = evaluation.connection, evaluation.happened_at, evaluation.ticket
        if not self.problems.link(connection, problem.id, ticket, now):
            return problem
        evaluation.batch.stale_counts.add(problem.id)
        evaluation.result.joined.append(problem)
        self.audit.record(connection, now, "ticket.joined_problem", f"problem:{problem.id}",
                          {"ticket": ticket.id, "rule": rule_match.rule.name})
        evaluation.batch.tickets_changed.add(problem.id)
        return problem

    def _keep_detecting(self, evaluation: _Evaluation, rule_match: RuleMatch, problem: Problem) -> Problem:
        evaluation.result.counted.append(rule_match.rule.name)
        evaluation.batch.stale_counts.add(problem.id)
        return problem

    def _open(self, evaluation: _Evaluation, rule_match: RuleMatch, problem: Problem,
              members: tuple[int, ...]) -> Problem:
        connection, now, rule = evaluation.connection, evaluation.now, rule_match.rule
        evaluation.result.counted.append(rule.name)
        opening = transition(problem.state, Cause.THRESHOLD_REACHED, evaluation.happened_at, details={
            "rule": rule.name, "group": problem.group_key, "team": problem.team,
            "tickets": sorted(members), "threshold": rule.spec.threshold.count,
        })
        self.problems.open(connection, problem.id, members, opening, evaluation.happened_at)
        evaluation.batch.problems_changed()
        problem = self.problems.refresh_counts(connection, problem.id, now)
        evaluation.result.opened.append(problem)
        log_event(log, logging.INFO, "problem.opened", problem_id=problem.id, rule=rule.name,
                  team=problem.team, tickets=problem.ticket_count)
        self.listener.problem_opened(connection, problem, now)
        return problem

    def _open_issue_problem(self, evaluation: _Evaluation, link: IssueLinkRequest) -> Problem:
        return self.problems.active_for_update(
            evaluation.connection, link_rule_name(link.team), link.key, link.team, evaluation.now,
            state=OPEN, origin=AGENT_LINK, jira_key=link.key)

    def _join_by_agent(self, evaluation: _Evaluation, link: IssueLinkRequest, problem_id: int) -> None:
        connection, now, ticket = evaluation.connection, evaluation.now, evaluation.ticket
        if not self.problems.link(connection, problem_id, ticket, now):
            return
        evaluation.batch.stale_counts.add(problem_id)
        evaluation.batch.tickets_changed.add(problem_id)
        problem = self.problems.current(connection, problem_id)
        evaluation.result.joined.append(problem)
        self.audit.record(connection, now, "ticket.linked_by_agent", f"problem:{problem.id}",
                          {"ticket": ticket.id, "jira_key": link.key, "tag": link.tag})
