"""Fix shipped, end to end: the closure against the Zendesk simulator (real client, real adapter,
real HTTP) with its limits on: 100 tickets per call, 30 jobs in flight, 100 requests per window.
The window is 1 s instead of Zendesk's minute (and the bridge's pace is scaled alike) so that
1,000 tickets close in a couple of seconds; tests/support/closure_world.py sets this up."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bridge.closure import RUN_CLOSURE
from bridge.closure.in_process import run_closure
from bridge.storage.closures import DONE, PENDING, RUNNING
from bridge.storage.schema import outbox_actions
from tests.support.closure_world import (
    SAME_RULE,
    closure_runtime,
    followups_of,
    limited_simulator,
    messages_per_requester,
    public_replies_by_bridge,
    seed_world,
    start_closure,
)
from tests.support.killed_worker import KilledAt, WorkerKilled, wait_for_zendesk_jobs

TAG = "bridge_notified_{}"


@pytest.fixture
def sim():
    with limited_simulator() as simulator:
        yield simulator


@pytest.fixture
def world_of(sim, tmp_path):
    runtimes = []

    def build(count: int, **options):
        settings = options.pop("settings", {})
        runtime = closure_runtime(sim, tmp_path, **settings)
        runtimes.append(runtime)
        return seed_world(sim, runtime, count, **options)

    yield build
    for runtime in runtimes:
        runtime.engine.dispose()


def bulk_writes(sim) -> list:
    return [r for r in sim.requests if r.path.endswith(("/tickets/update_many.json", "/tickets/update_many",
                                                         "/tickets/create_many.json", "/tickets/create_many"))]


def assert_everyone_heard_exactly_once(world) -> None:
    counts = messages_per_requester(world)
    assert {ticket_id: n for ticket_id, n in counts.items() if n != 1} == {}
    for ticket_id in world.closed_ids:
        assert public_replies_by_bridge(world.sim, ticket_id) == []
        [followup] = followups_of(world.sim, ticket_id)
        assert followup["status"] == "solved"
        assert followup["requester_id"] == world.sim.ticket(ticket_id)["requester_id"]


def test_a_thousand_tickets_hear_exactly_once_within_zendesks_limits(world_of, sim):
    world = world_of(1000, closed_every=10)
    closure_id = start_closure(world)
    sim.clear_requests()

    progress = run_closure(world.runtime, closure_id, timeout=60)

    assert (progress.state, progress.done, progress.total, progress.failed) == (DONE, 1000, 1000, 0)
    assert_everyone_heard_exactly_once(world)
    first_open = next(t for t in world.ticket_ids if t not in world.closed_ids)
    assert public_replies_by_bridge(sim, first_open) == ["Hi Alex0, ENG-7 is fixed in 2.4.1."]
    assert sim.ticket(first_open)["status"] == "solved"
    assert {"checkout_fixed", TAG.format(closure_id)} <= set(sim.ticket(first_open)["tags"])
    writes = bulk_writes(sim)
    assert all(len(r.json["tickets"]) <= 100 for r in writes)
    # The floor is 10; closed tickets cannot share an update call: one follow-up call more.
    assert len(writes) == math.ceil(1000 / 100) + 1
    assert not [r for r in sim.requests if r.status == 429 and "update_many" in r.path]  # never over 30 jobs
    finished = world.runtime.audit.entries(f"problem:{world.problem_id}")[-1]
    assert (finished.action, finished.details["notified"]) == ("closure.finished", 1000)


def test_identical_replies_use_the_ids_form(world_of, sim):
    world = world_of(150, closed_every=50, rule=SAME_RULE)
    closure_id = start_closure(world)

    run_closure(world.runtime, closure_id, timeout=30)

    updates = [r for r in bulk_writes(sim) if "update_many" in r.path]
    assert updates and all("ids" in r.query and set(r.json) == {"ticket"} for r in updates)
    assert_everyone_heard_exactly_once(world)
    assert {body for t in world.ticket_ids for body in public_replies_by_bridge(sim, t)} == {
        "Invoices are right again since 2.4.1."}


@pytest.mark.parametrize("method, nth, after_answer", [
    ("start_individual_updates", 4, True),   # Zendesk accepted the job; its id was never recorded
    ("start_bulk_create", 1, True),          # the same for a follow-up job
    ("start_individual_updates", 3, False),  # tickets marked sent, the request never went out
    ("bulk_statuses", 1, False),             # jobs recorded, killed while polling them
])
def test_a_worker_killed_halfway_is_resumed_by_another_without_a_second_message(world_of, sim, tmp_path, method,
                                                                                 nth, after_answer):
    world = world_of(1000, closed_every=10, settings={"worker": {"lease_seconds": 1}})
    closure_id = start_closure(world)
    world.runtime.closure_actions.zendesk = KilledAt(world.runtime.ticket_system, method, nth, after_answer)

    with pytest.raises(WorkerKilled):
        run_closure(world.runtime, closure_id, timeout=30)
    assert world.runtime.closures.get(closure_id).state == RUNNING
    wait_for_zendesk_jobs(sim)  # jobs accepted before the kill still run, a moment later
    assert 0 < sum(messages_per_requester(world).values()) <= 1000

    restarted = closure_runtime(sim, tmp_path, worker={"lease_seconds": 1})
    try:
        progress = run_closure(restarted, closure_id, timeout=60)
    finally:
        restarted.engine.dispose()

    assert (progress.state, progress.done, progress.failed) == (DONE, 1000, 0)
    assert_everyone_heard_exactly_once(world)


def test_too_many_jobs_is_waited_out(world_of, sim):
    world = world_of(300, closed_every=30)
    sim.set_job_limits(delay_seconds=1.0, max_in_flight=1)  # Zendesk busy with other work: room for 1
    closure_id = start_closure(world)
    sim.clear_requests()

    progress = run_closure(world.runtime, closure_id, timeout=60)

    assert (progress.state, progress.done) == (DONE, 300)
    refused = [r for r in sim.requests if r.status == 429]
    assert refused and all("_many" in r.path for r in refused)
    assert_everyone_heard_exactly_once(world)


def test_the_rate_limit_is_obeyed_by_retry_after(world_of, sim):
    world = world_of(200, closed_every=20)
    sim.set_rate_limit(5, window_seconds=1.0)  # far below the pace the bridge is configured for
    closure_id = start_closure(world)
    sim.clear_requests()

    progress = run_closure(world.runtime, closure_id, timeout=60)

    assert (progress.state, progress.done) == (DONE, 200)
    assert [r for r in sim.requests if r.status == 429]
    assert_everyone_heard_exactly_once(world)


def test_follow_ups_are_recorded_from_the_job_result_without_reading_them_back(world_of, sim):
    # Every closed ticket known as closed (nothing fails for being closed), and a long
    # unknown-outcome wait: only the job's own results can settle the follow-ups.
    settings = {"closure": {"job_poll_seconds": 0.05, "unknown_outcome_seconds": 600}}
    world = world_of(200, closed_every=2, known_closed_share=1.0, settings=settings)
    closure_id = start_closure(world)
    sim.clear_requests()

    progress = run_closure(world.runtime, closure_id, timeout=30)

    assert (progress.state, progress.done, progress.failed) == (DONE, 200, 0)
    assert_everyone_heard_exactly_once(world)
    tickets = {t.ticket_id: t for t in world.runtime.closures.tickets(closure_id)}
    for ticket_id in world.closed_ids:
        [followup] = followups_of(sim, ticket_id)
        assert (tickets[ticket_id].followup_ticket_id, tickets[ticket_id].attempts) == (followup["id"], 1)
        assert tickets[ticket_id].last_error is None
    assert not [r for r in sim.requests if "tickets/show_many" in r.path]  # nothing read back


def test_a_429_on_a_send_gives_the_tickets_back_and_waits_as_long_as_zendesk_asks(world_of, sim):
    world = world_of(50, closed_every=100, rule=SAME_RULE)
    closure_id = start_closure(world)
    sim.inject_faults(1, "429")  # Retry-After: 7
    before = datetime.now(UTC)

    world.runtime.new_action_worker().run_once()

    with world.runtime.engine.connect() as connection:
        action = connection.execute(select(outbox_actions).where(outbox_actions.c.kind == RUN_CLOSURE)).one()
    assert action.status == "pending" and action.attempts == 0
    assert action.available_at >= before + timedelta(seconds=7)
    assert {(t.state, t.attempts) for t in world.runtime.closures.tickets(closure_id)} == {(PENDING, 0)}
    assert sum(messages_per_requester(world).values()) == 0
