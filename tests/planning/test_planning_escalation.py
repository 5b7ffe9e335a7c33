"""Escalation: steps crossed one or several at a time, priority only up, due date only earlier."""

from datetime import date

from bridge.planning.escalation import escalate, escalation_comment
from bridge.rules.durations import DuePolicy
from bridge.rules.schema import Escalation
from tests.planning.conftest import OPENED, UTC_CALENDAR

STEPS = [Escalation.model_validate(step) for step in (
    {"at": 10, "of": "tickets", "priority": "High"},
    {"at": 20, "of": "tickets", "priority": "Highest", "due": "1 business day"},
    {"at": 5, "of": "organizations", "priority": "Highest"},
)]
DUE = date(2025, 3, 21)  # ten business days after OPENED (Friday 2025-03-07)


def run(counts, applied=(), priority="Medium", due=DUE, steps=STEPS, due_settings=(None,)):
    full = {"tickets": 0, "requesters": 0, "organizations": 0, **counts}
    return escalate(steps, full, applied, priority=priority, due_date=due, due_settings=due_settings,
                    calendar=UTC_CALENDAR, now=OPENED)


def test_below_every_step_nothing_happens():
    result = run({"tickets": 9, "organizations": 4})
    assert not result.escalated
    assert (result.priority, result.due_date, result.applied) == ("Medium", DUE, frozenset())


def test_crossing_one_step():
    result = run({"tickets": 12})
    assert [item.index for item in result.crossed] == [0]
    assert (result.priority, result.due_date, result.applied) == ("High", DUE, frozenset({0}))
    assert escalation_comment(result) == "Escalated to High: 12 tickets affected (threshold 10 tickets)."


def test_crossing_several_steps_at_once():
    result = run({"tickets": 25, "organizations": 1})
    assert [item.index for item in result.crossed] == [0, 1]
    assert (result.priority, result.due_date) == ("Highest", date(2025, 3, 10))
    assert escalation_comment(result) == (
        "Escalated to Highest: 25 tickets affected (threshold 20 tickets). "
        "Due date moved up to 2025-03-10 (was 2025-03-21).")
    both = run({"tickets": 12, "organizations": 6})
    assert escalation_comment(both) == ("Escalated to Highest: 12 tickets affected (threshold 10 tickets); "
                                        "6 organizations affected (threshold 5 organizations).")


def test_steps_already_applied_are_not_crossed_again():
    result = run({"tickets": 25, "organizations": 5}, applied={0, 1}, priority="Highest", due=date(2025, 3, 10))
    assert [item.index for item in result.crossed] == [2]
    assert result.applied == frozenset({0, 1, 2})
    assert escalation_comment(result) == ("Escalation threshold reached, priority stays Highest: "
                                          "5 organizations affected (threshold 5 organizations).")
    assert not run({"tickets": 25, "organizations": 5}, applied={0, 1, 2}).escalated


def test_a_step_never_pushes_the_due_date_later():
    later = [Escalation.model_validate({"at": 2, "priority": "High", "due": "20 business days"})]
    result = run({"tickets": 3}, steps=later)
    assert (result.priority, result.due_date) == ("High", DUE)
    assert "Due date" not in escalation_comment(result)


def test_a_step_never_lowers_a_known_priority():
    result = run({"tickets": 12}, priority="Highest")
    assert result.priority == "Highest"
    custom = [Escalation.model_validate({"at": 2, "priority": "P1"})]
    assert run({"tickets": 2}, steps=custom, priority="Highest").priority == "P1"  # unknown scheme: taken


def test_a_higher_priority_brings_its_own_due_policy():
    rule_due = {"Highest": DuePolicy(1, "business_days"), "High": DuePolicy(5, "business_days")}
    result = run({"tickets": 12}, priority="Medium", due_settings=(rule_due, DuePolicy(10, "business_days")))
    assert (result.priority, result.due_date) == ("High", date(2025, 3, 14))


def test_a_step_sets_the_first_due_date():
    result = run({"tickets": 20}, due=None)
    assert result.due_date == date(2025, 3, 10)
    assert escalation_comment(result).endswith("Due date set to 2025-03-10.")


def test_singular_counts_read_well():
    steps = [Escalation.model_validate({"at": 1, "of": "organizations", "priority": "High"})]
    assert escalation_comment(run({"organizations": 1}, steps=steps)) == (
        "Escalated to High: 1 organization affected (threshold 1 organization).")
