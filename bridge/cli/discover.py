"""`bridge discover --since 7d [--format json]`: groups of recent tickets no rule matched, emerging
ones first, each with a suggested rule (docs/discovery.md)."""

from __future__ import annotations

import json
from datetime import timedelta

import click

from bridge.cli.context import CliContext, pass_context
from bridge.cli.report import since_option_of
from bridge.discovery.feed import DiscoveryFeed, watched_since
from bridge.discovery.listing import format_listing, list_groups
from bridge.storage.cursors import Cursors
from bridge.storage.discovery import DiscoveryStore


@click.command("discover")
@since_option_of("7d")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="Groups shown at most.")
@pass_context
def discover(context: CliContext, period: timedelta, output_format: str, limit: int) -> None:
    """Recurring issues no rule knows yet: the recent tickets no rule matched, grouped by the
    similarity of their words. Lists each group's size, growth, requesters and organizations,
    characteristic terms, sample tickets and a suggested rule with its precision on the window's
    unmatched tickets. Emerging groups (new, or growing past their own baseline) come first.
    Groups the tickets stored since the last scheduled run first."""
    runtime = context.runtime()
    settings = runtime.settings
    feed = DiscoveryFeed(runtime.engine, settings.discovery, runtime.rules.current, runtime.clock)
    feed.run()
    now = runtime.clock()
    listed = list_groups(DiscoveryStore(runtime.engine), settings, now, period,
                         watched_since(Cursors(runtime.engine)), limit)
    if output_format == "json":
        click.echo(json.dumps({"since": (now - period).isoformat(), "until": now.isoformat(),
                               "groups": [group.to_dict() for group in listed]}, indent=2))
    else:
        click.echo(format_listing(listed, settings.discovery.recent))
