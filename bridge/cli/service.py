"""Running the service: check, serve, worker, db."""

from __future__ import annotations

import click

from bridge.cli.context import CliContext, pass_context
from bridge.cli.public_url import public_url_option, resolved_public_url


@click.command()
@click.option("--offline", is_flag=True, help="Do not contact Jira and Zendesk (config, rules and database only).")
@public_url_option
@pass_context
def check(context: CliContext, offline: bool, public_url: str | None) -> None:
    """Validate the config and everything it points at: rule files, the database and (unless
    --offline) the Jira projects, issue types, components, priorities and fields it names, and the
    Zendesk credentials, and the webhooks' wiring. Exit non-zero on any problem."""
    from bridge.checks.preflight import config_warnings, run_checks

    settings = context.settings()
    for warning in config_warnings(settings):
        click.echo(f"warning: {warning}", err=True)
    problems = run_checks(settings, offline, resolved_public_url(public_url, settings))
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"ok: {context.config_path} is valid")


@click.command()
@click.option("--host", help="Address to listen on (default: server.host).")
@click.option("--port", type=int, help="Port to listen on (default: server.port).")
@pass_context
def serve(context: CliContext, host: str | None, port: int | None) -> None:
    """Run the HTTP service (and, unless worker.embedded is false, the worker in a process beside it)."""
    from bridge.serving.server import serve_forever

    configured = context.settings()
    if configured.worker.embedded:
        context.claim_sqlite_database(configured)
    # Logging, migrations and the rule files are set up and checked here, before granian forks.
    runtime = context.runtime(migrate=True, wait_for_database=True)
    runtime.engine.dispose()
    settings = runtime.settings
    serve_forever(settings, host or settings.server.host,
                  settings.server.port if port is None else port)


@click.command()
@pass_context
def worker(context: CliContext) -> None:
    """Run a worker on its own (any number of them with PostgreSQL)."""
    from bridge.serving.worker_process import run_until_stopped

    context.claim_sqlite_database(context.settings())
    run_until_stopped(context.runtime(migrate=True, wait_for_database=True))


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_context
def db_upgrade(context: CliContext) -> None:
    """Apply migrations (serve and worker also do this on start)."""
    from bridge.storage.migrate import current_revision

    runtime = context.runtime(migrate=True, wait_for_database=True)
    click.echo(f"database at revision {current_revision(runtime.engine)}")
