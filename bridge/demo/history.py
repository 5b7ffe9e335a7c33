"""What the demo's Zendesk holds before the bridge is wired: a burst of tickets two weeks old that
no webhook told the bridge about, for `bridge backfill` to find (`delivery-address-problems`: five
customers within seven days)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bridge.demo import phrasebook
from bridge.problems.report import parse_period
from connectors.zendesk.simulator import ZendeskSimulator

AGE = timedelta(days=14)
SPACING = timedelta(minutes=40)
BACKFILL_SINCE = "30d"  # `bridge backfill --since 30d`
BACKFILL_PERIOD = parse_period(BACKFILL_SINCE)


@dataclass(frozen=True)
class HistoryTicket:
    at: datetime
    subject: str
    body: str
    requester_email: str


def address_burst(now: datetime, seed: int) -> tuple[HistoryTicket, ...]:
    """One ticket per phrasing, each from another customer, SPACING apart from AGE ago."""
    rng = random.Random(seed)
    first_names = rng.sample(phrasebook.FIRST_NAMES, len(phrasebook.ADDRESS_PROBLEMS))
    return tuple(HistoryTicket(now - AGE + index * SPACING, subject, body,
                               f"{first.lower()}.{rng.choice(phrasebook.LAST_NAMES).lower()}@example.org")
                 for index, ((subject, body), first) in enumerate(zip(phrasebook.ADDRESS_PROBLEMS, first_names,
                                                                      strict=True)))


def create_history(tickets: tuple[HistoryTicket, ...], zendesk: ZendeskSimulator) -> None:
    """The tickets in Zendesk at their own times, as its ticket import makes them."""
    for ticket in tickets:
        zendesk.created_ticket_at(ticket.at, ticket.subject, ticket.body, email=ticket.requester_email)
