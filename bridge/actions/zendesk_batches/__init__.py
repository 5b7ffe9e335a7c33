"""One bulk Zendesk send: the same change for many tickets, 100 per `update_many` job, one job at
a time, each ticket told once. Used by the link, status and overdue-note actions (through
`BatchSender`) and by the closure, whose per-ticket rows and pacing live in bridge/closure but
whose protocol steps are these (`outcomes.py`: batches of at most 100, a finished job's result
per ticket, reading back tickets whose send may have landed).

Every run of an action takes the same steps, in this order:

1. A job Zendesk accepted is polled until it finished; its tickets are then told (succeeded) or
   failed (see the failure policy).
2. A batch recorded by another attempt, whose job id was never recorded (the attempt failed or
   died after sending it, or before), may or may not have gone out: the first run of a new
   attempt waits `closure.unknown_outcome_seconds` (by when a job Zendesk accepted has surely
   run), then reads those tickets back, and those carrying the update's mark (its tag) are told.
   A postponement (a 429) is not a new attempt: it sends again at once.
3. The next batch (at most 100 tickets not yet told, given up or waiting to be retried) is
   recorded in the action's payload before it is sent (one more claim of the action, at once),
   so that a retry knows whose update may have gone out. Then it is sent, and the job's id
   recorded.
4. Nothing left to send: finished.

Failure policy (the closure's too): a ticket that a finished job reports failed is sent again,
no sooner than `RETRY_DELAY` (30 s) later (the closure reads it back first, at its own pace), at
most `closure.ticket_attempts` (3) times in all; then it is given up on: logged as
`zendesk_batch.ticket_given_up` and reported in the action's outcome (the closure reports it in
its audit entry). A request Zendesk does not answer is the action's failure: the action worker
retries it with backoff, and step 2 makes the retry safe.

The state of a send is `BatchState`, kept under one key of the action's payload
(bridge/zendesk_batches/state.py, which also reads the payloads of earlier versions).
"""

from bridge.actions.zendesk_batches.jobs import (
           BULK_LIMIT,
           NO_RESULT,
           TicketResult,
           chunks,
           job_result,
           read_back,
)
from bridge.actions.zendesk_batches.sender import RETRY_DELAY, BatchSender, Finished, Wait
from bridge.actions.zendesk_batches.state import BatchState, Job, Sending, state_of, with_state

__all__ = ["BULK_LIMIT", "NO_RESULT", "RETRY_DELAY", "BatchSender", "BatchState", "Finished", "Job", "Sending",
           "TicketResult", "Wait", "chunks", "job_result", "read_back", "state_of", "with_state"]
