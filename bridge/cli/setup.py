"""`bridge setup`: wire Zendesk and Jira to the bridge (webhooks, secrets, optional fields)."""

from __future__ import annotations

import click

from bridge.cli.setup_jira import setup_jira
from bridge.cli.setup_zendesk import setup_zendesk


@click.group()
def setup() -> None:
    """Create or update what Zendesk and Jira need to send the bridge its events."""


setup.add_command(setup_zendesk)
setup.add_command(setup_jira)
