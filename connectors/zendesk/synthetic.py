"""A ticket read from the incremental export, as the trigger webhook body the worker parses (the
trigger template in docs/connecting.md), so a ticket whose webhooks were missed takes the same
path as a delivered one."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from bridge.domain.events import TicketSnapshot

EXPORT_MARKER = "bridge_export"  # tells an exported ticket from a delivered trigger body


def exported_ticket_update(ticket: TicketSnapshot) -> tuple[str, dict]:
    """(delivery key, body) carrying exactly the fields the export knew. The key names the state:
    the same state exported twice is stored once, and two changes within one second of
    `updated_at` (Zendesk's precision) are still told apart."""
    fields: dict = {"id": ticket.id}
    for name in sorted(ticket.known_fields):
        value = getattr(ticket, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        fields[name] = value
    updated = int(ticket.updated_at.timestamp()) if ticket.updated_at else 0
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]
    return f"export:{ticket.id}:{updated}:{digest}", {"ticket": fields, EXPORT_MARKER: True}
