"""What the demo's Zendesk holds before the bridge is wired, which no webhook told the bridge about:
a burst of tickets two weeks old for `bridge backfill` to find (`delivery-address-problems`: five
customers within seven days); with `--keep-running`, a second one (`billing-refund-missing`); and
the everyday questions of the last days, which no rule matches: the steady background against
which discovery judges a new group (docs/discovery.md)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bridge.demo import phrasebook
from bridge.demo.scenario import OUTBREAK_PRODUCT
from bridge.problems.report import parse_period
from connectors.zendesk.simulator import ZendeskSimulator

AGE = timedelta(days=14)
SPACING = timedelta(minutes=40)
EVERYDAY_DAYS, EVERYDAY_PER_DAY = 6, 3  # the everyday questions: three a day over the last six days
REFUND_DELAY = timedelta(hours=6)  # after the address burst: Zendesk's export lists changes in time order
BACKFILL_SINCE = "30d"  # `bridge backfill --since 30d`
BACKFILL_PERIOD = parse_period(BACKFILL_SINCE)


@dataclass(frozen=True)
class HistoryTicket:
    at: datetime
    subject: str
    body: str
    requester_email: str
    everyday: bool = False  # an everyday question (no rule's business), not the address burst


def address_burst(now: datetime, seed: int) -> tuple[HistoryTicket, ...]:
    """One ticket per phrasing, each from another customer, SPACING apart from AGE ago."""
    return burst(phrasebook.ADDRESS_PROBLEMS, now - AGE, seed)


def refund_burst(now: datetime, seed: int) -> tuple[HistoryTicket, ...]:
    """`billing-refund-missing` (five customers within seven days), just after the address burst:
    the first look's problem that comes back after its fix (bridge/demo/first_look.py)."""
    return burst(phrasebook.REFUND_MISSING, now - AGE + REFUND_DELAY, seed + 1)


def burst(phrasings: tuple[tuple[str, str], ...], start: datetime, seed: int) -> tuple[HistoryTicket, ...]:
    """One ticket per phrasing, each from another customer, SPACING apart from `start`."""
    rng = random.Random(seed)
    first_names = rng.sample(phrasebook.FIRST_NAMES, len(phrasings))
    return tuple(HistoryTicket(start + index * SPACING, subject, body,
                               f"{first.lower()}.{rng.choice(phrasebook.LAST_NAMES).lower()}@example.org")
                 for index, ((subject, body), first) in enumerate(zip(phrasings, first_names, strict=True)))


def everyday_questions(now: datetime, seed: int) -> tuple[HistoryTicket, ...]:
    """The noise of the live stream (phrasebook.NOISE) at its own pace on the days before, each
    from another customer, oldest first."""
    rng = random.Random(seed + 1)
    tickets = []
    for day in range(EVERYDAY_DAYS, 0, -1):
        for slot in range(EVERYDAY_PER_DAY):
            subject, body = rng.choice(phrasebook.NOISE)
            first, last = rng.choice(phrasebook.FIRST_NAMES), rng.choice(phrasebook.LAST_NAMES)
            at = now - timedelta(days=day) + timedelta(hours=2 + slot * 6, minutes=rng.randrange(60))
            tickets.append(HistoryTicket(at, subject, body.format(first=first, app=OUTBREAK_PRODUCT.app),
                                         f"{first.lower()}.{last.lower()}.{day}{slot}@example.net", everyday=True))
    return tuple(tickets)


def demo_history(now: datetime, seed: int, first_look: bool = False) -> tuple[HistoryTicket, ...]:
    """All of them, in time order (the export lists changes in the order they happened); the
    refund burst only for the first look."""
    bursts = address_burst(now, seed) + (refund_burst(now, seed) if first_look else ())
    return tuple(sorted(bursts + everyday_questions(now, seed), key=lambda ticket: ticket.at))


def create_history(tickets: tuple[HistoryTicket, ...], zendesk: ZendeskSimulator) -> None:
    """The tickets in Zendesk at their own times, as its ticket import makes them."""
    for ticket in tickets:
        zendesk.created_ticket_at(ticket.at, ticket.subject, ticket.body, email=ticket.requester_email)
