"""`bridge report --since 30d [--format markdown|html|json]`: figures for leaders."""

from __future__ import annotations

from datetime import timedelta

import click

from bridge.cli.context import CliContext, pass_context
from bridge.problems.report import RENDERERS, build_report, parse_period


def _period(_context: click.Context, _parameter: click.Parameter, value: str) -> timedelta:
    try:
        return parse_period(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


# `--since`: a period ending now, as a timedelta (`bridge report`, `bridge backfill`).
since_option = click.option("--since", "period", default="30d", show_default=True, callback=_period,
                            help="How far back: e.g. 30d, 12h, 4w.")


@click.command("report")
@since_option
@click.option("--format", "output_format", type=click.Choice(sorted(RENDERERS)), default="markdown",
              show_default=True)
@pass_context
def report(context: CliContext, period: timedelta, output_format: str) -> None:
    """Top root causes, detection-to-fix times per team, fixes on time vs late, tickets that
    arrived after detection, regressions and proactive notices (customers told before they wrote
    in), over a period ending now."""
    runtime = context.runtime()
    until = runtime.clock()
    found = build_report(runtime.engine, until - period, until, runtime.settings.calendar.zone)
    click.echo(RENDERERS[output_format](found))
