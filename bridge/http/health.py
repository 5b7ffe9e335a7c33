"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from bridge.storage.db import ping

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    return jsonify(status="ok")


@health.get("/readyz")
def readyz():
    runtime = current_app.extensions["bridge"]
    checks = {}
    try:
        ping(runtime.engine)
        checks["database"] = "ok"
    except SQLAlchemyError as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    # A broken rule edit does not make the bridge unready: the last valid rules keep running.
    rules = {"loaded": len(runtime.rules.current()), "last_reload_error": runtime.rules.error}
    return jsonify(status="ready" if ready else "not ready", checks=checks, rules=rules), (
        200 if ready else 503)


@health.get("/metrics")
def metrics():
    runtime = current_app.extensions["bridge"]
    return Response(generate_latest(runtime.metrics.registry), mimetype=CONTENT_TYPE_LATEST)
