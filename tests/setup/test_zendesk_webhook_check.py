"""The webhook check's answer when the API user may not read webhooks (an agent, not an admin):
one line naming the key and what is needed, not "refused the credentials"."""

from __future__ import annotations

from bridge.checks.zendesk_webhook_check import webhook_problems
from connectors.zendesk.errors import ZendeskError
from tests.support.settings import make_settings


class AgentsWebhooks:
    """What Zendesk's Webhooks API answers an agent's token: 403 Forbidden."""

    def listing(self, name_contains=None):
        raise ZendeskError("GET webhooks: Forbidden", status=403, code="Forbidden")


def test_an_agent_token_is_told_that_the_webhooks_need_an_admin(sqlite_url):
    [problem] = webhook_problems(make_settings(sqlite_url), AgentsWebhooks(), None)
    assert problem == ("zendesk.email: bot@acme.test may not read Zendesk's webhooks (HTTP 403): the wiring check "
                       "and `bridge setup zendesk` need an admin's API token")
