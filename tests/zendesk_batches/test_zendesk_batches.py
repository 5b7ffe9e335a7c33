"""The one bulk Zendesk send: its steps in order, its failure policy, its state in the payload,
and the payloads earlier versions wrote."""

from datetime import UTC, datetime, timedelta

import pytest

from bridge.actions.zendesk_batches import (
    RETRY_DELAY,
    BatchSender,
    BatchState,
    Finished,
    Job,
    Sending,
    TicketResult,
    Wait,
    chunks,
    job_result,
    state_of,
    with_state,
)
from bridge.actions.zendesk_batches.sender import JOB_POLL
from bridge.domain.ports import BulkJob, RemoteTicket

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
GRACE = timedelta(minutes=10)
TAG = "problem_7"


class FakeZendesk:
    """Jobs finish at once; tickets in `failing` fail in them; `tags` is what a read-back sees."""

    def __init__(self, failing=()):
        self.failing, self.sent, self.read = set(failing), [], []
        self.tags: dict[int, set[str]] = {}

    def start_bulk_update(self, ticket_ids, changes):
        self.sent.append(list(ticket_ids))
        for ticket_id in ticket_ids:
            if ticket_id not in self.failing:
                self.tags.setdefault(ticket_id, set()).add(TAG)
        return f"job-{len(self.sent)}"

    def bulk_update_status(self, job_id):
        tickets = self.sent[int(job_id.split("-")[1]) - 1]
        return BulkJob(finished=True, succeeded=frozenset(t for t in tickets if t not in self.failing),
                       failed={t: "RecordInvalid" for t in tickets if t in self.failing})

    def read_tickets(self, ticket_ids):
        self.read.append(list(ticket_ids))
        return [RemoteTicket(t, "open", frozenset(self.tags.get(t, ()))) for t in ticket_ids]


def run(zendesk, tickets, state=None, attempt=1, now=NOW, runs=20, one_job=False):
    """Run the steps as the action worker would, each Wait's state saved and its time reached."""
    state = state or BatchState()
    sender = BatchSender(zendesk, GRACE, max_attempts=3)
    for _ in range(runs):
        step = sender.step(state, attempt, now, send=lambda batch: zendesk.start_bulk_update(batch, {}),
                           next_batch=lambda excluded, limit: [t for t in tickets if t not in excluded][:limit],
                           landed=lambda ticket: TAG in ticket.tags, context={}, one_job=one_job)
        if isinstance(step, Finished):
            return step.state, now
        state = state_of(with_state({}, step.state))  # through the payload, as the outbox keeps it
        now = max(now, step.until)
    raise AssertionError("not finished")


def test_batches_of_at_most_100_are_recorded_then_sent_then_polled_one_job_at_a_time():
    zendesk = FakeZendesk()
    sender = BatchSender(zendesk, GRACE, max_attempts=3)
    tickets = list(range(1, 251))
    kwargs = dict(send=lambda batch: zendesk.start_bulk_update(batch, {}), landed=None, context={},
                  next_batch=lambda excluded, limit: [t for t in tickets if t not in excluded][:limit])
    first = sender.step(BatchState(), 1, NOW, **kwargs)
    assert isinstance(first, Wait) and first.until == NOW and zendesk.sent == []  # recorded, not sent
    assert first.state.sending == Sending(tuple(range(1, 101)), 1)
    second = sender.step(first.state, 1, NOW, **kwargs)
    assert zendesk.sent == [list(range(1, 101))] and second.state.job == Job("job-1", tuple(range(1, 101)))
    assert second.state.sending is None

    state, _ = run(zendesk, tickets, second.state)
    assert [len(batch) for batch in zendesk.sent] == [100, 100, 50]
    assert sorted(state.done) == tickets and zendesk.read == []


def test_a_failed_ticket_goes_again_after_the_delay_and_is_given_up_after_three_sends():
    zendesk = FakeZendesk(failing={2})
    state, finished_at = run(zendesk, [1, 2, 3])
    assert zendesk.sent == [[1, 2, 3], [2], [2]]
    assert (sorted(state.done), state.given_up, dict(state.failures)) == ([1, 3], (2,), {})
    assert finished_at == NOW + 2 * RETRY_DELAY + 3 * JOB_POLL  # each job polled once


