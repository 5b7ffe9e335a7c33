"""`bridge check` against the live Zendesk: do the API credentials work, as an agent, is
`zendesk.bridge_user_id` the user they act as, are the ticket fields the config names
(`zendesk.fields.*`, `custom_fields`) there, active, and of a type the bridge can write, is the
organization field the impact score weighs (`impact.organization_field`) there, and is the webhook
wired (zendesk_webhook_check.py)?

Zendesk ignores an unknown custom field id in a ticket update, so without this check a typo in an
id would only show as a field that never fills."""

from __future__ import annotations

from bridge.checks.reachability import unreachable
from bridge.checks.zendesk_webhook_check import webhook_problems
from bridge.config.settings import Settings
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.errors import ZendeskError
from connectors.zendesk.webhooks import ZendeskWebhooks

AUTH_FAILED = (401, 403)
# Zendesk field types that take what the bridge writes into each `zendesk.fields.*` field: the
# Jira key and status as free text, the expected fix date as YYYY-MM-DD.
WRITABLE_TYPES = {"jira_key": ("text", "textarea"), "jira_status": ("text", "textarea"),
                  "expected_fix_date": ("date", "text")}


def check_zendesk(settings: Settings, public_url: str | None) -> list[str]:
    zendesk = settings.zendesk
    client = ZendeskClient(zendesk.url, zendesk.email, zendesk.api_token.get_secret_value())
    try:
        user = client.current_user()
        problems = account_problems(settings, user)
        if _authenticated_agent(user):
            problems += field_problems(settings, client.ticket_fields())
            if settings.impact is not None and settings.impact.organization_field is not None:
                problems += organization_field_problems(settings.impact.organization_field,
                                                        client.organization_fields())
            problems += webhook_problems(settings, ZendeskWebhooks(client), public_url)
    except ZendeskError as error:
        return [zendesk_failure(settings, error)]
    finally:
        client.session.close()
    return problems


def _authenticated_agent(user: dict) -> bool:
    return user.get("id") is not None and user.get("role") != "end-user"


def account_problems(settings: Settings, user: dict) -> list[str]:
    zendesk = settings.zendesk
    if user.get("id") is None:  # Zendesk answers the anonymous user when no credentials apply
        return [(f"zendesk: Zendesk at {zendesk.url} did not authenticate the credentials: "
                 "check zendesk.email and zendesk.api_token")]
    if user.get("role") == "end-user":
        return [f"zendesk.email: {zendesk.email} is an end user in Zendesk; the bridge needs an agent or admin"]
    if zendesk.bridge_user_id is not None and zendesk.bridge_user_id != user["id"]:
        return [(f"zendesk.bridge_user_id: {zendesk.bridge_user_id}, but the API credentials act as user "
                 f"{user['id']} ({user.get('email')}); with the wrong id the bridge's own changes would "
                 "count as customer reports")]
    return []


def field_problems(settings: Settings, fields: list[dict]) -> list[str]:
    """A line per configured ticket field id that Zendesk lacks, has switched off, or that the
    bridge cannot write its value into."""
    known = {field["id"]: field for field in fields}
    listing = ", ".join(f"{field['id']} {field.get('title', '')}".rstrip() for field in fields
                        if field.get("removable", True)) or "none"
    configured: list[tuple[str, int, tuple[str, str] | None]] = [
        (f"zendesk.fields.{key}", field_id, WRITABLE_TYPES[key])
        for key, field_id in settings.zendesk.fields.model_dump().items() if field_id is not None]
    configured += [(f"custom_fields.{name}", field_id, None) for name, field_id in settings.custom_fields.items()]
    problems = []
    for key, field_id, writable in configured:
        field = known.get(field_id)
        if field is None:
            problems.append(f"{key}: Zendesk has no ticket field {field_id} (custom fields: {listing})")
        elif not field.get("active", True):
            problems.append(f"{key}: Zendesk ticket field {field_id} ({field.get('title')}) is inactive")
        elif writable and field.get("type") not in writable:
            problems.append(f"{key}: Zendesk ticket field {field_id} ({field.get('title')}) is a "
                            f"{field.get('type')} field; the bridge writes it as {' or '.join(writable)}")
    return problems


def organization_field_problems(key: str, fields: list[dict]) -> list[str]:
    """A line when Zendesk has no active organization field with this key: every organization
    would then count `impact.organization_default` points, whatever its plan or revenue."""
    field = next((field for field in fields if field.get("key") == key), None)
    if field is not None and field.get("active", True):
        return []
    listing = ", ".join(f"{f.get('key')} ({f.get('title', '')})" for f in fields if f.get("active", True)) or "none"
    state = f"is inactive ({field.get('title')})" if field is not None else "does not exist"
    return [(f"impact.organization_field: the Zendesk organization field {key!r} {state}, so every organization "
             f"would count impact.organization_default points; set it to the key of one of the account's "
             f"organization fields (Admin Center > People > Configuration > Organization fields; active keys: "
             f"{listing}), or leave it out")]


def zendesk_failure(settings: Settings, error: ZendeskError) -> str:
    url = settings.zendesk.url
    if error.status in AUTH_FAILED:
        return (f"zendesk: Zendesk at {url} refused the credentials (HTTP {error.status}): "
                "check zendesk.email and zendesk.api_token")
    if error.status is None:
        return f"zendesk.url: {unreachable(url, error)}"
    return f"zendesk: Zendesk at {url} answered HTTP {error.status}: {error.message}"
