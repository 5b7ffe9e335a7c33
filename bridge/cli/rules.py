"""`bridge rules check|test`: validate rule files and dry-run them without calling Zendesk or Jira."""

from __future__ import annotations

from datetime import timedelta

import click

from bridge.cli.context import CliContext, pass_context, reported_source_errors
from bridge.cli.ticket_files import load_tickets
from bridge.closure.own_words import own_words_matching_their_rule
from bridge.detection.live_rules import load_configured_rules
from bridge.rules import dry_run
from bridge.rules.durations import parse_window


def _ruleset(context: CliContext):
    settings = context.settings()
    with reported_source_errors():
        return settings, load_configured_rules(settings)


@click.group()
def rules() -> None:
    """Rule files: validate them, or see what they would do."""


@rules.command("check")
@pass_context
def check_rules(context: CliContext) -> None:
    """Validate every rule file the config names; report all errors at once. Warns (without
    failing) when a rule's own fix reply or internal note matches that rule."""
    settings, ruleset = _ruleset(context)
    for warning in own_words_matching_their_rule(ruleset, settings):
        click.echo(f"warning: {warning}", err=True)
    files = len(ruleset.files.paths()) if ruleset.files else 0
    click.echo(f"ok: {len(ruleset)} rules in {files} files")


@rules.command("test")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--ticket", "ticket_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A JSON file with one Zendesk ticket (as the API returns it), or a list of them.")
@click.option("--tickets", "ticket_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A JSON or JSONL file of Zendesk tickets.")
@click.option("--since", help="Use the tickets the bridge stored in this period, e.g. 7d or 24h.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_context
def test_rules(context: CliContext, files: tuple[str, ...], ticket_files: tuple[str, ...], since: str | None,
               as_json: bool) -> None:
    """Dry run of the rules on the Zendesk tickets in FILES (JSON or JSONL, as --tickets reads
    them): which tickets match, which groups form, what would cross the threshold and what would
    be created. Nothing is sent to Zendesk or Jira."""
    ticket_files = files + ticket_files
    if not ticket_files and not since:
        raise click.UsageError("give ticket files (FILE..., --ticket FILE, --tickets FILE) or --since PERIOD")
    _, ruleset = _ruleset(context)
    snapshots = []
    with reported_source_errors():
        for path in ticket_files:
            snapshots += load_tickets(path)
    if since:
        try:
            period: timedelta = parse_window(since)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--since") from None
        runtime = context.runtime()
        snapshots += runtime.tickets.updated_since(runtime.clock() - period)
    report = dry_run(ruleset, snapshots)
    click.echo(report.to_json() if as_json else report.format_text())
