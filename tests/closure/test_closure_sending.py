"""Which tickets go next, in which form, and when the closure runs again."""

from datetime import UTC, datetime, timedelta

from bridge.closure.pacing import next_run, pause_after
from bridge.closure.sending import (
    CREATE_FOLLOWUPS,
    UPDATE_EACH,
    UPDATE_SAME,
    build_request,
    jobs_in_flight,
    needs_names,
    next_batches,
)
from tests.closure.conftest import ticket
from tests.closure.test_closure_message import PERSONAL, SAME

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_batches_hold_at_most_100_tickets_follow_ups_apart_and_no_more_than_the_free_slots():
    ready = [ticket(n, closed=n % 2 == 0) for n in range(1, 451)]
    batches = next_batches(ready, slots=30)
    assert [(len(b), b[0].closed) for b in batches] == [(100, False), (100, False), (25, False), (100, True),
                                                         (100, True)]
    assert [t.ticket_id for t in batches[0][:3]] == [1, 3, 5]
    assert len(next_batches(ready, slots=2)) == 2
    assert next_batches(ready, slots=0) == []
    only_closed = [ticket(n, closed=True) for n in range(1, 11)]
    assert [len(b) for b in next_batches(only_closed, slots=30)] == [10]


def test_personalised_replies_go_in_the_batch_form_one_change_per_ticket(message_for):
    request = build_request([ticket(2), ticket(1)], message_for(PERSONAL))
    assert (request.kind, request.ticket_ids) == (UPDATE_EACH, (1, 2))
    assert request.body[0] == {"id": 1, "comment": {"body": "Hi Alex1, fixed in 2.4.1 (ENG-7).", "public": True},
                               "status": "solved", "additional_tags": ["bridge_notified_9"]}


def test_an_identical_reply_goes_in_the_ids_form(message_for):
    request = build_request([ticket(1), ticket(2)], message_for(SAME))
    assert (request.kind, request.ticket_ids) == (UPDATE_SAME, (1, 2))
    assert request.body["comment"]["body"] == "Fixed in 2.4.1, see ENG-7."


def test_closed_tickets_become_follow_ups_in_ticket_order(message_for):
    request = build_request([ticket(7, closed=True), ticket(3, closed=True)], message_for(PERSONAL))
    assert (request.kind, request.ticket_ids) == (CREATE_FOLLOWUPS, (3, 7))
    assert [f["via_followup_source_id"] for f in request.body] == [3, 7]
    assert request.body[0]["comment"]["body"].startswith("Hi Alex3,")


def test_template_errors_are_reported_once_per_request(message_for):
    request = build_request([ticket(1), ticket(2)], message_for('    public_reply: "{{ requester.x.y }}"\n'))
    assert len(request.template_errors) == 1
    assert request.body[0]["comment"]["body"].startswith("Hi Alex1,")


def test_names_are_read_only_for_personalised_replies_and_only_once(message_for):
    batch = [ticket(1, requester_name=None), ticket(2), ticket(3, requester_name=None, requester_id=None)]
    assert needs_names(batch, message_for(PERSONAL)) == [1001]
    assert needs_names(batch, message_for(SAME)) == []


def test_jobs_in_flight_count_known_jobs_and_requests_whose_answer_was_lost():
    sent = [ticket(n, state="sent", job_id=f"job{n % 3}") for n in range(9)]
    lost = [ticket(100 + n, state="sent", job_id=None) for n in range(150)]
    assert jobs_in_flight(sent) == 3
    assert jobs_in_flight(sent + lost) == 5


def test_the_pace_spreads_calls_over_the_minute():
    assert pause_after(10, 100) == timedelta(seconds=6)
    assert pause_after(0, 100) == timedelta(0)


def test_the_next_run():
    poll, grace = timedelta(seconds=2), timedelta(seconds=600)
    common = {"poll": poll, "grace": grace, "oldest_unknown": None}
    assert next_run(NOW, 10, 100, can_send=True, waiting_for_jobs=True, **common) == NOW + timedelta(seconds=6)
    assert next_run(NOW, 1, 6000, can_send=False, waiting_for_jobs=True, **common) == NOW + poll
    lost_at = NOW - timedelta(seconds=100)
    assert next_run(NOW, 0, 100, can_send=False, waiting_for_jobs=False, poll=poll, grace=grace,
                    oldest_unknown=lost_at) == lost_at + grace


def test_a_short_batch_waits_while_more_tickets_may_join_it():
    ready = [ticket(n, closed=n > 150) for n in range(1, 171)]
    assert [len(b) for b in next_batches(ready, slots=10)] == [100, 50]  # 20 follow-ups wait for the updates
    assert [len(b) for b in next_batches(ready, slots=10, hold_partial=True)] == [100]
    assert [len(b) for b in next_batches(ready[150:], slots=10)] == [20]
