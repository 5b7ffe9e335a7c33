"""Which database connection each thread is using, so that a thread stuck on one can be freed.

A database that accepts connections and never answers (a frozen server, a proxy that stopped
forwarding) leaves a thread waiting on its socket for as long as the peer keeps acknowledging
TCP: keepalives and the server's statement timeout do not end that wait. Cutting the socket
(shutdown, not close: the driver still owns the descriptor) makes the driver fail at once with a
disconnect error; SQLAlchemy then discards that connection and, seeing a disconnect, every
connection pooled before it. SQLite has its own interrupt for the same purpose.

Connections are registered when checked out, before the ping that proves them alive (the ping
itself can be what hangs), and forgotten when checked in or invalidated.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import weakref

from sqlalchemy import Engine, event, exc

_OWNER = "bridge_owner_thread"
_FRESH = "bridge_fresh"
_registries: weakref.WeakKeyDictionary[Engine, _Registry] = weakref.WeakKeyDictionary()


class _Registry:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_thread: dict[int, list] = {}  # a thread may hold more than one


def track_connections(engine: Engine, ping: bool) -> None:
    """Record each thread's connection; with `ping`, check a pooled connection on checkout
    (SQLAlchemy's pool_pre_ping does the same, but before a listener can see the connection)."""
    registry = _registries.setdefault(engine, _Registry())

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection, record):
        record.info[_FRESH] = True

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        owner = threading.get_ident()
        with registry.lock:
            registry.by_thread.setdefault(owner, []).append(dbapi_connection)
            record.info[_OWNER] = owner
        if ping and not record.info.pop(_FRESH, False):
            try:
                engine.dialect.do_ping(dbapi_connection)
            except Exception as error:
                # Discard this connection and every one pooled before it; the pool reconnects.
                raise exc.InvalidatePoolError(f"ping failed: {type(error).__name__}") from error

    def _released(dbapi_connection, record, *_args):
        with registry.lock:
            owner = record.info.pop(_OWNER, None)
            held = registry.by_thread.get(owner, [])
            for index, connection in enumerate(held):
                if connection is dbapi_connection:
                    del held[index]
                    break
            if not held:
                registry.by_thread.pop(owner, None)

    event.listen(engine, "checkin", _released)
    event.listen(engine, "invalidate", _released)
    event.listen(engine, "soft_invalidate", _released)


def cut_connection_of(engine: Engine, thread: threading.Thread | None) -> bool:
    """Make the database call `thread` is blocked in fail now; False if it holds no connection."""
    registry = _registries.get(engine)
    if registry is None or thread is None or thread.ident is None:
        return False
    # Under the lock the connection cannot be checked in, so its socket is not yet closed (and
    # its descriptor number not reused by something else).
    with registry.lock:
        held = list(registry.by_thread.get(thread.ident, []))
        return any([_interrupt(connection) for connection in held])


def _interrupt(connection) -> bool:
    if isinstance(connection, sqlite3.Connection):
        connection.interrupt()
        return True
    return _shut_down_socket(connection)


def _shut_down_socket(connection) -> bool:
    try:
        descriptor = connection.pgconn.socket
    except Exception:  # already closed or broken: nothing is waiting on it
        return False
    with socket.socket(fileno=os.dup(descriptor)) as duplicate:
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        except OSError:
            return False
    return True
