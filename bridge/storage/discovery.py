"""Discovery's tables: the unmatched tickets of the window in their groups, and admins' decisions
on groups (bridge/discovery)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, and_, delete, exists, insert, or_, select, update

from bridge.domain.events import TicketSnapshot
from bridge.storage.db import reading, upsert_insert
from bridge.storage.schema import discovery_groups, discovery_tickets, tickets
from bridge.storage.snapshots import ticket_from_json

WATCHING, DISMISSED, ACCEPTED = "watching", "dismissed", "accepted"


@dataclass(frozen=True)
class GroupDecision:
    group_id: int
    created_at: datetime
    status: str
    decided_size: int | None
    decided_at: datetime | None
    rule: str | None


@dataclass(frozen=True)
class DiscoveredTicket:
    """A ticket in a group, as the table keeps it (bridge/discovery/grouping.py's Member, grouped)."""

    group_id: int
    ticket_id: int
    arrived_at: datetime
    terms: dict[str, int]
    requester_id: int | None = None
    organization_id: int | None = None


@dataclass(frozen=True)
class ChangedTicket:
    snapshot: TicketSnapshot
    seen_at: datetime


class DiscoveryStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    def tickets_since(self, since: datetime) -> list[DiscoveredTicket]:
        """Every ticket that arrived since `since`, oldest first."""
        c = discovery_tickets.c
        query = select(discovery_tickets).where(c.arrived_at >= since).order_by(c.arrived_at, c.ticket_id)
        with reading(self.engine) as connection:
            return [DiscoveredTicket(row.group_id, row.ticket_id, row.arrived_at, row.terms, row.requester_id,
                                     row.organization_id) for row in connection.execute(query)]

    def decisions(self, group_ids: Iterable[int] | None = None) -> dict[int, GroupDecision]:
        query = select(discovery_groups)
        if group_ids is not None:
            query = query.where(discovery_groups.c.id.in_(list(group_ids)))
        with reading(self.engine) as connection:
            return {row.id: GroupDecision(row.id, row.created_at, row.status, row.decided_size, row.decided_at,
                                          row.rule) for row in connection.execute(query)}

    def changed_tickets(self, after: tuple[datetime, int] | None, until: datetime | None,
                        limit: int) -> list[ChangedTicket]:
        """Tickets the bridge saw (an event applied) after `after` (seen_at, id) and up to
        `until`, in that order."""
        c = tickets.c
        query = select(c.id, c.snapshot, c.seen_at).order_by(c.seen_at, c.id).limit(limit)
        if until is not None:
            query = query.where(c.seen_at <= until)
        if after is not None:
            seen_at, ticket_id = after
            query = query.where(or_(c.seen_at > seen_at, and_(c.seen_at == seen_at, c.id > ticket_id)))
        with reading(self.engine) as connection:
            return [ChangedTicket(ticket_from_json(row.snapshot), row.seen_at) for row in connection.execute(query)]

    def accepted_rules(self, group_ids: Iterable[int]) -> dict[int, str]:
        """Group id -> the rule accepted from it, for those of these groups that were accepted."""
        c = discovery_groups.c
        query = select(c.id, c.rule).where(c.id.in_(list(group_ids)), c.status == ACCEPTED, c.rule.is_not(None))
        with reading(self.engine) as connection:
            return {row.id: row.rule for row in connection.execute(query)}

    def snapshots(self, ticket_ids: Iterable[int]) -> dict[int, TicketSnapshot]:
        ids = list(ticket_ids)
        with reading(self.engine) as connection:
            rows = connection.execute(select(tickets.c.id, tickets.c.snapshot).where(tickets.c.id.in_(ids)))
            return {row.id: ticket_from_json(row.snapshot) for row in rows}

    def snapshots_seen_since(self, since: datetime) -> dict[int, TicketSnapshot]:
        """Every ticket the bridge saw since `since`, matched by a rule or not."""
        query = select(tickets.c.id, tickets.c.snapshot).where(tickets.c.seen_at >= since)
        with reading(self.engine) as connection:
            return {row.id: ticket_from_json(row.snapshot) for row in connection.execute(query)}

    @staticmethod
    def new_group(connection: Connection, now: datetime) -> int:
        return connection.execute(insert(discovery_groups).values(created_at=now, status=WATCHING)
                                  .returning(discovery_groups.c.id)).scalar_one()

    @staticmethod
    def put(connection: Connection, ticket: DiscoveredTicket) -> None:
        """The ticket in its group (moved if it was in another), with its current terms. An upsert:
        `bridge discover` may group the same new tickets as the scheduled job at the same time."""
        values = {"group_id": ticket.group_id, "arrived_at": ticket.arrived_at, "requester_id": ticket.requester_id,
                  "organization_id": ticket.organization_id, "terms": ticket.terms}
        statement = upsert_insert(connection, discovery_tickets).values(ticket_id=ticket.ticket_id, **values)
        connection.execute(statement.on_conflict_do_update(index_elements=["ticket_id"], set_=values))

    @staticmethod
    def remove(connection: Connection, ticket_id: int) -> None:
        connection.execute(delete(discovery_tickets).where(discovery_tickets.c.ticket_id == ticket_id))

    @staticmethod
    def forget_before(connection: Connection, before: datetime) -> None:
        """Tickets that left the window, and the undecided groups they leave empty."""
        connection.execute(delete(discovery_tickets).where(discovery_tickets.c.arrived_at < before))
        has_tickets = exists().where(discovery_tickets.c.group_id == discovery_groups.c.id)
        connection.execute(delete(discovery_groups).where(discovery_groups.c.status == WATCHING, ~has_tickets))

    def decide(self, group_id: int, status: str, size: int, now: datetime, rule: str | None = None) -> bool:
        """Record an admin's decision on a group; False when there is no such group."""
        with self.engine.begin() as connection:
            result = connection.execute(update(discovery_groups).where(discovery_groups.c.id == group_id).values(
                status=status, decided_size=size, decided_at=now, rule=rule))
            return result.rowcount == 1
