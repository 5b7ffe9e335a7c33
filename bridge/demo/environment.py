"""`LoopbackEnvironment`: both simulators and a real bridge (waitress plus the embedded worker) on
127.0.0.1, SQLite in a temporary directory, webhooks wired both ways as an admin wires them, by
`bridge setup zendesk` and `bridge setup jira` over HTTP. Used by `bridge demo` and by the
end-to-end tests."""

from __future__ import annotations

import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode

from bridge.config.settings import revealed
from bridge.demo.scenario import PRODUCT_FIELD_ID
from bridge.demo.settings import (
    HELP_CENTER,
    SimulatorAccess,
    find_rules_dir,
    loopback_settings,
    merged_settings,
)
from bridge.runtime import Runtime, build_runtime
from bridge.serving.server import ServerThread, free_port
from bridge.setup.jira import jira_wiring, open_client, set_up_webhook
from bridge.setup.zendesk import config_keys, set_up_zendesk
from bridge.storage.inbox import PENDING, PROCESSING
from connectors.jira.simulator import JiraSimulator
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.simulator import ZendeskSimulator
from connectors.zendesk.simulator.server import DEFAULT_API_EMAIL, DEFAULT_API_TOKEN

JIRA_EMAIL = "bridge@example.com"
PRODUCT_FIELD_TITLE = "Product"
HOST = "127.0.0.1"


