"""The Webhooks API (/api/v2/webhooks...) as botbrains' webhooks spec describes it."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from urllib.parse import urlencode

import requests
from flask import Blueprint, Response, jsonify, request

from connectors.zendesk.simulator.delivery import signed_post
from connectors.zendesk.simulator.events import event_time
from connectors.zendesk.simulator.routing import api_route, base_url, json_body, simulator
from connectors.zendesk.simulator.webhooks import check_endpoint, invalid

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# What Zendesk signs a test request with when the webhook does not exist yet.
TEST_SIGNING_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
TEST_TIMEOUT_SECONDS = 10
webhook_routes = Blueprint("zendesk_sim_webhooks", __name__)


def _webhook_body() -> dict:
    webhook = json_body().get("webhook")
    if not isinstance(webhook, dict):
        raise invalid("webhook", "webhook is required")
    return webhook


def _page(items: list[dict], key: str) -> Response:
    """One cursor page (page[size], page[after]) with the spec's meta and links."""
    try:
        size = min(MAX_PAGE_SIZE, max(1, int(request.args.get("page[size]", DEFAULT_PAGE_SIZE))))
        after_cursor = request.args.get("page[after]")
        start = int(base64.urlsafe_b64decode(after_cursor).decode()) if after_cursor else 0
    except (ValueError, binascii.Error):
        raise invalid("page", "page[size] must be a number and page[after] a cursor from meta.after_cursor") from None
    chunk = items[start : start + size]
    has_more = start + size < len(items)
    after = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    query = {key: value for key, value in request.args.items() if key != "page[after]"}
    next_url = f"{base_url()}{request.path}?" + urlencode({**query, "page[after]": after}) if has_more else None
    meta = {"has_more": has_more, **({"after_cursor": after} if has_more else {})}
    return jsonify({key: chunk, "meta": meta, "links": {"next": next_url} if next_url else {}})


@api_route(webhook_routes, "/webhooks", ["GET"])
def list_webhooks():
    status = request.args.get("filter[status]")
    if status not in (None, "active", "inactive"):
        raise invalid("filter[status]", "filter[status] must be active or inactive")
    sim = simulator()
    with sim.lock:
        webhooks = sim.webhooks.listing(request.args.get("filter[name_contains]"), status)
    if request.args.get("sort") in ("name", "status"):
        webhooks.sort(key=lambda webhook: webhook[request.args["sort"]])
    return _page(webhooks, "webhooks")


@api_route(webhook_routes, "/webhooks", ["POST"])
def create_webhook():
    sim = simulator()
    with sim.lock:
        if "clone_webhook_id" in request.args:
            original = sim.webhooks.show(request.args["clone_webhook_id"])
            return jsonify({"webhook": sim.webhooks.create(original)}), 201
        return jsonify({"webhook": sim.webhooks.create(_webhook_body())}), 201


@api_route(webhook_routes, "/webhooks/<webhook_id>", ["GET"])
def show_webhook(webhook_id: str):
    sim = simulator()
    with sim.lock:
        return jsonify({"webhook": sim.webhooks.show(webhook_id)})


@api_route(webhook_routes, "/webhooks/<webhook_id>", ["PUT", "PATCH", "DELETE"])
def change_webhook(webhook_id: str):
    """PUT replaces the webhook, PATCH changes the fields sent, DELETE removes it; each answers 204."""
    sim = simulator()
    with sim.lock:
        if request.method == "DELETE":
            sim.webhooks.delete(webhook_id)
        elif request.method == "PUT":
            sim.webhooks.replace(webhook_id, _webhook_body())
        else:
            sim.webhooks.patch(webhook_id, _webhook_body())
    return "", 204


@api_route(webhook_routes, "/webhooks/<webhook_id>/signing_secret", ["GET"])
def show_signing_secret(webhook_id: str):
    sim = simulator()
    with sim.lock:
        return jsonify({"signing_secret": {"algorithm": "SHA256", "secret": sim.webhooks.secret(webhook_id)}})


@api_route(webhook_routes, "/webhooks/<webhook_id>/signing_secret", ["POST"])
def reset_signing_secret(webhook_id: str):
    sim = simulator()
    with sim.lock:
        secret = sim.webhooks.reset_secret(webhook_id)
    return jsonify({"signing_secret": {"algorithm": "SHA256", "secret": secret}}), 201


@api_route(webhook_routes, "/webhooks/<webhook_id>/invocations", ["GET"])
def list_invocations(webhook_id: str):
    invocations = simulator().invocations(webhook_id)
    status = request.args.get("filter[status]")
    if status:
        invocations = [item for item in invocations if item["status"] == status]
    if request.args.get("sort") == "latest_completed_at":
        invocations.sort(key=lambda item: item["latest_completed_at"])
    return _page(invocations, "invocations")


@api_route(webhook_routes, "/webhooks/<webhook_id>/invocations/<invocation_id>/attempts", ["GET"])
def list_invocation_attempts(webhook_id: str, invocation_id: str):
    return jsonify({"attempts": simulator().invocation_attempts(webhook_id, invocation_id)})


@api_route(webhook_routes, "/webhooks/test", ["POST"])
def test_webhook():
    """Send one signed request to the endpoint (an existing webhook's data and secret unless the
    request overrides them) and report what it answered."""
    sim = simulator()
    overrides = _webhook_body()
    with sim.lock:
        webhook_id = request.args.get("webhook_id")
        existing = sim.webhooks.show(webhook_id) if webhook_id else {}
        secret = sim.webhooks.secret(webhook_id) if webhook_id else TEST_SIGNING_SECRET
    endpoint = check_endpoint(overrides.get("endpoint") or existing.get("endpoint"))
    body = json.dumps({"type": "zen:event-type:webhook.test", "id": str(uuid.uuid4()), "time": event_time(sim.clock()),
                       "account_id": sim.account_id, "subject": f"zen:webhook:{webhook_id or 'new'}",
                       "detail": {"id": webhook_id, "message": "Zendesk webhook test"}}).encode()
    headers = {"X-Zendesk-Account-Id": str(sim.account_id), "X-Zendesk-Webhook-Id": webhook_id or "",
               "X-Zendesk-Webhook-Invocation-Id": str(uuid.uuid4().int)[:19]}
    try:
        with requests.Session() as session:
            answer = signed_post(session, endpoint, secret, body, headers, TEST_TIMEOUT_SECONDS)
    except requests.RequestException as error:
        return jsonify({"test": {"status": "failed", "message": f"{type(error).__name__}: could not reach {endpoint}"}})
    outcome = "success" if 200 <= answer.status_code < 300 else "failed"
    return jsonify({"test": {"status": outcome, "message": f"{endpoint} answered HTTP {answer.status_code}",
                             "response_code": answer.status_code, "response_body": answer.text[:2000]}})
