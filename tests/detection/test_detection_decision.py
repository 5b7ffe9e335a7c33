"""The rules of detection as pure decisions: leaving, counting (threshold, late arrivals,
regression) and agents' links. No database: each case gives what detection would have loaded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bridge.detection.decision import (
    LATE_ARRIVAL,
    CountingProblem,
    ForgetOccurrences,
    Join,
    JoinIssueProblem,
    KeepDetecting,
    Leave,
    Open,
    OpenIssueProblem,
    RecordOccurrence,
    Regress,
    RuleMatch,
    StartAfresh,
    agent_link,
    counting,
    leaving,
)
from bridge.domain.problems import DETECTING, FIXED, IN_PROGRESS, OPEN, REGRESSED, WONT_FIX, Membership
from bridge.rules.ruleset import Rule
from bridge.rules.schema import RuleSpec
from bridge.rules.validated import ValidationContext
from bridge.rules.window import Occurrence

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
WINDOW = timedelta(hours=24)
REGRESSION_WINDOW = timedelta(days=30)
FORGET_BEFORE = NOW - WINDOW - LATE_ARRIVAL


def rule(name: str) -> Rule:
    spec = RuleSpec.model_validate(
        {"name": name, "team": "finance", "match": {"tags": {"any": ["x"]}},
         "threshold": {"count": 3, "window": "24h"}},
        context=ValidationContext(frozenset({"finance"})))
    return Rule.from_spec(spec)


def matched(name: str, group_key: str = "", counted_key: str | None = "7") -> RuleMatch:
    return RuleMatch(rule(name), group_key, counted_key)


def member(problem_id: int, rule_name: str, group_key: str = "", state: str = DETECTING,
           jira_key: str | None = None) -> Membership:
    return Membership(problem_id, rule_name, group_key, state, jira_key)


# --- leaving -------------------------------------------------------------------------------------

@pytest.mark.parametrize("memberships, matches, linked_keys, left", [
    pytest.param([member(1, "crash", "widget")], [matched("crash", "widget")], [], [],
                 id="still matching in the same group: stays"),
    pytest.param([member(1, "crash", "widget", OPEN)], [matched("crash", "widget")], [], [],
                 id="still matching an open problem: stays"),
    pytest.param([member(1, "crash", "widget")], [matched("crash", "gadget")], [], [Leave(1, "crash")],
                 id="matching in another group: leaves the old group's problem"),
    pytest.param([member(1, "crash")], [matched("billing")], [], [Leave(1, "crash")],
                 id="no longer matching the problem's rule: leaves"),
    pytest.param([member(1, "crash")], [matched("crash", counted_key=None)], [], [Leave(1, "crash")],
                 id="matching but lacking what the rule counts: leaves"),
    pytest.param([member(1, "crash"), member(2, "billing", state=OPEN)], [], [],
                 [Leave(1, "crash"), Leave(2, "billing")],
                 id="gone (no matches, no links): leaves every problem"),
    pytest.param([member(1, "agent-link.finance", "FIN-9", OPEN, "FIN-9")], [], ["FIN-9"], [],
                 id="linked by an agent's tag to the problem's issue: stays without a rule"),
    pytest.param([member(1, "crash", state=OPEN, jira_key="FIN-9")], [], ["FIN-9"], [],
                 id="a rule's problem whose issue the agent linked: stays though the rule stopped matching"),
    pytest.param([member(1, "agent-link.finance", "FIN-9", OPEN, "FIN-9")], [], ["FIN-10"],
                 [Leave(1, "agent-link.finance")],
                 id="the link tag now names another issue: leaves the old issue's problem"),
    pytest.param([member(1, "crash"), member(2, "billing"), member(3, "refund")],
                 [matched("crash"), matched("refund", counted_key=None)], [],
                 [Leave(2, "billing"), Leave(3, "refund")],
                 id="leaves only the problems it no longer belongs to, in membership order"),
])
def test_leaving(memberships, matches, linked_keys, left):
    assert leaving(memberships, matches, linked_keys) == tuple(left)


# --- counting ------------------------------------------------------------------------------------

def at(hours: float) -> datetime:
    """An event time, hours after the start of the day before NOW."""
    return NOW - timedelta(days=1) + timedelta(hours=hours)


def seen(ticket_id: int, hours: float, counted_key: str | None = None) -> Occurrence:
    return Occurrence(ticket_id, counted_key or str(ticket_id), at(hours))


def detecting(*occurrences: Occurrence) -> CountingProblem:
    return CountingProblem(DETECTING, occurrences=occurrences)


def counted(occurrence: Occurrence, *outcome) -> tuple:
    return (RecordOccurrence(occurrence), ForgetOccurrences(FORGET_BEFORE), *outcome)


FIXED_AT = NOW - timedelta(days=40)


@pytest.mark.parametrize("problem, occurrence, count, effects", [
    pytest.param(detecting(seen(1, 0)), seen(2, 1), 3, counted(seen(2, 1), KeepDetecting()),
                 id="below the threshold: counted, keeps detecting"),
    pytest.param(detecting(seen(1, 0), seen(2, 1)), seen(3, 2), 3, counted(seen(3, 2), Open((1, 2, 3))),
                 id="the nth distinct ticket within the window opens the problem with them"),
    pytest.param(detecting(), seen(1, 0), 1, counted(seen(1, 0), Open((1,))),
                 id="a threshold of one opens at the first ticket"),
    pytest.param(detecting(seen(1, 0), seen(2, 12)), seen(3, 24 + 1 / 3600), 3,
                 counted(seen(3, 24 + 1 / 3600), KeepDetecting()),
                 id="one second outside the window: does not cross"),
    pytest.param(detecting(seen(1, 0), seen(2, 12)), seen(3, 24), 3, counted(seen(3, 24), Open((1, 2, 3))),
                 id="exactly the window apart: crosses (both ends included)"),
    pytest.param(detecting(seen(9, -20), seen(1, 10), seen(2, 11)), seen(3, 12), 3,
                 counted(seen(3, 12), Open((1, 2, 3))),
                 id="members are the crossing window's tickets, not older ones"),
    pytest.param(detecting(seen(3, 30), seen(1, 0)), seen(2, 10), 3, counted(seen(2, 10), KeepDetecting()),
                 id="out of order: spans are measured in event time, not arrival"),
    pytest.param(detecting(seen(3, 30), seen(1, 0), seen(2, 10)), seen(4, 20), 3,
                 counted(seen(4, 20), Open((3, 1, 2, 4))),
                 id="a late arrival completes an older span"),
    pytest.param(detecting(seen(1, 0), seen(2, 1)), seen(1, 2), 3, counted(seen(1, 2), KeepDetecting()),
                 id="the same ticket again counts once"),
    pytest.param(detecting(seen(1, 0, "501"), seen(2, 1, "501")), seen(3, 2, "502"), 3,
                 counted(seen(3, 2, "502"), KeepDetecting()),
                 id="two tickets of one requester count once when counting requesters"),
    pytest.param(detecting(seen(2, 0), seen(1, 5), seen(3, 20)), seen(1, 30), 3,
                 counted(seen(1, 30), Open((2, 3, 1))),
                 id="a ticket seen again keeps the earliest event time it matched at"),
    pytest.param(detecting(seen(1, -60), seen(2, -60)), seen(3, -60), 3,
                 counted(seen(3, -60), KeepDetecting()),
                 id="occurrences older than window plus late arrival are forgotten and never cross"),
    pytest.param(detecting(seen(1, -48), seen(2, -40)), seen(3, -30), 3,
                 counted(seen(3, -30), Open((1, 2, 3))),
                 id="an occurrence exactly at the forgetting cutoff still counts"),
    pytest.param(detecting(seen(1, -60), seen(2, 0)), seen(3, 1), 2, counted(seen(3, 1), Open((2, 3))),
                 id="a forgotten occurrence is not a member"),
    pytest.param(CountingProblem(OPEN), seen(4, 5), 3, (RecordOccurrence(seen(4, 5)), Join()),
                 id="open: counted and joins"),
    pytest.param(CountingProblem(IN_PROGRESS), seen(4, 5), 3, (RecordOccurrence(seen(4, 5)), Join()),
                 id="in progress: counted and joins"),
    pytest.param(CountingProblem(REGRESSED), seen(4, 5), 3, (RecordOccurrence(seen(4, 5)), Join()),
                 id="regressed: counted and joins, no second regression"),
    pytest.param(CountingProblem(WONT_FIX), seen(4, 5), 3, (RecordOccurrence(seen(4, 5)), Join()),
                 id="won't fix: counted and joins"),
    pytest.param(CountingProblem(FIXED, NOW - timedelta(days=1), has_ticket=True), seen(3, 5), 3,
                 (RecordOccurrence(seen(3, 5)), Join()),
                 id="fixed, a ticket already in it: no regression"),
    pytest.param(CountingProblem(FIXED, NOW - timedelta(days=3)), seen(40, 5), 3,
                 (Regress(), RecordOccurrence(seen(40, 5)), Join()),
                 id="fixed, a new ticket within the regression window: regresses, the ticket joins"),
    pytest.param(CountingProblem(FIXED, at(5) - REGRESSION_WINDOW), seen(40, 5), 3,
                 (Regress(), RecordOccurrence(seen(40, 5)), Join()),
                 id="fixed, a new ticket exactly at the regression window's end: regresses"),
    pytest.param(CountingProblem(FIXED, at(5) - REGRESSION_WINDOW), seen(40, 6), 3,
                 (StartAfresh(), *counted(seen(40, 6), KeepDetecting())),
                 id="fixed, a new ticket after the regression window: a new problem counts from scratch"),
    pytest.param(CountingProblem(FIXED, FIXED_AT), seen(40, 5), 1,
                 (StartAfresh(), *counted(seen(40, 5), Open((40,)))),
                 id="after the regression window with a threshold of one: the new problem opens at once"),
])
def test_counting(problem, occurrence, count, effects):
    assert counting(problem, occurrence, count, WINDOW, NOW, REGRESSION_WINDOW) == effects


# --- agents' links -------------------------------------------------------------------------------

@pytest.mark.parametrize("problem_with_issue, effect", [
    pytest.param(None, OpenIssueProblem(), id="no active problem has the issue: one opens for it"),
    pytest.param(7, JoinIssueProblem(7), id="an active problem has the issue: the ticket joins it"),
])
def test_agent_link(problem_with_issue, effect):
    assert agent_link(problem_with_issue) == effect
