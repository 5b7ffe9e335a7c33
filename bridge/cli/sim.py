"""`bridge sim zendesk|jira`: run a simulator in the foreground so an admin can try a config.

Defaults match config.simulators.yaml: the same environment variables, the same fallbacks."""

from __future__ import annotations

import click

DEFAULT_BRIDGE_URL = "http://127.0.0.1:8080"
SIMULATOR_API_EMAIL = "bridge@example.com"
SIMULATOR_API_TOKEN = "simulator-token"
ZENDESK_WEBHOOK_SECRET = "zendesk-simulator-webhook-secret"
JIRA_WEBHOOK_SECRET = "jira-simulator-webhook-secret"


def _common_options(port: int, secret_variable: str, secret_default: str, token_variable: str):
    def decorate(command):
        for option in reversed((
            click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on."),
            click.option("--port", type=click.IntRange(1, 65535), default=port, show_default=True),
            click.option("--bridge-url", default=DEFAULT_BRIDGE_URL, show_default=True,
                         help="The bridge's base URL; webhooks go to its /webhooks/... endpoint."),
            click.option("--webhook-secret", envvar=secret_variable, default=secret_default, show_default=True,
                         help=f"Secret the webhooks are signed with (env {secret_variable})."),
            click.option("--api-token", envvar=token_variable, default=SIMULATOR_API_TOKEN, show_default=True,
                         help=f"API token the simulator accepts (env {token_variable})."),
        )):
            command = option(command)
        return command
    return decorate


@click.group()
def sim() -> None:
    """Simulated Zendesk and Jira (in memory) sending signed webhooks to a bridge."""


@sim.command()
@_common_options(8101, "ZENDESK_WEBHOOK_SECRET", ZENDESK_WEBHOOK_SECRET, "ZENDESK_API_TOKEN")
def zendesk(host: str, port: int, bridge_url: str, webhook_secret: str, api_token: str) -> None:
    """Serve a Zendesk Support API simulator until Ctrl-C."""
    from connectors.zendesk.simulator import run_standalone

    webhook_url = f"{bridge_url.rstrip('/')}/webhooks/zendesk"
    click.echo(f"config: zendesk.url http://{host}:{port}, email {SIMULATOR_API_EMAIL}, api_token {api_token}, "
               f"webhook_secret {webhook_secret}")
    click.echo(f"ticket events go to {webhook_url}; press Ctrl-C to stop")
    run_standalone(host=host, port=port, bridge_url=webhook_url, webhook_secret=webhook_secret,
                   api_email=SIMULATOR_API_EMAIL, api_token=api_token)


@sim.command()
@_common_options(8102, "JIRA_WEBHOOK_SECRET", JIRA_WEBHOOK_SECRET, "JIRA_API_TOKEN")
@click.option("--deployment", type=click.Choice(["cloud", "server"]), default="cloud", show_default=True,
              help="Jira Cloud (email + API token) or Data Center (personal access token).")
@click.option("--url-token", envvar="JIRA_WEBHOOK_URL_TOKEN",
              help="Also send a ?token= in the webhook URL (env JIRA_WEBHOOK_URL_TOKEN).")
def jira(host: str, port: int, bridge_url: str, webhook_secret: str, api_token: str, deployment: str,
         url_token: str | None) -> None:
    """Serve a Jira REST API simulator (projects FIN, ENG, SHIP) until Ctrl-C."""
    from connectors.jira.simulator import run_standalone

    webhook_url = f"{bridge_url.rstrip('/')}/webhooks/jira"
    user = SIMULATOR_API_EMAIL if deployment == "cloud" else None
    credentials = f"email {user}, api_token {api_token}" if user else f"personal access token {api_token}"
    click.echo(f"Jira simulator ({deployment}) on http://{host}:{port}")
    click.echo(f"config: jira.url http://{host}:{port}, deployment {deployment}, {credentials}, "
               f"webhook_secret {webhook_secret}" + (f", webhook_url_token {url_token}" if url_token else ""))
    click.echo(f"issue events go to {webhook_url}; press Ctrl-C to stop")
    run_standalone(host=host, port=port, bridge_url=webhook_url, webhook_secret=webhook_secret,
                   deployment=deployment, url_token=url_token, api_token=api_token, user=user)
