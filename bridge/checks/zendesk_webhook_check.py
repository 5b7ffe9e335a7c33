"""`bridge check`, live: is Zendesk wired to send the bridge its events? The webhook exists, is
active, points at the public URL (--public-url, else server.public_url), subscribes every event
type the bridge reads, signs with zendesk.webhook_secret, and its latest deliveries did not fail;
a test delivery then proves that the bridge at that URL accepts the signature (skipped when
Zendesk cannot reach it, e.g. before `bridge serve` runs). Every finding names the command that fixes it."""

from __future__ import annotations

import hmac

from bridge.config.settings import Settings
from bridge.setup.zendesk import bridge_webhook, plan_webhook, webhook_endpoint
from connectors.zendesk.errors import ZendeskError
from connectors.zendesk.events import SUBSCRIBED_EVENT_TYPES
from connectors.zendesk.webhooks import WEBHOOK_NAME, ZendeskWebhooks

# Invocation statuses that are not failures (the webhooks spec's enum).
NOT_FAILED = ("success", "accepted", "unknown")
RECENT_INVOCATIONS = 20


def webhook_problems(settings: Settings, webhooks: ZendeskWebhooks, public_url: str | None) -> list[str]:
    fix = f"run `bridge setup zendesk --public-url {public_url or 'URL'}`"
    try:
        webhook = bridge_webhook(webhooks.listing(), webhook_endpoint(public_url) if public_url else None)
    except ZendeskError as error:
        if error.status != 403:
            raise
        return [f"zendesk.email: {settings.zendesk.email} may not read Zendesk's webhooks (HTTP 403): the wiring "
                "check and `bridge setup zendesk` need an admin's API token"]
    if webhook is None:
        return [f'zendesk: no webhook named "{WEBHOOK_NAME}" sends ticket events to the bridge: {fix}']
    webhook_label = f'webhook "{webhook.get("name")}" ({webhook["id"]})'
    problems = [f"zendesk: {webhook_label} {finding}: {fix}" for finding in _settings_findings(webhook, public_url)]
    secret = webhooks.signing_secret(webhook["id"])
    configured = settings.zendesk.webhook_secret.get_secret_value()
    if not hmac.compare_digest(secret.encode(), configured.encode()):
        return [*problems, (f"zendesk.webhook_secret: is not the signing secret of {webhook_label}: {fix} and set "
                            "ZENDESK_WEBHOOK_SECRET to the secret it hands over")]
    problems += _invocation_findings(webhook_label, webhooks.recent_invocations(webhook["id"], RECENT_INVOCATIONS),
                                     webhook["endpoint"])
    if webhook["status"] == "active":
        problems += _test_delivery_findings(webhook_label, webhooks.test(webhook["id"], webhook["endpoint"]),
                                            webhook["endpoint"])
    return problems


def _settings_findings(webhook: dict, public_url: str | None) -> list[str]:
    """What `bridge setup zendesk` would change, as findings; extra subscriptions are harmless."""
    wanted_url = public_url or webhook["endpoint"].removesuffix("/webhooks/zendesk")
    drift = plan_webhook([webhook], wanted_url).changes
    findings = []
    if "status" in drift:
        findings.append(f"is {webhook['status']}, not active")
    if "endpoint" in drift:
        findings.append(f"sends to {webhook['endpoint']}, not to {webhook_endpoint(wanted_url)} (server.public_url)")
    if "http_method" in drift or "request_format" in drift:
        findings.append(f"sends {webhook.get('http_method')} {webhook.get('request_format')}, not POST json")
    missing = [kind for kind in SUBSCRIBED_EVENT_TYPES if kind not in (webhook.get("subscriptions") or [])]
    if missing:
        findings.append(f"is not subscribed to {len(missing)} event type(s) the bridge reads: {', '.join(missing)}")
    return findings


def _invocation_findings(webhook_label: str, invocations: list[dict], endpoint: str) -> list[str]:
    """The deliveries that failed since the latest one that did not (newest first)."""
    failing = []
    for invocation in invocations:
        if invocation.get("status") in NOT_FAILED:
            break
        failing.append(invocation)
    if not failing:
        return []
    newest = failing[0]
    return [(f"zendesk: {webhook_label}: its latest {len(failing)} deliveries failed (newest: "
             f"{newest.get('status')} at {newest.get('latest_completed_at')}): make sure `bridge serve` answers "
             f"at {endpoint}, then `bridge check` again")]


def _test_delivery_findings(webhook_label: str, test: dict, endpoint: str) -> list[str]:
    code = test.get("response_code")
    # No answer: Zendesk cannot reach the bridge (not running yet). 2xx, or 400 for a test body that
    # is not a ticket event: the bridge checked the signature and accepted it.
    if code is None or 200 <= code < 300 or code == 400:
        return []
    if code in (401, 403):
        return [(f"zendesk.webhook_secret: the bridge at {endpoint} refused a test delivery signed with the "
                 f"secret of {webhook_label} (HTTP {code}): restart `bridge serve` with this config's secret, or run "
                 "`bridge setup zendesk` and set ZENDESK_WEBHOOK_SECRET to the secret it hands over")]
    return [(f"zendesk: {webhook_label}: a test delivery to {endpoint} was answered HTTP {code}, not by the "
             "bridge's webhook endpoint: check server.public_url and run `bridge setup zendesk --public-url URL`")]
