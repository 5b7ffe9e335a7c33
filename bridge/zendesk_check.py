"""`bridge check` against the live Zendesk: do the API credentials work, as an agent, and is
`zendesk.bridge_user_id` the user they act as?

The `zendesk.fields.*` ids are not checked: the simulator has no ticket-fields endpoint to check
them against, so such a check could not be tested here."""

from __future__ import annotations

from bridge.config import Settings
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.errors import ZendeskError

AUTH_FAILED = (401, 403)


def check_zendesk(settings: Settings) -> list[str]:
    zendesk = settings.zendesk
    client = ZendeskClient(zendesk.url, zendesk.email, zendesk.api_token.get_secret_value())
    try:
        user = client.current_user()
    except ZendeskError as error:
        return [_unusable(settings, error)]
    finally:
        client.session.close()
    return account_problems(settings, user)


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


def _unusable(settings: Settings, error: ZendeskError) -> str:
    url = settings.zendesk.url
    if error.status in AUTH_FAILED:
        return (f"zendesk: Zendesk at {url} refused the credentials (HTTP {error.status}): "
                "check zendesk.email and zendesk.api_token")
    if error.status is None:
        return f"zendesk.url: cannot reach Zendesk at {url}: {error.message}"
    return f"zendesk: Zendesk at {url} answered HTTP {error.status}: {error.message}"
