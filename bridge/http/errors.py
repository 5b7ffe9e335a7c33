"""Where errors become HTTP answers: always JSON with a reason, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from bridge.intake import IntakeUnavailable
from bridge.logs import log_event

log = logging.getLogger("bridge.http")


class Rejected(Exception):
    """A request refused for a reason the client should see (`reason` is also a metric label)."""

    def __init__(self, status: int, reason: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message
        self.headers = headers or {}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(Rejected)
    def _rejected(error: Rejected):
        return jsonify(error=error.reason, message=error.message), error.status, error.headers

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        reason = (error.name or "error").lower().replace(" ", "_")
        return jsonify(error=reason, message=error.description), error.code

    @app.errorhandler(OperationalError)
    @app.errorhandler(IntakeUnavailable)
    def _database_down(error: Exception):
        # Not the client's fault: 503 makes Zendesk and Jira deliver again later.
        cause = error.__cause__ or getattr(error, "orig", None) or error
        log_event(log, logging.ERROR, "http.database_unavailable", error_type=type(cause).__name__)
        response = jsonify(error="unavailable", message="database unavailable, retry later")
        response.headers["Retry-After"] = "30"
        return response, 503
