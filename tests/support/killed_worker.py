"""A worker killed in the middle of a bulk send (as by kill -9), for the crash tests of the
closure and the proactive notice, and waiting for the simulated Zendesk's jobs."""

from __future__ import annotations

import time


class WorkerKilled(BaseException):
    """Not an Exception: nothing in the bridge catches it, as nothing survives a kill -9."""


class KilledAt:
    """The real ticket system, except that the `nth` call of `method` kills the worker, before the
    request goes out or right after Zendesk answered."""

    def __init__(self, real, method: str, nth: int, after_answer: bool):
        self.real, self.method, self.nth, self.after_answer, self.calls = real, method, nth, after_answer, 0

    def __getattr__(self, name):
        attribute = getattr(self.real, name)
        if name != self.method:
            return attribute

        def call(*args, **kwargs):
            self.calls += 1
            if self.calls == self.nth and not self.after_answer:
                raise WorkerKilled(name)
            answer = attribute(*args, **kwargs)
            if self.calls == self.nth:
                raise WorkerKilled(name)
            return answer
        return call


def wait_for_zendesk_jobs(sim, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while sim.account.jobs.in_flight():
        assert time.monotonic() < deadline, "simulated Zendesk jobs did not finish"
        time.sleep(0.02)
