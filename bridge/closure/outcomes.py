"""What Zendesk's answers mean for a closure's tickets: finished jobs, tickets read back to settle
an unknown outcome, sends whose answer was lost. Pure: returns TicketChange rows for the store.

Whenever the bridge cannot be sure a send did not land (a failed or vanished job, a lost answer),
the ticket becomes pending with `verify` set, and is read before it may be sent again: a ticket
carrying the closure's tag, or with a follow-up carrying it, is notified already.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bridge.actions.zendesk_batches import job_result
from bridge.domain.ports import BulkJob, RemoteTicket
from bridge.storage.closures import FAILED, NOTIFIED, PENDING, SENT, ClosureTicket, TicketChange
from bridge.storage.send_rows import SendItem

GONE = "the ticket no longer exists in Zendesk"
JOB_LOST = "Zendesk no longer knows the job"


def to_verify(item: SendItem, reason: str | None = None) -> TicketChange:
    """Sent, outcome unknown: read it before sending again (the attempt still counts). Shared by
    every exactly-once send (closures, proactive notices)."""
    values = {"state": PENDING, "verify": True, "job_id": None}
    if reason:
        values["last_error"] = reason[:2000]
    return TicketChange(item.item_id, SENT, values)


def retry_or_fail(item: SendItem, reason: str, max_attempts: int, attempts: int | None = None) -> TicketChange:
    """Zendesk said this item failed: again (after reading it) while attempts remain, else failed.
    `attempts`: the item's attempts so far, when more than its row said when read."""
    if (item.attempts if attempts is None else attempts) >= max_attempts:
        return TicketChange(item.item_id, SENT, {"state": FAILED, "job_id": None, "last_error": reason[:2000]})
    return to_verify(item, reason)


def job_changes(sent: Sequence[ClosureTicket], job: BulkJob | None, max_attempts: int) -> list[TicketChange]:
    """The tickets of one finished (or vanished: None) job. An update job answers per ticket id;
    a follow-up job by position, and its tickets were sent in ticket order."""
    if job is None:
        return [to_verify(ticket, JOB_LOST) for ticket in sent]
    if not job.finished:
        return []
    changes = []
    for position, ticket in enumerate(sorted(sent, key=lambda t: t.ticket_id)):
        result = job_result(job, ticket.ticket_id, position if ticket.closed else None)
        if not result.succeeded:
            changes.append(retry_or_fail(ticket, result.reason or "", max_attempts))
        elif ticket.closed:
            changes.append(TicketChange(ticket.ticket_id, SENT, {
                "state": NOTIFIED, "followup_ticket_id": result.created, "last_error": None}))
        else:
            changes.append(TicketChange(ticket.ticket_id, SENT, {"state": NOTIFIED, "last_error": None}))
    return changes


def unknown_outcome_changes(sent: Sequence[SendItem]) -> list[TicketChange]:
    """Sends whose answer was never recorded (the bridge stopped mid-request), old enough that a
    job Zendesk accepted has run."""
    return [to_verify(ticket, "the answer to the send was lost") for ticket in sent]


def followups_to_read(remote: Mapping[int, RemoteTicket], tag: str) -> list[int]:
    """Follow-ups of closed, untagged tickets: one of them may be this closure's."""
    return sorted({followup for ticket in remote.values() if ticket.status == "closed" and tag not in ticket.tags
                   for followup in ticket.followup_ids})


def verify_changes(pending: Sequence[ClosureTicket], remote: Mapping[int, RemoteTicket],
                   followups: Mapping[int, RemoteTicket], tag: str) -> list[TicketChange]:
    """Tickets read back from Zendesk (`followups`: the follow-up tickets of closed ones)."""
    changes = []
    for ticket in pending:
        found = remote.get(ticket.ticket_id)
        if found is None:
            changes.append(TicketChange(ticket.ticket_id, PENDING, {"state": FAILED, "verify": False,
                                                                    "last_error": GONE}))
            continue
        if tag in found.tags:
            changes.append(TicketChange(ticket.ticket_id, PENDING, {"state": NOTIFIED, "verify": False,
                                                                    "last_error": None}))
            continue
        ours = [f for f in found.followup_ids if f in followups and tag in followups[f].tags]
        if ours:
            changes.append(TicketChange(ticket.ticket_id, PENDING, {
                "state": NOTIFIED, "verify": False, "followup_ticket_id": ours[0], "last_error": None}))
            continue
        values: dict = {"verify": False, "requester_id": ticket.requester_id or found.requester_id}
        if found.status == "closed" and not ticket.closed:
            # It failed because it is closed, not for a reason that may recur: a fresh start as a follow-up.
            values |= {"closed": True, "attempts": 0}
        changes.append(TicketChange(ticket.ticket_id, PENDING, values))
    return changes
