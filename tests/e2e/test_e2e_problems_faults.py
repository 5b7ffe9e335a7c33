"""Rate limits and server errors from Jira or Zendesk delay the action that met them (a 429 waits
exactly its Retry-After and is not a failed attempt; a 5xx is retried with backoff) while the
worker goes on with other problems' actions; in the end everything is done, nothing dropped."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.planning import problem_label
from tests.e2e.problems_support import (
    CRASH_RULE,
    CRASH_THRESHOLD,
    REFUND_RULE,
    REFUND_THRESHOLD,
    action_rows,
    as_utc,
    assert_nothing_parked,
    jira_writes,
    link_updates,
    open_crash_problem,
    problem_environment,
    report_crash,
    report_missing_refund,
    settle_all,
    the_issue,
    the_problem,
    utc_now,
    wait_for,
)

RETRY_AFTER = 2  # seconds, as both simulators answer a 429 here
# A failed Zendesk bulk update may still have been accepted: the retry reads its tickets back
# after this long (the simulator runs an accepted job within it).
UNKNOWN_OUTCOME = 1.0


@pytest.fixture
def bridge(tmp_path):
    environment = problem_environment(tmp_path / "rules", closure={"unknown_outcome_seconds": UNKNOWN_OUTCOME})
    environment.jira.fault_retry_after = RETRY_AFTER
    yield environment
    environment.stop()


def opened(environment, rule: str):
    return wait_for(lambda: next((p for p in environment.runtime.problems.list()
                                  if p.rule == rule and p.state == "open"), None), what=f"{rule} open")


def postponed_by_rate_limit(environment, kind: str, problem, since):
    """The action's row once a 429 has put it off until Retry-After seconds after `since`."""
    def row():
        rows = action_rows(environment.runtime, kind, problem.id)
        due = since + timedelta(seconds=RETRY_AFTER)
        return next((r for r in rows if r.status == "pending" and as_utc(r.available_at) >= due), None)
    return wait_for(row, what=f"{kind} postponed by the 429")


def tagged(environment, ticket_id: int, problem) -> bool:
    return f"problem_{problem.id}" in environment.zendesk.ticket(ticket_id)["tags"]


def counter_value(environment, name: str, **labels: str) -> float:
    value = environment.runtime.metrics.registry.get_sample_value(f"{name}_total", labels)
    return value or 0.0  # None: that label set was never counted


def failed_attempts(environment, kind: str) -> float:
    return counter_value(environment, "bridge_actions_failed", kind=kind, parked="false")


def test_a_jira_rate_limit_delays_the_create_while_zendesk_work_goes_on(bridge):
    crash, crash_tickets = open_crash_problem(bridge)

    started = utc_now()
    bridge.jira.inject_faults(10_000, "429")  # every Jira call: 429 with Retry-After, until drained
    refund_tickets = [report_missing_refund(bridge) for _ in range(REFUND_THRESHOLD)]
    refund = opened(bridge, REFUND_RULE)
    create = postponed_by_rate_limit(bridge, "jira.create_issue", refund, started)
    assert create.attempts == 0 and create.last_error is None  # waiting, not failing

    # Meanwhile another problem's Zendesk work is done: a new crash ticket gets linked.
    late = report_crash(bridge)
    wait_for(lambda: tagged(bridge, late, crash), what="the new crash ticket linked in Zendesk")
    assert the_problem(bridge.runtime, REFUND_RULE).jira_key is None
    label_searches = [r for r in bridge.jira.requests if problem_label(refund.id) in str(r.query)]
    elapsed = (utc_now() - started).total_seconds()
    assert 1 <= len(label_searches) <= elapsed / RETRY_AFTER + 1  # it waited, it did not hammer
    assert {r.status for r in label_searches} == {429}

    while bridge.jira.take_fault():  # Jira is back
        pass
    settle_all(bridge)

    issue = the_issue(bridge, the_problem(bridge.runtime, REFUND_RULE))
    assert issue["fields"]["project"]["key"] == "FIN"
    [done] = action_rows(bridge.runtime, "jira.create_issue", refund.id)
    assert as_utc(done.processed_at) >= started + timedelta(seconds=RETRY_AFTER)
    refund = the_problem(bridge.runtime, REFUND_RULE)
    assert all(tagged(bridge, t, refund) for t in refund_tickets)
    assert all(tagged(bridge, t, crash) for t in [*crash_tickets, late])
    assert the_problem(bridge.runtime, CRASH_RULE).counts_written == f"{CRASH_THRESHOLD + 1}/{CRASH_THRESHOLD + 1}/0"
    assert counter_value(bridge, "bridge_actions_rate_limited", kind="jira.create_issue") >= 1
    assert_nothing_parked(bridge.runtime)


