"""Reading Zendesk's answers: job results, tickets read back, sends whose answer was lost."""

from bridge.closure.outcomes import (
    GONE,
    JOB_LOST,
    followups_to_read,
    job_changes,
    unknown_outcome_changes,
    verify_changes,
)
from bridge.domain.ports import BulkJob, RemoteTicket
from bridge.storage.closures import FAILED, NOTIFIED, PENDING, SENT
from tests.closure.conftest import ticket

TAG = "bridge_notified_9"


def by_ticket(changes):
    assert all(change.expected in (SENT, PENDING) for change in changes)
    return {change.item_id: dict(change.values) for change in changes}


def test_an_update_job_notifies_the_tickets_it_updated_and_retries_the_others():
    sent = [ticket(1, state=SENT, attempts=1), ticket(2, state=SENT, attempts=1), ticket(3, state=SENT, attempts=3)]
    job = BulkJob(finished=True, succeeded=frozenset({1}), failed={2: "Status: closed prevents ticket update",
                                                                   3: "boom"})
    changes = by_ticket(job_changes(sent, job, max_attempts=3))
    assert changes[1]["state"] == NOTIFIED
    assert changes[2] == {"state": PENDING, "verify": True, "job_id": None,
                          "last_error": "Status: closed prevents ticket update"}
    assert changes[3]["state"] == FAILED and changes[3]["last_error"] == "boom"


def test_a_follow_up_job_answers_by_position_in_ticket_order():
    sent = [ticket(8, state=SENT, closed=True, attempts=1), ticket(5, state=SENT, closed=True, attempts=1)]
    job = BulkJob(finished=True, created={0: 905}, failed={1: "Requester: invalid"})
    changes = by_ticket(job_changes(sent, job, max_attempts=3))
    assert changes[5] == {"state": NOTIFIED, "followup_ticket_id": 905, "last_error": None}
    assert changes[8]["state"] == PENDING and changes[8]["verify"]


def test_a_running_job_changes_nothing_and_a_vanished_one_means_read_back():
    sent = [ticket(1, state=SENT, attempts=1)]
    assert job_changes(sent, BulkJob(finished=False), 3) == []
    assert by_ticket(job_changes(sent, None, 3))[1] == {"state": PENDING, "verify": True, "job_id": None,
                                                         "last_error": JOB_LOST}
    assert by_ticket(unknown_outcome_changes(sent))[1]["verify"] is True


def test_reading_back_a_ticket_that_carries_the_tag_means_it_was_notified():
    pending = [ticket(1, verify=True), ticket(2, verify=True), ticket(3, verify=True)]
    remote = {1: RemoteTicket(1, "solved", frozenset({TAG})), 2: RemoteTicket(2, "open", frozenset({"x"}))}
    changes = by_ticket(verify_changes(pending, remote, {}, TAG))
    assert changes[1]["state"] == NOTIFIED
    assert changes[2] == {"verify": False, "requester_id": 1002}
    assert changes[3] == {"state": FAILED, "verify": False, "last_error": GONE}


def test_a_closed_ticket_is_notified_if_one_of_its_follow_ups_is_ours_else_it_gets_one():
    pending = [ticket(1, verify=True, attempts=1), ticket(2, verify=True, attempts=1, closed=True)]
    remote = {1: RemoteTicket(1, "closed", frozenset(), 501, (40,)),
              2: RemoteTicket(2, "closed", frozenset(), 502, (41, 42))}
    assert followups_to_read(remote, TAG) == [40, 41, 42]
    followups = {40: RemoteTicket(40, "solved", frozenset({"other"})), 42: RemoteTicket(42, "solved", frozenset({TAG}))}
    changes = by_ticket(verify_changes(pending, remote, followups, TAG))
    assert changes[1] == {"verify": False, "requester_id": 1001, "closed": True, "attempts": 0}
    assert changes[2] == {"state": NOTIFIED, "verify": False, "followup_ticket_id": 42, "last_error": None}
