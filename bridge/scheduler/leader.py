"""Which process runs the scheduled jobs. PostgreSQL: the one holding a session advisory lock on a
connection of its own, kept for the process's lifetime; when that connection drops, PostgreSQL
frees the lock and another process takes it. SQLite: one process by design, always the leader."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import zlib
from typing import Protocol

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

from bridge.logs import log_event
from bridge.storage.db import is_postgresql

log = logging.getLogger("bridge.scheduler")

# pg_try_advisory_lock(namespace, schema): this constant names the bridge's lock; the second key is
# derived from the schema, so bridges sharing a database in separate schemas each get a leader.
LOCK_NAMESPACE = 0x7A4A  # "zJ"


class Leadership(Protocol):
    def check(self) -> bool:
        """Renew (or try to take) leadership; True while this process is the leader."""
        ...

    def release(self) -> None:
        ...


class AlwaysLeader:
    """SQLite: a single process owns the database."""

    def check(self) -> bool:
        return True

    def release(self) -> None:
        pass


class LeaderLock:
    """The PostgreSQL advisory lock, on a dedicated unpooled connection (closing it frees the lock).

    Thread-safe: the scheduler's jobs and its leadership check may call `check` at the same time."""

    def __init__(self, engine: Engine, name: str | None = None):
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        # Keepalives notice a dead peer; application_name shows the leader in pg_stat_activity.
        self._engine = create_engine(engine.url, poolclass=NullPool, connect_args={
            "application_name": "bridge-scheduler", "keepalives": 1, "keepalives_idle": 30,
            "keepalives_interval": 10, "keepalives_count": 3})
        self._connection: Connection | None = None
        self._keys: tuple[int, int] | None = None
        self._leader = False
        self._mutex = threading.Lock()

    def check(self) -> bool:
        with self._mutex:
            try:
                leader = self._still_held() if self._leader else self._try_acquire()
            except Exception as exc:  # the connection or the database went away
                log_event(log, logging.WARNING, "scheduler.leader_connection_failed",
                          error_type=type(exc).__name__)
                self._drop_connection()
                leader = False
            self._note(leader)
            return leader

    def release(self) -> None:
        """Give leadership up. The lock is unlocked before the connection closes: a closed
        connection frees it only when its server process has gone, a moment later."""
        with self._mutex:
            if self._leader and self._connection is not None:
                with contextlib.suppress(Exception):  # a broken connection frees the lock as it goes
                    self._execute("SELECT pg_advisory_unlock(:namespace, :schema)")
            self._drop_connection()
            self._note(False)
        self._engine.dispose()

    def _still_held(self) -> bool:
        return bool(self._execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND pid = pg_backend_pid() AND classid = :namespace AND objid = CAST(:schema_oid AS oid)"
            " AND objsubid = 2)"))

    def _try_acquire(self) -> bool:
        return bool(self._execute("SELECT pg_try_advisory_lock(:namespace, :schema)"))

    def _execute(self, sql: str):
        if self._connection is None:
            self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        if self._keys is None:
            schema = self._connection.execute(text("SELECT current_schema()")).scalar() or ""
            self._keys = (LOCK_NAMESPACE, _int4(zlib.crc32(schema.encode())))
        namespace, schema_key = self._keys
        return self._connection.execute(text(sql), {"namespace": namespace, "schema": schema_key,
                                                    "schema_oid": schema_key & 0xFFFFFFFF}).scalar()

    def _drop_connection(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # already broken: nothing left to free
                self._connection.close()
            self._connection = None

    def _note(self, leader: bool) -> None:
        if leader != self._leader:
            log_event(log, logging.INFO if leader else logging.WARNING,
                      "scheduler.leader_acquired" if leader else "scheduler.leader_lost", process=self.name)
        self._leader = leader


def _int4(value: int) -> int:
    """An unsigned 32-bit number as the signed int4 PostgreSQL's lock functions take."""
    return value - 2**32 if value >= 2**31 else value


def leadership_for(engine: Engine) -> Leadership:
    return LeaderLock(engine) if is_postgresql(engine) else AlwaysLeader()
