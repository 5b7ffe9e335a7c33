"""A database read run off the request path, one at a time, with its latest outcome kept.

/readyz and /metrics ask for the database's state on every probe and scrape. If each did its own
query, a database that stops answering would hold one server thread per probe until none is left
for anything else. Here, one thread at a time runs the read; callers get the latest outcome at
once (the one caller that started the read may wait a bounded time for it). A read still running
past its timeout when the next caller comes has its connection cut, so that its thread comes
back even from a connection that will never answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Engine

from bridge.storage.in_use import cut_connection_of

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T | None
    error: Exception | None
    started_at: float  # time.monotonic()
    finished_at: float

    @property
    def age_seconds(self) -> float:
        return time.monotonic() - self.finished_at


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    latest: Outcome[T] | None  # None until a read has finished
    last_good: Outcome[T] | None  # the latest read that did not fail
    running_seconds: float | None  # how long the read in flight has run; None when none is

    def overdue(self, timeout: float) -> bool:
        return self.running_seconds is not None and self.running_seconds >= timeout


class SingleFlight(Generic[T]):
    def __init__(self, engine: Engine, read: Callable[[], T], timeout: float, name: str):
        self.engine, self.read, self.timeout, self.name = engine, read, timeout, name
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._started = 0.0
        self._finished = threading.Event()
        self._latest: Outcome[T] | None = None
        self._last_good: Outcome[T] | None = None

    def refresh(self, wait: bool = False) -> Snapshot[T]:
        """Start a read unless one is running. With `wait`, the caller that started it waits up to
        the timeout for its outcome; every other caller returns at once."""
        with self._lock:
            started_here = self._thread is None
            if started_here:
                self._start()
            elif time.monotonic() - self._started >= self.timeout:
                cut_connection_of(self.engine, self._thread)
            finished = self._finished
        if started_here and wait:
            finished.wait(self.timeout)
        return self.snapshot()

    def snapshot(self) -> Snapshot[T]:
        with self._lock:
            running = time.monotonic() - self._started if self._thread is not None else None
            return Snapshot(self._latest, self._last_good, running)

    def _start(self) -> None:
        self._finished = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, args=(self._started, self._finished),
                                        name=self.name, daemon=True)
        self._thread.start()

    def _run(self, started: float, finished: threading.Event) -> None:
        try:
            outcome = Outcome(self.read(), None, started, time.monotonic())
        except Exception as error:  # kept for the callers: the thread must end either way
            outcome = Outcome(None, error, started, time.monotonic())
        with self._lock:
            self._latest = outcome
            if outcome.error is None:
                self._last_good = outcome
            self._thread = None
        finished.set()
