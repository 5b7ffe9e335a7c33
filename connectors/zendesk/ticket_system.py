"""The domain's TicketSystem port, implemented over ZendeskClient."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from bridge.domain.events import TicketSnapshot
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.tickets import snapshot_from_api_ticket


class ZendeskTicketSystem:
    def __init__(self, client: ZendeskClient):
        self.client = client

    def fetch_tickets(self, ticket_ids: Iterable[int]) -> list[TicketSnapshot]:
        """show_many for the tickets and the users behind them: 2 calls per 100 tickets."""
        tickets = self.client.show_many(sorted(set(ticket_ids)))
        requester_ids = {t.get("requester_id") for t in tickets if isinstance(t.get("requester_id"), int)}
        emails = {user["id"]: user.get("email") for user in self.client.show_many_users(requester_ids)}
        snapshots = []
        for data in tickets:
            snapshot = snapshot_from_api_ticket(data)
            email = emails.get(snapshot.requester_id)
            if email:
                snapshot = replace(snapshot, requester_email=email,
                                   known_fields=snapshot.known_fields | {"requester_email"})
            snapshots.append(snapshot)
        return snapshots
