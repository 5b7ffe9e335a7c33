"""In-memory tickets, users and comments with Zendesk's rules; every change yields webhook events.

Not thread-safe by itself: the simulator calls it under its lock.
"""

from __future__ import annotations

import copy
import html
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connectors.zendesk.simulator.errors import not_found, record_invalid

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
TYPES = ("problem", "incident", "question", "task")
DEFAULT_GROUP_ID = 360000000001  # the account's default group ("Support")


@dataclass
class Change:
    """One webhook event: `event_type` without the zen:event-type: prefix, plus its `event` data."""

    event_type: str
    event: dict


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise_tags(tags: Any) -> list[str]:
    words = tags.split() if isinstance(tags, str) else list(tags or [])
    return list(dict.fromkeys(str(tag).strip().lower() for tag in words if str(tag).strip()))


class TicketStore:
    def __init__(self, clock: Callable[[], datetime]):
        self._clock = clock
        self._ids = itertools.count(1)
        self._change_sequence = itertools.count(1)
        self.users: dict[int, dict] = {}
        self._user_ids_by_email: dict[str, int] = {}
        self.tickets: dict[int, dict] = {}
        self.comments: dict[int, list[dict]] = {}
        self.change_position: dict[int, int] = {}
        self.custom_field_definitions: dict[int, dict] = {}
        self.status_moves: dict[int, list[tuple[str, datetime]]] = {}  # per ticket, for its metrics

    # users ---------------------------------------------------------------------------------

    def ensure_user(self, email: str, name: str | None = None, role: str = "end-user") -> dict:
        email = email.strip().lower()
        if email in self._user_ids_by_email:
            return self.users[self._user_ids_by_email[email]]
        user_id = next(self._ids)
        now = iso(self._clock())
        user = {"id": user_id, "url": f"/api/v2/users/{user_id}.json", "name": name or email.split("@")[0],
                "email": email, "role": role, "active": True, "verified": True, "organization_id": None,
                "suspended": False, "tags": [], "user_fields": {}, "created_at": now, "updated_at": now}
        self.users[user_id] = user
        self._user_ids_by_email[email] = user_id
        return user

    def user(self, user_id: int) -> dict:
        if user_id not in self.users:
            raise not_found("User")
        return self.users[user_id]

    def is_staff(self, user_id: int) -> bool:
        return self.users.get(user_id, {}).get("role") in ("agent", "admin")

    # tickets -------------------------------------------------------------------------------

    def ticket(self, ticket_id: int) -> dict:
        if ticket_id not in self.tickets:
            raise not_found("Ticket")
        return self.tickets[ticket_id]

    def create_ticket(self, data: dict, actor_id: int, channel: str) -> tuple[dict, list[Change]]:
        comment_data = data.get("comment") or {}
        if not (comment_data.get("body") or comment_data.get("html_body")):
            raise record_invalid("description", "Description: cannot be blank")
        requester_id = self._requester_id(data, actor_id)
        source = self._followup_source(data.get("via_followup_source_id"))
        ticket_id = next(self._ids)
        now = iso(self._clock())
        ticket: dict[str, Any] = {
            "id": ticket_id, "url": f"/api/v2/tickets/{ticket_id}.json", "external_id": data.get("external_id"),
            "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": now, "updated_at": now, "type": None, "subject": data.get("subject") or "",
            "raw_subject": data.get("subject") or "", "description": "", "priority": None, "status": "new",
            "recipient": None, "requester_id": requester_id, "submitter_id": actor_id,
            "assignee_id": data.get("assignee_id"), "group_id": None,
            # Zendesk files a ticket under its requester's (default) organization.
            "organization_id": self.users.get(requester_id, {}).get("organization_id"),
            "collaborator_ids": [], "follower_ids": [], "email_cc_ids": [], "forum_topic_id": None,
            "problem_id": None, "has_incidents": False, "is_public": True, "due_at": None,
            "tags": normalise_tags(data.get("tags")), "custom_fields": [], "satisfaction_rating": None,
            "sharing_agreement_ids": [], "followup_ids": [], "ticket_form_id": None, "brand_id": None,
            "allow_channelback": False, "allow_attachments": True, "from_messaging_channel": False,
        }
        if source is not None:
            ticket["via"]["source"] = {"from": {"ticket_id": source["id"]}, "to": {}, "rel": "follow_up"}
            source["followup_ids"].append(ticket_id)
        self.tickets[ticket_id] = ticket
        self.comments[ticket_id] = []
        self.status_moves[ticket_id] = []
        fields = {key: data[key] for key in ("status", "priority", "type", "custom_fields") if key in data}
        fields.setdefault("status", "open" if ticket["assignee_id"] else "new")
        self._apply(ticket, fields, actor_id)
        self._add_comment(ticket, comment_data, actor_id)
        ticket["description"] = self.comments[ticket_id][0]["body"]
        self._touch(ticket)
        return ticket, [Change("ticket.created", {})]

    def update_ticket(self, ticket_id: int, data: dict, actor_id: int) -> tuple[dict, list[Change]]:
        ticket = self.ticket(ticket_id)
        if ticket["status"] == "closed":
            raise record_invalid("status", "Status: closed prevents ticket update")
        changes = []
        if data.get("comment") and (data["comment"].get("body") or data["comment"].get("html_body")):
            comment = self._add_comment(ticket, data["comment"], actor_id)
            changes.append(Change("ticket.comment_added", {"comment": self._comment_event(comment)}))
        changes.extend(self._apply(ticket, data, actor_id))
        if changes:
            self._touch(ticket)
        return ticket, changes

    def ticket_fields(self, ticket: dict) -> dict:
        """The API representation (a copy): `fields` mirrors `custom_fields` as Zendesk does."""
        shown = copy.deepcopy(ticket)
        shown["fields"] = copy.deepcopy(ticket["custom_fields"])
        return shown

    def tickets_in_change_order(self) -> list[dict]:
        return sorted(self.tickets.values(), key=lambda ticket: self.change_position[ticket["id"]])

    # helpers -------------------------------------------------------------------------------

    def _requester_id(self, data: dict, actor_id: int) -> int:
        if data.get("requester_id"):
            return self.user(int(data["requester_id"]))["id"]
        requester = data.get("requester") or {}
        if requester.get("email"):
            return self.ensure_user(requester["email"], requester.get("name"))["id"]
        return actor_id

    def _followup_source(self, source_id: Any) -> dict | None:
        if source_id is None:
            return None
        source = self.tickets.get(int(source_id))
        if source is None or source["status"] != "closed":
            raise record_invalid("via_followup_source_id", "Via followup source: must be a closed ticket")
        return source

    def _touch(self, ticket: dict) -> None:
        ticket["updated_at"] = iso(self._clock())
        self.change_position[ticket["id"]] = next(self._change_sequence)

    def _apply(self, ticket: dict, data: dict, actor_id: int) -> list[Change]:
        changes = []
        for key, allowed in (("status", STATUSES), ("priority", PRIORITIES), ("type", TYPES)):
            if key in data and data[key] != ticket[key]:
                if data[key] is not None and data[key] not in allowed:
                    raise record_invalid(key, f"{key.title()}: {data[key]!r} is not valid")
                changes.append(Change(f"ticket.{key}_changed", {"current": _upper(data[key]),
                                                                 "previous": _upper(ticket[key])}))
                ticket[key] = data[key]
                if key == "status":
                    self._status_moved(ticket, data[key], actor_id)
        for key in ("subject", "description"):
            if key in data and data[key] != ticket[key]:
                changes.append(Change(f"ticket.{key}_changed", {"current": data[key], "previous": ticket[key]}))
                ticket[key] = data[key]
                if key == "subject":
                    ticket["raw_subject"] = data[key]
        changes.extend(self._apply_tags(ticket, data))
        changes.extend(self._apply_custom_fields(ticket, data.get("custom_fields") or []))
        if "assignee_id" in data:
            ticket["assignee_id"] = data["assignee_id"]
        return changes

    def _status_moved(self, ticket: dict, status: str, actor_id: int) -> None:
        self.status_moves[ticket["id"]].append((status, self._clock()))
        if status == "solved" and ticket["assignee_id"] is None and self.is_staff(actor_id):
            # Zendesk assigns an unassigned ticket to the agent who solves it, in their default group.
            ticket["assignee_id"], ticket["group_id"] = actor_id, ticket["group_id"] or DEFAULT_GROUP_ID

    def _apply_tags(self, ticket: dict, data: dict) -> list[Change]:
        before = list(ticket["tags"])
        tags = normalise_tags(data["tags"]) if "tags" in data else list(before)
        tags += [tag for tag in normalise_tags(data.get("additional_tags")) if tag not in tags]
        removed = set(normalise_tags(data.get("remove_tags")))
        tags = [tag for tag in tags if tag not in removed]
        ticket["tags"] = tags
        added = [tag for tag in tags if tag not in before]
        dropped = [tag for tag in before if tag not in tags]
        if not added and not dropped:
            return []
        return [Change("ticket.tags_changed", {"tags_added": added, "tags_removed": dropped})]

    def _apply_custom_fields(self, ticket: dict, fields: list[dict]) -> list[Change]:
        changes = []
        current = {field["id"]: field for field in ticket["custom_fields"]}
        for field in fields:
            field_id = int(field["id"])
            previous = current[field_id]["value"] if field_id in current else None
            if field_id in current and previous == field.get("value"):
                continue
            if field_id in current:
                current[field_id]["value"] = field.get("value")
            else:
                current[field_id] = {"id": field_id, "value": field.get("value")}
                ticket["custom_fields"].append(current[field_id])
            definition = self.custom_field_definitions.get(field_id, {"title": f"Field {field_id}", "type": "text"})
            changes.append(Change("ticket.custom_field_changed", {
                "custom_field": {"id": str(field_id), "title": definition["title"], "type": definition["type"]},
                "current": {"value": field.get("value")}, "previous": {"value": previous}}))
        return changes

    def _add_comment(self, ticket: dict, data: dict, actor_id: int) -> dict:
        body = data.get("body") or _html_to_text(data.get("html_body") or "")
        comment: dict[str, Any] = {
            "id": next(self._ids), "type": "Comment", "author_id": int(data.get("author_id") or actor_id),
            "body": body,
            "html_body": data.get("html_body") or f'<div class="zd-comment"><p>{html.escape(body)}</p></div>',
            "plain_body": body, "public": bool(data.get("public", True)), "attachments": [],
            "via": {"channel": ticket["via"]["channel"]}, "metadata": {}, "created_at": iso(self._clock()),
        }
        self.comments[ticket["id"]].append(comment)
        if not comment["public"] and len(self.comments[ticket["id"]]) == 1:
            ticket["is_public"] = False
        return comment

    def _comment_event(self, comment: dict) -> dict:
        author = self.users.get(comment["author_id"], {})
        return {"id": str(comment["id"]), "body": comment["body"], "is_public": comment["public"],
                "author": {"id": str(comment["author_id"]), "is_staff": self.is_staff(comment["author_id"]),
                           "name": author.get("name")}}


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


def _html_to_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup)).strip()
