"""What a problem's weighted impact reads: organizations (show_many) and their custom fields,
satisfaction ratings and ticket metrics, with the Support API's cursor pagination on the lists (`page[size]` up to 100,
`page[after]`; `meta.has_more`, `meta.after_cursor`, `links.next`). The spec's Show answers
(SatisfactionRatingResponse, TicketMetricsByTicketMetricIdResponse) hold a list of one."""

from __future__ import annotations

import copy
from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint, jsonify, request

from connectors.zendesk.simulator.errors import ApiError, record_invalid
from connectors.zendesk.simulator.impact_data import ImpactData
from connectors.zendesk.simulator.routing import api_route, base_url, id_list, json_body, simulator

PAGE_LIMIT = 100
impact_routes = Blueprint("zendesk_sim_impact", __name__)


@api_route(impact_routes, "/organizations/show_many", ["GET"])
def show_many_organizations():
    sim = simulator()
    ids = id_list(limit=PAGE_LIMIT)
    with sim.lock:
        known = sim.impact.organizations
        found = [copy.deepcopy(known[org_id]) for org_id in ids if org_id in known]
    return jsonify({"organizations": found, "next_page": None, "previous_page": None, "count": len(found)})


@api_route(impact_routes, "/organization_fields", ["GET"])
def list_organization_fields():
    """OrganizationFieldsResponse: every custom organization field (the simulator's fit one page)."""
    sim = simulator()
    with sim.lock:
        fields = copy.deepcopy(list(sim.impact.organization_fields.values()))
    return jsonify({"organization_fields": fields, "next_page": None, "previous_page": None, "count": len(fields)})


@api_route(impact_routes, "/organization_fields", ["POST"])
def create_organization_field():
    field = json_body().get("organization_field")
    if not isinstance(field, dict):
        raise record_invalid("organization_field", "Organization field: is missing")
    for name in ("key", "title"):
        if not isinstance(field.get(name), str) or not field[name].strip():
            raise record_invalid(name, f"{name.title()}: cannot be blank")
    sim = simulator()
    with sim.lock:
        created = sim.impact.create_organization_field(field["key"], field["title"], field.get("type", "text"))
        return jsonify({"organization_field": copy.deepcopy(created)}), 201


@api_route(impact_routes, "/organization_fields/<int:field_id>", ["GET"])
def show_organization_field(field_id: int):
    return jsonify({"organization_field": _found(lambda impact: impact.organization_fields.get(field_id),
                                                 "OrganizationField")})


@api_route(impact_routes, "/satisfaction_ratings", ["GET"])
def list_satisfaction_ratings():
    sim = simulator()
    with sim.lock:
        ratings = copy.deepcopy(sim.impact.list_ratings(request.args.get("score")))
    return _cursor_page("satisfaction_ratings", ratings, "/api/v2/satisfaction_ratings.json")


@api_route(impact_routes, "/satisfaction_ratings/<int:rating_id>", ["GET"])
def show_satisfaction_rating(rating_id: int):
    return jsonify({"satisfaction_rating": [_found(lambda impact: impact.ratings.get(rating_id),
                                                   "SatisfactionRating")]})


def _found(pick: Callable[[ImpactData], dict | None], what: str) -> dict:
    """A copy of the record `pick` finds, or Zendesk's 404 naming `what`."""
    sim = simulator()
    with sim.lock:
        record = copy.deepcopy(pick(sim.impact))
    if record is None:
        raise ApiError(404, "RecordNotFound", f"{what} not found")
    return record


@api_route(impact_routes, "/ticket_metrics", ["GET"])
def list_ticket_metrics():
    sim = simulator()
    with sim.lock:
        metrics = sim.impact.metric_sets()
    return _cursor_page("ticket_metrics", metrics, "/api/v2/ticket_metrics.json")


@api_route(impact_routes, "/ticket_metrics/<int:metric_id>", ["GET"])
def show_ticket_metrics(metric_id: int):
    sim = simulator()
    with sim.lock:
        return jsonify({"ticket_metric": [sim.impact.metric_set_by_id(metric_id)]})


@api_route(impact_routes, "/tickets/<int:ticket_id>/metrics", ["GET"])
def show_metrics_of_ticket(ticket_id: int):
    sim = simulator()
    with sim.lock:
        return jsonify({"ticket_metric": [sim.impact.metric_set(ticket_id)]})


def _cursor_page(key: str, items: list[dict], path: str):
    size = _page_size()
    after = _after_cursor(len(items))
    page = items[after:after + size]
    has_more = after + size < len(items)
    cursor = str(after + size) if has_more else None
    query = {key: value for key, value in request.args.items() if key not in ("page[size]", "page[after]")}
    next_link = (f"{base_url()}{path}?" + urlencode({**query, "page[size]": size, "page[after]": cursor})
                 if cursor else None)
    return jsonify({key: page, "meta": {"has_more": has_more, "after_cursor": cursor, "before_cursor": None},
                    "links": {"next": next_link, "prev": None}})


def _page_size() -> int:
    raw = request.args.get("page[size]", str(PAGE_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= PAGE_LIMIT:
        raise ApiError(400, "InvalidPaginationParameter", f"page[size] must be between 1 and {PAGE_LIMIT}")
    return int(raw)


def _after_cursor(total: int) -> int:
    raw = request.args.get("page[after]", "0")
    if not raw.isdigit() or int(raw) > total:
        raise ApiError(400, "InvalidPaginationParameter", "page[after] is not a cursor this endpoint gave")
    return int(raw)
