"""The simulator's Flask app: front door hooks, JSON errors, and the route blueprints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Flask, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from connectors.zendesk.simulator.errors import ApiError, too_many_values
from connectors.zendesk.simulator.front_door import RecordedRequest

if TYPE_CHECKING:
    from connectors.zendesk.simulator.account import SimulatedAccount

EXTENSION_KEY = "zendesk_simulator"


def simulator() -> SimulatedAccount:
    return current_app.extensions[EXTENSION_KEY]


def api_route(blueprint: Blueprint, rule: str, methods: list[str]):
    """Register `rule` under /api/v2 both bare and with the `.json` suffix Zendesk also accepts."""

    def register(view):
        blueprint.add_url_rule(f"/api/v2{rule}", view_func=view, methods=methods)
        blueprint.add_url_rule(f"/api/v2{rule}.json", endpoint=f"{view.__name__}_json", view_func=view,
                               methods=methods)
        return view

    return register


def base_url() -> str:
    return request.host_url.rstrip("/")


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "InvalidValue", "Request body must be a JSON object")
    return body


def id_list(parameter: str = "ids", limit: int = 100) -> list[int]:
    raw = request.args.get(parameter, "")
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise ApiError(400, "InvalidValue", f"Parameter {parameter} must be a comma-separated list of ids") from None
    if len(ids) > limit:
        raise too_many_values(parameter, limit)
    return ids


def create_app(sim: SimulatedAccount) -> Flask:
    from connectors.zendesk.simulator.routes_account import account_routes
    from connectors.zendesk.simulator.routes_tickets import ticket_routes

    app = Flask("zendesk_simulator")
    app.extensions[EXTENSION_KEY] = sim
    app.register_blueprint(ticket_routes)
    app.register_blueprint(account_routes)

    @app.before_request
    def front_door():
        g.recorded = RecordedRequest(request.method, request.path, request.args.to_dict(),
                                     request.get_json(silent=True))
        sim.front_door.record(g.recorded)
        sim.front_door.admit(request.headers.get("Authorization"))

    @app.after_request
    def remember_status(response):
        if "recorded" in g:
            g.recorded.status = response.status_code
        return response

    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        response = jsonify(error.body())
        response.status_code = error.status
        response.headers.update(error.headers)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = jsonify({"error": error.name, "description": error.description})
        response.status_code = error.code or 500
        return response

    return app
