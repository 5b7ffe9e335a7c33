"""What every route module of the simulated Jira reads: the simulator behind the app, a JSON body."""

from __future__ import annotations

from flask import current_app, request

from connectors.jira.simulator.errors import JiraApiError


def simulator():
    return current_app.config["JIRA_SIMULATOR"]


def json_object() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise JiraApiError(400, ["The request body must be a JSON object."])
    return body
