"""The demo's history: tickets from two weeks before the wiring that only the backfill can find.
Worded so that the shipped rules see one problem in them, and nothing the live stream also feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bridge.demo import phrasebook
from bridge.demo.history import AGE, EVERYDAY_DAYS, EVERYDAY_PER_DAY, address_burst, demo_history
from bridge.demo.scenario import PRODUCT_FIELD_ID
from bridge.demo.settings import TEAMS
from bridge.domain.events import TicketSnapshot
from bridge.rules import dry_run, load_rules
from tests.support.processes import ROOT

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def shipped_rules():
    return load_rules(["rules/*.yaml"], ROOT, TEAMS, {"product": PRODUCT_FIELD_ID})


def snapshots(seed: int) -> list[TicketSnapshot]:
    return [TicketSnapshot(id=index, subject=ticket.subject, description=ticket.body, status="new",
                           requester_id=1000 + index, requester_email=ticket.requester_email, channel="web",
                           created_at=ticket.at, updated_at=ticket.at)
            for index, ticket in enumerate(address_burst(NOW, seed), 1)]


@pytest.mark.parametrize("seed", [3, 7, 42])
def test_the_burst_is_two_weeks_old_from_distinct_customers(seed):
    burst = address_burst(NOW, seed)
    assert burst[0].at == NOW - AGE and all(ticket.at < NOW - AGE / 2 for ticket in burst)
    assert len({ticket.requester_email for ticket in burst}) == len(burst)


@pytest.mark.parametrize("seed", [3, 7, 42])
def test_only_the_address_rule_matches_and_its_threshold_is_crossed(shipped_rules, seed):
    for snapshot in snapshots(seed):
        assert [rule.name for rule in shipped_rules.matching(snapshot)] == ["delivery-address-problems"], \
            snapshot.description
    report = dry_run(shipped_rules, snapshots(seed))
    crossed = {outcome.rule for outcome in report.rules for group in outcome.groups if group.crosses_threshold}
    assert crossed == {"delivery-address-problems"}


@pytest.mark.parametrize("seed", [3, 7, 42])
def test_the_everyday_questions_are_the_last_days_background_no_rule_matches(shipped_rules, seed):
    """Discovery's baseline: six days of the live stream's noise, so that its groups have a past
    and only a new failure is news."""
    history = demo_history(NOW, seed)
    assert [ticket.at for ticket in history] == sorted(ticket.at for ticket in history)  # as the export lists them
    everyday = [ticket for ticket in history if ticket.everyday]
    assert len(everyday) == EVERYDAY_DAYS * EVERYDAY_PER_DAY and len(history) == len(everyday) + len(
        address_burst(NOW, seed))
    assert min(t.at for t in everyday) < NOW - timedelta(days=5) and max(t.at for t in everyday) < NOW
    for index, ticket in enumerate(everyday):
        snapshot = TicketSnapshot(id=index, subject=ticket.subject, description=ticket.body, status="new",
                                  created_at=ticket.at)
        assert shipped_rules.matching(snapshot) == [], ticket.subject


def test_no_shipped_rule_knows_the_calendar_sync_failure_of_the_discovery_stage(shipped_rules):
    for index, (subject, body) in enumerate([*phrasebook.CALENDAR_SYNC, phrasebook.CALENDAR_SYNC_NEXT]):
        snapshot = TicketSnapshot(id=index, subject=subject, description=body.format(day="Monday"), status="new")
        assert shipped_rules.matching(snapshot) == [], subject
