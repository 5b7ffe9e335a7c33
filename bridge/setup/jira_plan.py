"""What the bridge needs of Jira, and what to do about what Jira has: pure decisions shared by
`bridge setup jira` (which acts on them) and `bridge check` (which reports them).

The webhook is found again by its name. Jira never shows a webhook's secret again, so the URL
setup registers carries the secret's fingerprint (`connectors/jira/signature.py`); where the
deployment cannot sign, it carries the URL token instead."""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from connectors.jira.client import jql_string
from connectors.jira.events import JIRA_WEBHOOK_EVENTS
from connectors.jira.signature import FINGERPRINT_QUERY_PARAMETER, TOKEN_QUERY_PARAMETER, secret_fingerprint
from connectors.jira.webhooks import JiraWebhook, WebhookSpec

WEBHOOK_NAME = "zendesk-jira-bridge"
JIRA_WEBHOOK_PATH = "/webhooks/jira"


@dataclass(frozen=True)
class JiraWiring:
    """The webhook the bridge needs: at `public_url` (None: not known, only the path is checked),
    for the configured projects, signed with `secret` or else carrying `url_token`."""

    public_url: str | None
    projects: tuple[str, ...]
    secret: str | None
    url_token: str | None

    @property
    def jql_filter(self) -> str:
        return f"project in ({', '.join(jql_string(key) for key in sorted(self.projects))})" if self.projects else ""

    def spec(self) -> WebhookSpec:
        assert self.public_url is not None, "setup asks for the public URL first"
        query = ({FINGERPRINT_QUERY_PARAMETER: secret_fingerprint(self.secret)} if self.secret
                 else {TOKEN_QUERY_PARAMETER: self.url_token or ""})
        url = f"{self.public_url.rstrip('/')}{JIRA_WEBHOOK_PATH}?{urlencode(query)}"
        return WebhookSpec(WEBHOOK_NAME, url, JIRA_WEBHOOK_EVENTS, self.jql_filter, self.secret)

    def problems(self, webhook: JiraWebhook) -> list[str]:
        """What is wrong with `webhook` for the bridge, one phrase each (empty: nothing)."""
        problems = []
        if not webhook.enabled:
            problems.append("it is disabled")
        missing = [event for event in JIRA_WEBHOOK_EVENTS if event not in webhook.events]
        if missing:
            problems.append(f"it does not send {', '.join(missing)}")
        if webhook.exclude_body:
            problems.append("it sends no body (excludeBody)")
        problems += self._url_problems(webhook.url)
        if webhook.jql_filter != self.jql_filter:
            problems.append(f"its JQL filter is {webhook.jql_filter or '(none)'!r}, not {self.jql_filter!r}")
        return problems

    def _url_problems(self, url: str) -> list[str]:
        parts = urlsplit(url)
        address = f"{parts.scheme}://{parts.netloc}{parts.path}"  # never the query: it may hold the token
        wanted = f"{self.public_url.rstrip('/')}{JIRA_WEBHOOK_PATH}" if self.public_url else None
        problems = []
        if (wanted is not None and address != wanted) or not parts.path.endswith(JIRA_WEBHOOK_PATH):
            problems.append(f"it points at {address}, not {wanted or 'a URL ending in ' + JIRA_WEBHOOK_PATH}")
        query = parse_qs(parts.query)
        if self.secret:
            sent = query.get(FINGERPRINT_QUERY_PARAMETER, [""])[0]
            if not hmac.compare_digest(sent.encode(), secret_fingerprint(self.secret).encode()):
                problems.append("it signs with another secret than jira.webhook_secret (or with none)")
        elif self.url_token:
            sent = query.get(TOKEN_QUERY_PARAMETER, [""])[0]
            if not hmac.compare_digest(sent.encode(), self.url_token.encode()):
                problems.append("its URL carries another token than jira.webhook_url_token")
        return problems


@dataclass(frozen=True)
class WebhookPlan:
    """Register the webhook (`update_id` None), update it, or nothing (`reasons` empty); delete
    `duplicate_ids` (more webhooks by the bridge's name: each would deliver every event again)."""

    update_id: str | None
    reasons: tuple[str, ...]
    duplicate_ids: tuple[str, ...] = ()

    @property
    def create(self) -> bool:
        return self.update_id is None and bool(self.reasons)

    @property
    def changes_nothing(self) -> bool:
        return not self.reasons and not self.duplicate_ids


def bridge_webhooks(existing: Sequence[JiraWebhook]) -> list[JiraWebhook]:
    return [webhook for webhook in existing if webhook.name == WEBHOOK_NAME]


def plan_webhook(existing: Sequence[JiraWebhook], wiring: JiraWiring) -> WebhookPlan:
    ours = bridge_webhooks(existing)
    if not ours:
        return WebhookPlan(None, (f"Jira has no webhook named {WEBHOOK_NAME!r}",))
    first, *others = ours
    return WebhookPlan(first.id, tuple(wiring.problems(first)), tuple(other.id for other in others))


# The kind of Jira field each `jira.fields` key is (connectors/jira/custom_fields.py); the others are numbers.
TEXT_FIELD_KEYS = frozenset({"workaround"})


@dataclass(frozen=True)
class FieldStep:
    """One configured field: the config key, Jira's field name, and its id (None: to create)."""

    config_key: str
    name: str
    field_id: str | None

    @property
    def kind(self) -> str:
        return "text" if self.config_key in TEXT_FIELD_KEYS else "number"


def affected_count_field_name(config_key: str) -> str:
    return config_key.replace("_", " ").capitalize()  # affected_tickets -> "Affected tickets"


def plan_fields(configured: Mapping[str, str | None], jira_fields: Mapping[str, str]) -> list[FieldStep]:
    """For each config key (`configured`: key -> field id or None): the configured field if Jira has
    it, else Jira's field of the same name, else a new one. `jira_fields`: Jira's id -> name."""
    by_name = {name: field_id for field_id, name in sorted(jira_fields.items()) if field_id.startswith("customfield_")}
    steps = []
    for key, field_id in configured.items():
        name = affected_count_field_name(key)
        kept = field_id if field_id in jira_fields else by_name.get(name)
        steps.append(FieldStep(key, jira_fields.get(kept, name) if kept else name, kept))
    return steps
