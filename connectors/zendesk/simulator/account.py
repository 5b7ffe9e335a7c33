"""One simulated Zendesk account: the state behind the routes, under one lock, publishing webhooks."""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from connectors.zendesk.simulator.delivery import Delivery, DeliveryOptions, WebhookDeliverer
from connectors.zendesk.simulator.errors import ApiError
from connectors.zendesk.simulator.events import build_envelopes
from connectors.zendesk.simulator.front_door import FrontDoor
from connectors.zendesk.simulator.help_center import HelpCenter
from connectors.zendesk.simulator.impact_data import ImpactData
from connectors.zendesk.simulator.jobs import JobQueue
from connectors.zendesk.simulator.search import (
    organization_matches,
    result_type,
    ticket_matches,
    user_matches,
    wants_tickets,
)
from connectors.zendesk.simulator.store import Change, TicketStore, iso
from connectors.zendesk.simulator.webhooks import WebhookRegistry, attempts, invocation, invocation_not_found

SYSTEM_TICKET_FIELDS = {1: ("subject", "Subject"), 2: ("description", "Description"), 3: ("status", "Status"),
                        4: ("tickettype", "Type"), 5: ("priority", "Priority"), 6: ("group", "Group"),
                        7: ("assignee", "Assignee")}
NEW_FIELD_IDS_AFTER = 360000000000


def utc_now() -> datetime:
    return datetime.now(UTC)


