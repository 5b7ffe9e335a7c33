"""Tickets the bridge creates itself (the follow-up of a closed ticket, carrying the fix reply; a
proactive notice's ticket to a customer who has not written in): how they are marked, and how a
snapshot of one is recognised from what Zendesk sends back.

Two marks, each readable without the bridge's database, so they hold after a restart and for
tickets created before it: the external id (event webhooks and the API carry `external_id`) and
a tag (trigger bodies carry tags, and an agent rarely edits both). Such a ticket's subject and
description are the bridge's own words: it is never evaluated as a customer's report."""

from __future__ import annotations

from bridge.domain.events import TicketSnapshot

FOLLOWUP_TAG = "bridge_followup"
FOLLOWUP_EXTERNAL_ID_PREFIX = "bridge-closure-"
PROACTIVE_TAG = "bridge_proactive"
PROACTIVE_EXTERNAL_ID_PREFIX = "bridge-proactive-"


def followup_external_id(closure_id: int, ticket_id: int) -> str:
    return f"{FOLLOWUP_EXTERNAL_ID_PREFIX}{closure_id}-ticket-{ticket_id}"


def proactive_external_id(notice_id: int, user_id: int) -> str:
    return f"{PROACTIVE_EXTERNAL_ID_PREFIX}{notice_id}-user-{user_id}"


def created_by_bridge(ticket: TicketSnapshot) -> bool:
    """Snapshot tags are lower case (connectors/zendesk/tickets.py reads them as Zendesk stores them)."""
    external_id = ticket.external_id or ""
    return (external_id.startswith((FOLLOWUP_EXTERNAL_ID_PREFIX, PROACTIVE_EXTERNAL_ID_PREFIX))
            or FOLLOWUP_TAG in ticket.tags or PROACTIVE_TAG in ticket.tags)
