"""Webhook intake: check size, type and signature, and that the event names its ticket, issue or
version; store it in the inbox; answer. Nothing else: the worker parses the rest, so a payload it
cannot read is kept (parked as failed, replayable) rather than refused."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any, Callable

import orjson
from flask import Blueprint, Response, current_app, request

from bridge.http.errors import Rejected
from bridge.logs import log_event
from bridge.runtime import Runtime
from bridge.storage.inbox import Delivery
from connectors.jira import events as jira_events
from connectors.jira import signature as jira_signature
from connectors.payload import PayloadError
from connectors.signing import SignatureError
from connectors.zendesk import events as zendesk_events
from connectors.zendesk import signature as zendesk_signature

log = logging.getLogger("bridge.webhooks")
webhooks = Blueprint("webhooks", __name__)
# Every accepted webhook gets one of two fixed answers; encoding them once is cheaper than jsonify.
_ACCEPTED = json.dumps({"status": "accepted"}).encode()
_DUPLICATE = json.dumps({"status": "duplicate"}).encode()


def _runtime() -> Runtime:
    return current_app.extensions["bridge"]


@webhooks.post("/webhooks/zendesk")
def receive_zendesk():
    def authenticate(body: bytes, runtime: Runtime) -> None:
        settings = runtime.settings
        zendesk_signature.verify(
            settings.zendesk.webhook_secret.get_secret_value(),
            _header(zendesk_signature.SIGNATURE_HEADER), _header(zendesk_signature.TIMESTAMP_HEADER),
            body, runtime.clock(), settings.server.signature_tolerance_seconds)

    def identify(payload: dict, body: bytes) -> tuple[str, str]:
        key = zendesk_events.delivery_key(payload, _header("X-Zendesk-Webhook-Invocation-Id"))
        zendesk_events.ticket_id_of(payload)
        return key, zendesk_events.event_type_of(payload)

    return _intake("zendesk", authenticate, identify)


@webhooks.post("/webhooks/jira")
def receive_jira():
    def authenticate(body: bytes, runtime: Runtime) -> None:
        settings = runtime.settings.jira
        jira_signature.verify(
            _reveal(settings.webhook_secret),
            _header(jira_signature.SIGNATURE_HEADER),
            body,
            url_token=request.args.get(jira_signature.TOKEN_QUERY_PARAMETER),
            expected_url_token=_reveal(settings.webhook_url_token))

    def identify(payload: dict, body: bytes) -> tuple[str, str]:
        identifier = _header(jira_signature.IDENTIFIER_HEADER)
        # Without Jira's delivery id, identical bodies are the same delivery (they carry a timestamp).
        key = identifier[:200] if identifier else "sha256:" + hashlib.sha256(body).hexdigest()
        jira_events.subject_id_of(payload)
        return key, jira_events.event_type_of(payload)

    return _intake("jira", authenticate, identify)


def _intake(source: str, authenticate: Callable[[bytes, Runtime], None],
            identify: Callable[[dict, bytes], tuple[str, str]]):
    runtime = _runtime()
    started = time.perf_counter()
    try:
        body = _read_body()
        try:
            authenticate(body, runtime)
        except SignatureError as error:
            raise Rejected(401, error.reason, str(error)) from None
        text, payload = _json_object(body)
        try:
            key, event_type = identify(payload, body)
        except PayloadError as error:
            raise Rejected(400, "unparseable", str(error)) from None
    except Rejected as rejection:
        runtime.metrics.events_rejected.labels(source, rejection.reason).inc()
        log_event(log, logging.WARNING, "webhook.rejected", source=source, reason=rejection.reason,
                  status=rejection.status)
        raise
    stored = runtime.intake.store(Delivery(source, key, event_type, text, runtime.clock()))
    metrics = runtime.metrics.intake(source)
    (metrics.received if stored else metrics.deduplicated).inc()
    metrics.seconds.observe(time.perf_counter() - started)
    # Per-request lines are DEBUG: the metrics count them, and INFO logging costs ~10% of intake.
    log_event(log, logging.DEBUG, "webhook.accepted", source=source, event_type=event_type,
              duplicate=not stored)
    return Response(_ACCEPTED if stored else _DUPLICATE, mimetype="application/json")


def _header(name: str) -> str | None:
    # Straight from the WSGI environ: werkzeug's header view costs more than the lookup itself.
    return request.environ.get("HTTP_" + name.upper().replace("-", "_"))


def _read_body() -> bytes:
    environ = request.environ
    mimetype = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise Rejected(415, "unsupported_media_type", "send the body as application/json")
    # Straight from the server's input, in one read: werkzeug's size-limiting wrapper reads in
    # small pieces, about an eighth of the handler's time under load (py-spy on bench/ingest.py).
    # The size limit is enforced here instead.
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    length = request.content_length
    if length is not None and length > limit:
        raise Rejected(413, "too_large", "body exceeds the configured limit")
    body = environ["wsgi.input"].read(limit + 1 if length is None else length)
    if len(body) > limit:
        raise Rejected(413, "too_large", "body exceeds the configured limit")
    return body


def _json_object(body: bytes) -> tuple[str, dict[str, Any]]:
    try:
        text = body.decode("utf-8")
        payload = orjson.loads(body)
    except ValueError:  # orjson's errors, UnicodeDecodeError too, are ValueErrors
        raise Rejected(400, "not_json", "body is not valid UTF-8 JSON") from None
    if not isinstance(payload, dict):
        raise Rejected(400, "not_object", "body must be a JSON object")
    return text, payload


def _reveal(secret) -> str | None:
    return secret.get_secret_value() if secret is not None else None
