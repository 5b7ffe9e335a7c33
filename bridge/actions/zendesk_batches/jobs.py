"""The protocol's primitives, shared by the actions and the closure: batches of at most 100
tickets, a finished job's result for one ticket, and reading tickets back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from bridge.domain.ports import BulkJob, RemoteTicket, TicketSystem

BULK_LIMIT = 100  # tickets per update_many / create_many / show_many call
NO_RESULT = "no result in the job"

T = TypeVar("T")


def chunks(items: Sequence[T], limit: int = BULK_LIMIT) -> list[list[T]]:
    """`items` in order, in batches of at most `limit`."""
    return [list(items[start:start + limit]) for start in range(0, len(items), limit)]


@dataclass(frozen=True)
class TicketResult:
    succeeded: bool
    reason: str | None = None  # why it failed
    created: int | None = None  # the ticket a create job made for it


def job_result(job: BulkJob, ticket_id: int, position: int | None = None) -> TicketResult:
    """One ticket's result in a finished job: an update job answers per ticket id, a create job
    (`position`: the ticket's place in the request) per position."""
    if position is not None:
        created = job.created.get(position)
        if created is not None:
            return TicketResult(True, created=created)
        return TicketResult(False, job.failed.get(position, NO_RESULT))
    if ticket_id in job.succeeded:
        return TicketResult(True)
    return TicketResult(False, job.failed.get(ticket_id, NO_RESULT))


def read_back(zendesk: TicketSystem, ticket_ids: Sequence[int]) -> dict[int, RemoteTicket]:
    """Tickets as Zendesk has them now (one show_many per 100); tickets it no longer has are left out."""
    return {ticket.id: ticket for batch in chunks(ticket_ids) for ticket in zendesk.read_tickets(batch)}
