"""Webhook intake: check size, type and signature, and that the event names its ticket, issue or
version; store it in the inbox; answer. Nothing else: the worker parses the rest, so a payload it
cannot read is kept (parked as failed, replayable) rather than refused.

`POST /webhooks/zendesk` and `POST /webhooks/jira` are WSGI middleware in front of the Flask app
(Flask's documented way to wrap `app.wsgi_app`), not Flask views: Flask's per-request machinery
(contexts, routing, request and response objects) cost more than all of the intake's own work,
and webhooks are the one path that takes the vendors' bursts. As Flask views the bridge answered
0.47 of a bare Flask endpoint's rate; as middleware, 0.72 to 0.98 (bench/ingest.py, docs/performance.md).
Every other path is Flask's."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, NamedTuple
from urllib.parse import parse_qs

from werkzeug.wsgi import get_content_length

from bridge.config.settings import revealed
from bridge.http.errors import Rejected, body_too_large, error_response, unavailable_response
from bridge.intake.group_commit import IntakeUnavailable
from bridge.logs import log_event
from bridge.runtime import Runtime
from bridge.storage.inbox import Delivery, ticket_subject
from connectors.jira import events as jira_events
from connectors.jira import signature as jira_signature
from connectors.payload import JsonError, PayloadError, parse_json
from connectors.payload import timestamp as payload_timestamp
from connectors.signing import SignatureError
from connectors.zendesk import events as zendesk_events
from connectors.zendesk import signature as zendesk_signature

log = logging.getLogger("bridge.webhooks")
WSGIApp = Callable[[dict, Callable], Any]


def _json_answer(data: dict) -> tuple[bytes, list[tuple[str, str]]]:
    body = json.dumps(data).encode()
    return body, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]


# Every accepted webhook gets one of two fixed answers, encoded once; by whether it was stored.
_ANSWERS = {True: _json_answer({"status": "accepted"}), False: _json_answer({"status": "duplicate"})}
_OK = f"200 {HTTPStatus.OK.phrase}"


class _Identity(NamedTuple):
    delivery_key: str
    event_type: str
    signed_digest: str  # of what the signature covers: a replay under a new delivery id has it too
    subject_key: str | None = None  # events of one ticket are processed in turn


class _Endpoint(NamedTuple):
    source: str
    authenticate: Callable[[bytes, dict], None]  # raises SignatureError
    identify: Callable[[dict, bytes, dict], _Identity]  # raises PayloadError or SignatureError


class WebhookIntake:
    """The webhook endpoints, in front of `app` (which gets every other request)."""

    def __init__(self, runtime: Runtime, app: WSGIApp):
        self.runtime, self.app = runtime, app
        self.endpoints = {
            "/webhooks/zendesk": _Endpoint("zendesk", self._authenticate_zendesk, _identify_zendesk),
            "/webhooks/jira": _Endpoint("jira", self._authenticate_jira, self._identify_jira),
        }

    def __call__(self, environ: dict, start_response: Callable):
        endpoint = self.endpoints.get(environ.get("PATH_INFO", ""))
        if endpoint is None:
            return self.app(environ, start_response)
        try:
            if environ.get("REQUEST_METHOD") != "POST":
                raise Rejected(405, "method_not_allowed", "webhooks are POSTed", {"Allow": "POST"})
            with self.runtime.intake_load.request():
                stored = self._intake(environ, endpoint)
        except Rejected as rejection:
            response = error_response(rejection)
        except IntakeUnavailable as error:
            response = unavailable_response(error)
        except Exception as error:  # a bug, not the client: answer as Flask would, 500 in JSON
            log_event(log, logging.ERROR, "webhook.failed", error_type=type(error).__name__)
            log.debug("webhook.failed", exc_info=True)  # the message may quote the payload
            response = error_response(Rejected(500, "internal_server_error", "the webhook was not taken"))
        else:
            body, headers = _ANSWERS[stored]
            start_response(_OK, list(headers))
            return [body]
        return response(environ, start_response)

    def _intake(self, environ: dict, endpoint: _Endpoint) -> bool:
        """True when stored, False for a duplicate; raises Rejected or IntakeUnavailable."""
        runtime, source = self.runtime, endpoint.source
        started = time.perf_counter()
        try:
            body = self._read_body(environ)
            try:
                endpoint.authenticate(body, environ)
            except SignatureError as error:
                raise Rejected(401, error.reason, str(error)) from None
            text, payload = _json_object(body)
            try:
                identity = endpoint.identify(payload, body, environ)
            except PayloadError as error:
                raise Rejected(400, "unparseable", str(error)) from None
            except SignatureError as error:
                raise Rejected(401, error.reason, str(error)) from None
        except Rejected as rejection:
            runtime.metrics.events_rejected.labels(source, rejection.reason).inc()
            log_event(log, logging.WARNING, "webhook.rejected", source=source, reason=rejection.reason,
                      status=rejection.status)
            raise
        stored = runtime.intake.store(Delivery(source, identity.delivery_key, identity.event_type, text,
                                               runtime.clock(), identity.signed_digest, identity.subject_key))
        metrics = runtime.metrics.intake(source)
        (metrics.received if stored else metrics.deduplicated).inc()
        metrics.seconds.observe(time.perf_counter() - started)
        # Per-request lines are DEBUG: the metrics count them, and INFO logging costs ~10% of intake.
        log_event(log, logging.DEBUG, "webhook.accepted", source=source, event_type=identity.event_type,
                  duplicate=not stored)
        return stored

    def _read_body(self, environ: dict) -> bytes:
        mimetype = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
            raise Rejected(415, "unsupported_media_type", "send the body as application/json")
        limit = self.runtime.settings.server.max_body_bytes
        length = get_content_length(environ)  # None when absent or chunked; 0 when not a number
        if length is not None and length > limit:
            raise body_too_large()
        # One read of the server's input; without a Content-Length, never more than the limit.
        body = environ["wsgi.input"].read(limit + 1 if length is None else length)
        if len(body) > limit:
            raise body_too_large()
        return body

    def _authenticate_zendesk(self, body: bytes, environ: dict) -> None:
        settings = self.runtime.settings
        zendesk_signature.verify(
            settings.zendesk.webhook_secret.get_secret_value(),
            _header(environ, zendesk_signature.SIGNATURE_HEADER),
            _header(environ, zendesk_signature.TIMESTAMP_HEADER),
            body, self.runtime.clock(), settings.server.signature_tolerance_seconds)

    def _authenticate_jira(self, body: bytes, environ: dict) -> None:
        settings = self.runtime.settings.jira
        tokens = parse_qs(environ.get("QUERY_STRING", "")).get(jira_signature.TOKEN_QUERY_PARAMETER)
        jira_signature.verify(
            revealed(settings.webhook_secret),
            _header(environ, jira_signature.SIGNATURE_HEADER),
            body,
            url_token=tokens[0] if tokens else None,
            expected_url_token=revealed(settings.webhook_url_token))

    def _identify_jira(self, payload: dict, body: bytes, environ: dict) -> _Identity:
        jira_signature.check_fresh(payload_timestamp(payload, "timestamp", required=True),
                                   self.runtime.clock(), self.runtime.settings.jira.webhook_max_age_seconds)
        digest = jira_signature.signed_digest(body)
        identifier = _header(environ, jira_signature.IDENTIFIER_HEADER)
        # Without Jira's delivery id, identical bodies are the same delivery (they carry a timestamp).
        key = identifier[:200] if identifier else "sha256:" + digest
        jira_events.subject_id_of(payload)
        return _Identity(key, jira_events.event_type_of(payload), digest)


def _identify_zendesk(payload: dict, body: bytes, environ: dict) -> _Identity:
    key = zendesk_events.delivery_key(payload, _header(environ, "X-Zendesk-Webhook-Invocation-Id"))
    ticket_id = zendesk_events.ticket_id_of(payload)
    signed_at = _header(environ, zendesk_signature.TIMESTAMP_HEADER)
    assert signed_at is not None, "authenticate() has checked that this header is present and fresh"
    digest = zendesk_signature.signed_digest(signed_at, body)
    return _Identity(key, zendesk_events.event_type_of(payload), digest,
                     ticket_subject(ticket_id) if ticket_id is not None else None)


def _header(environ: dict, name: str) -> str | None:
    return environ.get("HTTP_" + name.upper().replace("-", "_"))


def _json_object(body: bytes) -> tuple[str, dict[str, Any]]:
    try:
        payload = parse_json(body)  # the worker reads the stored text with the same reader
    except JsonError as error:
        raise Rejected(400, error.reason, str(error)) from None
    text = body.decode("utf-8")  # orjson has checked that it is UTF-8
    if not isinstance(payload, dict):
        raise Rejected(400, "not_object", "body must be a JSON object")
    return text, payload
