"""The simulator's Flask app: routes plus auth, fault injection, request recording, Jira-shaped errors."""

from __future__ import annotations

import base64

from flask import Flask, g, request
from werkzeug.exceptions import HTTPException

from connectors.jira.simulator.api_fields import fields_api
from connectors.jira.simulator.api_issues import issues_api
from connectors.jira.simulator.api_meta import meta_api
from connectors.jira.simulator.api_webhooks import webhooks_admin_api
from connectors.jira.simulator.errors import JiraApiError

API_VERSIONS = {"cloud": {"2", "3"}, "server": {"2", "latest"}}


def create_app(sim) -> Flask:
    app = Flask("jira_simulator")
    app.config["JIRA_SIMULATOR"] = sim
    for blueprint in (issues_api, meta_api, fields_api, webhooks_admin_api):
        app.register_blueprint(blueprint)

    @app.url_value_preprocessor
    def take_api_version(endpoint, values):
        g.api = values.pop("api", None) if values else None

    @app.before_request
    def check_request():
        g.fault = None
        if g.api is not None and g.api not in API_VERSIONS[sim.deployment]:
            raise JiraApiError(404, [f"null for uri: {request.path}"])
        g.renderer = sim.store.renderer.for_api("3" if g.api == "3" else "2")
        if not _authorized(sim, request.headers.get("Authorization", "")):
            raise JiraApiError(401, ["You are not authenticated. Authentication required to perform this operation."])
        g.fault = sim.take_fault()
        if g.fault == "timeout":
            sim.sleep_past_timeout()
            raise JiraApiError(504, ["Gateway timeout"])
        if g.fault in ("500", "503"):
            raise JiraApiError(int(g.fault), ["Internal server error (injected)"])
        if g.fault == "429":
            raise JiraApiError(429, ["Rate limit exceeded (injected)"],
                               headers={"Retry-After": str(sim.fault_retry_after)})

    @app.after_request
    def record(response):
        if g.get("fault") == "timeout_after_write":
            sim.sleep_past_timeout()
        sim.record_request(request, response.status_code)
        return response

    @app.errorhandler(JiraApiError)
    def jira_error(error: JiraApiError):
        return error.body(), error.status, error.headers

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return {"errorMessages": [error.description or error.name], "errors": {}}, error.code

    return app


def _authorized(sim, header: str) -> bool:
    if sim.api_token is None:
        return True
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer":
        return sim.deployment == "server" and credentials == sim.api_token
    if scheme.lower() != "basic":
        return False
    try:
        user, _, token = base64.b64decode(credentials).decode().partition(":")
    except ValueError:
        return False
    return token == sim.api_token and (sim.user is None or user == sim.user)
