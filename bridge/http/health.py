"""Liveness, readiness and Prometheus metrics. None of them waits on the database for long:
readiness shares one ping at a time (bridge/storage/single_flight.py), metrics from the database
are served from the last good read."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bridge.storage.single_flight import Snapshot

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    return jsonify(status="ok")


@health.get("/readyz")
def readyz():
    runtime = current_app.extensions["bridge"]
    checks = {"database": database_state(runtime.readiness.refresh(wait=True), runtime.readiness.timeout)}
    ready = all(value == "ok" for value in checks.values())
    # A broken rule edit does not make the bridge unready: the last valid rules keep running. The
    # worker may run in another process: this one reads the files too, to say what it runs.
    runtime.rules.check(report=False)
    rules = {"loaded": len(runtime.rules.current()), "last_reload_error": runtime.rules.error}
    return jsonify(status="ready" if ready else "not ready", checks=checks, rules=rules), (
        200 if ready else 503)


def database_state(ping: Snapshot[None], timeout: float) -> str:
    if ping.overdue(timeout):
        return f"not answering: no reply to a ping for {ping.running_seconds:.1f} s"
    if ping.latest is None:
        return "checking"  # the first ping is still running
    if ping.latest.error is not None:
        return f"unreachable: {type(ping.latest.error).__name__}"
    return "ok"


@health.get("/metrics")
def metrics():
    runtime = current_app.extensions["bridge"]
    return Response(generate_latest(runtime.metrics.registry), mimetype=CONTENT_TYPE_LATEST)
