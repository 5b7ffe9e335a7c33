"""Engine setup: SQLite in WAL mode with immediate write transactions, or PostgreSQL; both with
bounds on how long a database that does not answer can hold a thread."""

from __future__ import annotations

import sqlite3
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, Connection, Engine, Table, create_engine, event, make_url, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.pool import StaticPool

from bridge.config.settings import DatabaseSettings
from bridge.storage.in_use import track_connections
from bridge.storage.write_turns import WriteTurns

_READ_ONLY = "bridge_read_only"
_HAS_TURN = "bridge_has_write_turn"
_WRITE_TURNS: weakref.WeakKeyDictionary[Engine, WriteTurns] = weakref.WeakKeyDictionary()


def normalise_url(url: str) -> str:
    """Plain postgresql:// URLs use psycopg 3, the driver this project installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def create_database_engine(url: str, settings: DatabaseSettings | None = None,
                           write_turns: WriteTurns | None = None) -> Engine:
    """`settings` gives the SQLite durability and the timeouts (the defaults when None); SQLite write
    transactions wait for `write_turns` when given (`bridge serve`'s processes)."""
    settings = settings or DatabaseSettings()
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url, settings, write_turns)
        track_connections(engine, ping=False)
    else:
        # Pooled connections are pinged on checkout by track_connections (pool_pre_ping's job).
        engine = create_engine(postgresql_url(url, settings), pool_size=10, max_overflow=20)
        track_connections(engine, ping=True)
    return engine


def postgresql_url(url: str, settings: DatabaseSettings) -> URL:
    """The URL with libpq's connect timeout, TCP keepalives and a statement timeout. A parameter
    the URL already sets wins; a statement timeout joins any `options` the URL has."""
    parsed = make_url(url)
    query = dict(parsed.query)
    keepalive_idle, interval, count = (settings.keepalive_idle_seconds, settings.keepalive_interval_seconds,
                                       settings.keepalive_count)
    defaults = {
        "connect_timeout": str(settings.connect_timeout_seconds),
        "keepalives": "1",
        "keepalives_idle": str(keepalive_idle),
        "keepalives_interval": str(interval),
        "keepalives_count": str(count),
        # Data sent and never acknowledged (a peer gone without a trace) ends the connection as
        # soon as an idle one would be found dead by keepalives.
        "tcp_user_timeout": str((keepalive_idle + interval * count) * 1000),
    }
    for key, value in defaults.items():
        query.setdefault(key, value)
    options = query.get("options", "")
    if "statement_timeout" not in options:
        statement_timeout = f"-c statement_timeout={int(settings.statement_timeout_seconds * 1000)}"
        query["options"] = f"{options} {statement_timeout}".strip()
    return parsed.set(query=query)


def _sqlite_engine(url: str, settings: DatabaseSettings, write_turns: WriteTurns | None) -> Engine:
    in_memory = ":memory:" in url or url.rstrip("/") == "sqlite:"
    busy_timeout = settings.sqlite_busy_timeout_seconds
    synchronous = settings.sqlite_synchronous
    # Connections are pooled (opening one costs more than a whole webhook insert); an in-memory
    # database must be one shared connection.
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout},
        **({"poolclass": StaticPool} if in_memory else {"pool_size": 8, "max_overflow": 16}),
    )
    if write_turns:
        _WRITE_TURNS[engine] = write_turns

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide where transactions begin (see _begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # Writers take the write lock up front (IMMEDIATE): a deferred transaction that later
        # writes can fail with "database is locked" instead of waiting its turn. Readers must not:
        # in WAL mode they run alongside the writer.
        if connection.get_execution_options().get(_READ_ONLY):
            connection.exec_driver_sql("BEGIN")
            return
        if write_turns:
            write_turns.enter()
            connection.info[_HAS_TURN] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _end_turn(connection)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _end_turn(connection):
        if write_turns and connection.info.pop(_HAS_TURN, False):
            write_turns.leave()

    return engine


@contextmanager
def write_turn(engine: Engine) -> Iterator[None]:
    """The engine's write turn around a write that begins no SQLAlchemy transaction (a statement
    run in autocommit on a raw connection), which the "begin" hook above never sees."""
    turns = _WRITE_TURNS.get(engine)
    if turns is None:
        yield
        return
    turns.enter()
    try:
        yield
    finally:
        turns.leave()


def upsert_insert(connection: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that takes ON CONFLICT clauses, in the connection's database dialect."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL and in-memory SQLite."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


@contextmanager
def scratch_copy(engine: Engine) -> Iterator[Engine]:
    """A throwaway copy of a SQLite database, for work whose writes must neither reach it nor hold
    its write lock (a dry run). The backup API copies one consistent snapshot as a reader: in WAL
    mode, writers go on meanwhile."""
    with tempfile.TemporaryDirectory(prefix="bridge-scratch-") as directory:
        path = Path(directory) / "scratch.db"
        with reading(engine) as connection:
            source = connection.connection.driver_connection
            assert isinstance(source, sqlite3.Connection), "a scratch copy is of a SQLite database"
            target = sqlite3.connect(path)
            try:
                source.backup(target)
            finally:
                target.close()
        copy = create_database_engine(f"sqlite:///{path}")
        try:
            yield copy
        finally:
            copy.dispose()


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reads only; on SQLite it does not wait for (or block) the writer."""
    with engine.connect() as connection:
        connection.execution_options(**{_READ_ONLY: True})
        yield connection


def ping(engine: Engine) -> None:
    with reading(engine) as connection:
        connection.execute(text("SELECT 1"))
