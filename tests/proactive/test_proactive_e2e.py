"""A proactive notice, end to end: the audience searched in the Zendesk simulator (real client,
real adapter, real HTTP), the tickets created with create_many under Zendesk's limits (100 per
call, 30 jobs in flight, 100 requests per window scaled to 1 s), a worker killed midway and the
notice resumed by another: every customer told exactly once, the excluded never."""

from __future__ import annotations

import pytest

from bridge.domain.bridge_tickets import PROACTIVE_TAG, created_by_bridge
from bridge.proactive.in_process import run_notice
from bridge.storage.send_rows import DONE, RUNNING
from connectors.zendesk.tickets import snapshot_from_api_ticket
from tests.support.closure_world import closure_runtime, limited_simulator
from tests.support.killed_worker import KilledAt, WorkerKilled, wait_for_zendesk_jobs
from tests.support.proactive_world import QUERY, proactive_tickets_per_requester, seed_audience


@pytest.fixture
def sim():
    with limited_simulator() as simulator:
        yield simulator


@pytest.fixture
def runtimes(sim, tmp_path):
    built = []

    def build():
        runtime = closure_runtime(sim, tmp_path, worker={"lease_seconds": 1})
        built.append(runtime)
        return runtime

    yield build
    for runtime in built:
        runtime.engine.dispose()


def assert_told_exactly_once(audience) -> None:
    per_requester = proactive_tickets_per_requester(audience.sim)
    assert {user: n for user, n in per_requester.items() if n != 1} == {}
    assert set(per_requester) == audience.told
    for reason, users in audience.left_out.items():
        assert users.isdisjoint(per_requester), reason


@pytest.mark.parametrize("after_answer", [True, False], ids=["job accepted, id never recorded", "before the request"])
def test_a_notice_to_1000_customers_killed_midway_tells_each_exactly_once(sim, runtimes, after_answer):
    runtime = runtimes()
    audience = seed_audience(sim, runtime, 1000)
    preview = runtime.proactive.preview(audience.problem_id, QUERY)
    assert len(preview.audience.recipients) == 1000
    assert preview.audience.excluded_counts == {"already_linked": 5, "opted_out": 7, "suspended": 3, "no_email": 2}
    notice_id = runtime.proactive.start(preview, runtime.clock())
    runtime.proactive_actions.zendesk = KilledAt(runtime.ticket_system, "start_bulk_create", 4, after_answer)

    with pytest.raises(WorkerKilled):
        run_notice(runtime, notice_id, timeout=30)
    assert runtime.proactive_store.get(notice_id).state == RUNNING
    wait_for_zendesk_jobs(sim)  # jobs accepted before the kill still run, a moment later
    assert 0 < sum(proactive_tickets_per_requester(sim).values()) < 1000

    restarted = runtimes()
    progress = run_notice(restarted, notice_id, timeout=60)

    assert (progress.state, progress.done, progress.failed) == (DONE, 1000, 0)
    assert_told_exactly_once(audience)
    creates = [r for r in sim.requests if r.path.rstrip("/").endswith(("/tickets/create_many.json",
                                                                        "/tickets/create_many"))]
    assert len(creates) <= 11  # 10 batches of 100, one of them sent again when it never went out


def test_the_tickets_are_the_bridges_own_and_the_run_is_recorded_on_the_problem(sim, runtimes):
    runtime = runtimes()
    audience = seed_audience(sim, runtime, 30, organizations=3)
    notice_id = runtime.proactive.start(runtime.proactive.preview(audience.problem_id, QUERY), runtime.clock())
    run_notice(runtime, notice_id, timeout=30)

    ours = [t for t in sim.tickets() if PROACTIVE_TAG in t["tags"]]
    assert len(ours) == 30
    assert all(created_by_bridge(snapshot_from_api_ticket(ticket)) for ticket in ours)
    assert {t["external_id"] for t in ours} == {f"bridge-proactive-{notice_id}-user-{user}" for user in audience.told}
    audit = [entry.action for entry in runtime.audit.entries(f"problem:{audience.problem_id}")]
    assert {"proactive.started", "proactive.finished"} <= set(audit)
    assert runtime.proactive_store.notified_counts([audience.problem_id]) == {audience.problem_id: 30}

    # A second notice leaves out everyone the first one told.
    again = runtime.proactive.preview(audience.problem_id, QUERY)
    assert again.audience.recipients == ()
    assert again.audience.excluded_counts["already_notified"] == 30