class LoopbackEnvironment:
    """Start with `with LoopbackEnvironment() as env:`; everything stops on exit.

    `connect_webhooks=False` leaves the simulators' webhooks unconfigured (a test then points them
    at `webhook_url(...)` itself, e.g. with a wrong secret). `settings_overrides`: config keys
    merged over the loopback settings, e.g. `{"jira": {"counts_update_interval_seconds": 1}}`.
    `history`: called with the Zendesk simulator before anything is wired, to fill it with what
    an account holds before the bridge arrives (tickets no webhook told the bridge about).
    """

    def __init__(self, rules_dir: Path | None = None, connect_webhooks: bool = True,
                 settings_overrides: dict | None = None, jira_deployment: str = "cloud",
                 history: Callable[[ZendeskSimulator], None] | None = None):
        self.rules_dir = rules_dir or find_rules_dir()
        self.connect_webhooks = connect_webhooks
        self.history = history
        self.jira_deployment = jira_deployment  # cloud, or server (Data Center)
        self.settings_overrides = settings_overrides or {}
        self.zendesk_webhook_secret = secrets.token_urlsafe(24)
        self.jira_webhook_secret = secrets.token_urlsafe(24)
        self.jira_api_token = secrets.token_urlsafe(16)
        self._api_token = secrets.token_urlsafe(24)
        self.zendesk_bridge_user_id: int | None = None  # None: the simulator's API user
        self._stack = ExitStack()
        self._bridge = ExitStack()  # the bridge's server and workers (`restart_bridge` closes them)
        self.setup_lines: list[str] = []  # the setup commands run ("$ bridge setup ...") and what they said

    # lifecycle ----------------------------------------------------------------------------

    def __enter__(self) -> LoopbackEnvironment:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        scratch = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="bridge-loopback-")))
        self.zendesk = self._stack.enter_context(ZendeskSimulator(job_delay=0.05))
        self.zendesk.define_custom_field(PRODUCT_FIELD_ID, PRODUCT_FIELD_TITLE, "tagger")
        self.zendesk.account.help_center.create_section("Known issues", HELP_CENTER["section_id"])
        self.zendesk.account.help_center.add_permission_group(HELP_CENTER["permission_group_id"])
        self.jira = self._stack.enter_context(JiraSimulator(
            deployment=self.jira_deployment, api_token=self.jira_api_token, user=JIRA_EMAIL, max_page_size=50))
        if self.history is not None:
            self.history(self.zendesk)
        # As an admin does: the bridge's address first, then Zendesk's webhook, whose signing
        # secret the bridge is started with.
        port = free_port(HOST) if self.connect_webhooks else 0
        if self.connect_webhooks:
            self._set_up_zendesk(f"http://{HOST}:{port}")
        self._database_url = f"sqlite:///{scratch / 'bridge.db'}"
        self.runtime: Runtime = self._build_runtime()
        self._stack.callback(lambda: self.runtime.engine.dispose())
        self._stack.callback(lambda: self._bridge.close())
        self._start_bridge(port)
        if self.connect_webhooks:
            self._set_up_jira()

    def stop(self) -> None:
        self._stack.close()

    def _set_up_zendesk(self, public_url: str) -> None:
        """Zendesk's webhook created as an admin would, by `bridge setup zendesk` over HTTP; the
        bridge gets the signing secret Zendesk hands over, and the API agent's id setup found."""
        client = ZendeskClient(self.zendesk.url, DEFAULT_API_EMAIL, DEFAULT_API_TOKEN)
        try:
            setup = set_up_zendesk(client, public_url, dry_run=False)
        finally:
            client.session.close()
        assert setup.result is not None and setup.user_id is not None, "not a dry run; the API user has an id"
        self.zendesk_webhook_secret = setup.result.signing_secret
        self.zendesk_bridge_user_id = setup.user_id
        keys = config_keys(public_url, setup.user_id, setup.result.field_ids)
        self.setup_lines += [f"$ bridge setup zendesk --public-url {public_url}", *setup.lines,
                             *(f"{key}: {value}" for key, value in keys),
                             "zendesk.webhook_secret: the signing secret read back from Zendesk (not shown)"]

    def _set_up_jira(self) -> None:
        """Jira's webhook registered as an admin would, by `bridge setup jira` over HTTP."""
        with open_client(self.settings) as client:
            lines = set_up_webhook(client, jira_wiring(self.settings, self.bridge_url), dry_run=False)
        self.setup_lines += [f"$ bridge setup jira --public-url {self.bridge_url}", *lines]

    def _build_runtime(self) -> Runtime:
        self.settings = loopback_settings(self.access, self._database_url, self.rules_dir, self.jira_deployment,
                                          self.settings_overrides, api_token=self._api_token)
        return build_runtime(self.settings)

    def _start_bridge(self, port: int) -> None:
        self._bridge = ExitStack()
        self.server = ServerThread(self.runtime, HOST, port).start()
        self._bridge.callback(self.server.stop)
        stop = threading.Event()
        worker_thread = self.runtime.start_worker_thread(stop)
        self._bridge.callback(worker_thread.join, 10)
        self._bridge.callback(stop.set)

    def restart_bridge(self, settings_overrides: dict) -> None:
        """Stop the bridge and start it again on the same database and address with
        `settings_overrides` merged over its config, as an admin edits config.yaml and restarts."""
        port = self.server.port
        self._bridge.close()
        self.runtime.engine.dispose()
        self.settings_overrides = merged_settings(self.settings_overrides, settings_overrides)
        self.runtime = self._build_runtime()
        self._start_bridge(port)

    # addresses ----------------------------------------------------------------------------

    @property
    def bridge_url(self) -> str:
        return f"http://{HOST}:{self.server.port}"

    @property
    def api_token(self) -> str | None:
        """The bridge's `api.token` (bearer of `/api/*`, `?token=` of the dashboard)."""
        return revealed(self.settings.api.token)

    @property
    def urls(self) -> dict[str, str]:
        """What a person can open while the environment runs."""
        urls = {"bridge": self.bridge_url, "bridge metrics": f"{self.bridge_url}/metrics"}
        if self.api_token:
            urls["bridge dashboard"] = f"{self.bridge_url}/dashboard?{urlencode({'token': self.api_token})}"
        return {**urls, "zendesk simulator": self.zendesk.url, "jira simulator": self.jira.url}

    def webhook_url(self, source: str) -> str:
        return f"{self.bridge_url}/webhooks/{source}"

    @property
    def access(self) -> SimulatorAccess:
        return SimulatorAccess(
            zendesk_url=self.zendesk.url, zendesk_email=DEFAULT_API_EMAIL, zendesk_api_token=DEFAULT_API_TOKEN,
            zendesk_bridge_user_id=self.zendesk_bridge_user_id or self.zendesk.account.api_user_id,
            zendesk_webhook_secret=self.zendesk_webhook_secret,
            jira_url=self.jira.url, jira_email=JIRA_EMAIL, jira_api_token=self.jira_api_token,
            jira_webhook_secret=self.jira_webhook_secret)

    # waiting ------------------------------------------------------------------------------

    def wait_until_idle(self, timeout: float = 15.0, quiet_seconds: float = 0.3) -> bool:
        """True once both simulators have sent every webhook, the inbox has nothing pending, and
        nothing moved (inbox, API calls, deliveries) for `quiet_seconds`; False after `timeout`."""
        deadline = time.monotonic() + timeout
        last, quiet_since = None, time.monotonic()
        while time.monotonic() < deadline:
            if not self._simulators_drained(deadline):
                return False
            current = self._activity()
            now = time.monotonic()
            if current != last:
                last, quiet_since = current, now
            elif not self._inbox_busy() and now - quiet_since >= quiet_seconds:
                return True
            time.sleep(0.05)
        return False

    def _simulators_drained(self, deadline: float) -> bool:
        remaining = max(0.0, deadline - time.monotonic())
        if not self.zendesk.wait_for_deliveries(timeout=remaining):
            return False
        try:
            self.jira.wait_for_deliveries(timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            return False
        return True

    def _inbox_busy(self) -> bool:
        counts = self.runtime.inbox.counts()
        return counts[PENDING] + counts[PROCESSING] > 0

    def _activity(self) -> tuple:
        """Everything whose change means the system is still moving."""
        counts = self.runtime.inbox.counts()
        return (tuple(sorted(counts.items())), len(self.zendesk.requests), len(self.jira.requests),
                len(self.zendesk.deliveries), len(self.jira.deliveries))