def test_a_batch_another_attempt_recorded_is_read_back_after_the_grace_and_only_the_untold_are_sent():
    zendesk = FakeZendesk()
    zendesk.tags = {1: {TAG}, 2: {TAG}}  # attempt 1's job went out to 1 and 2 before it died
    recorded = BatchState(sending=Sending((1, 2, 3), attempt=1))
    state, finished_at = run(zendesk, [1, 2, 3, 4], recorded, attempt=2)
    assert zendesk.read == [[1, 2, 3]] and zendesk.sent == [[3, 4]]
    assert sorted(state.done) == [1, 2, 3, 4] and finished_at == NOW + GRACE + JOB_POLL


def test_a_postponed_run_of_the_same_attempt_sends_its_recorded_batch_at_once():
    zendesk = FakeZendesk()
    _, finished_at = run(zendesk, [1, 2], BatchState(sending=Sending((1, 2), attempt=1)), attempt=1)
    assert zendesk.read == [] and zendesk.sent == [[1, 2]] and finished_at == NOW + JOB_POLL


def test_one_job_finishes_after_its_job_and_carries_the_failures_to_the_next_action():
    zendesk = FakeZendesk(failing={2})
    state, _ = run(zendesk, [1, 2, 3], one_job=True)
    assert (sorted(state.done), dict(state.failures)) == ([1, 3], {2: 1})
    carried = state.carried()
    assert (carried.done, carried.failures, carried.retry_at) == ((), {2: 1}, NOW + JOB_POLL + RETRY_DELAY)
    assert carried.excluded(NOW) == {2} and carried.excluded(carried.retry_at) == set()


def test_the_primitives_the_closure_shares():
    assert chunks(list(range(250))) == [list(range(100)), list(range(100, 200)), list(range(200, 250))]
    job = BulkJob(finished=True, succeeded=frozenset({1}), failed={2: "closed"}, created={0: 905})
    assert job_result(job, 1) == TicketResult(True)
    assert job_result(job, 2) == TicketResult(False, "closed")
    assert job_result(job, 3) == TicketResult(False, "no result in the job")
    assert job_result(job, 8, position=0) == TicketResult(True, created=905)


# --- payloads written before this module -------------------------------------------------------

@pytest.mark.parametrize(("payload", "own", "expected"), [
    ({"job": {"id": "j1", "kind": "link", "tickets": [3, 4], "already": [1, 2]}}, {},
     BatchState(done=(1, 2), job=Job("j1", (3, 4)))),
    ({"job": {"id": "j2", "kind": "unlink", "tickets": [5]}}, {"unlinking": True},
     BatchState(job=Job("j2", (5,)))),
    ({"already": [1], "sending": {"tickets": [2, 3], "attempt": 2, "read_back": 3}}, {},
     BatchState(done=(1,), sending=Sending((2, 3), 2, 3))),
    ({"target": "Done|done|Fixed|fixed", "done": [1, 2], "failures": {"3": 2}, "job": {"id": "j3", "tickets": [3]}},
     {"target": "Done|done|Fixed|fixed"}, BatchState(done=(1, 2), failures={3: 2}, job=Job("j3", (3,)))),
    ({"due_date": "2026-11-27", "noted": [1], "failed": [2], "sending": {"tickets": [3], "attempt": 1}},
     {"due_date": "2026-11-27"}, BatchState(done=(1,), given_up=(2,), sending=Sending((3,), 1))),
])
def test_a_payload_an_earlier_version_wrote_resumes_where_it_was(payload, own, expected):
    assert state_of(payload) == expected
    upgraded = with_state(payload, state_of(payload))
    assert {key: value for key, value in upgraded.items() if key != "batches"} == own
    assert state_of(upgraded) == expected


def test_the_state_survives_the_payload():
    state = BatchState(done=(1,), given_up=(2,), failures={3: 1}, retry_at=NOW, job=Job("j", (3, 4)),
                       sending=Sending((5,), 2, 2))
    payload = with_state({"target": "t"}, state)
    assert payload["target"] == "t" and state_of(payload) == state
    assert state_of({"due_date": "2026-11-27"}) == BatchState()
