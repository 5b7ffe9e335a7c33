"""Group commit for webhook intake: deliveries arriving together share one transaction.

Request threads hand their delivery to one writer thread and wait; the writer stores everything
that queued up while the previous commit ran, in one transaction (one fsync), then wakes each
request. A request is still answered only after the commit that holds its delivery, so nothing
acknowledged is lost, and the threads no longer queue for the database's write lock one by one.

A request waits at most `timeout` (then 503, and the vendor delivers again). A database that
never answers would otherwise keep the one writer waiting forever, and every later request would
wait its full timeout behind it even after the database is back: so the request that gives up on
a commit running longer than the timeout cuts the writer's connection (bridge/storage/in_use.py).
The writer gets a disconnect error, fails that batch and goes on with a fresh connection; it stays
one thread, never piling up stuck ones. Deliveries whose requests gave up before the writer
reached them are not written (their vendors retry).
"""

from __future__ import annotations

import queue
import threading
import time

from bridge.storage.in_use import cut_connection_of
from bridge.storage.inbox import Delivery, Inbox


class IntakeUnavailable(Exception):
    """The delivery could not be stored (database down or too slow); the vendor should retry."""


class _Pending:
    """One waiting request. `done` is a plain lock, held until the writer releases it: the
    cheapest way to park a thread in CPython (an Event builds a Condition and a lock per wait)."""

    __slots__ = ("abandoned", "delivery", "done", "error", "stored")

    def __init__(self, delivery: Delivery):
        self.delivery = delivery
        self.done = threading.Lock()
        self.done.acquire()
        self.stored = False
        self.error: Exception | None = None
        self.abandoned = False  # the request stopped waiting


class GroupCommitter:
    def __init__(self, inbox: Inbox, max_batch: int = 500, timeout: float = 4.0,
                 idle_seconds: float = 5.0):
        self.inbox = inbox
        self.max_batch, self.timeout, self.idle_seconds = max_batch, timeout, idle_seconds
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._writer: threading.Thread | None = None
        self._commit_started: float | None = None  # monotonic; None while the writer waits for work

    def store(self, delivery: Delivery) -> bool:
        """True when stored, False for a duplicate; raises IntakeUnavailable if not stored."""
        pending = _Pending(delivery)
        with self._lock:
            self._queue.put(pending)
            if self._writer is None:
                self._writer = threading.Thread(target=self._write, name="bridge-intake", daemon=True)
                self._writer.start()
        if not pending.done.acquire(timeout=self.timeout):
            pending.abandoned = True
            self._cut_stuck_writer()
            raise IntakeUnavailable("the inbox write did not finish in time")
        if pending.error is not None:
            raise IntakeUnavailable(f"{type(pending.error).__name__}") from pending.error
        return pending.stored

    def _write(self) -> None:
        while True:
            batch = self._next_batch()
            if not batch:
                return
            waiting = [pending for pending in batch if not pending.abandoned]
            self._commit_started = time.monotonic()
            try:
                for pending, stored in zip(waiting, self.inbox.store_many([p.delivery for p in waiting]),
                                           strict=True):
                    pending.stored = stored
            except Exception as exc:  # handed to every waiting request, which answers 503
                for pending in waiting:
                    pending.error = exc
            finally:
                self._commit_started = None
                for pending in batch:
                    pending.done.release()

    def _cut_stuck_writer(self) -> None:
        with self._lock:
            writer, started = self._writer, self._commit_started
        if writer is not None and started is not None and time.monotonic() - started >= self.timeout:
            cut_connection_of(self.inbox.engine, writer)

    def _next_batch(self) -> list[_Pending]:
        try:
            batch = [self._queue.get(timeout=self.idle_seconds)]
        except queue.Empty:
            with self._lock:  # exit only if nothing was queued meanwhile; store() restarts us
                if self._queue.empty():
                    self._writer = None
                    return []
            batch = []
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch
