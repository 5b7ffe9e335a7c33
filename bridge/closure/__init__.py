"""Fix shipped: every ticket linked to a problem hears about it exactly once.

A *closure* is a bulk job in the database (bridge/storage/closures.py): one row per fix, one row
per linked ticket. `Closure.start` creates it in the transaction that marks the problem fixed and
queues its outbox action; `ClosureActions.run` works through it, a round at a time, at the pace
Zendesk allows: at most 100 tickets per call, at most `zendesk.max_jobs_in_flight` (30) of its own
jobs running, `zendesk.requests_per_minute` spread evenly, a 429's Retry-After obeyed and a 429
TooManyJobs waited out. Open tickets get the rule's public reply, status and tags (batch form when
the reply is personalised, `?ids=` form when identical); closed ones, which Zendesk will not
update, get a solved follow-up ticket carrying the reply. The bulk send's steps (batches of at
most 100, a job's result per ticket, reading tickets back) are bridge/zendesk_batches', as for
every other bulk update; the closure keeps its own per-ticket rows (bridge/storage/send_rows.py)
and rounds (send_round.py: collect jobs, settle lost answers, read back, send, pace), which a
proactive notice shares (bridge/proactive: the same argument, its tickets read back by external id).

Why no customer hears twice, whatever crashes when:

1. Every update adds the tag `bridge_notified_<closure id>`, in the same ticket update as the
   reply (Zendesk applies one ticket's update whole or not at all), and every follow-up carries
   the tag too. The tag is the durable, readable record in Zendesk of "this one got it".
2. Before a request, the tickets in it move pending → sent in one guarded UPDATE (committed); only
   the caller whose UPDATE moved a ticket may send it. Two runners on one closure (a lease taken
   over) split the tickets, never share one.
3. After the request the job id is recorded; later its results turn tickets notified, or (a
   per-ticket failure) pending again with `verify` set.
4. Whenever it is not certain that a send did *not* land, the ticket is never sent blindly again:
   it goes back to pending with `verify`, and is read from Zendesk first (show_many, 100 per
   call). Tagged, or with a follow-up that is tagged: notified. Otherwise it is sent again.
   This covers: a crash after the tickets were marked sent but before or after Zendesk accepted
   the job, before its id was recorded (the ticket stays `sent` with no job id and is read back
   once `closure.unknown_outcome_seconds` have passed, by when a job Zendesk accepted has run);
   a crash while polling (the job id is recorded, polling resumes); a job Zendesk no longer
   knows, or one that failed as a whole; a timeout or 5xx on the request.
5. A crash after reading a job's results but before recording them only repeats the read.

So a second message would need Zendesk to accept a job and not run it for longer than
`unknown_outcome_seconds` (default 10 minutes); Zendesk runs queued jobs within seconds to
minutes. Everything else is read back before anything is sent again.
"""

from bridge.closure.actions import ClosureActions
from bridge.closure.start import RUN_CLOSURE, Closure

__all__ = ["RUN_CLOSURE", "Closure", "ClosureActions"]
