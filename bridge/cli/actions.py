"""`bridge actions`: look at the outbox (what the bridge still has to do in Zendesk and Jira) and
replay parked actions."""

from __future__ import annotations

import click

from bridge.cli.queues import add_queue_commands, queue_detail

HEADERS = ("id", "kind", "problem", "status", "tries", "created", "outcome / error")


def _action_row(action) -> tuple:
    return (action.id, action.kind, action.problem_id, action.status, action.attempts,
            action.created_at.isoformat(timespec="seconds"), queue_detail(action))


@click.group()
def actions() -> None:
    """Actions on Zendesk and Jira in the outbox."""


add_queue_commands(actions, "action", lambda runtime: runtime.outbox, HEADERS, _action_row)
