"""An audience in a running Zendesk simulator for a proactive notice: organizations on the affected
product version (and one that is not), their members, some opted out (on the user or on their
organization), suspended, without email, or already linked to the problem; and a bridge runtime
against it (tests/support/closure_world.py's, with its limits and scaled-down pace)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bridge.domain.bridge_tickets import PROACTIVE_TAG
from bridge.domain.problems import OPEN
from bridge.runtime import Runtime
from connectors.zendesk.simulator import ZendeskSimulator
from tests.support.closure_world import seed_world

QUERY = "type:organization product_version:2.3"
OPT_OUT = "no_proactive_notice"


@dataclass
class Audience:
    sim: ZendeskSimulator
    runtime: Runtime
    problem_id: int
    told: set[int] = field(default_factory=set)  # user ids the notice must reach
    left_out: dict[str, set[int]] = field(default_factory=dict)  # reason -> user ids it must not


def seed_audience(sim: ZendeskSimulator, runtime: Runtime, customers: int, organizations: int = 10,
                  linked: int = 5) -> Audience:
    """`customers` users to tell in `organizations` organizations on version 2.3, besides `linked`
    requesters of the problem's tickets among them, 4 opted out by a user tag, 3 suspended, 2
    without email, and an opted-out organization (3 members) on 2.3 and one on 2.4 (3 members)."""
    world = seed_world(sim, runtime, linked, closed_every=10**6, state=OPEN)
    audience = Audience(sim, runtime, world.problem_id,
                        left_out={"already_linked": set(), "opted_out": set(), "suspended": set(),
                                  "no_email": set(), "not_found": set()})
    orgs = [sim.create_organization(f"Org {n}", {"product_version": "2.3"})["id"] for n in range(organizations)]
    special = [("opted_out", {"tags": [OPT_OUT]})] * 4 + [("suspended", {"suspended": True})] * 3 + [
        ("no_email", {"email_known": False})] * 2
    for number in range(customers + linked + len(special)):
        options: dict = {}
        reason = None
        if number < linked:
            reason = "already_linked"  # seed_world's customer{n}: requesters of the problem's tickets
        elif number - linked < len(special):
            reason, options = special[number - linked]
        user = sim.create_customer(f"customer{number}@example.com", f"Pat{number} Lee",
                                   organization_id=orgs[number % organizations], **options)
        (audience.left_out[reason] if reason else audience.told).add(user["id"])
    opted = sim.create_organization("Opted Out Inc", {"product_version": "2.3"}, tags=[OPT_OUT])["id"]
    other = sim.create_organization("Later Ltd", {"product_version": "2.4"})["id"]
    for number in range(3):
        audience.left_out["opted_out"].add(sim.create_customer(f"optout{number}@example.com",
                                                               organization_id=opted)["id"])
        audience.left_out["not_found"].add(sim.create_customer(f"later{number}@example.com",
                                                               organization_id=other)["id"])
    return audience


def proactive_tickets_per_requester(sim: ZendeskSimulator) -> Counter:
    return Counter(ticket["requester_id"] for ticket in sim.tickets() if PROACTIVE_TAG in ticket["tags"])
