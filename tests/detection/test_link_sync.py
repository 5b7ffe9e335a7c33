"""Linking and unlinking a problem's tickets in Zendesk go through the one bulk send's guard: a
batch another attempt recorded is read back before anything is sent again."""

from dataclasses import replace

from bridge.actions.results import Done, Later
from bridge.actions.zendesk_batches import BatchState, Sending, with_state
from bridge.domain.events import TicketSnapshot
from tests.detection.test_detection import DOUBLE_CHARGE
from tests.detection.test_status_sync import open_problem_with_issue


def sync_action(scenario, problem, payload, attempts):
    [action] = [a for a in scenario.runtime.outbox.for_problem(problem.id) if a.kind == "zendesk.sync_links"]
    return replace(action, payload=payload, attempts=attempts)


def test_an_unlink_batch_of_unknown_outcome_is_read_back_not_sent_again(make_scenario, ticket_system):
    scenario = make_scenario(DOUBLE_CHARGE)
    problem = open_problem_with_issue(scenario)
    with scenario.runtime.engine.begin() as connection:
        scenario.runtime.actions.tickets_changed(connection, scenario.runtime.problems.get(problem.id),
                                                 scenario.clock())
    # Attempt 1 recorded an unlink of ticket 2, then died; Zendesk shows the tag gone.
    ticket_system.tickets[2] = TicketSnapshot(id=2, status="open", tags=frozenset({"web"}))
    payload = with_state({"unlinking": True}, BatchState(sending=Sending((2,), attempt=1)))
    sync = scenario.runtime.actions.sync_links

    waited = sync(sync_action(scenario, problem, payload, attempts=2), scenario.clock())
    assert isinstance(waited, Later) and waited.reason == "waiting for an unknown send"
    assert waited.until == scenario.clock() + scenario.runtime.settings.closure.unknown_outcome
    done = sync(sync_action(scenario, problem, waited.payload, attempts=2), waited.until)
    assert isinstance(done, Done) and done.outcome == "unlinked 1 tickets"
    assert ticket_system.calls == [[2]] and ticket_system.jobs == []  # read back, never sent


def test_a_problem_without_its_jira_issue_links_no_ticket(make_scenario, ticket_system):
    scenario = make_scenario(DOUBLE_CHARGE)
    for ticket in (1, 2, 3):
        scenario.ticket_event(ticket, subject="charged twice")
    scenario.process()
    [problem] = scenario.problems()
    assert problem.jira_key is None  # opened; its issue is not created yet (or was lost)
    with scenario.runtime.engine.begin() as connection:  # a links action still queued from its lost issue
        scenario.runtime.outbox.enqueue(connection, "zendesk.sync_links", scenario.clock(), problem.id,
                                        dedupe_key=f"links:{problem.id}")
    done = scenario.runtime.actions.sync_links(sync_action(scenario, problem, {}, attempts=1), scenario.clock())
    assert isinstance(done, Done) and done.outcome == "no Jira issue to link to"
    assert ticket_system.jobs == []  # no link note naming an issue that is not there
