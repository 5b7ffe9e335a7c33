"""`bridge check`: everything that can be verified before the service starts."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from bridge.checks.jira_check import check_jira
from bridge.checks.zendesk_check import check_zendesk
from bridge.config.settings import Settings, resolve_database_url
from bridge.detection.live_rules import load_configured_rules
from bridge.rules import RuleSet
from bridge.rules.yamlsource import SourceErrors
from bridge.storage.db import create_database_engine, ping


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


def _load_rules(settings: Settings) -> tuple[RuleSet | None, list[str]]:
    try:
        return load_configured_rules(settings), []
    except SourceErrors as errors:
        return None, [str(error) for error in errors.errors]


def _check_database(settings: Settings) -> list[str]:
    url = resolve_database_url(settings)
    engine = create_database_engine(url, settings.database)
    try:
        ping(engine)
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc  # a DBAPIError carries the driver's error
        return [f"database.url: cannot connect: {type(cause).__name__}: {cause}"]
    finally:
        engine.dispose()
    return []
