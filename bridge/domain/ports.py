"""What the domain needs from the vendors; connectors implement these, tests can replace them."""

from __future__ import annotations

from typing import Iterable, Protocol

from bridge.domain.events import TicketSnapshot


class TicketSystem(Protocol):
    def fetch_tickets(self, ticket_ids: Iterable[int]) -> list[TicketSnapshot]:
        """Full current snapshots (custom fields and requester email included), batched."""
        ...
