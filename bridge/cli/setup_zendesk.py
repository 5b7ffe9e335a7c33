"""`bridge setup zendesk`: create or update the bridge's Zendesk webhook, hand over its secret,
name the API agent's user id, and optionally create the ticket fields the bridge fills.

Everything is printed as shell comments but the `export` line, so the output can be `eval`ed."""

from __future__ import annotations

import os
import shlex
import tempfile
from pathlib import Path

import click

from bridge.checks.zendesk_check import zendesk_failure
from bridge.cli.context import CliContext, pass_context, reported_source_errors
from bridge.cli.public_url import PUBLIC_URL_VARIABLE, public_url_option, resolved_public_url
from bridge.config.settings import CONFIG_ENV_VARIABLE, Settings
from bridge.setup.config import settings_for_setup
from bridge.setup.zendesk import ZendeskSetup, config_keys, set_up_zendesk
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.errors import ZendeskError

SECRET_VARIABLE = "ZENDESK_WEBHOOK_SECRET"


@click.command("zendesk")
@public_url_option
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
@click.option("--fields", "with_fields", is_flag=True,
              help="Also create the optional ticket fields the bridge fills (zendesk.fields.*).")
@click.option("--secrets-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the webhook's signing secret to this file (mode 0600) instead of printing it.")
@pass_context
def setup_zendesk(context: CliContext, public_url: str | None, dry_run: bool, with_fields: bool,
                  secrets_file: Path | None) -> None:
    """Create or update the Zendesk webhook the bridge needs (found again by its name), subscribed
    to every ticket event the bridge reads and pointing at PUBLIC_URL/webhooks/zendesk; print its
    signing secret as an export line (or write it to --secrets-file) and the API agent's user id.
    Running it again changes nothing that is already right."""
    settings = _settings(context)
    public_url = resolved_public_url(public_url, settings)
    if public_url is None:
        raise click.UsageError(f"pass --public-url (or set ${PUBLIC_URL_VARIABLE} or server.public_url): the "
                               "address Zendesk reaches the bridge at")
    zendesk = settings.zendesk
    client = ZendeskClient(zendesk.url, zendesk.email, zendesk.api_token.get_secret_value())
    try:
        setup = set_up_zendesk(client, public_url, dry_run, with_fields, settings.zendesk.fields.model_dump())
    except ZendeskError as error:
        raise click.ClickException(zendesk_failure(settings, error)) from None
    finally:
        client.session.close()
    for line in setup.lines:
        click.echo(f"# {line}")
    if dry_run:
        click.echo("# dry run: nothing was changed")
    _print_config(public_url, setup)
    if setup.result is not None:
        _hand_over(setup.result.signing_secret, secrets_file)


def _settings(context: CliContext) -> Settings:
    if not context.config_path:
        raise click.UsageError(f"no config: pass --config PATH or set {CONFIG_ENV_VARIABLE}")
    with reported_source_errors():
        return settings_for_setup(context.config_path)


def _print_config(public_url: str, setup: ZendeskSetup) -> None:
    click.echo("# the config keys this sets up:")
    for key, value in config_keys(public_url, setup.user_id, setup.result.field_ids if setup.result else {}):
        click.echo(f"#   {key}: {value}")


def _hand_over(secret: str, secrets_file: Path | None) -> None:
    if secrets_file is None:
        click.echo(f"export {SECRET_VARIABLE}={shlex.quote(secret)}")
        return
    write_secret_file(secrets_file, secret)
    click.echo(f"# the webhook's signing secret is in {secrets_file} (mode 0600): set {SECRET_VARIABLE} from it")


def write_secret_file(path: Path, secret: str) -> None:
    """The secret alone, in a file only its owner can read, replaced in one step."""
    directory = path.resolve().parent
    try:
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")  # mode 0600
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secret)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {path}: {error.strerror}") from None
