"""Users, ticket fields, job statuses, search (tickets, users, organizations), incremental export and
triggers."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

from flask import Blueprint, jsonify, request

from connectors.zendesk.simulator.errors import ApiError, record_invalid
from connectors.zendesk.simulator.routing import api_route, base_url, id_list, json_body, simulator

SEARCH_PAGE_SIZE = 100
SEARCH_LIMIT = 1000  # results one search query reaches (the Search API's limit)
USER_SEARCH_LIMIT = 10_000  # users one Search Users query reaches
INCREMENTAL_PAGE_SIZE = 1000
EMPTY_CURSOR_PAGE = {"meta": {"has_more": False, "after_cursor": None, "before_cursor": None},
                     "links": {"next": None, "prev": None}}
CUSTOM_FIELD_TYPES = ("text", "textarea", "checkbox", "date", "integer", "decimal", "regexp", "partialcreditcard",
                      "multiselect", "tagger", "lookup")
account_routes = Blueprint("zendesk_sim_account", __name__)


def _int_arg(name: str, default: int, minimum: int, maximum: int) -> int:
    """A numeric query parameter, clamped to [minimum, maximum]."""
    try:
        return max(minimum, min(maximum, int(request.args.get(name, default))))
    except ValueError:
        raise ApiError(400, "InvalidValue", f"{name} must be a number") from None


@api_route(account_routes, "/users/<int:user_id>", ["GET"])
def show_user(user_id: int):
    return jsonify({"user": simulator().user(user_id)})


@api_route(account_routes, "/users/me", ["GET"])
def show_me():
    sim = simulator()
    return jsonify({"user": sim.user(sim.api_user_id)})


@api_route(account_routes, "/users/show_many", ["GET"])
def show_many_users():
    users = simulator().users_by_ids(id_list())
    return jsonify({"users": users, "next_page": None, "previous_page": None, "count": len(users)})


@api_route(account_routes, "/ticket_fields", ["GET"])
def list_ticket_fields():
    fields = simulator().ticket_fields()
    return jsonify({"ticket_fields": fields, "next_page": None, "previous_page": None, "count": len(fields)})


@api_route(account_routes, "/ticket_fields", ["POST"])
def create_ticket_field():
    field = json_body().get("ticket_field")
    if not isinstance(field, dict) or not isinstance(field.get("title"), str) or not field["title"].strip():
        raise record_invalid("title", "Title: cannot be blank")
    if field.get("type", "text") not in CUSTOM_FIELD_TYPES:
        raise record_invalid("type", f"Type: {field.get('type')} is not a valid field type")
    return jsonify({"ticket_field": simulator().create_ticket_field(field)}), 201


@api_route(account_routes, "/job_statuses/<job_id>", ["GET"])
def show_job_status(job_id: str):
    return jsonify({"job_status": simulator().job(job_id)})


@api_route(account_routes, "/job_statuses/show_many", ["GET"])
def show_many_job_statuses():
    ids = [part for part in request.args.get("ids", "").split(",") if part]
    jobs = simulator().jobs_by_ids(ids)
    return jsonify({"job_statuses": jobs, "next_page": None, "previous_page": None, "count": len(jobs)})


def _offset_page(key: str, found: list[dict], path: str, limit: int, **extra) -> dict:
    """One page of `found` (`page`, `per_page` up to 100, at most `limit` results in all), with
    the next and previous pages' URLs, as Zendesk's offset pagination answers."""
    query = request.args.get("query", "")
    page = _int_arg("page", 1, 1, 10_000)
    per_page = _int_arg("per_page", SEARCH_PAGE_SIZE, 1, SEARCH_PAGE_SIZE)
    if (page - 1) * per_page >= limit and page > 1:
        raise ApiError(422, "invalid", f"Search results are limited to {limit} records")
    reachable = found[:limit]
    chunk = reachable[(page - 1) * per_page : page * per_page]

    def page_url(number: int) -> str:
        return f"{base_url()}/api/v2/{path}?" + urlencode({"page": number, "per_page": per_page, "query": query})

    return {key: chunk, "count": len(found), **extra,
            "next_page": page_url(page + 1) if page * per_page < len(reachable) else None,
            "previous_page": page_url(page - 1) if page > 1 else None}


@api_route(account_routes, "/search", ["GET"])
def search():
    found = simulator().search(request.args.get("query", ""))
    return jsonify(_offset_page("results", found, "search.json", SEARCH_LIMIT, facets=None))


@api_route(account_routes, "/users/search", ["GET"])
def search_users():
    if "external_id" in request.args:
        found = [user for user in simulator().search_users("")
                 if user.get("external_id") == request.args["external_id"]]
    else:
        found = simulator().search_users(request.args.get("query", ""))
    return jsonify(_offset_page("users", found, "users/search.json", USER_SEARCH_LIMIT))


def _decode_cursor(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, binascii.Error):
        raise ApiError(400, "InvalidValue", "cursor is not valid") from None


def _encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(str(position).encode()).decode()


@api_route(account_routes, "/incremental/tickets/cursor", ["GET"])
def incremental_tickets():
    simulator().front_door.admit_export()
    per_page = _int_arg("per_page", INCREMENTAL_PAGE_SIZE, 1, INCREMENTAL_PAGE_SIZE)
    if "cursor" in request.args:
        after = _decode_cursor(request.args["cursor"])
        page, last_position, has_more = simulator().incremental_after(after, None, per_page)
    elif "start_time" in request.args:
        start_time = _int_arg("start_time", 0, 0, 2**40)
        page, last_position, has_more = simulator().incremental_after(0, start_time, per_page)
    else:
        raise ApiError(400, "InvalidValue", "start_time or cursor is required")
    after_cursor = _encode_cursor(last_position)
    url = f"{base_url()}/api/v2/incremental/tickets/cursor.json?"
    return jsonify({"tickets": page, "after_cursor": after_cursor, "before_cursor": None,
                    "after_url": url + urlencode({"cursor": after_cursor}), "before_url": None,
                    "end_of_stream": not has_more})


@api_route(account_routes, "/triggers", ["GET"])
def list_triggers():
    triggers = simulator().trigger_list()
    return jsonify({"triggers": triggers, "count": len(triggers), "next_page": None, "previous_page": None,
                    **EMPTY_CURSOR_PAGE})


@api_route(account_routes, "/triggers", ["POST"])
def create_trigger():
    trigger = json_body().get("trigger")
    if not isinstance(trigger, dict) or not trigger.get("title"):
        raise ApiError(400, "InvalidValue", "trigger needs a title")
    return jsonify({"trigger": simulator().add_trigger(trigger)}), 201
