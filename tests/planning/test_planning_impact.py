"""The customer impact section: what it shows, and rewriting it in place in an edited description."""

from datetime import UTC, datetime

import pytest

from bridge.config.settings import CalendarSettings, JiraFieldSettings
from bridge.planning.facts import ProblemFacts
from bridge.planning.impact import (
    IMPACT_END,
    IMPACT_START,
    impact_field_values,
    render_impact_section,
    replace_impact_section,
)
from tests.planning.conftest import ZENDESK, facts, problem, ticket

BERLIN = CalendarSettings(timezone="Europe/Berlin").zone


def section(tickets=(), **values) -> str:
    return render_impact_section(facts(**values), tickets, zendesk_url=ZENDESK, link_tag="problem_42",
                                 zone=BERLIN)


def test_the_section_shows_counts_times_examples_and_the_search_link():
    rendered = render_impact_section(
        ProblemFacts(problem(), datetime(2025, 3, 6, 8, 5, tzinfo=UTC),
                     datetime(2025, 3, 7, 9, 59, tzinfo=UTC)),
        [ticket(id, f"Crash {id}") for id in (7, 3, 9, 1, 5, 8, 2)] + [ticket(4, None)],
        zendesk_url=ZENDESK + "/", link_tag="problem_42", zone=BERLIN)
    assert rendered == "\n".join([
        IMPACT_START,
        "Affected: 12 tickets, 9 requesters, 3 organizations",
        "Since: 2025-03-06 09:05 CET",
        "Latest ticket: 2025-03-07 10:59 CET",
        "Example tickets:",
        "- #1 Crash 1: https://acme.zendesk.com/agent/tickets/1",
        "- #2 Crash 2: https://acme.zendesk.com/agent/tickets/2",
        "- #3 Crash 3: https://acme.zendesk.com/agent/tickets/3",
        "- #4 (no subject): https://acme.zendesk.com/agent/tickets/4",
        "- #5 Crash 5: https://acme.zendesk.com/agent/tickets/5",
        "All linked tickets: https://acme.zendesk.com/agent/search/1?type=ticket&q=tags%3Aproblem_42",
        IMPACT_END,
    ])


def test_without_ticket_times_or_examples_the_section_says_when_it_was_detected():
    rendered = section(ticket_count=1, requester_count=1, organization_count=0)
    assert "Affected: 1 ticket, 1 requester, 0 organizations\nSince: 2025-03-07 11:00 CET\nAll linked" in rendered
    assert "Latest ticket" not in rendered and "Example tickets" not in rendered


def test_long_or_multiline_subjects_become_one_short_line():
    rendered = section([ticket(1, "Crash\n\non   start " + "x" * 200)])
    line = next(line for line in rendered.splitlines() if line.startswith("- #1 "))
    assert line.startswith("- #1 Crash on start xxx") and "…: https://" in line and len(line) < 160


NEW = section(ticket_count=20)


def test_a_description_without_a_section_gets_one_appended():
    assert replace_impact_section("Engineering notes.\n\n", NEW) == f"Engineering notes.\n\n{NEW}"
    assert replace_impact_section("", NEW) == NEW
    assert replace_impact_section(None, NEW) == NEW


@pytest.mark.parametrize("description", [
    "Intro by the bridge.\n\n" + section() + "\n\nAdmin: see also ENG-7.",
    "Rewritten by an admin.\n\n" + section() + "\n",
    section(),
])
def test_replacing_keeps_everything_outside_the_markers_and_is_idempotent(description):
    before, _, after = description.partition(IMPACT_START)
    _, _, tail = after.partition(IMPACT_END)
    once = replace_impact_section(description, NEW)
    assert once == before + NEW + tail
    assert replace_impact_section(once, NEW) == once


def test_edits_inside_the_section_are_replaced():
    edited = section().replace("Example tickets:", "Example tickets (an engineer was here):")
    assert replace_impact_section(edited, NEW) == NEW


def test_markers_survive_indentation_and_windows_line_ends():
    description = "Intro\r\n  " + section().replace("\n", "\r\n") + "  \r\nOutro"
    assert replace_impact_section(description, NEW) == "Intro\r\n" + NEW + "\r\nOutro"


def test_a_broken_section_is_left_alone_and_a_new_one_appended():
    half = "Intro\n" + IMPACT_START + "\nAffected: 3 tickets\nAdmin text the bridge must keep."
    once = replace_impact_section(half, NEW)
    assert once == half + "\n\n" + NEW
    assert replace_impact_section(once, section(ticket_count=30)) == half + "\n\n" + section(ticket_count=30)


def test_only_configured_count_fields_get_values():
    fields = JiraFieldSettings(affected_tickets="customfield_10050", affected_organizations="customfield_10052")
    assert impact_field_values(problem(), fields) == {"customfield_10050": 12, "customfield_10052": 3}
    assert impact_field_values(problem(), JiraFieldSettings()) == {}
