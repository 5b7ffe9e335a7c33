"""`--public-url`: the address Zendesk and Jira reach the bridge at (`bridge setup`, `bridge check`)."""

from __future__ import annotations

import click

from bridge.config.settings import Settings, check_http_url

PUBLIC_URL_VARIABLE = "BRIDGE_PUBLIC_URL"


def _validated(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return check_http_url(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an http(s) URL such as https://bridge.example.com") from None


public_url_option = click.option(
    "--public-url", envvar=PUBLIC_URL_VARIABLE, callback=_validated,
    help=f"The bridge's address as Jira and Zendesk reach it, e.g. https://bridge.example.com "
         f"(default: ${PUBLIC_URL_VARIABLE}, then server.public_url).")


def resolved_public_url(option: str | None, settings: Settings) -> str | None:
    """The option's (or the variable's) address, else the config's `server.public_url`."""
    return option or settings.server.public_url
