"""`bridge check`: everything that can be verified before the service starts."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bridge.checks.jira_check import check_jira
from bridge.checks.zendesk_check import check_zendesk
from bridge.config.settings import Settings, resolve_database_url
from bridge.detection.live_rules import load_configured_rules
from bridge.rules import RuleSet
from bridge.rules.yamlsource import SourceErrors
from bridge.storage.db import create_database_engine, ping, sqlite_file


def run_checks(settings: Settings, offline: bool = False, public_url: str | None = None) -> list[str]:
    """Return a human-readable line per problem; empty when all is well. Unless `offline`, also
    ask Jira and Zendesk whether what the config names exists there, and whether their webhooks
    reach the bridge at `public_url`."""
    rules, problems = _load_rules(settings)
    problems += _check_database(settings)
    if not offline:
        problems += check_jira(settings, rules, public_url)
        problems += check_zendesk(settings, public_url)
    return problems


def config_warnings(settings: Settings) -> list[str]:
    """What is legal but probably not meant: a line per setting that switches something off."""
    token = settings.api.token
    if token is None or not token.get_secret_value():
        return ["api.token: empty, so the API (/api/...) and the dashboard (/dashboard) are switched off "
                "and answer 403; set it to a long random secret to use them"]
    return []


def _load_rules(settings: Settings) -> tuple[RuleSet | None, list[str]]:
    try:
        return load_configured_rules(settings), []
    except SourceErrors as errors:
        return None, [str(error) for error in errors.errors]


def _check_database(settings: Settings) -> list[str]:
    url = resolve_database_url(settings)
    database = sqlite_file(url)
    if database is not None and not database.exists():  # created on first start; a check creates nothing
        return _new_sqlite_problems(database)
    engine = create_database_engine(url, settings.database)
    try:
        ping(engine)
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc  # a DBAPIError carries the driver's error
        return [f"database.url: cannot connect: {type(cause).__name__}: {cause}"]
    finally:
        engine.dispose()
    return []


def _new_sqlite_problems(database: Path) -> list[str]:
    directory = database.parent
    if not directory.is_dir():
        return [f"database.url: the directory {directory} for the SQLite database does not exist"]
    if not os.access(directory, os.W_OK | os.X_OK):
        return [f"database.url: cannot create the SQLite database {database}: the directory is not writable"]
    return []
