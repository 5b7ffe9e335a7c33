"""Running the service: check, serve, worker, db."""

from __future__ import annotations

import signal
import threading

import click

from bridge.cli.context import CliContext, pass_context


@click.command()
@pass_context
def check(context: CliContext) -> None:
    """Validate the config (and everything it points at); exit non-zero on any problem."""
    from bridge.checks import run_checks

    settings = context.settings()
    problems = run_checks(settings)
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
    """Run the HTTP service (and, unless worker.embedded is false, the worker)."""
    from bridge.serving import serve_forever

    runtime = context.runtime()
    serve_forever(runtime, host or runtime.settings.server.host, port or runtime.settings.server.port)


@click.command()
@pass_context
def worker(context: CliContext) -> None:
    """Run a worker on its own (any number of them with PostgreSQL)."""
    runtime = context.runtime()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    runtime.start_worker_thread(stop).join()


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_context
def db_upgrade(context: CliContext) -> None:
    """Apply migrations (serve and worker also do this on start)."""
    from bridge.storage.migrate import current_revision

    runtime = context.runtime(migrate=True)
    click.echo(f"database at revision {current_revision(runtime.engine)}")
