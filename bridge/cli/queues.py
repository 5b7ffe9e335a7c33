"""`list`, `failed` and `retry` for a leased queue: the inbox (`bridge events`) and the outbox
(`bridge actions`) are looked at and replayed the same way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import click

from bridge.cli.context import CliContext, pass_context
from bridge.cli.tables import print_table
from bridge.storage.leased_queue import FAILED, STATUSES, LeasedQueue

if TYPE_CHECKING:
    from bridge.runtime import Runtime


def queue_detail(item) -> str:
    """What became of an item: the last error once it is parked, else its outcome."""
    return (item.last_error if item.status == FAILED else item.outcome) or ""


def add_queue_commands(group: click.Group, noun: str, queue_of: Callable[[Runtime], LeasedQueue],
                       headers: Sequence[str], cells: Callable[[object], Sequence[object]]) -> None:
    """Add `list`, `failed` and `retry` to `group`; `queue_of(runtime)` is the queue, `cells(item)`
    one table row under `headers`."""
    empty = f"no {noun}s"

    def show(context: CliContext, status: str | None, limit: int) -> None:
        print_table(headers, [cells(item) for item in queue_of(context.runtime()).list(status, limit)], empty)

    limit_option = click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)

    @group.command("list", help=f"Newest {noun}s first, with their state and outcome.")
    @click.option("--status", type=click.Choice(STATUSES), help=f"Only {noun}s in this state.")
    @limit_option
    @pass_context
    def list_items(context: CliContext, status: str | None, limit: int) -> None:
        show(context, status, limit)

    @group.command("failed", help=f"{noun.capitalize()}s parked after their last attempt failed, with the error.")
    @limit_option
    @pass_context
    def failed_items(context: CliContext, limit: int) -> None:
        show(context, FAILED, limit)

    @group.command("retry", help=f"Queue failed {noun}s again (the given ids, or --all).")
    @click.argument("ids", nargs=-1, type=int)
    @click.option("--all", "retry_all", is_flag=True, help=f"Retry every failed {noun}.")
    @pass_context
    def retry_items(context: CliContext, ids: tuple[int, ...], retry_all: bool) -> None:
        if not ids and not retry_all:
            raise click.UsageError(f"name {noun} ids or pass --all")
        runtime = context.runtime()
        count = queue_of(runtime).retry(runtime.clock(), None if retry_all else ids)
        click.echo(f"{count} {noun}(s) queued again")
