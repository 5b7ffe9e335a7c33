"""The domain's TicketSystem port, implemented over ZendeskClient."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Iterable

from bridge.domain.events import TicketSnapshot
from bridge.domain.ports import BulkJob, RemoteTicket, TicketChanges
from connectors.remote import remote_errors
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.errors import ZendeskError
from connectors.zendesk.tickets import snapshot_from_api_ticket

FINISHED_JOB_STATUSES = ("completed", "failed", "killed")


def bulk_job(job: dict) -> BulkJob:
    """A job_status body as the domain sees it: per-ticket results of updates, per-position
    results of creates."""
    if job.get("status") not in FINISHED_JOB_STATUSES:
        return BulkJob(finished=False)
    succeeded, failed, created = set(), {}, {}
    creating_job = "create" in str(job.get("job_type") or "").lower()
    for position, result in enumerate(job.get("results") or []):
        ticket_id = result.get("id")
        reason = str(result.get("details") or result.get("error") or "failed")
        if creating_job or result.get("action") == "create":
            index = result.get("index", position)
            if result.get("success") and isinstance(ticket_id, int):
                created[index] = ticket_id
            else:
                failed[index] = reason
        elif isinstance(ticket_id, int):
            if result.get("success"):
                succeeded.add(ticket_id)
            else:
                failed[ticket_id] = reason
    return BulkJob(finished=True, succeeded=frozenset(succeeded), failed=failed, created=created)


def remote_ticket(data: dict) -> RemoteTicket:
    requester_id = data.get("requester_id")
    return RemoteTicket(id=int(data["id"]), status=data.get("status"), tags=frozenset(data.get("tags") or ()),
                        requester_id=requester_id if isinstance(requester_id, int) else None,
                        followup_ids=tuple(int(i) for i in data.get("followup_ids") or ()))


class ZendeskTicketSystem:
    def __init__(self, client: ZendeskClient):
        self.client = client

    def fetch_tickets(self, ticket_ids: Iterable[int]) -> list[TicketSnapshot]:
        """show_many for the tickets and the users behind them: 2 calls per 100 tickets."""
        with remote_errors("Zendesk", ZendeskError):
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

    def read_tickets(self, ticket_ids: Iterable[int]) -> list[RemoteTicket]:
        with remote_errors("Zendesk", ZendeskError):
            return [remote_ticket(data) for data in self.client.show_many(sorted(set(ticket_ids)))]

    def user_names(self, user_ids: Iterable[int]) -> dict[int, str]:
        with remote_errors("Zendesk", ZendeskError):
            users = self.client.show_many_users(sorted(set(user_ids)))
        return {user["id"]: user.get("name") or "" for user in users}

    def changed_tickets(self, since: str | datetime) -> TicketChanges:
        """One page of the incremental ticket export (tickets without a usable id are skipped)."""
        with remote_errors("Zendesk", ZendeskError):
            if isinstance(since, datetime):
                page = self.client.incremental_tickets(start_time=int(since.timestamp()))
            else:
                page = self.client.incremental_tickets(cursor=since)
        snapshots = []
        for data in page.tickets:
            try:
                snapshots.append(snapshot_from_api_ticket(data))
            except ValueError:
                continue
        return TicketChanges(snapshots, page.next_cursor, page.end_of_stream)

    def start_bulk_update(self, ticket_ids: list[int], changes: dict) -> str:
        with remote_errors("Zendesk", ZendeskError):
            return self.client.update_many_same(ticket_ids, changes)

    def start_individual_updates(self, updates: list[dict]) -> str:
        with remote_errors("Zendesk", ZendeskError):
            return self.client.update_many_individual(updates)

    def start_bulk_create(self, tickets: list[dict]) -> str:
        with remote_errors("Zendesk", ZendeskError):
            return self.client.create_many(tickets)

    def bulk_update_status(self, job_id: str) -> BulkJob:
        with remote_errors("Zendesk", ZendeskError):
            return bulk_job(self.client.job_status(job_id))

    def bulk_statuses(self, job_ids: list[str]) -> dict[str, BulkJob]:
        with remote_errors("Zendesk", ZendeskError):
            return {str(job["id"]): bulk_job(job) for job in self.client.job_statuses(job_ids)}
