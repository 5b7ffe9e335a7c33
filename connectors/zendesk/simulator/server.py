"""ZendeskSimulator: runs the simulated account over real HTTP, plus helpers for tests and the demo."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from connectors.zendesk.events import SUBSCRIBED_EVENT_TYPES
from connectors.zendesk.simulator.account import SimulatedAccount
from connectors.zendesk.simulator.app import create_app
from connectors.zendesk.simulator.delivery import Delivery
from connectors.zendesk.simulator.front_door import RecordedRequest
from connectors.zendesk.simulator.store import iso, normalise_tags
from connectors.zendesk.webhooks import WEBHOOK_NAME

DEFAULT_API_EMAIL = "bridge@example.com"
DEFAULT_API_TOKEN = "simulator-token"
# The ticket field `bridge sim zendesk` has from the start: custom_fields.product in config.simulators.yaml.
STANDALONE_PRODUCT_FIELD_ID = 360000000001
ZENDESK_SYSTEM_USER_ID = -1  # the actor of automations and triggers


class QuietRequestHandler(WSGIRequestHandler):
    """No access log on stderr: `sim.requests` records every call."""

    def log_request(self, *args, **kwargs) -> None:
        pass


class ZendeskSimulator:
    """A Zendesk Support API subset on http://127.0.0.1:<port>, state in memory.

    Authenticate as `api_email`/token:`api_token`. Writes made through the API are authored by that
    user; `customer_*` and `agent_*` helpers write as a requester or as a separate agent, so
    `detail.actor_id` in webhooks tells the bridge's own writes apart.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, api_email: str = DEFAULT_API_EMAIL,
                 api_token: str = DEFAULT_API_TOKEN, job_delay: float = 0.2, timeout_fault_seconds: float = 2.0,
                 account_id: int = 22129848):
        self.account = SimulatedAccount(api_email, api_token, account_id=account_id, job_delay=job_delay,
                                        timeout_fault_seconds=timeout_fault_seconds)
        self.api_email = api_email
        self.api_token = api_token
        self.agent_id = self.account.store.ensure_user("agent@simulator.invalid", "Sam Agent", role="agent")["id"]
        self._server = make_server(host, port, create_app(self.account), threaded=True,
                                   request_handler=QuietRequestHandler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self._server.socket.getsockname()[0]}:{self._server.server_port}"

    def start(self) -> ZendeskSimulator:
        self.account.deliverer.start()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="zendesk-sim-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.account.jobs.cancel_all()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self.account.deliverer.stop()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> ZendeskSimulator:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # knobs -----------------------------------------------------------------------------------

    def configure_webhook(self, url: str, secret: str, subscriptions: Iterable[str] = SUBSCRIBED_EVENT_TYPES,
                          name: str = WEBHOOK_NAME) -> str:
        """A webhook as an admin wires it by hand (docs/connecting.md): matching ticket events go to
        `url`, signed with `secret` (`zen:event-type:ticket.*` subscribes to every ticket event,
        which only this shortcut allows). Returns the webhook id."""
        with self.account.lock:
            webhook = self.account.webhooks.create({"name": name, "endpoint": url,
                                                    "subscriptions": list(subscriptions)}, secret, validate=False)
        return webhook["id"]

    def set_delivery_options(self, **options: Any) -> None:
        """duplicates, delay, shuffle, max_attempts, backoff_seconds, timeout (see DeliveryOptions)."""
        known = {field.name for field in fields(self.account.deliverer.options)}
        unknown = set(options) - known
        if unknown:
            raise TypeError(f"unknown delivery options: {sorted(unknown)}")
        self.account.deliverer.options = replace(self.account.deliverer.options, **options)

    def set_rate_limit(self, max_requests: int | None, window_seconds: float = 60.0) -> None:
        self.account.front_door.rate_limiter.max_requests = max_requests
        self.account.front_door.rate_limiter.window_seconds = window_seconds

    def set_export_rate_limit(self, max_requests: int | None, window_seconds: float = 60.0) -> None:
        """The incremental export's own limit (Zendesk's 10 a minute by default); None: unlimited."""
        self.account.front_door.export_rate_limiter.max_requests = max_requests
        self.account.front_door.export_rate_limiter.window_seconds = window_seconds

    def set_job_limits(self, delay_seconds: float | None = None, max_in_flight: int | None = None) -> None:
        if delay_seconds is not None:
            self.account.jobs.delay_seconds = delay_seconds
        if max_in_flight is not None:
            self.account.jobs.max_in_flight = max_in_flight

    def inject_faults(self, count: int, kind: str, retry_after: int = 7) -> None:
        """The next `count` API calls fail: kind "500", "429" (with `retry_after` seconds) or "timeout"."""
        self.account.front_door.inject_faults(count, kind, retry_after)

    def define_custom_field(self, field_id: int, title: str, field_type: str = "text", active: bool = True) -> None:
        with self.account.lock:
            self.account.store.custom_field_definitions[field_id] = {"title": title, "type": field_type,
                                                                      "active": active}

    # what happened ---------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return list(self.account.front_door.requests)

    def clear_requests(self) -> None:
        self.account.front_door.requests.clear()

    @property
    def deliveries(self) -> list[Delivery]:
        return list(self.account.deliverer.deliveries)

    def wait_for_jobs(self, timeout: float = 5.0) -> bool:
        return self.account.jobs.wait_until_idle(timeout)

    def wait_for_deliveries(self, timeout: float = 5.0) -> bool:
        """Wait until running jobs are done and every queued webhook has been sent (or given up)."""
        deadline = time.monotonic() + timeout
        if not self.wait_for_jobs(timeout):
            return False
        return self.account.deliverer.wait_until_drained(max(0.0, deadline - time.monotonic()))

    # people acting in Zendesk ----------------------------------------------------------------

    def customer_creates_ticket(self, subject: str, body: str, email: str = "customer@example.com",
                                name: str | None = None, tags: Iterable[str] = (),
                                custom_fields: dict[int, Any] | None = None, priority: str | None = None) -> dict:
        with self.account.lock:
            requester_id = self.account.store.ensure_user(email, name)["id"]
            data = {"subject": subject, "comment": {"body": body}, "requester_id": requester_id,
                    "tags": list(tags), "custom_fields": _field_list(custom_fields)}
            if priority:
                data["priority"] = priority
            return self.account.create_ticket_as(data, requester_id, channel="web")

    def created_ticket_at(self, at: datetime, subject: str, body: str, email: str = "customer@example.com",
                          tags: Iterable[str] = (), by_api_user: bool = False) -> dict:
        """A ticket as history holds it: created (and last updated) at `at`, as Zendesk's ticket
        import sets them, by its requester (`email`) or, `by_api_user`, by the API user for them.
        Call in time order: the export lists changes in the order they happen."""
        with self.account.lock:
            if by_api_user:
                requester_id = self.account.store.ensure_user(email)["id"]
                ticket = self.account.create_ticket_as({"subject": subject, "comment": {"body": body},
                                                        "requester_id": requester_id, "tags": list(tags)},
                                                       self.account.api_user_id, channel="api")
            else:
                ticket = self.customer_creates_ticket(subject, body, email=email, tags=tags)
            stored = self.account.store.tickets[ticket["id"]]
            stored["created_at"] = stored["updated_at"] = iso(at)
            for comment in self.account.store.comments[ticket["id"]]:
                comment["created_at"] = iso(at)
            return self.account.store.ticket_fields(stored)

    def customer_comments(self, ticket_id: int, body: str) -> dict:
        requester_id = self.ticket(ticket_id)["requester_id"]
        return self.account.update_ticket_as(ticket_id, {"comment": {"body": body, "public": True}}, requester_id)

    def agent_updates_ticket(self, ticket_id: int, **changes: Any) -> dict:
        """Changes as in the API's `ticket` body: status, priority, tags, additional_tags, comment, ..."""
        if isinstance(changes.get("custom_fields"), dict):
            changes["custom_fields"] = _field_list(changes["custom_fields"])
        return self.account.update_ticket_as(ticket_id, changes, self.agent_id)

    def automation_updates_ticket(self, ticket_id: int, **changes: Any) -> dict:
        """A business rule (the close automation, a trigger) changes the ticket: Zendesk's system
        user is the actor, `actor_id: "-1"` in the event webhooks."""
        return self.account.update_ticket_as(ticket_id, changes, ZENDESK_SYSTEM_USER_ID)

    def create_organization(self, name: str, fields: dict[str, Any] | None = None,
                            members: Iterable[str] = (), tags: Iterable[str] = ()) -> dict:
        """An organization with `organization_fields` and `tags`; `members` (emails) get it as
        their default, so their later tickets are filed under it. A field key not defined yet is
        defined first (as the admin who filled it in had), `decimal` for a number, `text` otherwise."""
        with self.account.lock:
            defined = {field["key"] for field in self.account.impact.organization_fields.values()}
            for key, value in (fields or {}).items():
                if key not in defined:
                    number = isinstance(value, int | float) and not isinstance(value, bool)
                    self.account.impact.create_organization_field(key, key.replace("_", " ").title(),
                                                                  "decimal" if number else "text")
            organization = self.account.impact.create_organization(name, fields, list(tags))
            for email in members:
                self.account.impact.join_organization(self.account.store.ensure_user(email)["id"], organization["id"])
            return dict(organization)

    def define_organization_field(self, key: str, title: str, field_type: str = "text") -> dict:
        with self.account.lock:
            return dict(self.account.impact.create_organization_field(key, title, field_type))

    def create_customer(self, email: str, name: str | None = None, organization_id: int | None = None,
                        tags: Iterable[str] = (), suspended: bool = False, email_known: bool = True,
                        user_fields: dict[str, Any] | None = None) -> dict:
        """An end user as an admin sets one up: tags, custom user fields, suspended or not, in an
        organization (its id); `email_known=False`: a user Zendesk has no email address for."""
        with self.account.lock:
            user = self.account.store.ensure_user(email, name)
            if organization_id is not None:
                self.account.impact.join_organization(user["id"], organization_id)
            user.update(tags=normalise_tags(list(tags)), suspended=suspended, user_fields=dict(user_fields or {}))
            if not email_known:
                user["email"] = None
            return dict(user)

    def customer_rates(self, ticket_id: int, score: str, comment: str | None = None) -> dict:
        """The requester answers the satisfaction survey of a solved ticket (`good` or `bad`)."""
        with self.account.lock:
            return dict(self.account.impact.rate(ticket_id, score, comment))

    def ticket(self, ticket_id: int) -> dict:
        return self.account.ticket(ticket_id)

    def tickets(self) -> list[dict]:
        with self.account.lock:
            return self.account.tickets_by_ids(sorted(self.account.store.tickets))

    def comments(self, ticket_id: int) -> list[dict]:
        return self.account.comments(ticket_id)


