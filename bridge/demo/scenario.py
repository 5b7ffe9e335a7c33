"""A generated, seeded stream of customer tickets with three root causes plus unrelated noise, and
the agent activity that follows (triage tags, status changes, replies)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from itertools import product as cartesian

from bridge.demo import phrasebook

# Zendesk custom field the web form fills with the product; the demo config maps `product` to it.
PRODUCT_FIELD_ID = 360000000001
WEB_FORM_TAG = "web_form"

# Share of the stream per category (largest remainder), and which phrasebook each cause uses.
CATEGORY_SHARES = {"billing": 0.20, "defect": 0.25, "delivery": 0.30, "noise": 0.25}
CAUSE_PHRASES = {
    "double_charge": phrasebook.DOUBLE_CHARGE,
    "wrong_invoice": phrasebook.WRONG_INVOICE,
    "app_crash": phrasebook.APP_CRASH,
    "late_or_lost": phrasebook.LATE_OR_LOST,
    "unrelated": phrasebook.NOISE,
}
TOPIC_TAGS = {"billing": "topic_billing", "defect": "topic_app", "delivery": "topic_orders",
              "noise": "topic_account"}
# What an agent adds when triaging a ticket of that cause (the rules also accept these tags).
TRIAGE_TAGS = {"double_charge": "double_charge", "wrong_invoice": "invoice", "app_crash": "crash",
               "late_or_lost": "late_delivery"}


@dataclass(frozen=True)
class ProductProfile:
    value: str  # the custom field value
    app: str
    phones: tuple[str, ...]
    versions: tuple[str, ...]


# The defect hits one product (the outbreak); a few reports concern another one.
OUTBREAK_PRODUCT = ProductProfile("acme_shop_ios", "Acme Shop for iOS", phrasebook.PHONES, ("4.2.0", "4.2.1"))
OTHER_PRODUCT = ProductProfile("acme_shop_android", "Acme Shop for Android", ("Pixel 8", "Galaxy S23"),
                               ("4.1.7",))
PRODUCT_BY_CATEGORY = {"billing": "acme_plus_subscription", "delivery": "acme_store", "noise": None}


@dataclass(frozen=True)
class CustomerTicket:
    category: str  # billing | defect | delivery | noise
    cause: str  # a key of CAUSE_PHRASES
    subject: str
    body: str
    requester_name: str
    requester_email: str
    tags: tuple[str, ...]
    product: str | None

    @property
    def custom_fields(self) -> dict[int, str]:
        return {PRODUCT_FIELD_ID: self.product} if self.product else {}


@dataclass(frozen=True)
class AgentAction:
    ticket_index: int  # position in Scenario.tickets
    changes: dict  # a Zendesk `ticket` update body
    description: str


@dataclass(frozen=True)
class Scenario:
    seed: int
    tickets: tuple[CustomerTicket, ...]
    agent_actions: tuple[AgentAction, ...] = field(default=())

    def count_by_category(self) -> dict[str, int]:
        counts = Counter(ticket.category for ticket in self.tickets)
        return {category: counts[category] for category in CATEGORY_SHARES}


def category_counts(total: int) -> dict[str, int]:
    """Split `total` by CATEGORY_SHARES, rounding by largest remainder so the parts add up."""
    exact = {category: total * share for category, share in CATEGORY_SHARES.items()}
    counts = {category: int(value) for category, value in exact.items()}
    by_remainder = sorted(exact, key=lambda category: exact[category] - counts[category], reverse=True)
    for category in by_remainder[:total - sum(counts.values())]:
        counts[category] += 1
    return counts


def generate_scenario(total: int = 40, seed: int = 7) -> Scenario:
    rng = random.Random(seed)
    causes = _causes(category_counts(total), rng)
    people = _people(total, rng)
    phrase_cycles = {cause: _cycle(len(phrases), rng) for cause, phrases in CAUSE_PHRASES.items()}
    defect_count = sum(1 for _, cause in causes if cause == "app_crash")
    outbreak_size = defect_count - defect_count // 4
    tickets, defects_seen = [], 0
    for (category, cause), (first, last, email) in zip(causes, people, strict=True):
        profile = None
        if cause == "app_crash":
            profile = OUTBREAK_PRODUCT if defects_seen < outbreak_size else OTHER_PRODUCT
            defects_seen += 1
        subject, body = CAUSE_PHRASES[cause][next(phrase_cycles[cause])]
        body = rng.choice(phrasebook.GREETINGS) + body + rng.choice(phrasebook.SIGN_OFFS)
        values = _placeholder_values(rng, first, last, profile)
        tickets.append(CustomerTicket(
            category=category, cause=cause, subject=subject.format(**values), body=body.format(**values),
            requester_name=f"{first} {last}", requester_email=email,
            tags=(WEB_FORM_TAG, TOPIC_TAGS[category]),
            product=profile.value if profile else PRODUCT_BY_CATEGORY[category]))
    return Scenario(seed, tuple(tickets), tuple(_agent_actions(tickets, rng)))


def _causes(counts: dict[str, int], rng: random.Random) -> list[tuple[str, str]]:
    billing = counts["billing"]
    double_charges = billing - billing * 2 // 5
    causes = ([("billing", "double_charge")] * double_charges
              + [("billing", "wrong_invoice")] * (billing - double_charges)
              + [("defect", "app_crash")] * counts["defect"]
              + [("delivery", "late_or_lost")] * counts["delivery"]
              + [("noise", "unrelated")] * counts["noise"])
    rng.shuffle(causes)
    return causes


def _people(total: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """Distinct requesters (first, last, email); numbered once every name pair is taken."""
    pairs = list(cartesian(phrasebook.FIRST_NAMES, phrasebook.LAST_NAMES))
    rng.shuffle(pairs)
    people = []
    for index in range(total):
        first, last = pairs[index % len(pairs)]
        suffix = "" if index < len(pairs) else str(index // len(pairs))
        domain = rng.choice(phrasebook.EMAIL_DOMAINS)
        people.append((first, last, f"{first.lower()}.{last.lower()}{suffix}@{domain}"))
    return people


def _cycle(size: int, rng: random.Random):
    """Every phrasing once, in a shuffled order, before any repeats."""
    while True:
        order = list(range(size))
        rng.shuffle(order)
        yield from order


def _placeholder_values(rng: random.Random, first: str, last: str, profile: ProductProfile | None) -> dict:
    amount = rng.choice((9.99, 14.99, 29.00, 49.00, 89.90))
    difference = rng.choice((5.00, 10.00, 20.00, 45.50))
    profile = profile or OUTBREAK_PRODUCT
    return {
        "first": first, "last": last,
        "order": rng.randint(100000, 999999),
        "amount": f"EUR {amount:.2f}", "other_amount": f"EUR {amount + difference:.2f}",
        "difference": f"EUR {difference:.2f}",
        "invoice": f"INV-2026-{rng.randint(1, 9999):04d}",
        "plan": rng.choice(phrasebook.PLANS), "month": rng.choice(phrasebook.MONTHS),
        "day": rng.choice(phrasebook.DAYS), "occasion": rng.choice(phrasebook.OCCASIONS),
        "tracking": f"JD{rng.randint(10**11, 10**12 - 1)}",
        "code": rng.choice((500, 503, 1012, 4021)),
        "app": profile.app, "phone": rng.choice(profile.phones), "version": rng.choice(profile.versions),
    }


def _agent_actions(tickets: list[CustomerTicket], rng: random.Random) -> list[AgentAction]:
    """Agents answer and solve the unrelated questions and triage about half of the problem tickets."""
    actions = []
    for index, ticket in enumerate(tickets):
        if ticket.cause == "unrelated":
            actions.append(AgentAction(index, {
                "comment": {"body": f"Hi {ticket.requester_name.split()[0]}, here is how to do that: "
                                    "see our help centre article. Let us know if anything is unclear.",
                            "public": True},
                "status": "solved"}, "answered and solved"))
        elif rng.random() < 0.5:
            tag = TRIAGE_TAGS[ticket.cause]
            actions.append(AgentAction(index, {"status": "open", "additional_tags": [tag]},
                                       f"tagged {tag}, status open"))
    return actions
