"""Intake first: while webhooks keep intake busy, the worker process of `bridge serve` steps aside.

On one machine the worker competes with intake for the CPU (and, on SQLite, for the write lock):
processing an event costs about twice what taking it in does, so a worker that keeps pace with a
flood of webhooks leaves intake a third of the machine, and Zendesk sees slow answers. Taking events
in is what cannot wait (Zendesk backs off or deactivates a webhook that times out); processing can
lag for the length of a burst and catch up after it.

So the HTTP process counts the webhook requests it is working on; whenever BUSY_SHARE of its threads
hold one, it writes the time into a small file it shares with the worker process (`IntakeLoad`).
The worker process reads that time before each batch (`IntakeFirst`): while intake was busy within
BUSY_WINDOW_SECONDS, it waits, and still runs a small batch every TRICKLE_SECONDS so that a flood
that never ends does not stop processing altogether. A steady stream (Zendesk's usual 100-200
events a second) never makes intake busy in this sense: each request finishes long before the next
ones pile up.
"""

from __future__ import annotations

import mmap
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_SHARE = 0.25  # of the HTTP process's threads, each holding a webhook request
BUSY_WINDOW_SECONDS = 0.1
TRICKLE_SECONDS = 0.25
TRICKLE_BATCH = 5
_POLL_SECONDS = 0.01
_STAMP = struct.Struct("=q")  # monotonic nanoseconds (CLOCK_MONOTONIC is one clock for every process)


class IntakeLoad:
    """When intake was last busy, in memory shared through `path` (or private to this process
    without one); the HTTP process writes it, the worker process reads it."""

    def __init__(self, path: Path | None = None, threads: int = 32):
        if path is None:
            self._memory = mmap.mmap(-1, _STAMP.size)
        else:
            with open(path, "r+b") as file:
                self._memory = mmap.mmap(file.fileno(), _STAMP.size)
        self.busy_at = max(2, round(threads * BUSY_SHARE))
        self._in_flight = 0
        self._lock = threading.Lock()

    @staticmethod
    def create(path: Path) -> Path:
        """The shared file, before either process opens it."""
        path.write_bytes(bytes(_STAMP.size))
        return path

    @contextmanager
    def request(self) -> Iterator[None]:
        """Around a webhook request in the HTTP process."""
        self._count(+1)
        try:
            yield
        finally:
            self._count(-1)

    def _count(self, change: int) -> None:
        """Stamps the time when a request starts or ends among at least `busy_at` (a flood starts
        requests all the time; requests all stuck together, e.g. on a slow disk, stamp when they end)."""
        with self._lock:
            busy = max(self._in_flight, self._in_flight + change) >= self.busy_at
            self._in_flight += change
        if busy:
            _STAMP.pack_into(self._memory, 0, time.monotonic_ns())

    def busy(self, now_ns: int | None = None) -> bool:
        now_ns = time.monotonic_ns() if now_ns is None else now_ns
        (stamp,) = _STAMP.unpack_from(self._memory, 0)
        return 0 <= now_ns - stamp < BUSY_WINDOW_SECONDS * 1e9


class IntakeFirst:
    """How one worker thread paces its batches around intake (QueueWorker asks before each claim)."""

    def __init__(self, load: IntakeLoad, waited: Callable[[float], None] = lambda seconds: None,
                 clock: Callable[[], float] = time.monotonic):
        self.load, self.waited, self.clock = load, waited, clock
        self._last_batch = clock()

    def batch_size(self, full: int, stop: threading.Event) -> int:
        """How many items the next batch may claim, once it may start: `full` when intake is not
        busy; while it is, wait, and take TRICKLE_BATCH at least every TRICKLE_SECONDS."""
        started = self.clock()
        due = self._last_batch + TRICKLE_SECONDS
        waited = False
        while self.load.busy() and self.clock() < due and not stop.is_set():
            stop.wait(_POLL_SECONDS)
            waited = True
        self._last_batch = self.clock()
        if waited:
            self.waited(self._last_batch - started)
        return min(full, TRICKLE_BATCH) if self.load.busy() else full
