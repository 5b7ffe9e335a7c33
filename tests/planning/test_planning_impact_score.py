"""The weighted impact score: organization value, bad ratings and agent effort, each part kept;
where it shows (the issue's impact section, its number field) and how a step escalates on it."""

from datetime import UTC, datetime

import pytest

from bridge.config.impact_settings import ImpactSettings
from bridge.config.settings import JiraFieldSettings
from bridge.domain.impact import ImpactReading, ImpactScore, TicketEffort
from bridge.planning.escalation import escalate, escalation_comment
from bridge.planning.impact import impact_field_values, render_impact_section
from bridge.planning.impact_score import impact_score, impact_summary
from bridge.rules.schema import Escalation
from bridge.rules.validated import ValidationContext
from tests.planning.conftest import OPENED, UTC_CALENDAR, ZENDESK, facts, problem

NOW = datetime(2025, 3, 7, 12, 0, tzinfo=UTC)
SETTINGS = ImpactSettings(organization_field="plan", organization_values={"Enterprise": 20, "business": 5},
                          organization_multiplier=0.0001, organization_default=1, bad_rating_weight=5,
                          reply_weight=0.5, resolution_hour_weight=0.1)


def effort(ticket_id: int, organization_id: int | None = None, bad: bool = False, replies: int = 0,
           minutes: int | None = None) -> TicketEffort:
    return TicketEffort(ticket_id, organization_id, bad, replies, minutes)


def test_every_part_adds_up_to_the_score():
    reading = ImpactReading(
        tickets=(effort(1, 10, bad=True, replies=3, minutes=600), effort(2, 10, replies=2),
                 effort(3, 11, bad=True, replies=4, minutes=150), effort(4, None, replies=0)),
        organization_values={10: "enterprise", 11: 250000.0})
    score = impact_score(reading, SETTINGS, NOW)
    assert score == ImpactScore(score=60.8, organization_points=45, organizations=2, bad_ratings=2,
                                bad_rating_points=10, replies=9, reply_points=4.5, resolution_hours=12.5,
                                resolution_points=1.25, tickets_read=4, read_at=NOW,
                                settings_digest=SETTINGS.digest())
    assert impact_summary(score) == ("60.8 (organizations 45 from 2; 2 bad ratings 10; 9 replies 4.5; "
                                     "12.5 h to resolution 1.25)")


@pytest.mark.parametrize("value, points", [
    ("ENTERPRISE", 20),  # case ignored
    ("trial", 1),  # not listed: the default
    (None, 1),  # the field is empty
    (30000.0, 3),  # a number times the multiplier
])
def test_what_an_organization_is_worth(value, points):
    reading = ImpactReading(tickets=(effort(1, 7),), organization_values={7: value})
    assert impact_score(reading, SETTINGS, NOW).organization_points == points


def test_a_number_without_a_multiplier_is_worth_the_default():
    settings = ImpactSettings(organization_field="revenue", organization_default=2)
    reading = ImpactReading(tickets=(effort(1, 7),), organization_values={7: 900000.0})
    assert impact_score(reading, settings, NOW).score == 2


def test_the_score_shows_on_the_issue_once_read():
    impact = impact_score(ImpactReading((effort(1, 10, bad=True),), {10: "business"}), SETTINGS, NOW)
    fields = JiraFieldSettings(affected_tickets="customfield_1", impact_score="customfield_2")
    assert impact_field_values(problem(), fields) == {"customfield_1": 12}
    assert impact_field_values(problem(impact=impact), fields) == {"customfield_1": 12, "customfield_2": 10}
    section = render_impact_section(facts(impact=impact), [], zendesk_url=ZENDESK, link_tag="t", zone=UTC)
    assert ("Impact score: 10 (organizations 5 from 1; 1 bad rating 5; 0 replies 0; 0 h to resolution 0)"
            in section.splitlines())
    assert "Impact score" not in render_impact_section(facts(), [], zendesk_url=ZENDESK, link_tag="t", zone=UTC)


def test_a_score_step_escalates_once_the_score_reaches_it():
    steps = [Escalation.model_validate({"at": 10, "of": "tickets", "priority": "High"}),
             Escalation.model_validate({"at": {"score": 40}, "priority": "Highest"},
                                       context=ValidationContext(impact_configured=True))]

    def run(organizations: dict):
        impact = impact_score(ImpactReading((), organizations), SETTINGS, NOW) if organizations else None
        return escalate(steps, facts(impact=impact).measures, (0,), priority="High", due_date=None,
                        due_settings=(None,), calendar=UTC_CALENDAR, now=OPENED)

    assert not run({}).escalated  # not read yet: no score
    assert not run({1: "enterprise", 2: "trial"}).escalated  # 21
    result = run({1: "enterprise", 2: "enterprise"})  # 40
    assert (result.priority, result.applied) == ("Highest", frozenset({0, 1}))
    assert escalation_comment(result) == "Escalated to Highest: impact score 40 (threshold impact score 40)."
