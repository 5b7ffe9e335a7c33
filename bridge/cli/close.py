"""`bridge problems close ID [--version V]`: announce a problem's fix by hand and wait for it."""

from __future__ import annotations

import click

from bridge.cli.context import CliContext, pass_context
from bridge.cli.send_progress import report_send, with_progress_bar


@click.command("close")
@click.argument("problem_id", type=click.IntRange(1, 2**63 - 1))
@click.option("--version", "fix_version", help="The version that ships the fix (customers see it in the reply).")
@pass_context
def close_command(context: CliContext, problem_id: int, fix_version: str | None) -> None:
    """Tell every customer linked to the problem that the fix shipped: mark the problem fixed (if
    it is not), then send the replies (follow-ups for closed tickets) here, within Zendesk's limits,
    with a progress bar. Safe to interrupt and run again: nobody hears twice."""
    from bridge.closure.in_process import run_closure
    from bridge.closure.start import NotClosable, start_by_hand
    from bridge.storage.closures import FAILED

    runtime = context.runtime()
    try:
        with runtime.engine.begin() as connection:
            closure_id = start_by_hand(runtime.closure, runtime.problems, connection, problem_id,
                                       runtime.clock(), fix_version)
    except NotClosable as error:
        raise click.ClickException(f"problem {problem_id} cannot be closed: {error}") from None
    total = runtime.closures.get(closure_id).total
    progress = with_progress_bar(total, f"closure {closure_id}: notifying {total} tickets", f"closure {closure_id}",
                                 lambda show: run_closure(runtime, closure_id, show))
    report_send(f"closure {closure_id}", progress, "tickets notified",
                (f"ticket {ticket.ticket_id}: {ticket.last_error}"
                 for ticket in runtime.closures.tickets(closure_id, FAILED)))
