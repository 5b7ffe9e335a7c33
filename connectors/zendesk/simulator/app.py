"""The simulator's Flask app: front door hooks, JSON errors, and the route blueprints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException

from connectors.zendesk.simulator.errors import ApiError
from connectors.zendesk.simulator.front_door import RecordedRequest
from connectors.zendesk.simulator.routes_account import account_routes
from connectors.zendesk.simulator.routes_help_center import help_center_routes
from connectors.zendesk.simulator.routes_impact import impact_routes
from connectors.zendesk.simulator.routes_tickets import ticket_routes
from connectors.zendesk.simulator.routes_webhooks import webhook_routes
from connectors.zendesk.simulator.routing import EXTENSION_KEY

if TYPE_CHECKING:
    from connectors.zendesk.simulator.account import SimulatedAccount


def create_app(sim: SimulatedAccount) -> Flask:
    app = Flask("zendesk_simulator")
    app.extensions[EXTENSION_KEY] = sim
    app.register_blueprint(ticket_routes)
    app.register_blueprint(account_routes)
    app.register_blueprint(webhook_routes)
    app.register_blueprint(impact_routes)
    app.register_blueprint(help_center_routes)

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
