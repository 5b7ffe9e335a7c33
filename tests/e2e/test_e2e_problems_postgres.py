"""Two bridge processes on one PostgreSQL database (each its own engine, inbox worker, action worker
and clients) racing on the same group's tickets: one problem, one Jira issue, every ticket linked."""

from __future__ import annotations

import threading

import pytest

from bridge.runtime import build_runtime
from tests.e2e.problems_support import (
    CRASH_RULE,
    assert_nothing_parked,
    link_updates,
    problem_environment,
    report_crash,
    settle_all,
    the_issue,
    the_problem,
)
from tests.support.database import postgres_schema_url

TICKETS = 8


@pytest.fixture
def postgres_url():
    with postgres_schema_url() as url:  # skips, saying why, without BRIDGE_TEST_POSTGRES_URL
        yield url


@pytest.fixture
def two_bridges(tmp_path, postgres_url):
    """The loopback bridge (HTTP, workers) plus a second worker process on the same database."""
    first = problem_environment(tmp_path / "rules", database={"url": postgres_url}, worker={"batch_size": 1})
    second = build_runtime(first.settings, migrate=False)
    stop = threading.Event()
    workers = second.start_worker_thread(stop)
    yield first, second
    stop.set()
    workers.join(timeout=10)
    second.engine.dispose()
    first.stop()


def test_two_workers_racing_on_one_group_open_one_problem_with_one_issue(two_bridges, monkeypatch):
    first, second = two_bridges
    # Hold each worker at the problem lookup until the other has reached it too: the two
    # transactions then insert and lock the same (rule, group) problem at the same moment.
    arrived = threading.Barrier(2, timeout=10)
    racers = []
    for runtime in (first.runtime, second):
        lookup = runtime.problems.active_for_update

        def racing(*args, _lookup=lookup, _runtime=runtime, **kwargs):
            if _runtime not in racers:
                racers.append(_runtime)
                arrived.wait()
            return _lookup(*args, **kwargs)

        monkeypatch.setattr(runtime.problems, "active_for_update", racing)

    tickets = [report_crash(first) for _ in range(TICKETS)]
    settle_all(first)

    assert len(racers) == 2 and not arrived.broken  # both workers really were in the race
    problems = first.runtime.problems.list()
    assert [(p.rule, p.state, p.ticket_count) for p in problems] == [(CRASH_RULE, "open", TICKETS)]
    problem = the_problem(first.runtime, CRASH_RULE)
    issue = the_issue(first, problem)
    assert len(first.jira.store.issues) == 1
    creates = [r for r in first.jira.requests if r.method == "POST" and r.path.endswith("/issue")]
    assert [r.status for r in creates] == [201]
    assert problem.jira_key == issue["key"]
    assert all(f"problem_{problem.id}" in first.zendesk.ticket(t)["tags"] for t in tickets)
    linked = [int(i) for r in link_updates(first, problem) if r.status == 200 for i in r.query["ids"].split(",")]
    assert sorted(linked) == sorted(tickets)  # each ticket linked once, by whichever worker
    assert_nothing_parked(first.runtime)
