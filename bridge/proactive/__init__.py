"""A proactive notice: customers who have not written in yet are told of a high-impact problem,
each by a new ticket of their own, exactly once.

The audience is a Zendesk search for users (`type:user ...`) or organizations (`type:organization
...`, whose members are the audience), given on the command line or per team
(`teams.<team>.proactive_query`). bridge/planning/proactive.py decides who is told and who is left
out and why (agents, deleted, suspended, no email, the opt-out tag on the user or their
organization, requesters of the problem's tickets, customers an earlier notice told).
`ProactiveNotices.preview` shows that (`bridge problems notify --dry-run`); `start` records one row
per recipient, queues the notice's outbox action and puts it on the problem's timeline, in one
transaction; `ProactiveActions.run` sends, a round at a time, at Zendesk's pace: create_many with
at most 100 tickets per call, the closure's job slots, requests per minute and 429 handling.

Why no customer hears twice, whatever crashes when: the closure's argument
(bridge/closure/__init__.py), on the same machinery (bridge/storage/send_rows.py: pending → sent
in one guarded UPDATE before the request, the job id recorded after it, its results read by
position; bridge/closure/outcomes.py: an uncertain send goes back to pending with `verify`). The
durable record in Zendesk of "this one got it" is the ticket itself: the ticket of notice N for
user U carries the external id `bridge-proactive-N-user-U` (and the tag `bridge_proactive_N`), and
before anyone whose send may have landed is sent again, their ticket is read by that external id
(List Tickets' `external_id`: exact at once, unlike a search, whose index lags new tickets and
which stops at 1,000 results). Found: they were told; not found: sent again. The tag and the
external id also mark the ticket as the bridge's own (bridge/domain/bridge_tickets.py): never
evaluated as a customer's report.
"""

from bridge.proactive.actions import ProactiveActions
from bridge.proactive.start import RUN_NOTICE, NotNotifiable, ProactiveNotices

__all__ = ["RUN_NOTICE", "NotNotifiable", "ProactiveActions", "ProactiveNotices"]
