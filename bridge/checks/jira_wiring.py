"""`bridge check`: is Jira's webhook wired to the bridge? What Jira shows of it is judged by
`bridge/setup/jira_plan.py` (as `bridge setup jira` judges it); each finding names the command
that fixes it.

Jira has no test delivery, and never shows a webhook's secret again: the URL's fingerprint says
which secret Jira signs with. Where the bridge already answers at the public URL, a delivery
signed as Jira signs it proves the running bridge takes that secret (and that the URL is the
bridge's); where it does not answer yet (check runs before `serve`), that part is skipped."""

from __future__ import annotations

import json
import time
import uuid

import requests

from bridge.setup.jira_plan import JIRA_WEBHOOK_PATH, WEBHOOK_NAME, JiraWiring, bridge_webhooks
from connectors.jira.client import JiraClient
from connectors.jira.errors import JiraError
from connectors.jira.signature import IDENTIFIER_HEADER, SIGNATURE_HEADER, TOKEN_QUERY_PARAMETER, sign
from connectors.jira.webhooks import JiraWebhooks

AUTH_FAILED = (401, 403)
# An event the bridge stores and ignores (`connectors/jira/events.py` reads no such event).
CHECK_EVENT = "bridge:wiring_check"
ROUND_TRIP_TIMEOUT_SECONDS = 5
# Why the bridge refuses a Jira delivery's authentication (`connectors/jira/signature.verify`).
SIGNATURE_REFUSALS = frozenset({"bad_signature", "bad_token", "missing_signature"})


def wiring_problems(client: JiraClient, wiring: JiraWiring) -> list[str]:
    fix = "run `bridge setup jira" + (f" --public-url {wiring.public_url}`" if wiring.public_url else "`")
    try:
        ours = bridge_webhooks(JiraWebhooks(client).list())
    except JiraError as error:
        if error.status not in AUTH_FAILED:
            raise
        return [f"jira.webhook: Jira does not let the bridge's user list webhooks (HTTP {error.status}), so "
                "the wiring is unchecked: run `bridge check` once with a Jira administrator's token"]
    if not ours:
        return [f"jira.webhook: Jira has no webhook named {WEBHOOK_NAME!r}, so no Jira change reaches the "
                f"bridge: {fix}"]
    first, *others = ours
    problems = [f"jira.webhook: Jira webhook {WEBHOOK_NAME!r} (id {first.id}): {problem}: {fix}"
                for problem in wiring.problems(first)]
    if others:
        problems.append(f"jira.webhook: {len(ours)} Jira webhooks are named {WEBHOOK_NAME!r} (ids "
                        f"{', '.join(w.id for w in ours)}): each delivers every event again: {fix}")
    return problems + round_trip_problems(wiring)


def round_trip_problems(wiring: JiraWiring) -> list[str]:
    """POST the bridge at the public URL a delivery authenticated as the config says Jira's are."""
    if wiring.public_url is None:
        return []
    url = wiring.public_url.rstrip("/") + JIRA_WEBHOOK_PATH
    body = json.dumps({"timestamp": int(time.time() * 1000), "webhookEvent": CHECK_EVENT}).encode()
    headers = {"Content-Type": "application/json", IDENTIFIER_HEADER: f"bridge-check-{uuid.uuid4()}"}
    params = {}
    if wiring.secret:
        headers[SIGNATURE_HEADER] = sign(wiring.secret, body)
    elif wiring.url_token:
        params[TOKEN_QUERY_PARAMETER] = wiring.url_token
    try:
        answer = requests.post(url, data=body, headers=headers, params=params, timeout=ROUND_TRIP_TIMEOUT_SECONDS,
                               allow_redirects=False)
    except requests.RequestException:
        return []  # not serving yet, or not reachable from here: nothing to prove or disprove
    if 200 <= answer.status_code < 300:
        return []
    how = "signed with jira.webhook_secret" if wiring.secret else "carrying jira.webhook_url_token"
    if answer.status_code == 401 and _refusal_reason(answer) in SIGNATURE_REFUSALS:
        return [f"jira.webhook: the bridge at {url} refused a delivery {how} (HTTP 401): it runs with "
                "another secret than this config: restart it with this config"]
    return [f"jira.webhook: {url} answered HTTP {answer.status_code} to a delivery {how}: is "
            f"{wiring.public_url} the bridge's public address?"]


def _refusal_reason(answer: requests.Response) -> str | None:
    """The bridge's reason (`{"error": ...}`); None from anything else."""
    try:
        body = answer.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None
