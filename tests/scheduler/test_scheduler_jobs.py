"""`BridgeScheduler`: stable job ids, one run of a job at a time, and nothing on a process that does
not lead; `start_scheduler` stops with the stop event."""

from __future__ import annotations

import threading

import pytest
from apscheduler.events import EVENT_JOB_MAX_INSTANCES

from bridge.runtime import build_runtime
from bridge.scheduler import (
    BridgeScheduler,
    JobSpec,
    LeaderLock,
    build_scheduler,
    start_scheduler,
)
from bridge.storage.db import create_database_engine
from tests.scheduler.conftest import wait_until
from tests.support.database import postgres_schema_url
from tests.support.settings import make_settings

FAST = 0.05  # seconds between runs in these tests


class SwitchableLeadership:
    """Leads when told to; counts how often the scheduler asked."""

    def __init__(self, leader: bool):
        self.leader, self.checks, self.released = leader, 0, False

    def check(self) -> bool:
        self.checks += 1
        return self.leader

    def release(self) -> None:
        self.released = True


class CountingJob:
    def __init__(self):
        self.runs = 0
        self.running = 0
        self.most_at_once = 0
        self.may_finish = threading.Event()
        self.may_finish.set()
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.may_finish.wait(timeout=10)
        with self._lock:
            self.running -= 1
            self.runs += 1


@pytest.fixture
def schedulers():
    started: list[BridgeScheduler] = []

    def start(job: CountingJob, leadership, check_seconds: float = FAST) -> BridgeScheduler:
        scheduler = BridgeScheduler([JobSpec("counting", FAST, job)], leadership, check_seconds)
        scheduler.start()
        started.append(scheduler)
        return scheduler

    yield start
    for scheduler in started:
        scheduler.shutdown()


def test_a_slow_run_is_never_overlapped_by_the_next(schedulers):
    job = CountingJob()
    job.may_finish.clear()
    scheduler = schedulers(job, SwitchableLeadership(True))
    skipped = threading.Event()
    scheduler.scheduler.add_listener(lambda event: skipped.set(), EVENT_JOB_MAX_INSTANCES)

    wait_until(lambda: job.running == 1)
    assert skipped.wait(timeout=10)  # a run came due while the first was still going
    job.may_finish.set()
    wait_until(lambda: job.runs >= 3)
    assert job.most_at_once == 1


def test_jobs_run_only_while_the_process_leads(schedulers):
    job = CountingJob()
    leadership = SwitchableLeadership(False)
    schedulers(job, leadership)

    wait_until(lambda: leadership.checks >= 10)
    assert job.runs == 0

    leadership.leader = True
    wait_until(lambda: job.runs >= 2)

    leadership.leader = False
    wait_until(lambda: job.running == 0)
    runs, checks = job.runs, leadership.checks
    wait_until(lambda: leadership.checks >= checks + 10)
    assert job.runs <= runs + 1  # at most the run that had already checked before the switch


def test_two_processes_on_postgresql_run_the_jobs_on_one_only(schedulers):
    with postgres_schema_url() as url:
        engines = [create_database_engine(url) for _ in range(2)]
        try:
            jobs = [CountingJob(), CountingJob()]
            for job, engine in zip(jobs, engines, strict=True):
                schedulers(job, LeaderLock(engine))
            wait_until(lambda: jobs[0].runs + jobs[1].runs >= 5)
            assert sorted(job.runs == 0 for job in jobs) == [False, True]
        finally:
            for engine in engines:
                engine.dispose()


def test_the_bridge_jobs_have_stable_ids_and_never_pile_up(sqlite_url):
    settings = make_settings(sqlite_url, scheduler={"poll_jira_seconds": 30, "prune_inbox_days": 7})
    runtime = build_runtime(settings)
    scheduler = build_scheduler(runtime)
    try:
        scheduler.start()
        jobs = {job.id: job for job in scheduler.scheduler.get_jobs()}
        assert set(jobs) == {"leadership", "poll_jira", "reconcile_zendesk", "prune_inbox", "check_due", "discover"}
        for job in jobs.values():
            assert (job.coalesce, job.max_instances) == (True, 1) and job.misfire_grace_time >= 1
        assert jobs["poll_jira"].trigger.interval.total_seconds() == 30
        assert jobs["reconcile_zendesk"].trigger.interval.total_seconds() == 300
    finally:
        scheduler.shutdown()
        runtime.engine.dispose()


def test_start_scheduler_stops_with_the_stop_event(sqlite_url):
    runtime = build_runtime(make_settings(sqlite_url))
    stop = threading.Event()
    try:
        thread = start_scheduler(runtime, stop)
        assert thread.is_alive()
        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive()
    finally:
        runtime.engine.dispose()


def test_job_ids_must_be_unique():
    job = JobSpec("same", 60, lambda: None)
    with pytest.raises(ValueError):
        BridgeScheduler([job, job], SwitchableLeadership(True), 10)
