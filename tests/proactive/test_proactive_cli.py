"""`bridge problems notify ID --query ... (--dry-run | --send)` against the Zendesk simulator: the
preview, the send with its progress bar, and every kind of bad input answered with a reason."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from bridge.cli.context import CliContext
from bridge.cli.notify import notify_command
from bridge.domain.ports import RemoteError
from bridge.domain.problems import FIXED
from bridge.proactive import NotNotifiable
from bridge.proactive.in_process import run_notice
from bridge.storage.schema import problems
from tests.support.closure_world import closure_runtime, limited_simulator
from tests.support.proactive_world import QUERY, proactive_tickets_per_requester, seed_audience
from tests.support.settings import write_config


@pytest.fixture
def sim():
    with limited_simulator() as simulator:
        yield simulator


@pytest.fixture
def world(sim, tmp_path):
    runtime = closure_runtime(sim, tmp_path)
    audience = seed_audience(sim, runtime, 12, organizations=2)
    yield audience, write_config(tmp_path, runtime.settings)
    runtime.engine.dispose()


def notify(config, *arguments: str):
    return CliRunner().invoke(notify_command, list(arguments), obj=CliContext(str(config)))


def test_a_dry_run_shows_who_is_told_and_who_is_left_out_and_sends_nothing(sim, world):
    audience, config = world
    result = notify(config, str(audience.problem_id), "--query", QUERY, "--dry-run",
                    "--message", "Hi {{ customer.first_name }}, {{ problem.jira_key }} may affect you.")

    assert result.exit_code == 0, result.output
    assert "12 would be told, 17 left out" in result.output
    assert "left out, already_linked (wrote in about the problem already): 5" in result.output
    assert "left out, opted_out (the opt-out tag on the user or their organization): 7" in result.output
    assert "left out, suspended (suspended in Zendesk): 3" in result.output
    assert "left out, no_email (no email address in Zendesk): 2" in result.output
    assert "... and 2 more" in result.output  # the sample: proactive.sample_size (10) of 12
    assert "Hi Pat14, ENG-7 may affect you." in result.output
    assert proactive_tickets_per_requester(sim) == {}
    assert audience.runtime.proactive_store.notices(audience.problem_id) == []


def test_sending_tells_each_customer_once_and_a_second_run_finds_nobody_left(sim, world):
    audience, config = world
    result = notify(config, str(audience.problem_id), "--query", QUERY, "--send",
                    "--subject", "About {{ problem.jira_key }}")

    assert result.exit_code == 0, result.output
    assert "proactive notice 1 done: 12 of 12 customers told" in result.output
    assert set(proactive_tickets_per_requester(sim)) == audience.told
    assert {t["subject"] for t in sim.tickets() if "bridge_proactive" in t["tags"]} == {"About ENG-7"}

    again = notify(config, str(audience.problem_id), "--query", QUERY, "--send")
    assert again.exit_code == 1
    assert "nobody to notify" in again.output
    assert "left out, already_notified" in again.output


@pytest.mark.parametrize("arguments, reason", [
    (["77", "--query", QUERY, "--dry-run"], "there is no problem 77"),
    (["{id}", "--query", "type:ticket tags:x", "--dry-run"], "must search users or organizations"),
    (["{id}", "--query", 'type:user "unclosed', "--dry-run"], "the query does not parse"),
    (["{id}", "--dry-run"], "give --query, or set teams.engineering.proactive_query"),
    (["{id}", "--query", QUERY, "--message", "{{ nope }}", "--dry-run"], "unknown variable(s) nope"),
    (["{id}", "--query", QUERY, "--message", "{% if %}", "--dry-run"], "not a valid template"),
])
def test_bad_input_gets_a_reason_and_exit_1(world, arguments, reason):
    audience, config = world
    result = notify(config, *[str(audience.problem_id) if a == "{id}" else a for a in arguments])
    assert result.exit_code == 1, result.output
    assert reason in result.output


def test_a_problem_in_a_state_that_does_not_allow_it_is_refused(world):
    audience, config = world
    with audience.runtime.engine.begin() as connection:
        connection.execute(update(problems).where(problems.c.id == audience.problem_id).values(state=FIXED))
    result = notify(config, str(audience.problem_id), "--query", QUERY, "--dry-run")
    assert result.exit_code == 1
    assert "it is fixed: a proactive notice warns of a problem still being worked on" in result.output


def test_neither_or_both_of_dry_run_and_send_is_a_usage_error(world):
    audience, config = world
    assert "give --dry-run to preview the notice, or --send" in notify(config, str(audience.problem_id)).output
    both = notify(config, str(audience.problem_id), "--dry-run", "--send")
    assert both.exit_code == 2


def test_a_query_zendesk_refuses_is_a_reason_not_a_crash(world):
    audience, _ = world

    class Refusing:
        def find_customers(self, query):
            raise RemoteError("Zendesk: invalid search", temporary=False, status=422)

    audience.runtime.proactive.audience = Refusing()
    with pytest.raises(NotNotifiable, match="Zendesk refused the query: Zendesk: invalid search"):
        audience.runtime.proactive.preview(audience.problem_id, QUERY)


def test_the_teams_query_is_the_default_audience_and_checked_when_the_config_loads(sim, tmp_path, world):
    audience, config = world
    text = config.read_text().replace("proactive_query: null", f"proactive_query: '{QUERY}'")
    config.write_text(text)
    result = notify(config, str(audience.problem_id), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "12 would be told" in result.output

    config.write_text(text.replace(QUERY, "type:ticket tags:x"))
    bad = notify(config, str(audience.problem_id), "--dry-run")
    assert bad.exit_code != 0
    assert "proactive_query" in bad.output and "must search users or organizations" in bad.output


def test_a_search_zendesk_does_not_answer_is_a_message_and_nothing_is_sent(sim, world):
    audience, config = world
    sim.stop()  # Zendesk unreachable
    result = notify(config, str(audience.problem_id), "--query", QUERY, "--send")
    assert result.exit_code == 1, result.output
    assert "the audience search failed, nothing was sent" in result.output
    assert audience.runtime.proactive_store.notices(audience.problem_id) == []


def test_a_notice_that_finished_after_the_preview_is_not_sent_again(world):
    audience, _ = world
    proactive = audience.runtime.proactive
    first, stale = proactive.preview(audience.problem_id, QUERY), proactive.preview(audience.problem_id, QUERY)
    run_notice(audience.runtime, proactive.start(first, audience.runtime.clock()), timeout=30)
    with pytest.raises(NotNotifiable, match="an earlier notice told them all"):
        proactive.start(stale, audience.runtime.clock())
