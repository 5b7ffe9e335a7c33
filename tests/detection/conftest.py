"""Detection tests: a runtime with rules from a temporary directory and a fake Zendesk."""

from __future__ import annotations

import json
import textwrap
from datetime import datetime, timedelta

import pytest

from bridge.domain.events import TicketSnapshot
from bridge.runtime import build_runtime
from tests.support.fixtures import load_fixture
from tests.support.settings import make_settings

TEAMS = {"finance": {"project": "FIN"}, "engineering": {"project": "ENG"}}
PRODUCT_FIELD = 360000000001
BRIDGE_USER = 999


class FakeTicketSystem:
    """Answers lookups from a dict, and remembers how it was called."""

    def __init__(self):
        self.tickets: dict[int, TicketSnapshot] = {}
        self.calls: list[list[int]] = []
        self.fail_with: Exception | None = None
        self.jobs: list[tuple[list[int], dict]] = []
        self.failing: set[int] = set()

    def start_bulk_update(self, ticket_ids, changes):
        """A job that is finished at once; tickets in `failing` fail in it."""
        self.jobs.append((list(ticket_ids), changes))
        return str(len(self.jobs))

    def bulk_update_status(self, job_id):
        from bridge.domain.ports import BulkJob
        ticket_ids, _ = self.jobs[int(job_id) - 1]
        return BulkJob(finished=True, succeeded=frozenset(t for t in ticket_ids if t not in self.failing),
                       failed={t: "RecordInvalid" for t in ticket_ids if t in self.failing})

    def read_tickets(self, ticket_ids):
        from bridge.domain.ports import RemoteTicket
        return [RemoteTicket(t.id, t.status, frozenset(t.tags)) for t in self.fetch_tickets(ticket_ids)]

    def fetch_tickets(self, ticket_ids):
        ids = sorted(ticket_ids)
        self.calls.append(ids)
        if self.fail_with:
            raise self.fail_with
        return [self.tickets[i] for i in ids if i in self.tickets]


class Scenario:
    """Feeds ticket events into the inbox the way the webhook endpoint does, and runs the worker."""

    def __init__(self, runtime, clock):
        self.runtime, self.clock, self.sequence = runtime, clock, 0
        self.worker = runtime.new_worker("test-worker")

    def ticket_event(self, ticket_id: int, kind: str = "created", at: datetime | None = None, *,
                     subject: str = "Question", tags=("web",), requester: int | None = None,
                     organization: int | None = None, actor: int | None = None,
                     description: str | None = None, **event) -> str:
        self.sequence += 1
        at = at or self.clock()
        payload = load_fixture("zendesk", "ticket.created__docs_example")
        payload["id"] = f"evt-{self.sequence}"
        payload["type"] = f"zen:event-type:ticket.{kind}"
        payload["time"] = at.isoformat()
        payload["event"] = {**event, "meta": payload["event"]["meta"]}
        payload["detail"].update(
            id=str(ticket_id), subject=subject, tags=list(tags), updated_at=at.isoformat(),
            requester_id=str(requester or 1000 + ticket_id), organization_id=str(organization or 0),
            actor_id=str(actor or requester or 1000 + ticket_id))
        if description is not None:
            payload["detail"]["description"] = description
        self.runtime.inbox.store("zendesk", payload["id"], payload["type"], json.dumps(payload), self.clock())
        return payload["id"]

    def process(self) -> int:
        return self.worker.drain()

    def problems(self, **filters):
        return [p for p in self.runtime.problems.list()
                if all(getattr(p, k) == v for k, v in filters.items())]

    def later(self, **delta) -> datetime:
        return self.clock() + timedelta(**delta)


def write_rules(directory, text: str):
    directory.mkdir(exist_ok=True)
    (directory / "rules.yaml").write_text(textwrap.dedent(text))


@pytest.fixture
def rules_dir(tmp_path):
    return tmp_path / "rules"


@pytest.fixture
def ticket_system():
    return FakeTicketSystem()


@pytest.fixture
def make_scenario(database_url, clock, rules_dir, ticket_system):
    runtimes = []

    def make(rules: str, **overrides) -> Scenario:
        write_rules(rules_dir, rules)
        defaults = {"teams": TEAMS, "rules": [str(rules_dir / "*.yaml")],
                    "custom_fields": {"product": PRODUCT_FIELD}, "zendesk": {"bridge_user_id": BRIDGE_USER}}
        settings = make_settings(database_url, **(defaults | overrides))
        runtime = build_runtime(settings, clock=clock, ticket_system=ticket_system)
        runtimes.append(runtime)
        return Scenario(runtime, clock)

    yield make
    for runtime in runtimes:
        runtime.engine.dispose()
