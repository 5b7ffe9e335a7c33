"""The part of Zendesk's search syntax the bridge uses: type, tags, status (: < >), plain words."""

from __future__ import annotations

import re
import shlex

from connectors.zendesk.simulator.store import STATUSES

FILTER = re.compile(r"^(-?)(\w+)(:|<|>)(.+)$")
STATUS_RANK = {status: rank for rank, status in enumerate(STATUSES)}


def _matches_status(ticket_status: str, operator: str, value: str) -> bool:
    if value not in STATUS_RANK:
        return False
    rank, wanted = STATUS_RANK[ticket_status], STATUS_RANK[value]
    return {":": rank == wanted, "<": rank < wanted, ">": rank > wanted}[operator]


def _matches_term(ticket: dict, field: str, operator: str, value: str) -> bool:
    value = value.lower()
    if field == "type":
        return value == "ticket"
    if field == "tags":
        return value in ticket["tags"]
    if field == "status":
        return _matches_status(ticket["status"], operator, value)
    if field in ("priority", "ticket_type"):
        return (ticket["priority" if field == "priority" else "type"] or "") == value
    if field == "requester_id":
        return str(ticket["requester_id"]) == value
    return False


def ticket_matches(ticket: dict, query: str) -> bool:
    text = f"{ticket['subject']} {ticket['description']}".lower()
    for token in shlex.split(query):
        match = FILTER.match(token)
        if match:
            negated, field, operator, value = match.groups()
            if _matches_term(ticket, field.lower(), operator, value) == bool(negated):
                return False
        elif token.lower() not in text:
            return False
    return True


def wants_tickets(query: str) -> bool:
    """Queries restricted to another type (type:user, ...) find no tickets here."""
    types = [match.group(4).lower() for token in shlex.split(query)
             if (match := FILTER.match(token)) and match.group(2).lower() == "type"]
    return all(kind == "ticket" for kind in types)
