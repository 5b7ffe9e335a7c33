"""`bridge backfill --since 30d [--apply]`: last month's tickets through detection, judged at
their own times; a dry run unless --apply. The steps and why they resume are in bridge/backfill."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from typing import TextIO

import click

from bridge.backfill.pacing import ExportPacer
from bridge.backfill.reading import PageRead, StartMismatch
from bridge.backfill.run import Backfill
from bridge.cli.context import CliContext, pass_context
from bridge.cli.report import since_option
from bridge.domain.ports import RemoteError
from bridge.intake.processing import LookupUnavailable
from connectors.zendesk.client import EXPORT_REQUESTS_PER_MINUTE

RESUME_HINT = "what was read (and, with --apply, evaluated) is kept: run the same command again to go on"


@click.command("backfill")
@since_option
@click.option("--apply", is_flag=True, help="Open the problems (without it, a dry run that only says which).")
@click.option("--restart", is_flag=True, help="Forget a stored backfill and read again from --since.")
@click.option("--export-rate", type=click.IntRange(1, 1000), default=EXPORT_REQUESTS_PER_MINUTE, show_default=True,
              help="Export requests per minute (Zendesk allows 10; 30 with the High Volume API add-on).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@pass_context
def backfill(context: CliContext, period: timedelta, apply: bool, restart: bool, export_rate: int,
             as_json: bool) -> None:
    """Read history through Zendesk's incremental ticket export and say which problems it holds
    (counts and sample tickets); --apply opens them. Windows are judged on the tickets' own
    times. Stopped at any point, the next run goes on where it stopped."""
    runtime = context.runtime(migrate=True)  # it writes, and may run before the first `bridge serve`
    run = Backfill(runtime, ExportPacer(export_rate))
    stderr = sys.stderr
    try:
        start = run.start(period, restart)
        read = read_export(run, start, runtime.clock(), stderr)
        with click.progressbar(length=run.waiting(), label="evaluating tickets", file=stderr,
                               show_eta=True, show_pos=True) as bar:
            outcome = run.evaluate(apply, read, bar.update)
    except StartMismatch as error:
        raise click.UsageError(f"{error}, later than --since asks; add --restart to read again from --since "
                               f"(tickets already evaluated are evaluated again, which changes nothing)") from None
    except LookupUnavailable as error:  # the rules read fields the export lacks, and Zendesk did not answer
        _fail(f"reading tickets from Zendesk: {' '.join(str(error).split())}; {RESUME_HINT}")
    except RemoteError as error:
        _fail(f"{' '.join(str(error).split())}; {RESUME_HINT}")  # the vendor's text on one line
    except KeyboardInterrupt:
        _fail(f"interrupted; {RESUME_HINT}")
    click.echo(outcome.to_json() if as_json else outcome.format_text())


def read_export(run: Backfill, start: datetime, now: datetime, stderr: TextIO) -> int:
    """Every page of the export, with a bar over the time span it covers; tickets listed."""
    span = max(1, int((now - start).total_seconds()))
    with click.progressbar(length=span, label="reading Zendesk's export", file=stderr, show_eta=True,
                           show_percent=True) as bar:
        reached = start

        def on_page(page: PageRead) -> None:
            nonlocal reached
            if page.reached is not None and page.reached > reached:
                bar.update(int((page.reached - reached).total_seconds()))
                reached = page.reached

        listed = run.read(start, on_page)
        bar.update(span - bar.pos)  # the end of the stream is now
    return listed


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(1)
