"""Ticket endpoints: list (by external id), create, show, show_many, update, update_many (both forms),
create_many, comments."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from connectors.zendesk.simulator.errors import ApiError, too_many_values
from connectors.zendesk.simulator.routing import api_route, base_url, id_list, json_body, simulator

BULK_LIMIT = 100
ticket_routes = Blueprint("zendesk_sim_tickets", __name__)


def _ticket_and_audit(ticket: dict, status: int = 200):
    sim = simulator()
    audit = {"id": sim.next_audit_id(), "ticket_id": ticket["id"], "created_at": ticket["updated_at"],
             "author_id": sim.api_user_id, "events": [], "metadata": {}, "via": ticket["via"]}
    return jsonify({"ticket": ticket, "audit": audit}), status


def _bulk_list(body: dict, key: str) -> list[dict]:
    items = body.get(key)
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ApiError(400, "InvalidValue", f"{key} must be a list of objects")
    if len(items) > BULK_LIMIT:
        raise too_many_values(key, BULK_LIMIT)
    return items


@api_route(ticket_routes, "/tickets", ["GET"])
def list_tickets():
    """List Tickets, 100 per page (offset pagination); `external_id` lists the tickets carrying it
    (external ids need not be unique)."""
    sim = simulator()
    with sim.lock:
        ids = sorted(sim.store.tickets)
    external_id = request.args.get("external_id")
    found = [t for t in sim.tickets_by_ids(ids) if external_id is None or t["external_id"] == external_id]
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        raise ApiError(400, "InvalidValue", "page must be a number") from None
    chunk = found[(page - 1) * BULK_LIMIT : page * BULK_LIMIT]
    more = page * BULK_LIMIT < len(found)
    next_page = f"{base_url()}/api/v2/tickets.json?page={page + 1}" if more and external_id is None else None
    return jsonify({"tickets": chunk, "count": len(found), "next_page": next_page, "previous_page": None})


@api_route(ticket_routes, "/tickets", ["POST"])
def create_ticket():
    ticket = json_body().get("ticket")
    if not isinstance(ticket, dict):
        raise ApiError(400, "InvalidValue", "ticket must be an object")
    sim = simulator()
    return _ticket_and_audit(sim.create_ticket_as(ticket, sim.api_user_id, channel="api"), 201)


@api_route(ticket_routes, "/tickets/<int:ticket_id>", ["GET"])
def show_ticket(ticket_id: int):
    return jsonify({"ticket": simulator().ticket(ticket_id)})


@api_route(ticket_routes, "/tickets/<int:ticket_id>", ["PUT"])
def update_ticket(ticket_id: int):
    sim = simulator()
    return _ticket_and_audit(sim.update_ticket_as(ticket_id, json_body().get("ticket") or {}, sim.api_user_id))


@api_route(ticket_routes, "/tickets/show_many", ["GET"])
def show_many_tickets():
    """With `include=metric_sets`, each ticket's metrics are side-loaded as `metric_sets`."""
    sim = simulator()
    tickets = sim.tickets_by_ids(id_list(limit=BULK_LIMIT))
    body = {"tickets": tickets, "next_page": None, "previous_page": None, "count": len(tickets)}
    if "metric_sets" in request.args.get("include", "").split(","):
        with sim.lock:
            body["metric_sets"] = [sim.impact.metric_set(ticket["id"]) for ticket in tickets]
    return jsonify(body)


@api_route(ticket_routes, "/tickets/update_many", ["PUT"])
def update_many_tickets():
    body = json_body()
    if "ids" in request.args:
        changes = body.get("ticket")
        if not isinstance(changes, dict):
            raise ApiError(400, "InvalidValue", "ticket must be an object when ids are given")
        updates = [{**changes, "id": ticket_id} for ticket_id in id_list(limit=BULK_LIMIT)]
    else:
        updates = _bulk_list(body, "tickets")
    if not updates:
        raise ApiError(400, "InvalidValue", "no tickets to update")
    job = simulator().submit_bulk_update(updates, base_url())
    return jsonify({"job_status": job})


@api_route(ticket_routes, "/tickets/create_many", ["POST"])
def create_many_tickets():
    tickets = _bulk_list(json_body(), "tickets")
    job = simulator().submit_bulk_create(tickets, base_url())
    return jsonify({"job_status": job})


@api_route(ticket_routes, "/tickets/<int:ticket_id>/comments", ["GET"])
def list_comments(ticket_id: int):
    comments = simulator().comments(ticket_id)
    return jsonify({"comments": comments, "next_page": None, "previous_page": None, "count": len(comments)})
