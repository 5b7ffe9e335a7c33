"""The demo's generated ticket stream: seeded, varied, and realistic enough that the shipped rules
recognise the three root causes, cross their thresholds, and ignore the noise."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bridge.demo.scenario import PRODUCT_FIELD_ID, category_counts, generate_scenario
from bridge.demo.settings import TEAMS
from bridge.domain.events import TicketSnapshot
from bridge.rules import dry_run, load_rules
from tests.support.processes import ROOT

TEAM_OF_CATEGORY = {"billing": "finance", "defect": "engineering", "delivery": "shipping"}
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def shipped_rules():
    return load_rules(["rules/*.yaml"], ROOT, TEAMS, {"product": PRODUCT_FIELD_ID})


def snapshot(ticket_id: int, ticket) -> TicketSnapshot:
    return TicketSnapshot(id=ticket_id, subject=ticket.subject, description=ticket.body, status="new",
                          tags=ticket.tags, requester_id=1000 + ticket_id, requester_email=ticket.requester_email,
                          channel="web", custom_fields={str(k): v for k, v in ticket.custom_fields.items()},
                          created_at=NOW, updated_at=NOW)


@pytest.mark.parametrize("total", [1, 7, 40, 113])
def test_categories_split_the_total_by_their_shares(total):
    counts = category_counts(total)
    assert sum(counts.values()) == total
    assert generate_scenario(total).count_by_category() == counts


def test_the_same_seed_gives_the_same_stream_and_another_seed_another():
    assert generate_scenario(40, seed=1) == generate_scenario(40, seed=1)
    assert generate_scenario(40, seed=1).tickets != generate_scenario(40, seed=2).tickets


def test_texts_and_requesters_vary():
    tickets = generate_scenario(200).tickets
    assert len({(t.subject, t.body) for t in tickets}) >= 0.95 * len(tickets)
    assert len({t.requester_email for t in tickets}) == len(tickets)
    assert all("{" not in t.subject + t.body for t in tickets)


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_each_root_cause_fires_only_its_team_rules_and_noise_fires_none(shipped_rules, seed):
    for ticket_id, ticket in enumerate(generate_scenario(60, seed).tickets, 1):
        teams = {rule.team for rule in shipped_rules.matching(snapshot(ticket_id, ticket))}
        expected = {TEAM_OF_CATEGORY[ticket.category]} if ticket.category != "noise" else set()
        assert teams == expected, (ticket.subject, ticket.body)


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_the_default_stream_crosses_the_thresholds_of_the_three_classic_rules(shipped_rules, seed):
    scenario = generate_scenario(seed=seed)
    report = dry_run(shipped_rules, [snapshot(i, t) for i, t in enumerate(scenario.tickets, 1)])
    crossed = {(outcome.rule, group.key) for outcome in report.rules for group in outcome.groups
               if group.crosses_threshold}
    assert {("billing-double-charge", ""), ("defects-app-crash", "acme_shop_ios"),
            ("delivery-late-or-lost", "web")} <= crossed


def test_agents_answer_the_noise_and_triage_with_tags_the_rules_know(shipped_rules):
    scenario = generate_scenario(40)
    for action in scenario.agent_actions:
        ticket = scenario.tickets[action.ticket_index]
        if ticket.category == "noise":
            assert action.changes["status"] == "solved" and action.changes["comment"]["public"]
        else:
            only_the_tag = TicketSnapshot(id=1, tags=tuple(action.changes["additional_tags"]))
            assert {r.team for r in shipped_rules.matching(only_the_tag)} == {TEAM_OF_CATEGORY[ticket.category]}
