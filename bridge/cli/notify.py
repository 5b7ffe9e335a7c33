"""`bridge problems notify ID [--query Q] [--subject S] [--message M | --template FILE]
(--dry-run | --send)`: a proactive notice to customers who have not written in yet."""

from __future__ import annotations

import click

from bridge.cli.context import CliContext, pass_context
from bridge.cli.send_progress import report_send, with_progress_bar


def _show_preview(preview, sample_size: int) -> None:
    from bridge.proactive.preview_text import preview_lines

    lines, warnings = preview_lines(preview, sample_size)
    for line in lines:
        click.echo(line)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


@click.command("notify")
@click.argument("problem_id", type=click.IntRange(1, 2**63 - 1))
@click.option("--query", help="A Zendesk search for the audience: `type:user ...`, or `type:organization ...` "
                              "for the members of the organizations found (default: the team's proactive_query).")
@click.option("--subject", help="The tickets' subject, a template (default: proactive.subject).")
@click.option("--message", help="The tickets' text, a template (default: proactive.message).")
@click.option("--template", "template_file", type=click.File("r", encoding="utf-8"),
              help="Read the message template from this file.")
@click.option("--dry-run", is_flag=True, help="Show who would be told, who is left out and why; send nothing.")
@click.option("--send", is_flag=True, help="Send the notice (the approval): a ticket to every customer told.")
@pass_context
def notify_command(context: CliContext, problem_id: int, query: str | None, subject: str | None,
                   message: str | None, template_file, dry_run: bool, send: bool) -> None:
    """Tell customers who have not written in yet about a high-impact problem: a new ticket each,
    created in bulk (create_many, 100 per call) at Zendesk's pace, with a progress bar. Left out:
    agents, deleted, suspended and email-less users, those with the opt-out tag (on them or their
    organization), the problem's requesters, and anyone an earlier notice told. Safe to interrupt
    and run again: nobody hears twice."""
    from bridge.domain.ports import RemoteError
    from bridge.proactive.in_process import run_notice
    from bridge.proactive.start import NotNotifiable
    from bridge.storage.send_rows import FAILED

    if dry_run == send:
        raise click.UsageError("give --dry-run to preview the notice, or --send to send it")
    if message is not None and template_file is not None:
        raise click.UsageError("give --message or --template, not both")
    if template_file is not None:
        message = template_file.read()
    runtime = context.runtime()
    try:
        preview = runtime.proactive.preview(problem_id, query, subject, message)
        _show_preview(preview, runtime.settings.proactive.sample_size)
        if dry_run:
            return
        notice_id = runtime.proactive.start(preview, runtime.clock())
    except NotNotifiable as error:
        raise click.ClickException(f"problem {problem_id} cannot be notified: {error}") from None
    except RemoteError as error:  # the search: Zendesk unreachable, rate limiting, failing
        wait = f" (it asked to wait {error.retry_after:g} s)" if error.retry_after else ""
        raise click.ClickException(f"the audience search failed, nothing was sent: {error}{wait}; "
                                   "try again") from None
    total = len(preview.audience.recipients)
    progress = with_progress_bar(total, f"proactive notice {notice_id}: telling {total} customers",
                                 f"proactive notice {notice_id}", lambda show: run_notice(runtime, notice_id, show))
    report_send(f"proactive notice {notice_id}", progress, "customers told",
                (f"user {recipient.user_id}: {recipient.last_error}"
                 for recipient in runtime.proactive_store.recipients(notice_id, FAILED)))
