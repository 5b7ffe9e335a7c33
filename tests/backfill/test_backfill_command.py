"""`bridge backfill` against the simulated Zendesk over real HTTP: a dry run by default that says
which problems the month holds, judged on the tickets' own times; --apply opens the same ones."""

from __future__ import annotations

import io
import re
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from bridge.backfill.pacing import ExportPacer
from bridge.backfill.run import Backfill
from bridge.cli.backfill import read_export
from bridge.config.settings import load_settings
from bridge.overdue.accountability import accountability_state
from bridge.runtime import build_runtime
from tests.backfill.conftest import FAST, HISTORY_TICKETS, days_ago, make_history, opened, outcome_of


@pytest.fixture
def backfill_database_url(database_url) -> str:
    return database_url


def stored_problems(config_path):
    """The problems past detection in the bridge's database."""
    runtime = build_runtime(load_settings(str(config_path)))
    try:
        return [problem for problem in runtime.problems.list() if problem.past_detection]
    finally:
        runtime.engine.dispose()


def test_dry_run_says_what_apply_opens_judged_on_the_tickets_own_times(zendesk, bridge_cli, config_path):
    history = make_history(zendesk, noise=20)

    dry = outcome_of(bridge_cli("backfill", "--since", "30d", "--json", *FAST))
    assert dry["applied"] is False and dry["read"] == 32 and dry["evaluated"] == 32
    assert dry["bridge_tickets"] == 6
    # The three double charges within two hours, twenty days ago, are a problem; the late parcels,
    # two days apart, are not (they would be, judged all at once now); the bridge's own tickets
    # (marked follow-ups, or submitted by its API user) never count.
    assert opened(dry) == [("double-charge", "", 3, 3, tuple(history.double_charge))]
    assert stored_problems(config_path) == []

    applied = outcome_of(bridge_cli("backfill", "--since", "30d", "--apply", "--json", *FAST))
    assert applied["applied"] is True and applied["read"] == 0 and applied["evaluated"] == 32
    assert opened(applied) == opened(dry)
    [problem] = stored_problems(config_path)
    assert (problem.rule, problem.state, problem.ticket_count) == ("double-charge", "open", 3)


def test_a_problem_found_in_history_opened_when_its_tickets_did_and_its_due_date_counts_from_now(
        zendesk, bridge_cli, config_path):
    history = make_history(zendesk)
    before = days_ago(0)
    applied = outcome_of(bridge_cli("backfill", "--since", "30d", "--apply", "--json", *FAST))
    assert opened(applied) == [("double-charge", "", 3, 3, tuple(history.double_charge))]
    runtime = build_runtime(load_settings(str(config_path)))
    try:
        [problem] = [p for p in runtime.problems.list() if p.past_detection]
        crossed = days_ago(20) + timedelta(hours=2)
        assert abs(problem.opened_at - crossed) < timedelta(minutes=1)  # the third ticket's own time
        assert problem.detected_at >= before  # found by the bridge now
        links = runtime.problems.ticket_links(problem.id)
        assert sorted(link.joined_at for link in links) == [problem.opened_at] * 3
        # Accountability counts the time since the opening: with a due date a week from now (its
        # issue's, planned from the detection), twenty of its twenty-seven days are gone.
        due = (problem.detected_at + timedelta(days=7)).date()
        state = accountability_state(replace(problem, due_date=due), None, days_ago(0),
                                     runtime.settings.accountability, runtime.settings.calendar.zone)
        assert state == "at_risk"
    finally:
        runtime.engine.dispose()


def test_what_the_export_lacks_and_the_rules_read_is_looked_up(zendesk, bridge_cli):
    """The export has no requester email; grouping by the requester's domain reads it from Zendesk
    (show_many for tickets and users), as the worker does for a webhook that lacks it."""
    at = days_ago(10)
    for minutes, email in ((0, "ann@acme.test"), (10, "bob@acme.test"), (20, "cy@other.test")):
        zendesk.created_ticket_at(at + timedelta(minutes=minutes), "Refund", "My refund is missing", email=email)
    outcome = outcome_of(bridge_cli("backfill", "--json", *FAST))
    assert [(p["rule"], p["group_key"], p["tickets"]) for p in outcome["opened"]] == [
        ("refund-missing", "acme.test", 2)]
    assert any("users/show_many" in request.path for request in zendesk.requests)


def test_text_output_names_counts_and_sample_tickets(zendesk, bridge_cli):
    history = make_history(zendesk)
    result = bridge_cli("backfill", *FAST)
    assert result.exit_code == 0, result.output
    assert "would open 1 problem:" in result.stdout
    sample = ", ".join(f"#{ticket_id}" for ticket_id in history.double_charge)
    assert f"double-charge (team finance): 3 tickets, 3 requesters; tickets {sample}" in result.stdout
    assert "(6 created by the bridge itself, not reports)" in result.stdout
    assert "dry run: no problem was written" in result.stdout
    assert "reading Zendesk's export" in result.stderr and "evaluating tickets" in result.stderr


def test_a_stored_backfill_that_starts_later_is_not_silently_continued(zendesk, bridge_cli):
    make_history(zendesk)
    assert bridge_cli("backfill", "--since", "7d", *FAST).exit_code == 0

    refused = bridge_cli("backfill", "--since", "30d", *FAST)
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert "the stored backfill reads from" in refused.output and "add --restart" in refused.output

    restarted = outcome_of(bridge_cli("backfill", "--since", "30d", "--restart", "--json", *FAST))
    assert restarted["read"] == restarted["evaluated"] == HISTORY_TICKETS


def test_zendesk_refusing_is_one_line_and_the_next_run_goes_on(zendesk, bridge_cli):
    make_history(zendesk)
    zendesk.inject_faults(1, "500")
    failed = bridge_cli("backfill", *FAST)
    assert failed.exit_code == 1 and "Traceback" not in failed.output
    assert failed.stderr.strip().splitlines()[-1].startswith("error: Zendesk:")
    assert "run the same command again to go on" in failed.stderr

    assert outcome_of(bridge_cli("backfill", "--json", *FAST))["read"] == HISTORY_TICKETS


def test_a_bad_period_is_a_usage_error(bridge_cli):
    result = bridge_cli("backfill", "--since", "last month")
    assert result.exit_code == 2 and "expected a period such as 30d" in result.output


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class SlowPages(ExportPacer):
    """Click estimates the time left from steps a second or more apart: pages 0.6 s apart, as a
    real export's (10 a minute) are further still."""

    def call(self, request):
        time.sleep(0.6)
        return super().call(request)


def test_on_a_terminal_the_read_shows_a_bar_with_its_eta(zendesk, config_path):
    """Pages stand for the time span they reach; the bar ends full when the stream does."""
    make_history(zendesk, noise=2000)
    runtime = build_runtime(load_settings(str(config_path)))
    run = Backfill(runtime, SlowPages(1000))
    terminal = Terminal()
    try:
        assert read_export(run, run.start(timedelta(days=30)), runtime.clock(), terminal) == 2000 + HISTORY_TICKETS
    finally:
        runtime.engine.dispose()
    shown = terminal.getvalue()
    assert "reading Zendesk's export" in shown and "100%" in shown
    assert re.search(r"\d+%\s+\d\d:\d\d:\d\d", shown)  # a percentage and the time left
