"""Where errors become HTTP answers: always JSON with a reason, never a stack trace."""

from __future__ import annotations

import json
import logging

from flask import Flask
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from bridge.intake.group_commit import IntakeUnavailable
from bridge.logs import log_event

log = logging.getLogger("bridge.http")


class Rejected(Exception):
    """A request refused for a reason the client should see (`reason` is also a metric label)."""

    def __init__(self, status: int, reason: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message
        self.headers = headers or {}


def body_too_large() -> Rejected:
    return Rejected(413, "too_large", "body exceeds the configured limit")


def error_response(error: Rejected) -> Response:
    """The JSON answer to a refused request (a WSGI app too: the webhook middleware calls it)."""
    return Response(json.dumps({"error": error.reason, "message": error.message}), error.status,
                    error.headers, mimetype="application/json")


def unavailable_response(error: Exception) -> Response:
    """503 for a database that is down or too slow: not the client's fault, and it makes Zendesk
    and Jira deliver again later."""
    cause = error.__cause__ or getattr(error, "orig", None) or error
    log_event(log, logging.ERROR, "http.database_unavailable", error_type=type(cause).__name__)
    response = error_response(Rejected(503, "unavailable", "database unavailable, retry later"))
    response.headers["Retry-After"] = "30"
    return response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(Rejected, error_response)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        reason = (error.name or "error").lower().replace(" ", "_")
        return error_response(Rejected(error.code or 500, reason, error.description or ""))

    app.register_error_handler(OperationalError, unavailable_response)
    app.register_error_handler(IntakeUnavailable, unavailable_response)
