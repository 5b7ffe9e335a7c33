"""Waiting at start-up for a database that is not up yet (containers start before their database),
and saying in one line, without the password, why it cannot be reached."""

from __future__ import annotations

import logging
import time

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from bridge.logs import log_event
from bridge.storage.db import ping

log = logging.getLogger("bridge.database")

FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 5.0


class DatabaseUnreachable(Exception):
    """The database did not answer in time; str() is one line naming it and the reason."""


def wait_for_database(engine: Engine, wait_seconds: float) -> None:
    """Return once the database answers; retry with growing pauses for up to `wait_seconds`,
    then raise DatabaseUnreachable."""
    started = time.monotonic()
    pause = FIRST_RETRY_SECONDS
    attempts = 0
    while True:
        attempts += 1
        try:
            ping(engine)
            break
        except DBAPIError as exc:
            reason = connection_failure(engine, exc)
        remaining = started + wait_seconds - time.monotonic()
        if remaining <= 0:
            raise DatabaseUnreachable(f"{reason} (tried {attempts} times in {time.monotonic() - started:.0f} s; "
                                      f"database.startup_wait_seconds is {wait_seconds:g})")
        if attempts == 1:
            log_event(log, logging.WARNING, "database.unreachable", reason=reason,
                      retrying_for_seconds=round(remaining))
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, MAX_RETRY_SECONDS)
    if attempts > 1:
        log_event(log, logging.INFO, "database.reachable", database=safe_url(engine),
                  waited_seconds=round(time.monotonic() - started, 1))


def connection_failure(engine: Engine, exc: DBAPIError) -> str:
    """`cannot reach <url without password>: <driver's message on one line>`."""
    message = " ".join(str(exc.orig or exc).split())
    password = engine.url.password
    if password:
        message = message.replace(str(password), "***")
    return f"cannot reach the database {safe_url(engine)}: {message}"


def safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
