"""`BridgeScheduler`: APScheduler 3 running the bridge's periodic jobs, only while this process is
the leader.

Every process that may lead runs the same BackgroundScheduler; each run first renews leadership
(one cheap query) and does nothing on a standby. That is the robust choice over pausing and resuming
jobs on leadership changes: there is no state to get out of step with the lock, a lost connection is
noticed at the very run it would matter to, and a standby needs nothing to start when it takes over.
A separate job renews leadership every `leader_check_seconds`, so a standby takes over (and a leader
that lost its connection stops) even between the jobs' own runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler

from bridge.logs import log_event
from bridge.scheduler.leader import Leadership

log = logging.getLogger("bridge.scheduler")

LEADERSHIP_JOB_ID = "leadership"


class SchedulerObserver(Protocol):
    """What the scheduler reports (bridge/metrics.py)."""

    def scheduler_leading(self, leading: bool) -> None: ...

    def scheduler_job_ran(self, job: str, ok: bool) -> None: ...


@dataclass(frozen=True)
class JobSpec:
    """A periodic job: a stable id (APScheduler's job id), how often, what to run. `run` returns a
    short summary for the log, or None."""

    id: str
    every_seconds: float
    run: Callable[[], object]


class BridgeScheduler:
    def __init__(self, jobs: list[JobSpec], leadership: Leadership, leader_check_seconds: float,
                 observer: SchedulerObserver | None = None):
        ids = [job.id for job in jobs]
        if len(set(ids)) != len(ids) or LEADERSHIP_JOB_ID in ids:
            raise ValueError(f"job ids must be unique and not {LEADERSHIP_JOB_ID!r}: {ids}")
        self.jobs = {job.id: job for job in jobs}
        self.leadership = leadership
        self.leader_check_seconds = leader_check_seconds
        self.observer = observer
        self.scheduler = BackgroundScheduler(timezone=UTC, job_defaults={
            "coalesce": True,  # runs missed while busy or asleep collapse into one
            "max_instances": 1,  # a slow run is never overlapped by the next
        })

    def start(self) -> None:
        """Leadership is settled at once; each job first runs one interval after start."""
        self._add(LEADERSHIP_JOB_ID, self.leader_check_seconds, self._check_leadership,
                  first_run=datetime.now(UTC))
        for job in self.jobs.values():
            self._add(job.id, job.every_seconds, self._runner(job))
        self.scheduler.start()
        log_event(log, logging.INFO, "scheduler.started", jobs=",".join(self.jobs))

    def _add(self, job_id: str, seconds: float, func: Callable[[], object],
             first_run: datetime | None = None) -> None:
        self.scheduler.add_job(
            func, "interval", seconds=seconds, id=job_id, name=job_id, replace_existing=True,
            **({"next_run_time": first_run} if first_run else {}),
            # A run late by less than one interval still happens; later ones are skipped (coalesced).
            misfire_grace_time=max(1, int(seconds)),
        )

    def _check_leadership(self) -> bool:
        leading = self.leadership.check()
        if self.observer is not None:
            self.observer.scheduler_leading(leading)
        return leading

    def _ran(self, job: JobSpec, ok: bool) -> None:
        if self.observer is not None:
            self.observer.scheduler_job_ran(job.id, ok)

    def shutdown(self, wait: bool = True) -> None:
        """Stop scheduling, wait for running jobs, give leadership up."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        self.leadership.release()
        if self.observer is not None:
            self.observer.scheduler_leading(False)
        log_event(log, logging.INFO, "scheduler.stopped")

    def _runner(self, job: JobSpec) -> Callable[[], bool]:
        def run() -> bool:
            if not self._check_leadership():
                log_event(log, logging.DEBUG, "scheduler.job_skipped_not_leader", job=job.id)
                return False
            started = time.monotonic()
            try:
                summary = job.run()
            except Exception:  # a bug or the database: log it, the next run tries again
                log.exception(f"scheduler.{job.id}_failed")
                self._ran(job, ok=False)
                return False
            self._ran(job, ok=True)
            log_event(log, logging.DEBUG, "scheduler.job_done", job=job.id, summary=summary,
                      seconds=round(time.monotonic() - started, 3))
            return True

        return run
