"""One worker process per SQLite database: a lock file beside the database holds the owner's pid.

With SQLite the worker and the scheduler must run in one process (the scheduler's leader is
whoever runs). `bridge serve` (embedded worker) and `bridge worker` take the lock before they
touch the database; short commands (`bridge problems`, `bridge events retry`, ...) do not, and run
beside them. PostgreSQL needs no lock: its processes elect a leader.

The lock is an flock(2) on an open file: the kernel releases it when the last process holding the
file ends, however it ends, so a stale file never blocks a restart. `bridge serve`'s forked HTTP
and worker processes share it, so it is held until they have gone too."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import IO

from bridge.serving.parent_death import STOP_GRACE_SECONDS
from bridge.storage.db import sqlite_file

# A holder whose recorded pid has died is the leftover HTTP process of a killed `bridge serve`,
# stopping within STOP_GRACE_SECONDS: wait for it rather than refuse a quick restart.
_DEAD_HOLDER_WAIT_SECONDS = STOP_GRACE_SECONDS + 1.0
_RETRY_SECONDS = 0.1


class CannotClaimDatabase(Exception):
    """Another process runs the worker on this SQLite database (or the lock file cannot be opened);
    str() is one line for the operator."""


def claim_sqlite_database(database_url: str) -> IO | None:
    """Take the database for this process (and the processes it forks) until it exits. Returns the
    open lock file, which must stay referenced; None when the database needs no lock. Raises
    CannotClaimDatabase naming the pid that holds it."""
    database = sqlite_file(database_url)
    if database is None:
        return None
    path = database.with_name(database.name + ".lock")
    try:
        lock_file = open(path, "a+")  # noqa: SIM115 - returned open: the lock lasts while the file does
    except OSError as exc:
        raise CannotClaimDatabase(f"cannot open the lock file {path}: {exc.strerror}") from None
    try:
        _lock(lock_file, database)
    except CannotClaimDatabase:
        lock_file.close()
        raise
    lock_file.seek(0)
    lock_file.truncate()
    lock_file.write(f"{os.getpid()}\n")
    lock_file.flush()
    return lock_file


def _lock(lock_file: IO, database: Path) -> None:
    dead_holder_deadline = time.monotonic() + _DEAD_HOLDER_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _recorded_pid(lock_file)
        if holder is not None and _is_alive(holder):
            raise CannotClaimDatabase(
                f"{database} is in use by bridge process {holder} (with SQLite one process runs the "
                f"worker and scheduler; stop it first, or use PostgreSQL for several)")
        if time.monotonic() >= dead_holder_deadline:
            raise CannotClaimDatabase(
                f"{database} is in use by what is left of bridge process {holder or '(unknown)'}, "
                f"which has exited; stop the processes holding {lock_file.name} first")
        time.sleep(_RETRY_SECONDS)


def _recorded_pid(lock_file: IO) -> int | None:
    lock_file.seek(0)
    text = lock_file.read().strip()
    return int(text) if text.isdigit() else None


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True