class SimulatedAccount:
    def __init__(self, api_email: str, api_token: str, account_id: int = 22129848, job_delay: float = 0.2,
                 timeout_fault_seconds: float = 2.0, clock: Callable[[], datetime] = utc_now):
        self.lock = threading.RLock()
        self.account_id = account_id
        self.clock = clock
        self.store = TicketStore(clock)
        self.impact = ImpactData(self.store, clock)  # organizations, ratings, metrics: read under `lock`
        self.jobs = JobQueue(self.lock, clock, job_delay)
        self.front_door = FrontDoor(api_email, api_token, timeout_fault_seconds)
        self.deliverer = WebhookDeliverer(DeliveryOptions())
        self.triggers: dict[int, dict] = {}
        self._audit_ids = itertools.count(1)
        self.api_user_id = self.store.ensure_user(api_email, "Bridge API", role="admin")["id"]
        self.webhooks = WebhookRegistry(clock, self.api_user_id)
        self.help_center = HelpCenter(self.lock, clock, self.api_user_id)

    def next_audit_id(self) -> int:
        return next(self._audit_ids)

    # tickets -------------------------------------------------------------------------------

    def create_ticket_as(self, data: dict, actor_id: int, channel: str) -> dict:
        with self.lock:
            ticket, changes = self.store.create_ticket(data, actor_id, channel)
            self._publish(ticket, changes, actor_id)
            return self.store.ticket_fields(ticket)

    def update_ticket_as(self, ticket_id: int, data: dict, actor_id: int) -> dict:
        with self.lock:
            ticket, changes = self.store.update_ticket(ticket_id, data, actor_id)
            self._publish(ticket, changes, actor_id)
            return self.store.ticket_fields(ticket)

    def ticket(self, ticket_id: int) -> dict:
        with self.lock:
            return self.store.ticket_fields(self.store.ticket(ticket_id))

    def tickets_by_ids(self, ticket_ids: list[int]) -> list[dict]:
        with self.lock:
            return [self.store.ticket_fields(self.store.tickets[ticket_id])
                    for ticket_id in ticket_ids if ticket_id in self.store.tickets]

    def comments(self, ticket_id: int) -> list[dict]:
        with self.lock:
            self.store.ticket(ticket_id)
            return copy.deepcopy(self.store.comments[ticket_id])

    def ticket_fields(self) -> list[dict]:
        """Zendesk's system fields (not removable), then the custom fields a test defined."""
        with self.lock:
            custom = [{"id": field_id, "type": definition["type"], "title": definition["title"],
                       "active": definition.get("active", True), "removable": True}
                      for field_id, definition in self.store.custom_field_definitions.items()]
        system = [{"id": field_id, "type": kind, "title": title, "active": True, "removable": False}
                  for field_id, (kind, title) in SYSTEM_TICKET_FIELDS.items()]
        return system + custom

    def create_ticket_field(self, data: dict) -> dict:
        """A custom field, as POST /ticket_fields makes one (type text unless said)."""
        with self.lock:
            field_id = max([*self.store.custom_field_definitions, NEW_FIELD_IDS_AFTER]) + 1
            self.store.custom_field_definitions[field_id] = {"title": data["title"], "type": data.get("type", "text"),
                                                             "active": data.get("active", True)}
        return next(field for field in self.ticket_fields() if field["id"] == field_id)

    def search_tickets(self, query: str) -> list[dict]:
        with self.lock:
            if not wants_tickets(query):
                return []
            return [self.store.ticket_fields(ticket) for ticket in self.store.tickets.values()
                    if ticket_matches(ticket, query)]

    def search(self, query: str) -> list[dict]:
        """What GET /search finds: tickets, users or organizations (by the query's `type:`), each
        with its `result_type`."""
        kind = result_type(query)
        if kind == "user":
            found = self.search_users(query)
        elif kind == "organization":
            with self.lock:
                found = [copy.deepcopy(organization) for organization in self.impact.organizations.values()
                         if organization_matches(organization, query)]
        else:
            found = self.search_tickets(query)
        return [{**item, "result_type": kind} for item in found]

    def search_users(self, query: str) -> list[dict]:
        """Users matching the query (GET /users/search, and /search with type:user), in id order."""
        with self.lock:
            organizations = self.impact.organizations
            return [copy.deepcopy(user) for user in self.store.users.values()
                    if user_matches(user, organizations.get(user["organization_id"]), query)]

    def incremental_after(self, position: int, start_time: int | None, per_page: int) -> tuple[list[dict], int, bool]:
        """Tickets changed after cursor `position` (or since `start_time`, epoch seconds), oldest change first."""
        with self.lock:
            candidates = [ticket for ticket in self.store.tickets_in_change_order()
                          if self.store.change_position[ticket["id"]] > position
                          and (start_time is None or _epoch(ticket["updated_at"]) >= start_time)]
            page = candidates[:per_page]
            last = self.store.change_position[page[-1]["id"]] if page else position
            shown = [{**self.store.ticket_fields(ticket), "generated_timestamp": _epoch(ticket["updated_at"])}
                     for ticket in page]
            return shown, last, len(candidates) > per_page

    # bulk jobs -------------------------------------------------------------------------------

    def submit_bulk_update(self, updates: list[dict], base_url: str) -> dict:
        def work() -> list[dict]:
            results = []
            for update in updates:
                changes = {key: value for key, value in update.items() if key != "id"}
                try:
                    self.update_ticket_as(int(update["id"]), changes, self.api_user_id)
                    results.append({"id": int(update["id"]), "action": "update", "success": True, "status": "Updated"})
                except ApiError as error:
                    results.append({"id": int(update["id"]), "action": "update", "success": False,
                                    "error": "TicketUpdateFailed", "details": _details(error)})
            return results

        return self._submit("bulk_update", len(updates), work, base_url)

    def submit_bulk_create(self, tickets: list[dict], base_url: str) -> dict:
        def work() -> list[dict]:
            results = []
            for index, data in enumerate(tickets):
                try:
                    created = self.create_ticket_as(data, self.api_user_id, channel="api")
                    results.append({"id": created["id"], "index": index})  # no `success` for creates
                except ApiError as error:
                    # The spec's FailedResult needs an id, which a ticket never created lacks: by position.
                    results.append({"index": index, "action": "create", "success": False,
                                    "error": "TicketCreateFailed", "details": _details(error)})
            return results

        return self._submit("bulk_create", len(tickets), work, base_url)

    def _submit(self, job_type: str, total: int, work: Callable[[], list[dict]], base_url: str) -> dict:
        with self.lock:
            return copy.deepcopy(self.jobs.submit(job_type, total, work, base_url))

    def job(self, job_id: str) -> dict:
        with self.lock:
            return copy.deepcopy(self.jobs.job(job_id))

    def jobs_by_ids(self, job_ids: list[str]) -> list[dict]:
        with self.lock:
            return [copy.deepcopy(self.jobs.jobs[job_id]) for job_id in job_ids if job_id in self.jobs.jobs]

    # users ---------------------------------------------------------------------------------

    def user(self, user_id: int) -> dict:
        with self.lock:
            return copy.deepcopy(self.store.user(user_id))

    def users_by_ids(self, user_ids: list[int]) -> list[dict]:
        with self.lock:
            return [copy.deepcopy(self.store.users[user_id]) for user_id in user_ids if user_id in self.store.users]

    # webhooks and triggers -------------------------------------------------------------------

    def invocations(self, webhook_id: str) -> list[dict]:
        """The webhook's finished deliveries, newest first."""
        return [invocation(delivery) for delivery in reversed(self._deliveries_of(webhook_id))]

    def invocation_attempts(self, webhook_id: str, invocation_id: str) -> list[dict]:
        found = [delivery for delivery in self._deliveries_of(webhook_id) if delivery.invocation_id == invocation_id]
        if not found:
            raise invocation_not_found()
        return attempts(found[0])

    def _deliveries_of(self, webhook_id: str) -> list[Delivery]:
        with self.lock:
            self.webhooks.show(webhook_id)
            return [delivery for delivery in self.deliverer.deliveries if delivery.webhook_id == webhook_id]

    def add_trigger(self, data: dict) -> dict:
        with self.lock:
            trigger_id = 360000 + len(self.triggers) + 1
            now = iso(self.clock())
            trigger = {"id": trigger_id, "url": f"/api/v2/triggers/{trigger_id}.json", "title": data["title"],
                       "raw_title": data["title"], "active": data.get("active", True),
                       "conditions": data.get("conditions", {"all": [], "any": []}), "actions": data.get("actions", []),
                       "description": data.get("description"), "position": len(self.triggers) + 1,
                       "default": False, "category_id": data.get("category_id"), "created_at": now, "updated_at": now}
            self.triggers[trigger_id] = trigger
            return copy.deepcopy(trigger)

    def trigger_list(self) -> list[dict]:
        with self.lock:
            return copy.deepcopy(list(self.triggers.values()))

    def _publish(self, ticket: dict, changes: list[Change], actor_id: int) -> None:
        if not changes:
            return
        envelopes = build_envelopes(self.account_id, ticket, changes, actor_id, self.clock())
        deliveries = [Delivery(envelope, webhook["endpoint"], self.webhooks.secrets[webhook_id], webhook_id,
                               self.account_id)
                      for envelope in envelopes
                      for webhook_id, webhook in self.webhooks.receiving(envelope["type"])]
        if deliveries:
            self.deliverer.enqueue(deliveries)


def _epoch(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())


def _details(error: ApiError) -> str:
    details = error.extra.get("details")
    if isinstance(details, dict):
        return "; ".join(item["description"] for items in details.values() for item in items)
    return error.description
