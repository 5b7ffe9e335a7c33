"""State shared by all `bridge` subcommands: where the config is, and how to build a runtime."""

from __future__ import annotations

from contextlib import contextmanager
from typing import IO

import click

from bridge.config.settings import CONFIG_ENV_VARIABLE, Settings, load_settings, resolve_database_url
from bridge.logs import configure_logging
from bridge.rules.yamlsource import SourceErrors


@contextmanager
def reported_source_errors():
    """Print every located error (file:line: key: message) and exit 1."""
    try:
        yield
    except SourceErrors as errors:
        for error in errors.errors:
            click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None


class CliContext:
    def __init__(self, config_path: str | None):
        self.config_path = config_path
        self._database_claim: IO | None = None  # the open lock file, held until the process exits

    def settings(self) -> Settings:
        if not self.config_path:
            raise click.UsageError(f"no config: pass --config PATH or set {CONFIG_ENV_VARIABLE}")
        with reported_source_errors():
            return load_settings(self.config_path)

    def runtime(self, migrate: bool = False, wait_for_database: bool = False):
        """The runtime; a database that cannot be reached is one line and exit 1. With `migrate`
        (serve, worker, db upgrade) the schema is brought up to date; other commands use it as it
        is and ask for `bridge db upgrade` when it is missing or behind, so that they neither
        create a database nor change one. With `wait_for_database` (long-running commands), wait
        for it first for up to database.startup_wait_seconds."""
        from sqlalchemy.exc import InterfaceError, OperationalError

        from bridge.runtime import build_runtime
        from bridge.storage import startup_wait
        from bridge.storage.db import create_database_engine

        settings = self.settings()
        configure_logging(settings.logging.level, settings.logging.format)
        url = resolve_database_url(settings)
        if not migrate:
            _require_existing_database(url)
        engine = create_database_engine(url, settings.database)
        try:
            if wait_for_database:
                startup_wait.wait_for_database(engine, settings.database.startup_wait_seconds)
            if not migrate:
                _require_current_schema(engine)
            with reported_source_errors():  # invalid rule files
                return build_runtime(settings, migrate=migrate, engine=engine)
        except startup_wait.DatabaseUnreachable as exc:
            engine.dispose()
            _fail(str(exc))
        except (OperationalError, InterfaceError) as exc:  # down, or gone before the migrations ran
            engine.dispose()
            _fail(startup_wait.connection_failure(engine, exc))

    def claim_sqlite_database(self, settings: Settings) -> None:
        """For a process running the worker and scheduler: refuse to start (one line, exit 1) when
        another one runs them on the same SQLite database."""
        from bridge.serving.single_process import CannotClaimDatabase, claim_sqlite_database

        try:
            self._database_claim = claim_sqlite_database(resolve_database_url(settings))
        except CannotClaimDatabase as exc:
            _fail(str(exc))


_UPGRADE_HINT = "run `bridge db upgrade` (`bridge serve` and `bridge worker` also do it on start)"


def _require_existing_database(url: str) -> None:
    from bridge.storage.db import sqlite_file

    database = sqlite_file(url)
    if database is not None and not database.exists():
        _fail(f"no database at {database} yet: {_UPGRADE_HINT}")


def _require_current_schema(engine) -> None:
    from bridge.storage.migrate import current_revision, head_revision, known_revisions

    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    engine.dispose()
    if current is not None and current not in known_revisions():
        _fail(f"the database is at revision {current}, which a newer bridge made; this one knows up to {head}")
    found = f"at revision {current}" if current else "empty"
    _fail(f"the database is {found}, this bridge needs revision {head}: {_UPGRADE_HINT}")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(1)


pass_context = click.make_pass_decorator(CliContext)

CONFIG_PATH = click.Path(dir_okay=False)
CONFIG_HELP = f"Config file (default: ${CONFIG_ENV_VARIABLE})."


def accept_config_after(command: click.Command) -> click.Command:
    """Give `command` and every subcommand under it the `--config` option of `bridge` itself, so
    that `bridge check --config config.yaml` works as well as `bridge --config config.yaml check`."""
    command.params.append(click.Option(["--config"], type=CONFIG_PATH, expose_value=False,
                                       callback=_use_config, help=CONFIG_HELP))
    for subcommand in getattr(command, "commands", {}).values():
        accept_config_after(subcommand)
    return command


def _use_config(ctx: click.Context, _param: click.Parameter, path: str | None) -> None:
    if path is not None:
        ctx.ensure_object(CliContext).config_path = path
