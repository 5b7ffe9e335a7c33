"""`bridge events`: look at the inbox and replay parked events."""

from __future__ import annotations

import click

from bridge.cli.queues import add_queue_commands, queue_detail

HEADERS = ("id", "source", "status", "tries", "received", "type / outcome")


def _event_row(event) -> tuple:
    detail = queue_detail(event)
    return (event.id, event.source, event.status, event.attempts, event.received_at.isoformat(timespec="seconds"),
            (event.event_type or "-") + (f"  {detail}" if detail else ""))


@click.group()
def events() -> None:
    """Webhook events in the inbox."""


add_queue_commands(events, "event", lambda runtime: runtime.inbox, HEADERS, _event_row)
