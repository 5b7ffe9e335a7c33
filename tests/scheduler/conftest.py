"""Scheduler tests: the simulators and a real bridge on loopback (the end-to-end fixtures: the
embedded worker applies what the jobs store), and the jobs as `scheduled_jobs` wires them, run
when a test says so."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import update

from bridge.scheduler import scheduled_jobs
from bridge.storage.schema import problems
from tests.e2e.conftest import loopback, settle, unconnected_loopback  # noqa: F401 (fixtures)


def wait_until(condition: Callable[[], object], timeout: float = 10.0, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message or "condition never held"
        time.sleep(0.02)


def jobs_of(runtime) -> dict:
    return {job.id: job for job in scheduled_jobs(runtime)}


def open_problem_for_issue(runtime, key: str, issue_id: str) -> int:
    """An open problem whose Jira issue is `key`, as the bridge records it after creating the issue."""
    with runtime.engine.begin() as connection:
        problem = runtime.problems.active_for_update(connection, "scheduler-test", key, "engineering",
                                                     runtime.clock(), state="open")
        connection.execute(update(problems).where(problems.c.id == problem.id)
                           .values(jira_key=key, jira_id=issue_id))
    return problem.id
