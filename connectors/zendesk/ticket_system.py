"""The domain's TicketSystem port, implemented over ZendeskClient."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

import contextlib
from typing import Iterator

from bridge.domain.events import TicketSnapshot
from bridge.domain.ports import BulkJob, RemoteError
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.errors import ZendeskError
from connectors.zendesk.tickets import snapshot_from_api_ticket


@contextlib.contextmanager
def remote_errors() -> Iterator[None]:
    try:
        yield
    except ZendeskError as error:
        temporary = error.status is None or error.status == 429 or error.status >= 500
        raise RemoteError(f"Zendesk: {error.message}", temporary, error.retry_after,
                          error.status) from error


class ZendeskTicketSystem:
    def __init__(self, client: ZendeskClient):
        self.client = client

    def fetch_tickets(self, ticket_ids: Iterable[int]) -> list[TicketSnapshot]:
        """show_many for the tickets and the users behind them: 2 calls per 100 tickets."""
        with remote_errors():
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

    def start_bulk_update(self, ticket_ids: list[int], changes: dict) -> str:
        with remote_errors():
            return self.client.update_many_same(ticket_ids, changes)

    def bulk_update_status(self, job_id: str) -> BulkJob:
        with remote_errors():
            job = self.client.job_status(job_id)
        if job.get("status") not in ("completed", "failed", "killed"):
            return BulkJob(finished=False)
        succeeded, failed = set(), {}
        for result in job.get("results") or []:
            ticket_id = result.get("id")
            if not isinstance(ticket_id, int):
                continue
            if result.get("success"):
                succeeded.add(ticket_id)
            else:
                failed[ticket_id] = str(result.get("details") or result.get("error") or "failed")
        return BulkJob(finished=True, succeeded=frozenset(succeeded), failed=failed)