def test_a_jira_server_error_on_create_is_retried_and_makes_one_issue(bridge):
    bridge.jira.inject_faults(1, "500")
    tickets = [report_crash(bridge) for _ in range(CRASH_THRESHOLD)]
    settle_all(bridge)

    problem = the_problem(bridge.runtime, CRASH_RULE)
    the_issue(bridge, problem)
    assert [r.status for r in bridge.jira.requests].count(500) == 1
    assert [r.status for r in jira_writes(bridge) if r.path.endswith("/issue")] == [201]  # created once
    [create] = action_rows(bridge.runtime, "jira.create_issue", problem.id)
    assert (create.status, create.attempts) == ("done", 2)  # one failed attempt, then done
    assert failed_attempts(bridge, "jira.create_issue") == 1
    assert all(tagged(bridge, t, problem) for t in tickets)
    assert_nothing_parked(bridge.runtime)


def test_a_zendesk_rate_limit_delays_the_links_while_jira_work_goes_on(bridge):
    started = utc_now()
    bridge.zendesk.set_rate_limit(0, RETRY_AFTER)  # every Zendesk call: 429, Retry-After 2
    crash_tickets = [report_crash(bridge) for _ in range(CRASH_THRESHOLD)]
    crash = opened(bridge, CRASH_RULE)
    sync = postponed_by_rate_limit(bridge, "zendesk.sync_links", crash, started)
    assert sync.attempts == 0 and sync.last_error is None

    # Meanwhile another problem's Jira issue is created.
    refund_tickets = [report_missing_refund(bridge) for _ in range(REFUND_THRESHOLD)]
    wait_for(lambda: the_problem(bridge.runtime, REFUND_RULE).jira_key
             if any(p.rule == REFUND_RULE for p in bridge.runtime.problems.list()) else None,
             what="the refund problem's Jira issue")
    assert not any(tagged(bridge, t, crash) for t in crash_tickets)
    bulk = link_updates(bridge, crash)
    elapsed = (utc_now() - started).total_seconds()
    assert 1 <= len(bulk) <= elapsed / RETRY_AFTER + 1  # it waited, it did not hammer
    assert {r.status for r in bulk} == {429}

    bridge.zendesk.set_rate_limit(None)
    settle_all(bridge)

    crash, refund = the_problem(bridge.runtime, CRASH_RULE), the_problem(bridge.runtime, REFUND_RULE)
    assert all(tagged(bridge, t, crash) for t in crash_tickets)
    assert all(tagged(bridge, t, refund) for t in refund_tickets)
    assert [r.status for r in link_updates(bridge, crash)].count(200) == 1  # linked once each
    assert [r.status for r in link_updates(bridge, refund)].count(200) == 1
    [done] = action_rows(bridge.runtime, "zendesk.sync_links", crash.id)
    assert as_utc(done.processed_at) >= started + timedelta(seconds=RETRY_AFTER)
    assert_nothing_parked(bridge.runtime)


def test_a_zendesk_server_error_on_the_bulk_update_is_retried_and_links_every_ticket(bridge):
    bridge.zendesk.inject_faults(1, "500")  # the bridge's first Zendesk call is the bulk update
    tickets = [report_crash(bridge) for _ in range(CRASH_THRESHOLD)]
    settle_all(bridge)

    problem = the_problem(bridge.runtime, CRASH_RULE)
    assert [r.status for r in link_updates(bridge, problem)] == [500, 200]
    [sync] = action_rows(bridge.runtime, "zendesk.sync_links", problem.id)
    assert (sync.status, sync.attempts) == ("done", 2)
    assert failed_attempts(bridge, "zendesk.sync_links") == 1
    assert all(tagged(bridge, t, problem) for t in tickets)
    # The retry read the tickets back (after UNKNOWN_OUTCOME) before writing again: one link note each.
    for ticket_id in tickets:
        notes = [c for c in bridge.zendesk.comments(ticket_id) if c["body"].startswith("Linked to Jira issue")]
        assert len(notes) == 1
    assert_nothing_parked(bridge.runtime)
