"""What the simulator's routes share: the account they serve, `/api/v2` registration, request readers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, current_app, request

from connectors.zendesk.simulator.errors import ApiError, too_many_values

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
