"""`bridge report --since 30d [--until MOMENT] [--format markdown|html|json|csv] [--output FILE]`:
figures for leaders."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import click

from bridge.cli.context import CliContext, pass_context
from bridge.problems.report import build_report, parse_period
from bridge.problems.report_pages import RENDERERS


def _period(_context: click.Context, _parameter: click.Parameter, value: str) -> timedelta:
    try:
        return parse_period(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def since_option_of(default: str):
    """`--since`: a period ending now, as a timedelta (`bridge report`, `bridge backfill`, `bridge discover`)."""
    return click.option("--since", "period", default=default, show_default=True, callback=_period,
                        help="How far back: e.g. 30d, 12h, 4w.")


since_option = since_option_of("30d")


def _until(_context: click.Context, _parameter: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a moment such as 2026-11-05T18:00:00+00:00, got {value!r}") from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"give the moment's offset from UTC (e.g. {value}+00:00 or {value}Z)")
    return moment


@click.command("report")
@since_option
@click.option("--until", callback=_until, help="The period's end, ISO 8601 with an offset (default: now).")
@click.option("--format", "output_format", type=click.Choice(sorted(RENDERERS)), default="markdown",
              show_default=True, help="html: the page /dashboard/report serves (charts inline, prints well).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the report to this file (UTF-8) instead of printing it.")
@pass_context
def report(context: CliContext, period: timedelta, until: datetime | None, output_format: str,
           output: Path | None) -> None:
    """Top root causes, detection-to-fix times per team, fixes on time vs late, tickets that
    arrived after detection, regressions, customers notified (after the fix, and proactively before
    they wrote in) and per-team trends, over a period ending now (or --until)."""
    runtime = context.runtime()
    end = until or runtime.clock()
    found = build_report(runtime.engine, end - period, end, runtime.settings.calendar.zone)
    text = RENDERERS[output_format](found)
    if output is None:
        click.echo(text)
        return
    try:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(f"wrote {output} ({output_format})", err=True)
