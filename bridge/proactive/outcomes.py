"""What Zendesk's answers mean for a proactive notice's recipients: finished create jobs, and the
tickets found by the external id each recipient's ticket carries. Pure: returns RowChange rows for
the store. A send whose outcome is uncertain goes back to pending with `verify`
(bridge/closure/outcomes.py's to_verify and retry_or_fail, shared): the recipient's ticket is
looked for before any resend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bridge.actions.zendesk_batches import job_result
from bridge.closure.outcomes import JOB_LOST, retry_or_fail, to_verify
from bridge.domain.bridge_tickets import proactive_external_id
from bridge.domain.ports import BulkJob
from bridge.storage.proactive import Recipient
from bridge.storage.send_rows import NOTIFIED, PENDING, SENT, RowChange


def job_changes(sent: Sequence[Recipient], job: BulkJob | None, max_attempts: int) -> list[RowChange]:
    """The recipients of one finished (or vanished: None) create job, sent in user id order: the
    job answers by position."""
    if job is None:
        return [to_verify(recipient, JOB_LOST) for recipient in sent]
    if not job.finished:
        return []
    changes = []
    for position, recipient in enumerate(sorted(sent, key=lambda r: r.user_id)):
        result = job_result(job, recipient.user_id, position)
        if result.succeeded:
            changes.append(RowChange(recipient.user_id, SENT, {
                "state": NOTIFIED, "ticket_id": result.created, "last_error": None}))
        else:
            changes.append(retry_or_fail(recipient, result.reason or "", max_attempts))
    return changes


def verify_changes(notice_id: int, pending: Sequence[Recipient], created: Mapping[str, int]) -> list[RowChange]:
    """Recipients whose earlier send may have landed: told when the ticket made for them (its
    external id, `created`: external id -> ticket id) exists, else free to be sent again."""
    changes = []
    for recipient in pending:
        ticket_id = created.get(proactive_external_id(notice_id, recipient.user_id))
        if ticket_id is not None:
            changes.append(RowChange(recipient.user_id, PENDING, {
                "state": NOTIFIED, "verify": False, "ticket_id": ticket_id, "last_error": None}))
        else:
            changes.append(RowChange(recipient.user_id, PENDING, {"verify": False}))
    return changes
