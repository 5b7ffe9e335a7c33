"""Whose turn it is to write a SQLite database, between the HTTP process and the worker process of one
`bridge serve`: intake first.

SQLite lets one transaction write at a time, and a writer that finds the lock taken sleeps and
tries again (1, 2, 5, ... up to 100 ms between tries). The worker, writing transaction after
transaction, kept retaking the lock while intake slept, and webhooks waited seconds. So each write
transaction first takes a turn, on two lock files the two processes share (flock):
- intake says it wants to write (`wants`, shared, held until its transaction ends), then takes its
  turn (`turn`, shared): it waits at most for the worker transaction under way;
- the worker takes its turn (`turn`, exclusive) only after checking that no intake wants one
  (`wants`, exclusive for that moment only), so it never retakes the lock before waiting intake.
A turn waited for longer than `max_wait_seconds` is skipped (logged): SQLite still keeps one
writer at a time, so a turn is about latency, never correctness.

The worker process's writing threads (inbox worker, action worker, scheduler jobs) take its turn one
at a time. When they shared it, one thread slept in SQLite's busy handler (up to 100 ms a try) while
another kept writing, the process never gave its turn back, and intake waited about a second."""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from pathlib import Path

from bridge.logs import log_event

log = logging.getLogger("bridge.storage")
# How often a waiting turn looks again: intake's waits are webhook latency; the worker's are not,
# and it may wait through a whole flood of webhooks, where looking 2,000 times a second cost CPU.
_INTAKE_POLL_SECONDS = 0.0005
_WORKER_POLL_SECONDS = 0.002


class WriteTurns:
    def __init__(self, path: Path, yields: bool, max_wait_seconds: float):
        # Kept open: the turns last while the process does.
        self._wants = open(path.with_name(path.name + ".wants"), "a+")  # noqa: SIM115
        self._turn = open(path, "a+")  # noqa: SIM115
        self.yields = yields
        self.max_wait_seconds = max_wait_seconds
        # One flock per process: intake's writing threads share the turn (counted); the worker's
        # take it one thread at a time (a thread may begin again inside its own turn).
        self._changed = threading.Condition()
        self._holders = 0
        self._holding_thread: int | None = None
        self._locked = False

    def enter(self) -> None:
        me = threading.get_ident()
        with self._changed:
            while self.yields and self._holders and self._holding_thread != me:
                self._changed.wait()
            if self._holders == 0:
                self._locked = self._wait_for_turn()
            self._holders += 1
            self._holding_thread = me

    def leave(self) -> None:
        with self._changed:
            self._holders -= 1
            if self._holders == 0:
                if self._locked:
                    fcntl.flock(self._turn, fcntl.LOCK_UN)
                    if not self.yields:
                        fcntl.flock(self._wants, fcntl.LOCK_UN)
                    self._locked = False
                self._holding_thread = None
                self._changed.notify()

    def _wait_for_turn(self) -> bool:
        deadline = time.monotonic() + self.max_wait_seconds
        if self.yields:
            if not self._take(self._wants, fcntl.LOCK_EX, deadline):
                return False
            fcntl.flock(self._wants, fcntl.LOCK_UN)  # only a look: intake may say it wants a turn again
            taken = self._take(self._turn, fcntl.LOCK_EX, deadline)
        else:
            if not self._take(self._wants, fcntl.LOCK_SH, deadline):
                return False
            taken = self._take(self._turn, fcntl.LOCK_SH, deadline)
            if not taken:
                fcntl.flock(self._wants, fcntl.LOCK_UN)
        return taken

    def _take(self, file, mode: int, deadline: float) -> bool:
        while True:
            try:
                fcntl.flock(file, mode | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    log_event(log, logging.WARNING, "storage.write_turn_skipped", waited_seconds=self.max_wait_seconds)
                    return False
                time.sleep(_WORKER_POLL_SECONDS if self.yields else _INTAKE_POLL_SECONDS)
