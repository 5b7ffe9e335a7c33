"""Which tickets discovery groups: recent customer reports that no rule matched (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bridge.discovery.grouping import Member
from bridge.discovery.terms import customer_terms
from bridge.domain.events import TicketSnapshot

GONE_STATUSES = frozenset({"deleted"})


def candidate(ticket: TicketSnapshot, matched_by_rule: bool, seen_at: datetime, now: datetime,
              window: timedelta) -> Member | None:
    """The ticket as a member of some group, or None when it is none of discovery's business: a
    rule matched it (detection owns it), the bridge wrote it, it is gone, has no words, or was
    reported before the window (an old ticket edited now is no new report)."""
    if matched_by_rule or ticket.status in GONE_STATUSES:
        return None
    arrived_at = ticket.created_at or seen_at
    if arrived_at < now - window:
        return None
    terms = customer_terms(ticket)
    if terms is None:
        return None
    return Member(ticket.id, min(arrived_at, now), terms, ticket.requester_id, ticket.organization_id)
