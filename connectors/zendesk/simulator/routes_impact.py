"""What a problem's weighted impact reads: organizations (show_many), satisfaction ratings and
ticket metrics, with the Support API's cursor pagination on the lists (`page[size]` up to 100,
`page[after]`; `meta.has_more`, `meta.after_cursor`, `links.next`). The spec's Show answers
(SatisfactionRatingResponse, TicketMetricsByTicketMetricIdResponse) hold a list of one."""

from __future__ import annotations

import copy
from urllib.parse import urlencode

from flask import Blueprint, jsonify, request

from connectors.zendesk.simulator.errors import ApiError
from connectors.zendesk.simulator.routing import api_route, base_url, id_list, simulator

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


@api_route(impact_routes, "/satisfaction_ratings", ["GET"])
def list_satisfaction_ratings():
    sim = simulator()
    with sim.lock:
        ratings = copy.deepcopy(sim.impact.list_ratings(request.args.get("score")))
    return _cursor_page("satisfaction_ratings", ratings, "/api/v2/satisfaction_ratings.json")


@api_route(impact_routes, "/satisfaction_ratings/<int:rating_id>", ["GET"])
def show_satisfaction_rating(rating_id: int):
    sim = simulator()
    with sim.lock:
        rating = copy.deepcopy(sim.impact.ratings.get(rating_id))
    if rating is None:
        raise ApiError(404, "RecordNotFound", "SatisfactionRating not found")
    return jsonify({"satisfaction_rating": [rating]})


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
