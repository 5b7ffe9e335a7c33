"""Background jobs (update_many, create_many): queued, then run after a short delay, at most 30 in flight."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from datetime import datetime

from connectors.zendesk.simulator.errors import ApiError
from connectors.zendesk.simulator.store import iso

MAX_JOBS_IN_FLIGHT = 30


class JobQueue:
    def __init__(self, lock: threading.RLock, clock: Callable[[], datetime], delay_seconds: float,
                 max_in_flight: int = MAX_JOBS_IN_FLIGHT):
        self._lock = lock
        self._clock = clock
        self.delay_seconds = delay_seconds
        self.max_in_flight = max_in_flight
        self.jobs: dict[str, dict] = {}
        self._timers: dict[str, threading.Timer] = {}
        self._idle = threading.Condition(lock)

    def in_flight(self) -> int:
        return sum(1 for job in self.jobs.values() if job["status"] in ("queued", "working"))

    def submit(self, job_type: str, total: int, work: Callable[[], list[dict]], base_url: str) -> dict:
        """Queue `work` (run later under the lock, returns the per-item results); call under the lock."""
        if self.in_flight() >= self.max_in_flight:
            raise ApiError(429, "TooManyJobs", "Number of allowed queued jobs exceeded",
                           max_jobs=self.max_in_flight)
        job_id = secrets.token_hex(16)
        job = {"id": job_id, "job_type": job_type, "message": None, "progress": None, "results": None,
               "status": "queued", "total": total, "url": f"{base_url}/api/v2/job_statuses/{job_id}.json"}
        self.jobs[job_id] = job
        timer = threading.Timer(self.delay_seconds, self._run, args=(job_id, work))
        timer.daemon = True
        self._timers[job_id] = timer
        timer.start()
        return job

    def _run(self, job_id: str, work: Callable[[], list[dict]]) -> None:
        with self._lock:
            job = self.jobs[job_id]
            job["status"] = "working"
            try:
                job["results"] = work()
                job["status"] = "completed"
                job["message"] = f"Completed at {iso(self._clock())}"
            except Exception as exc:  # a bug in the simulator must show up as a failed job, not a hang
                job["status"] = "failed"
                job["message"] = f"Failed: {exc}"
            job["progress"] = job["total"]
            self._timers.pop(job_id, None)
            self._idle.notify_all()

    def job(self, job_id: str) -> dict:
        if job_id not in self.jobs:
            raise ApiError(404, "RecordNotFound", "Job status not found")
        return self.jobs[job_id]

    def wait_until_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self.in_flight() == 0, timeout)

    def cancel_all(self) -> None:
        with self._lock:
            for timer in self._timers.values():
                timer.cancel()
            self._timers.clear()
