"""The bulk send's steps, in the order bridge/zendesk_batches/__init__.py gives them, for an
outbox action: each run takes as many as it can without waiting and says when to come back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bridge.actions.zendesk_batches.jobs import BULK_LIMIT, job_result, read_back
from bridge.actions.zendesk_batches.state import BatchState, Sending
from bridge.domain.ports import RemoteTicket, TicketSystem
from bridge.logs import log_event

log = logging.getLogger("bridge.zendesk_batches")

JOB_POLL = timedelta(seconds=1)
RETRY_DELAY = timedelta(seconds=30)


@dataclass(frozen=True)
class Wait:
    """Come back at `until` with `state` (a job running, a batch just recorded, an unknown send)."""

    until: datetime
    state: BatchState
    reason: str


@dataclass(frozen=True)
class Finished:
    """Nothing left to send now (or, with `one_job`, a job just finished)."""

    state: BatchState


# The tickets the next batch may take (at most 100, none of `excluded`), oldest first.
NextBatch = Callable[[set[int], int], list[int]]
# Whether a ticket read back carries the update (e.g. its tag).
Landed = Callable[[RemoteTicket], bool]


class BatchSender:
    def __init__(self, zendesk: TicketSystem, unknown_outcome: timedelta, max_attempts: int):
        self.zendesk, self.unknown_outcome, self.max_attempts = zendesk, unknown_outcome, max_attempts

    def step(self, state: BatchState, attempt: int, now: datetime, *, next_batch: NextBatch,
             send: Callable[[list[int]], str], landed: Landed | None, context: dict,
             one_job: bool = False) -> Wait | Finished:
        """`attempt`: the action's attempts (claims that were not postponements); `landed`: None
        when a ticket read back cannot show the update (it is sent again); `context`: log fields."""
        if state.job is not None:
            job = self.zendesk.bulk_update_status(state.job.id)
            if not job.finished:
                return Wait(now + JOB_POLL, state, "waiting for the Zendesk job")
            results = {ticket_id: job_result(job, ticket_id) for ticket_id in state.job.tickets}
            for ticket_id, result in results.items():
                if not result.succeeded:
                    log_event(log, logging.WARNING, "zendesk_batch.ticket_failed", ticket_id=ticket_id,
                              reason=(result.reason or "")[:200], **context)
            state, given_up = state.after_job(results, now, self.max_attempts, RETRY_DELAY)
            for ticket_id in given_up:
                log_event(log, logging.WARNING, "zendesk_batch.ticket_given_up", ticket_id=ticket_id,
                          attempts=self.max_attempts, **context)
            if one_job:
                return Finished(state)
        sending = state.sending
        if sending is not None and sending.attempt != attempt:
            if sending.read_back != attempt:
                return Wait(now + self.unknown_outcome, replace(state, sending=replace(sending, read_back=attempt)),
                            "waiting for an unknown send")
            told: list[int] = []
            if landed is not None:
                remote = read_back(self.zendesk, list(sending.tickets))
                told = [t for t in sending.tickets if t in remote and landed(remote[t])]
            state = replace(state.told(told), sending=None)
        batch = next_batch(state.excluded(now), BULK_LIMIT)[:BULK_LIMIT]
        if not batch:
            retry_at = state.waiting_since(now)
            return Wait(retry_at, state, "waiting to retry failed tickets") if retry_at else Finished(state)
        if state.sending != Sending(tuple(batch), attempt):
            return Wait(now, state.recorded(batch, attempt), "recording the batch")
        return Wait(now + JOB_POLL, state.sent(send(batch)), "waiting for the Zendesk job")
