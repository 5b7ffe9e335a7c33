"""`bridge events`: look at the inbox and replay parked events."""

from __future__ import annotations

import click

from bridge.cli.context import pass_context
from bridge.storage.inbox import FAILED, STATUSES


def _print_events(rows) -> None:
    if not rows:
        click.echo("no events")
        return
    click.echo(f"{'id':>8}  {'source':8} {'status':10} {'tries':>5}  {'received':25} type / outcome")
    for row in rows:
        detail = row.last_error if row.status == FAILED else (row.outcome or "")
        click.echo(f"{row.id:>8}  {row.source:8} {row.status:10} {row.attempts:>5}  "
                   f"{row.received_at.isoformat(timespec='seconds'):25} {row.event_type or '-'}"
                   f"{'  ' + detail if detail else ''}")


@click.group()
def events() -> None:
    """Webhook events in the inbox."""


@events.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only events in this state.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@pass_context
def list_events(context, status: str | None, limit: int) -> None:
    """Newest events first, with their state and outcome."""
    _print_events(context.runtime().inbox.list(status, limit))


@events.command("failed")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@pass_context
def failed_events(context, limit: int) -> None:
    """Events parked after their last attempt failed, with the error."""
    _print_events(context.runtime().inbox.list(FAILED, limit))


@events.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "retry_all", is_flag=True, help="Retry every failed event.")
@pass_context
def retry_events(context, ids: tuple[int, ...], retry_all: bool) -> None:
    """Queue failed events again (the given ids, or --all)."""
    if not ids and not retry_all:
        raise click.UsageError("name event ids or pass --all")
    runtime = context.runtime()
    count = runtime.inbox.retry(runtime.clock(), None if retry_all else ids)
    click.echo(f"{count} event(s) queued again")
