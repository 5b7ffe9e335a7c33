"""Once a suggestion is a rule, detection takes the group's tickets over: each goes through the
worker's processing as a report made when the customer made it (as `bridge backfill` evaluates
history), so a group already past the rule's threshold opens its problem now, and the next
matching ticket joins it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from bridge.domain.events import TicketEvent, TicketSnapshot
from bridge.intake.processing import EventProcessor


def hand_over(engine: Engine, processor: EventProcessor, tickets: Sequence[TicketSnapshot],
              now: datetime) -> list[str]:
    """The tickets through detection in the order they were reported; each one's outcome."""
    events = [TicketEvent(event_id=f"discovery:{ticket.id}", kind="discovered", ticket=ticket,
                          occurred_at=ticket.created_at or now, historical=True)
              for ticket in sorted(tickets, key=lambda t: (t.created_at or now, t.id))]
    lookups = processor.prepare(events)  # what the rules read and the snapshots lack, before locking
    with engine.begin() as connection:
        return processor.apply_many(connection, events, now, lookups)
