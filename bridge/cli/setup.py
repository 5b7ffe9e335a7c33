"""`bridge setup`: wire Zendesk and Jira to the bridge (webhooks, secrets, optional fields)."""

from __future__ import annotations

import click


@click.group()
def setup() -> None:
    """Create or update what Zendesk and Jira need to send the bridge its events."""
