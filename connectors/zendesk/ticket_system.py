"""The domain's TicketSystem port, implemented over ZendeskClient."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from bridge.domain.events import TicketSnapshot
from bridge.domain.ports import BulkJob, ChangedTicketsPage, RemoteTicket
from connectors.remote import remote_errors
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.errors import ZendeskError
from connectors.zendesk.tickets import snapshot_from_api_ticket

FINISHED_JOB_STATUSES = ("completed", "failed", "killed")


def bulk_job(job: dict) -> BulkJob:
    """A job_status body as the domain sees it: per-ticket results of updates, per-position
    results of creates. The Support API's shapes (JobStatusResultObject): a created resource is
    `{id, index}` with no `success`; an update `{id, action, status, success}`; a failure carries
    `error` and `details` (and `success: false`). `results` may also be an object or null."""
    if job.get("status") not in FINISHED_JOB_STATUSES:
        return BulkJob(finished=False)
    results = job.get("results")
    results = [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []
    job_type = str(job.get("job_type") or "").lower()
    succeeded, failed, created = set(), {}, {}
    for position, result in enumerate(results):
        ticket_id = _number(result.get("id")) or None
        reason = str(result.get("details") or result.get("error") or "failed")
        if _is_create(job_type, result):
            index = _number(result.get("index", position))
            if index is None:
                continue
            if ticket_id is not None and not _failed(result):
                created[index] = ticket_id
            else:
                failed[index] = reason
        elif ticket_id is not None:
            if result.get("success") is True and not _failed(result):
                succeeded.add(ticket_id)
            else:
                failed[ticket_id] = reason
    return BulkJob(finished=True, succeeded=frozenset(succeeded), failed=failed, created=created)


def _is_create(job_type: str, result: dict) -> bool:
    """By the job's type when it names one; else a create result has an index and no action."""
    if "create" in job_type or "update" in job_type:
        return "create" in job_type
    return (result.get("action") or ("create" if result.get("index") is not None else None)) == "create"


def _failed(result: dict) -> bool:
    return (result.get("success") is False or bool(result.get("error"))
            or str(result.get("status") or "").lower() == "failed")


def _number(value: object) -> int | None:
    """An id or index: the spec says integer; digit strings (as webhooks send ids) are read too."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def remote_ticket(data: dict) -> RemoteTicket:
    requester_id = data.get("requester_id")
    return RemoteTicket(id=int(data["id"]), status=data.get("status"), tags=frozenset(data.get("tags") or ()),
                        requester_id=requester_id if isinstance(requester_id, int) else None,
                        followup_ids=tuple(int(i) for i in data.get("followup_ids") or ()))


def _readable(tickets: Iterable[dict]) -> list[TicketSnapshot]:
    """The API tickets that parse: one malformed ticket must not hold back the rest of its batch."""
    snapshots = []
    for data in tickets:
        try:
            snapshots.append(snapshot_from_api_ticket(data))
        except ValueError:
            continue
    return snapshots


def _submitters(tickets: Iterable[dict]) -> dict[int, int]:
    """Ticket id -> the user who created it (`submitter_id`), for the tickets that say."""
    found = {}
    for data in tickets:
        if isinstance(data, dict):
            ticket_id, submitter_id = _number(data.get("id")), _number(data.get("submitter_id"))
            if ticket_id is not None and submitter_id is not None:
                found[ticket_id] = submitter_id
    return found


class ZendeskTicketSystem:
    def __init__(self, client: ZendeskClient):
        self.client = client

    def fetch_tickets(self, ticket_ids: Iterable[int]) -> list[TicketSnapshot]:
        """show_many for the tickets and the users behind them: 2 calls per 100 tickets."""
        with remote_errors("Zendesk", ZendeskError):
            tickets = self.client.show_many(sorted(set(ticket_ids)))
            requester_ids = {t["requester_id"] for t in tickets if isinstance(t.get("requester_id"), int)}
            emails = {user["id"]: user.get("email") for user in self.client.show_many_users(requester_ids)}
        snapshots = []
        for snapshot in _readable(tickets):
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

    def changed_tickets(self, since: str | datetime) -> ChangedTicketsPage:
        """One page of the incremental ticket export (malformed tickets are skipped)."""
        with remote_errors("Zendesk", ZendeskError):
            if isinstance(since, datetime):
                page = self.client.incremental_tickets(start_time=int(since.timestamp()))
            else:
                page = self.client.incremental_tickets(cursor=since)
        return ChangedTicketsPage(_readable(page.tickets), page.next_cursor, page.end_of_stream,
                                  _submitters(page.tickets))

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