def _field_list(custom_fields: dict[int, Any] | None) -> list[dict]:
    return [{"id": int(field_id), "value": value} for field_id, value in (custom_fields or {}).items()]


def build_standalone(host: str = "127.0.0.1", port: int = 8090, bridge_url: str | None = None,
                     webhook_secret: str | None = None, api_email: str = DEFAULT_API_EMAIL,
                     api_token: str = DEFAULT_API_TOKEN, job_delay: float = 0.2,
                     requests_per_minute: int | None = None) -> ZendeskSimulator:
    """A configured, not yet started simulator whose ticket events go to `bridge_url`."""
    if bridge_url and not webhook_secret:
        raise ValueError("webhook_secret is required with bridge_url")
    simulator = ZendeskSimulator(host, port, api_email=api_email, api_token=api_token, job_delay=job_delay)
    if bridge_url and webhook_secret:
        simulator.configure_webhook(bridge_url, webhook_secret)
    simulator.set_rate_limit(requests_per_minute)
    simulator.define_custom_field(STANDALONE_PRODUCT_FIELD_ID, "Product", "tagger")
    return simulator


def run_standalone(host: str = "127.0.0.1", port: int = 8090, bridge_url: str | None = None,
                   webhook_secret: str | None = None, api_email: str = DEFAULT_API_EMAIL,
                   api_token: str = DEFAULT_API_TOKEN, job_delay: float = 0.2,
                   requests_per_minute: int | None = None, stop_event: threading.Event | None = None) -> None:
    """Serve the simulator until Ctrl-C (or until `stop_event` is set)."""
    simulator = build_standalone(host, port, bridge_url, webhook_secret, api_email, api_token, job_delay,
                                 requests_per_minute)
    stop_event = stop_event or threading.Event()
    with simulator:
        print(f"Zendesk simulator on {simulator.url}: basic auth {api_email}/token:{api_token}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop_event.wait()
