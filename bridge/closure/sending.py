"""Which tickets go out next and in what form. Pure: no I/O.

Open tickets get one update each: personalised replies in the batch form (`tickets: [...]`, a
change per ticket), an identical reply in the `?ids=` form; closed tickets get a follow-up ticket
each (create_many). Every request carries at most 100 tickets, and a closure keeps at most
`max_jobs` of its own jobs in flight.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bridge.actions.zendesk_batches import BULK_LIMIT, chunks
from bridge.closure.message import ClosureMessage
from bridge.storage.closures import ClosureTicket
from bridge.storage.send_rows import SendItem

UPDATE_SAME, UPDATE_EACH, CREATE_FOLLOWUPS = "update_same", "update_each", "create_followups"


@dataclass(frozen=True)
class SendRequest:
    """One Zendesk call: `ticket_ids` in the order of the request (create jobs answer by position)."""

    kind: str
    ticket_ids: tuple[int, ...]
    body: dict | list[dict]  # the shared change (UPDATE_SAME), or one entry per ticket
    template_errors: tuple[str, ...] = ()


def jobs_in_flight(sent: Sequence[SendItem]) -> int:
    """A run's unfinished jobs (a closure's, a proactive notice's): those with a known id, plus as
    many as the items whose request has no recorded answer could fill."""
    known = {item.job_id for item in sent if item.job_id}
    unknown = sum(1 for item in sent if not item.job_id)
    return len(known) + math.ceil(unknown / BULK_LIMIT)


def next_batches(ready: Sequence[ClosureTicket], slots: int, hold_partial: bool = False,
                 limit: int = BULK_LIMIT) -> list[list[ClosureTicket]]:
    """Up to `slots` batches of at most `limit` tickets: updates, then follow-ups (a different
    call), each in ticket order. `hold_partial`: more tickets may still join (jobs running, tickets
    being read back), so a batch short of `limit` waits for them: fewer calls. A short batch of
    follow-ups also waits for the updates going out now, which find the closed tickets not yet known."""
    def batches(closed: bool) -> list[list[ClosureTicket]]:
        return chunks(sorted((t for t in ready if t.closed == closed), key=lambda t: t.ticket_id), limit)

    updates, followups = batches(closed=False), batches(closed=True)
    if hold_partial:
        updates = [batch for batch in updates if len(batch) == limit]
    if hold_partial or updates:
        followups = [batch for batch in followups if len(batch) == limit]
    return (updates + followups)[:max(slots, 0)]


def needs_names(batch: Sequence[ClosureTicket], message: ClosureMessage) -> list[int]:
    """Requesters whose names the batch's personalised replies need and the bridge does not have."""
    if not message.personalised:
        return []
    return sorted({t.requester_id for t in batch if t.requester_id is not None and t.requester_name is None})


def build_request(batch: Sequence[ClosureTicket], message: ClosureMessage) -> SendRequest:
    """The call for one batch (all closed, or all open), tickets in ticket order."""
    batch = sorted(batch, key=lambda t: t.ticket_id)
    ids = tuple(t.ticket_id for t in batch)
    errors: list[str] = []

    def text(ticket: ClosureTicket) -> str:
        rendered = message.text(ticket.requester_name, ticket.ticket_id)
        if rendered.error and rendered.error not in errors:
            errors.append(rendered.error)
        return rendered.text

    if batch and batch[0].closed:
        body: dict | list[dict] = [message.followup(t.ticket_id, t.requester_id, text(t)) for t in batch]
        return SendRequest(CREATE_FOLLOWUPS, ids, body, tuple(errors))
    if message.personalised:
        body = [{"id": t.ticket_id, **message.ticket_update(text(t))} for t in batch]
        return SendRequest(UPDATE_EACH, ids, body, tuple(errors))
    rendered = message.text()  # identical for every ticket
    return SendRequest(UPDATE_SAME, ids, message.ticket_update(rendered.text),
                       (rendered.error,) if rendered.error else ())
