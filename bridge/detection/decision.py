"""What one ticket event means for problems: pure decisions that return effects.

bridge/detection/detector.py loads what each decision needs (inside the worker's transaction), calls it,
and applies the effects in order through the stores. The decisions come in three steps because
each step's loads lock rows and the order of those locks is what concurrent workers rely on:

1. `leaving`: the problems the ticket no longer belongs to (it stopped matching, moved to another
   group, lost what the rule counts, or was deleted);
2. `counting`, once per matching rule, under the lock of the rule's active problem: regress a
   fixed problem, join an open one, or count towards a detecting one and open it at the threshold;
3. `agent_link`, once per link tag: join the problem that has the linked Jira issue, or open one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bridge.domain.events import TicketSnapshot
from bridge.domain.problems import DETECTING, FIXED, REGRESSED, Membership
from bridge.rules.ruleset import Rule
from bridge.rules.window import Occurrence, prunable_before, window_crossing

# Occurrences this much older than a detecting problem's window can never complete a span again
# (events arrive at most this late), so they are forgotten.
LATE_ARRIVAL = timedelta(days=2)


@dataclass(frozen=True)
class RuleMatch:
    """A rule the ticket matches, and what the rule reads on it."""

    rule: Rule
    group_key: str
    counted_key: str | None  # None: the ticket lacks what the rule counts, so it does not count

    @classmethod
    def of(cls, rule: Rule, ticket: TicketSnapshot) -> RuleMatch:
        return cls(rule, rule.group_key(ticket), rule.counting_key(ticket))

    @property
    def counts(self) -> bool:
        return self.counted_key is not None


# --- 1. leaving ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Leave:
    """The ticket stops counting in the problem and its link ends; an emptied detecting problem
    disappears, an open one has fewer tickets."""

    problem_id: int
    rule: str


def leaving(memberships: Iterable[Membership], matches: Sequence[RuleMatch],
            linked_keys: Iterable[str]) -> tuple[Leave, ...]:
    """A ticket stays in a problem while it matches the problem's rule in the problem's group and
    has what the rule counts, or while an agent's tag links it to the problem's Jira issue."""
    by_rule = {match.rule.name: match for match in matches}
    linked = frozenset(linked_keys)

    def stays(membership: Membership) -> bool:
        match = by_rule.get(membership.rule)
        if match is not None and match.group_key == membership.group_key and match.counts:
            return True
        return membership.jira_key is not None and membership.jira_key in linked

    return tuple(Leave(m.problem_id, m.rule) for m in memberships if not stays(m))


# --- 2. counting ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CountingProblem:
    """The rule's active problem for the ticket's group, as loaded under its lock."""

    state: str
    fixed_at: datetime | None = None
    has_ticket: bool = False  # (fixed problems) the ticket already belongs to it
    occurrences: tuple[Occurrence, ...] = ()  # (detecting problems) what it has counted so far


@dataclass(frozen=True)
class Regress:
    """A new ticket with the cause of a fixed problem, within the regression window: the loop
    opens again (the problem becomes regressed)."""


@dataclass(frozen=True)
class StartAfresh:
    """A new ticket long after the fix: the fixed problem closes and a new detecting problem of
    the same rule and group counts from scratch; later effects apply to the new problem."""


@dataclass(frozen=True)
class RecordOccurrence:
    """Count the ticket in the problem (it keeps the earliest event time it was seen matching)."""

    occurrence: Occurrence


@dataclass(frozen=True)
class Join:
    """The problem is past detection: the ticket is linked to it, unless it already is."""


@dataclass(frozen=True)
class ForgetOccurrences:
    """Occurrences before this can never complete a span again."""

    before: datetime


@dataclass(frozen=True)
class KeepDetecting:
    """Below the threshold: the problem keeps detecting, with its counts brought up to date."""


@dataclass(frozen=True)
class Open:
    """The threshold is crossed: detecting → open, with the tickets of the crossing window."""

    members: tuple[int, ...]


CountEffect = Regress | StartAfresh | RecordOccurrence | Join | ForgetOccurrences | KeepDetecting | Open


def counting(problem: CountingProblem, occurrence: Occurrence, count: int, window: timedelta,
             now: datetime, regression_window: timedelta) -> tuple[CountEffect, ...]:
    """`occurrence`: the ticket's counted key at the event's time; `count` within `window` is the
    rule's threshold. Spans are measured in event time (bridge/rules/window.py)."""
    effects: list[CountEffect] = []
    state, counted = problem.state, problem.occurrences
    if state == FIXED and not problem.has_ticket:
        assert problem.fixed_at is not None
        if occurrence.event_time <= problem.fixed_at + regression_window:
            effects.append(Regress())
            state = REGRESSED
        else:
            effects.append(StartAfresh())
            state, counted = DETECTING, ()
    effects.append(RecordOccurrence(occurrence))
    if state != DETECTING:
        return (*effects, Join())
    before = prunable_before(now, window, LATE_ARRIVAL)
    kept = [o for o in _recorded(counted, occurrence) if o.event_time >= before]
    effects.append(ForgetOccurrences(before))
    crossing = window_crossing(kept, count, window)
    if crossing is None:
        return (*effects, KeepDetecting())
    members = tuple(o.ticket_id for o in kept if o.event_time >= crossing.event_time - window)
    return (*effects, Open(members))


def _recorded(counted: Iterable[Occurrence], occurrence: Occurrence) -> list[Occurrence]:
    """The occurrences once `occurrence` is recorded, as the store records it: a ticket counted
    before keeps its earliest event time and takes the new counted key."""
    others, earlier = [], None
    for existing in counted:
        if existing.ticket_id == occurrence.ticket_id:
            earlier = existing
        else:
            others.append(existing)
    if earlier is not None and earlier.event_time < occurrence.event_time:
        occurrence = replace(occurrence, event_time=earlier.event_time)
    return [*others, occurrence]


# --- 3. agent links ------------------------------------------------------------------------------

@dataclass(frozen=True)
class JoinIssueProblem:
    """The ticket joins the active problem that has the linked Jira issue."""

    problem_id: int


@dataclass(frozen=True)
class OpenIssueProblem:
    """No active problem has the issue: one opens for it, already open (the issue exists, so
    there is nothing to create), and the ticket joins it."""


LinkEffect = JoinIssueProblem | OpenIssueProblem


def agent_link(problem_with_issue: int | None) -> LinkEffect:
    """An agent's tag links the ticket to a Jira issue; `problem_with_issue`: the id of the
    active problem that has the issue, if any."""
    return OpenIssueProblem() if problem_with_issue is None else JoinIssueProblem(problem_with_issue)
