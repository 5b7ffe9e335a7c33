"""`bridge discover --since 7d [--format json]`: groups of recent tickets no rule matched, emerging
ones first, each with a suggested rule; `accept ID --to FILE` writes that rule, `dismiss ID`
hides the group until it grows (docs/discovery.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import click

from bridge.cli.context import CliContext, pass_context, reported_source_errors
from bridge.cli.report import since_option_of
from bridge.detection.live_rules import load_configured_rules
from bridge.discovery.decisions import DecisionRefused, GroupDecisions
from bridge.discovery.feed import DiscoveryFeed, watched_since
from bridge.discovery.listing import format_listing, list_groups
from bridge.runtime import Runtime
from bridge.storage.cursors import Cursors
from bridge.storage.discovery import DiscoveryStore


@click.group("discover", invoke_without_command=True)
@since_option_of("7d")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="Groups shown at most.")
@click.pass_context
def discover(click_context: click.Context, period: timedelta, output_format: str, limit: int) -> None:
    """Recurring issues no rule knows yet: the recent tickets no rule matched, grouped by the
    similarity of their words. Lists each group's size, growth, requesters and organizations,
    characteristic terms, sample tickets and a suggested rule with its precision on the window's
    tickets. Emerging groups (new, or growing past their own baseline) come first. Groups the
    tickets stored since the scheduled job's last run first."""
    if click_context.invoked_subcommand is not None:
        return
    context = click_context.find_object(CliContext)
    assert context is not None, "bridge's own group makes the context"
    runtime = _grouped(context)
    now = runtime.clock()
    listed = list_groups(DiscoveryStore(runtime.engine), runtime.settings, now, period,
                         watched_since(Cursors(runtime.engine)), limit)
    if output_format == "json":
        click.echo(json.dumps({"since": (now - period).isoformat(), "until": now.isoformat(),
                               "groups": [group.to_dict() for group in listed]}, indent=2))
    else:
        click.echo(format_listing(listed, runtime.settings.discovery.recent))


@discover.command("accept")
@click.argument("group_id", type=int)
@click.option("--to", "path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The rule file to write the rule into (created, or the rule added at the end of its list).")
@click.option("--team", help="The team the rule routes to (default: discovery.team, else the first team).")
@pass_context
def accept(context: CliContext, group_id: int, path: Path, team: str | None) -> None:
    """Write group GROUP_ID's suggested rule into a rule file, validated first; detection then
    takes the group's tickets over with the rule's threshold, team and due date."""
    settings = context.settings()
    if team is not None and team not in settings.teams:
        raise click.BadParameter(f"{team!r} is not one of teams: {', '.join(sorted(settings.teams))}",
                                 param_hint="--team")
    runtime = _grouped(context)
    with reported_source_errors(), _refusals():
        accepted = _decisions(runtime).accept(group_id, path.resolve(), team, load_configured_rules(settings))
    click.echo(f"rule {accepted.rule} written to {accepted.path} (precision {accepted.precision:.2f} "
               "on the window's tickets)")
    runtime.rules.reloader.check()
    if runtime.rules.current().by_name(accepted.rule) is None:
        click.echo(f"warning: the config's `rules` do not name {accepted.path}: add it for detection to use the rule",
                   err=True)
        return
    click.echo(f"the running bridge hands the group's {accepted.group.size} tickets to detection once it has "
               f"reloaded the rules (its discover job, every {runtime.settings.discovery.run_seconds:g} s)")


@discover.command("dismiss")
@click.argument("group_id", type=int)
@pass_context
def dismiss(context: CliContext, group_id: int) -> None:
    """Stop suggesting group GROUP_ID, unless it grows past its size now."""
    with _refusals():
        group = _decisions(context.runtime()).dismiss(group_id)
    click.echo(f"group {group_id} dismissed at {group.size} tickets")


def _grouped(context: CliContext) -> Runtime:
    """The runtime, once the tickets stored since the scheduled job's last run are grouped."""
    runtime = context.runtime()
    if not runtime.settings.discovery.enabled:
        raise click.ClickException("discovery is off (discovery.enabled: false in the config)")
    DiscoveryFeed(runtime.engine, runtime.settings.discovery, runtime.rules.current, runtime.clock).catch_up()
    return runtime


def _decisions(runtime: Runtime) -> GroupDecisions:
    return GroupDecisions(runtime.engine, runtime.settings, runtime.clock)


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except DecisionRefused as refused:
        raise click.ClickException(refused.message) from None
