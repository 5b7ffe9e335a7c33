"""Organizations (with `organization_fields`), the custom organization fields themselves,
satisfaction ratings and ticket metrics, shaped as the Support API's OrganizationObject,
OrganizationFieldObject, SatisfactionRatingObject and TicketMetricObject.

Metrics are derived from what happened to the ticket, as Zendesk derives them: `replies` counts
public comments by agents after the first one, resolution times run from creation to the first and
the latest move to solved (the simulator has no business hours: business equals calendar).
Not thread-safe by itself: the simulator calls it under its lock.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime

from connectors.zendesk.simulator.errors import not_found, record_invalid
from connectors.zendesk.simulator.store import TicketStore, iso

SCORES = ("offered", "unoffered", "good", "bad")
# Create Organization Field's types (the spec's list).
ORGANIZATION_FIELD_TYPES = ("text", "textarea", "checkbox", "date", "integer", "decimal", "regexp", "dropdown",
                            "lookup", "multiselect")
RATED_STATUSES = ("solved", "closed")


class ImpactData:
    def __init__(self, store: TicketStore, clock: Callable[[], datetime]):
        self._store, self._clock = store, clock
        self._ids = itertools.count(9001)
        self.organizations: dict[int, dict] = {}
        self.organization_fields: dict[int, dict] = {}  # id -> OrganizationFieldObject, in creation order
        self.ratings: dict[int, dict] = {}  # rating id -> SatisfactionRatingObject
        self._metric_ids: dict[int, int] = {}  # ticket id -> its metric set's id

    # organizations -----------------------------------------------------------------------

    def create_organization(self, name: str, fields: dict | None = None, tags: list[str] | None = None) -> dict:
        organization_id = next(self._ids)
        now = iso(self._clock())
        organization = {
            "id": organization_id, "url": f"/api/v2/organizations/{organization_id}.json", "name": name,
            "external_id": None, "details": None, "notes": None, "domain_names": [], "group_id": None,
            "shared_tickets": False, "shared_comments": False, "tags": list(tags or []),
            "organization_fields": dict(fields or {}), "created_at": now, "updated_at": now,
        }
        self.organizations[organization_id] = organization
        return organization

    def create_organization_field(self, key: str, title: str, field_type: str = "text") -> dict:
        """A custom organization field, as Create Organization Field makes one; its `key` is where
        organizations carry its value (`organization_fields[key]`)."""
        if field_type not in ORGANIZATION_FIELD_TYPES:
            raise record_invalid("type", f"Type: {field_type} is not a valid field type")
        if any(field["key"] == key for field in self.organization_fields.values()):
            raise record_invalid("key", f"Key: {key} has already been taken")
        field_id = next(self._ids)
        now = iso(self._clock())
        field = {"id": field_id, "url": f"/api/v2/organization_fields/{field_id}.json", "key": key, "type": field_type,
                 "title": title, "raw_title": title, "description": "", "raw_description": "",
                 "position": len(self.organization_fields), "active": True, "system": False,
                 "regexp_for_validation": None, "created_at": now, "updated_at": now}
        self.organization_fields[field_id] = field
        return field

    def join_organization(self, user_id: int, organization_id: int) -> None:
        if organization_id not in self.organizations:
            raise not_found("Organization")
        self._store.user(user_id)["organization_id"] = organization_id

    # satisfaction ratings ----------------------------------------------------------------

    def rate(self, ticket_id: int, score: str, comment: str | None = None) -> dict:
        """The requester rates a solved ticket (or one solved before and reopened since); a second
        rating replaces the first, as in Zendesk."""
        ticket = self._store.ticket(ticket_id)
        if score not in SCORES:
            raise record_invalid("score", f"Score: {score!r} is not valid")
        if not any(status in RATED_STATUSES for status, _ in self._store.status_moves[ticket_id]):
            raise record_invalid("ticket", "Ticket: must have been solved to be rated")
        current = ticket.get("satisfaction_rating") or {}
        rating_id = current.get("id") or next(self._ids)
        now = iso(self._clock())
        rating = {
            "id": rating_id, "url": f"/api/v2/satisfaction_ratings/{rating_id}.json", "score": score,
            "ticket_id": ticket_id, "requester_id": ticket["requester_id"], "assignee_id": ticket["assignee_id"],
            "group_id": ticket["group_id"], "created_at": self.ratings.get(rating_id, {}).get("created_at", now),
            "updated_at": now,
        }
        if comment:
            rating["comment"] = comment
        self.ratings[rating_id] = rating
        ticket["satisfaction_rating"] = {"id": rating_id, "score": score, "comment": comment}
        return rating

    def list_ratings(self, score: str | None) -> list[dict]:
        """Newest first; `score` as the list endpoint's filter (`bad` also covers bad_with_comment)."""
        return [rating for rating in sorted(self.ratings.values(), key=lambda r: r["id"], reverse=True)
                if score is None or _score_matches(rating, score)]

    # ticket metrics ----------------------------------------------------------------------

    def metric_set(self, ticket_id: int) -> dict:
        ticket = self._store.ticket(ticket_id)
        metric_id = self._metric_ids.setdefault(ticket_id, next(self._ids))
        created = datetime.fromisoformat(ticket["created_at"])
        moves = self._store.status_moves[ticket_id]
        solved = [moment for status, moment in moves if status == "solved"]
        comments = self._store.comments[ticket_id]
        agent_replies = [comment for comment in comments[1:]
                         if comment["public"] and self._store.is_staff(comment["author_id"])]
        reopens = sum(1 for before, after in itertools.pairwise(moves)
                      if before[0] in RATED_STATUSES and after[0] not in RATED_STATUSES)
        first_reply = datetime.fromisoformat(agent_replies[0]["created_at"]) if agent_replies else None
        return {
            "id": metric_id, "url": f"/api/v2/ticket_metrics/{metric_id}.json", "ticket_id": ticket_id,
            "created_at": ticket["created_at"], "updated_at": ticket["updated_at"],
            "replies": len(agent_replies), "reopens": reopens,
            "assignee_stations": 1 if ticket["assignee_id"] else 0, "group_stations": 1 if ticket["group_id"] else 0,
            "solved_at": iso(solved[-1]) if solved else None,
            "status_updated_at": iso(moves[-1][1]) if moves else ticket["created_at"],
            "latest_comment_added_at": comments[-1]["created_at"] if comments else None,
            "reply_time_in_minutes": _minutes(created, first_reply),
            "first_resolution_time_in_minutes": _minutes(created, solved[0] if solved else None),
            "full_resolution_time_in_minutes": _minutes(created, solved[-1] if solved else None),
        }

    def metric_sets(self) -> list[dict]:
        """Every ticket's metrics, newest ticket first (as List Ticket Metrics orders them)."""
        return [self.metric_set(ticket_id) for ticket_id in sorted(self._store.tickets, reverse=True)]

    def metric_set_by_id(self, metric_or_ticket_id: int) -> dict:
        """Show Ticket Metrics takes a metric set's id or a ticket's id."""
        for ticket_id, metric_id in self._metric_ids.items():
            if metric_id == metric_or_ticket_id:
                return self.metric_set(ticket_id)
        if metric_or_ticket_id in self._store.tickets:
            return self.metric_set(metric_or_ticket_id)
        raise not_found("TicketMetric")


def _score_matches(rating: dict, wanted: str) -> bool:
    for suffix, with_comment in (("_with_comment", True), ("_without_comment", False)):
        if wanted.endswith(suffix):
            return _score_matches(rating, wanted.removesuffix(suffix)) and bool(rating.get("comment")) == with_comment
    return rating["score"] in (("good", "bad") if wanted == "received" else (wanted,))


def _minutes(start: datetime, end: datetime | None) -> dict:
    if end is None:
        return {"calendar": None, "business": None}
    minutes = int((end - start).total_seconds() // 60)
    return {"calendar": minutes, "business": minutes}
