"""A problem with many linked tickets, those tickets in a running Zendesk simulator, and a bridge
runtime whose ticket system is the real adapter over the real client: what tests/closure and
bench/close.py share. The simulator's rate-limit window is scaled down (100 requests per second
stands in for 100 per minute) so that thousands of tickets close in seconds; the bridge's own
pace is scaled the same way."""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bridge.domain.events import TicketSnapshot
from bridge.domain.problems import FIXED
from bridge.runtime import Runtime, build_runtime
from bridge.storage.snapshots import TicketSnapshots
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.simulator import ZendeskSimulator
from connectors.zendesk.ticket_system import ZendeskTicketSystem
from tests.support.settings import make_settings

PERSONAL_RULE, SAME_RULE = "checkout-crash", "invoice-wrong"
RULES = f"""
rules:
  - name: {PERSONAL_RULE}
    team: engineering
    match: {{text: {{any: [checkout]}}}}
    threshold: {{count: 3, window: 1h}}
    zendesk:
      on_fix:
        public_reply: "Hi {{{{ requester.first_name }}}}, {{{{ problem.jira_key }}}} is fixed in {{{{ fix_version }}}}."
        tags: [checkout_fixed]
  - name: {SAME_RULE}
    team: engineering
    match: {{text: {{any: [invoice]}}}}
    threshold: {{count: 3, window: 1h}}
    zendesk:
      on_fix:
        public_reply: "Invoices are right again since {{{{ fix_version }}}}."
        status: solved
"""
LIMIT_PER_WINDOW = 100  # Zendesk's ticket-update limit: 100 requests per minute...
WINDOW_SECONDS = 1.0  # ...with the minute scaled down to this
TIME_SCALE = 60.0 / WINDOW_SECONDS


@dataclass
class ClosureWorld:
    sim: ZendeskSimulator
    runtime: Runtime
    problem_id: int
    ticket_ids: list[int]
    closed_ids: set[int]


def closure_runtime(sim: ZendeskSimulator, directory: Path, **settings) -> Runtime:
    (directory / "rules").mkdir(exist_ok=True)
    (directory / "rules" / "rules.yaml").write_text(textwrap.dedent(RULES))
    overrides = {
        "zendesk": {"url": sim.url, "email": sim.api_email, "api_token": sim.api_token,
                    "requests_per_minute": int(LIMIT_PER_WINDOW * TIME_SCALE), "max_jobs_in_flight": 30},
        "rules": [str(directory / "rules" / "*.yaml")],
        "closure": {"job_poll_seconds": 0.05, "unknown_outcome_seconds": 1.0},
        **settings,
    }
    runtime_settings = make_settings(f"sqlite:///{directory / 'bridge.db'}", **overrides)
    client = ZendeskClient(sim.url, sim.api_email, sim.api_token, timeout=5)
    return build_runtime(runtime_settings, ticket_system=ZendeskTicketSystem(client))


def limited_simulator(job_delay: float = 0.02) -> ZendeskSimulator:
    sim = ZendeskSimulator(job_delay=job_delay)
    sim.set_rate_limit(LIMIT_PER_WINDOW, window_seconds=WINDOW_SECONDS)
    sim.set_job_limits(max_in_flight=30)
    return sim


def seed_world(sim: ZendeskSimulator, runtime: Runtime, count: int, closed_every: int = 10,
               rule: str = PERSONAL_RULE, known_closed_share: float = 0.5, state: str = FIXED) -> ClosureWorld:
    """`count` customer tickets (every `closed_every`-th closed) linked to one fixed problem; the
    bridge's snapshots know about the first `known_closed_share` of the closed ones (the others it
    finds closed when Zendesk refuses the update)."""
    ticket_ids, closed_ids = [], set()
    for number in range(count):
        ticket = sim.customer_creates_ticket(f"Checkout fails {number}", "The checkout crashed.",
                                             email=f"customer{number}@example.com", name=f"Alex{number} Doe")
        ticket_ids.append(ticket["id"])
        if number % closed_every == closed_every - 1:
            sim.agent_updates_ticket(ticket["id"], status="closed")
            closed_ids.add(ticket["id"])
    known = sorted(closed_ids)[:int(len(closed_ids) * known_closed_share)]
    now = datetime.now(UTC)
    with runtime.engine.begin() as connection:
        problem = runtime.problems.active_for_update(connection, rule, "", "engineering", now, state=state,
                                                     jira_key="ENG-7", fix_version="2.4.1")
        for ticket_id in ticket_ids:
            requester_id = sim.ticket(ticket_id)["requester_id"]
            runtime.problems.link(connection, problem.id, TicketSnapshot(id=ticket_id, requester_id=requester_id), now)
        snapshots: TicketSnapshots = runtime.tickets
        for ticket_id in known:
            closed = TicketSnapshot(id=ticket_id, status="closed", known_fields=frozenset({"status"}))
            snapshots.record(connection, closed, now)
    return ClosureWorld(sim, runtime, problem.id, ticket_ids, closed_ids)


def start_closure(world: ClosureWorld) -> int:
    runtime = world.runtime
    with runtime.engine.begin() as connection:
        problem = runtime.problems.get(world.problem_id)
        return runtime.closure.start(connection, problem, datetime.now(UTC), problem.fix_version)


def public_replies_by_bridge(sim: ZendeskSimulator, ticket_id: int) -> list[str]:
    api_user = sim.account.api_user_id
    return [c["body"] for c in sim.comments(ticket_id) if c["public"] and c["author_id"] == api_user]


def followups_of(sim: ZendeskSimulator, ticket_id: int) -> list[dict]:
    return [sim.ticket(followup) for followup in sim.ticket(ticket_id)["followup_ids"]]


def messages_per_requester(world: ClosureWorld) -> Counter:
    """How many public replies each linked ticket's requester got from the bridge: on the ticket
    itself, or (closed tickets) on its follow-ups."""
    counts: Counter = Counter()
    for ticket_id in world.ticket_ids:
        counts[ticket_id] += len(public_replies_by_bridge(world.sim, ticket_id))
        for followup in followups_of(world.sim, ticket_id):
            counts[ticket_id] += len(public_replies_by_bridge(world.sim, followup["id"]))
    return counts
