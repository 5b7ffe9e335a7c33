"""`bridge setup jira`: register the bridge's Jira webhook and, with --fields, its number fields."""

from __future__ import annotations

import click

from bridge.cli.context import CliContext, pass_context
from bridge.cli.public_url import PUBLIC_URL_VARIABLE, public_url_option, resolved_public_url


@click.command("jira")
@public_url_option
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
@click.option("--fields", is_flag=True, help="Also create the affected-count number fields, and say which "
                                              "screens to add them to.")
@pass_context
def setup_jira(context: CliContext, public_url: str | None, dry_run: bool, fields: bool) -> None:
    """Register (or bring up to date) the Jira admin webhook the bridge needs: the issue and version
    events it reads, only for the configured projects, signed with jira.webhook_secret (or carrying
    jira.webhook_url_token). Found again by name: running it twice changes nothing."""
    from bridge.setup.jira import (
        jira_wiring,
        open_client,
        set_up_fields,
        set_up_webhook,
    )
    from connectors.jira.errors import JiraError

    settings = context.settings()
    public_url = resolved_public_url(public_url, settings)
    if public_url is None:
        raise click.UsageError(f"pass --public-url (or set ${PUBLIC_URL_VARIABLE}): the address Jira "
                               "reaches the bridge at, e.g. https://bridge.example.com")
    try:
        with open_client(settings) as client:
            lines = set_up_webhook(client, jira_wiring(settings, public_url), dry_run)
            if fields:
                lines += ["", *set_up_fields(client, settings, dry_run)]
    except JiraError as error:
        refused = error.status in (401, 403)
        hint = " (webhooks and fields need a Jira administrator's jira.api_token)" if refused else ""
        click.echo(f"error: Jira at {settings.jira.url}: {error.message}{hint}", err=True)
        raise SystemExit(1) from None
    for line in lines:
        click.echo(line)
