"""`bridge check`: everything that can be verified before the service starts."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from bridge.config import Settings, resolve_database_url
from bridge.rules_runtime import load_configured_rules
from bridge.storage.db import create_database_engine, ping
from bridge.yamlsource import SourceErrors


def run_checks(settings: Settings) -> list[str]:
    """Return a human-readable line per problem; empty when all is well."""
    return [*_check_rules(settings), *_check_database(settings)]


def _check_rules(settings: Settings) -> list[str]:
    try:
        load_configured_rules(settings)
    except SourceErrors as errors:
        return [str(error) for error in errors.errors]
    return []


def _check_database(settings: Settings) -> list[str]:
    url = resolve_database_url(settings)
    engine = create_database_engine(url, settings.database.sqlite_synchronous)
    try:
        ping(engine)
    except SQLAlchemyError as exc:
        return [f"database.url: cannot connect: {type(exc.orig or exc).__name__}: {exc.orig or exc}"]
    finally:
        engine.dispose()
    return []
