"""The part of Zendesk's search syntax the bridge uses: type, tags, status (: < >), plain words
for tickets; for users (`type:user`) and organizations (`type:organization`) also organization,
role, email, name, is_suspended and custom fields by their key (`user_fields`,
`organization_fields`). A query that does not parse (an unclosed quote) is refused, as Zendesk
refuses it: `{"error": "invalid", "description": ...}`."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from connectors.zendesk.simulator.errors import ApiError
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


def tokens(query: str) -> list[str]:
    try:
        return shlex.split(query)
    except ValueError as exc:
        raise ApiError(400, "invalid", f"Sorry, we could not read your search query: {exc}") from None


def _matches(query: str, text: str, term: Callable[[str, str, str], bool]) -> bool:
    for token in tokens(query):
        match = FILTER.match(token)
        if match:
            negated, field, operator, value = match.groups()
            if term(field.lower(), operator, value) == bool(negated):
                return False
        elif token.lower() not in text:
            return False
    return True


def ticket_matches(ticket: dict, query: str) -> bool:
    return _matches(query, f"{ticket['subject']} {ticket['description']}".lower(),
                    lambda field, operator, value: _matches_term(ticket, field, operator, value))


def _custom(fields: dict, field: str, value: str) -> bool:
    return field in fields and str(fields[field]).lower() == value


def user_matches(user: dict, organization: dict | None, query: str) -> bool:
    def term(field: str, operator: str, value: str) -> bool:
        value = value.lower()
        if field == "type":
            return value == "user"
        if field == "tags":
            return value in user["tags"]
        if field == "organization":
            return organization is not None and value in (str(organization["id"]), organization["name"].lower())
        if field == "role":
            return user["role"] == value
        if field in ("email", "name"):
            return value in (user[field] or "").lower()
        if field == "is_suspended":
            return str(user["suspended"]).lower() == value
        return _custom(user["user_fields"], field, value)

    return _matches(query, f"{user['name']} {user['email']}".lower(), term)


def organization_matches(organization: dict, query: str) -> bool:
    def term(field: str, operator: str, value: str) -> bool:
        value = value.lower()
        if field == "type":
            return value == "organization"
        if field == "tags":
            return value in organization["tags"]
        if field == "name":
            return value in organization["name"].lower()
        return _custom(organization["organization_fields"], field, value)

    return _matches(query, organization["name"].lower(), term)


def result_type(query: str) -> str:
    """What the query searches: the last `type:` it names (ticket, user or organization), else ticket."""
    types = [match.group(4).lower() for token in tokens(query)
             if (match := FILTER.match(token)) and match.group(2).lower() == "type"]
    return types[-1] if types else "ticket"


def wants_tickets(query: str) -> bool:
    """Queries restricted to another type (type:user, ...) find no tickets here."""
    return result_type(query) == "ticket"
