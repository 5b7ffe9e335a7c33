"""Latest ticket and issue snapshots, kept newest-wins whatever order events arrive in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, select

from bridge.domain.events import IssueSnapshot, TicketSnapshot
from bridge.storage.db import reading
from bridge.storage.schema import issues, tickets


def _fields(snapshot) -> dict:
    """A snapshot's fields, one level deep: dataclasses.asdict deep-copies every value, and a
    ticket is converted once per batch it is in."""
    return {name: getattr(snapshot, name) for name in snapshot.__dataclass_fields__}


def ticket_to_json(snapshot: TicketSnapshot) -> dict:
    data = _fields(snapshot)
    data["tags"] = list(snapshot.tags)
    data["custom_fields"] = dict(snapshot.custom_fields)
    data["known_fields"] = sorted(snapshot.known_fields)
    for name in ("created_at", "updated_at"):
        data[name] = data[name].isoformat() if data[name] else None
    return data


def ticket_from_json(data: dict) -> TicketSnapshot:
    values = dict(data)
    values["tags"] = tuple(values.get("tags") or ())
    values["known_fields"] = frozenset(values.get("known_fields") or ())
    for name in ("created_at", "updated_at"):
        values[name] = datetime.fromisoformat(values[name]) if values.get(name) else None
    return TicketSnapshot(**values)


def issue_to_json(snapshot: IssueSnapshot) -> dict:
    data = _fields(snapshot)
    data["fix_versions"] = list(snapshot.fix_versions)
    data["labels"] = list(snapshot.labels)
    data["duplicates"] = list(snapshot.duplicates)
    data["text_fields"] = dict(snapshot.text_fields)
    data["updated_at"] = snapshot.updated_at.isoformat() if snapshot.updated_at else None
    return data


def issue_from_json(data: dict) -> IssueSnapshot:
    values = dict(data)
    values["fix_versions"] = tuple(values.get("fix_versions") or ())
    values["labels"] = tuple(values.get("labels") or ())
    values["duplicates"] = tuple(values.get("duplicates") or ())
    values["text_fields"] = dict(values.get("text_fields") or {})  # none kept before jira.fields.workaround
    values["updated_at"] = datetime.fromisoformat(values["updated_at"]) if values.get("updated_at") else None
    return IssueSnapshot(**values)


def _is_older(incoming: datetime | None, stored: datetime | None) -> bool:
    return incoming is not None and stored is not None and incoming < stored


@dataclass(frozen=True)
class StoredTicket:
    """A ticket's row as `record` needs it."""

    snapshot: TicketSnapshot
    event_count: int
    last_event_at: datetime | None


def _stored(row) -> StoredTicket:
    return StoredTicket(ticket_from_json(row.snapshot), row.event_count, row.last_event_at)


@dataclass
class HeldTickets:
    """Tickets read ahead and locked for a batch of events (`lock_many`): each ticket's row as
    the batch's events leave it (None: it has none yet), and which of them `write_held` has yet
    to write (ticket id -> when it was seen)."""

    rows: dict[int, StoredTicket | None]
    in_table: set[int]
    unwritten: dict[int, datetime] = field(default_factory=dict)


_INSERT_TICKET = tickets.insert()
_UPDATE_TICKET = tickets.update().where(tickets.c.id == bindparam("ticket_id"))


class TicketSnapshots:
    def __init__(self, engine: Engine):
        self.engine = engine

    def lock_many(self, connection: Connection, ticket_ids: Iterable[int]) -> HeldTickets:
        """The rows of several tickets in one query, locked in id order for the rest of the
        transaction, for `record` to start from instead of reading each."""
        ids = sorted(set(ticket_ids))
        held = HeldTickets(dict.fromkeys(ids), set())
        if ids:
            rows = connection.execute(
                select(tickets.c.id, tickets.c.snapshot, tickets.c.event_count, tickets.c.last_event_at)
                .where(tickets.c.id.in_(ids)).order_by(tickets.c.id).with_for_update(key_share=True))
            for row in rows:
                held.rows[row.id] = _stored(row)
                held.in_table.add(row.id)
        return held

    def record(self, connection: Connection, incoming: TicketSnapshot, now: datetime,
               event_time: datetime | None = None, held: HeldTickets | None = None) -> TicketSnapshot:
        """Merge a (possibly partial, possibly late) snapshot into the stored one; return the result.
        `held`: rows read ahead by `lock_many` in this transaction: the result is kept there, and
        written by `write_held` (once per ticket, however many events it had).

        Newest wins by the ticket's updated_at, which has whole seconds; within one second, by the
        sub-second time of the event that carried the snapshot."""
        if held is None or incoming.id not in held.rows:
            alone = self.lock_many(connection, [incoming.id])
            merged = self.record(connection, incoming, now, event_time, alone)
            self.write_held(connection, alone)
            return merged
        row = held.rows[incoming.id]
        stored = row.snapshot if row else None
        if row is not None and stored is not None and (
                _is_older(incoming.updated_at, stored.updated_at)
                or (incoming.updated_at == stored.updated_at and _is_older(event_time, row.last_event_at))):
            merged = stored.merged_onto(incoming)  # a late event only fills in what we lacked
            newest_event = row.last_event_at
        else:
            merged = incoming.merged_onto(stored)
            newest_event = event_time or (row.last_event_at if row else None)
        held.rows[incoming.id] = StoredTicket(merged, row.event_count + 1 if row else 1, newest_event)
        held.unwritten[incoming.id] = now
        return merged

    def write_held(self, connection: Connection, held: HeldTickets) -> None:
        """Write the rows `record` left in `held`: one executemany for the new tickets, one for
        the known ones."""
        inserts, updates = [], []
        for ticket_id, seen_at in sorted(held.unwritten.items()):
            row = held.rows[ticket_id]
            assert row is not None, "record leaves a row for every ticket it marks unwritten"
            values = {"snapshot": ticket_to_json(row.snapshot), "ticket_updated_at": row.snapshot.updated_at,
                      "seen_at": seen_at, "last_event_at": row.last_event_at, "event_count": row.event_count}
            if ticket_id in held.in_table:
                updates.append({"ticket_id": ticket_id, **values})
            else:
                inserts.append({"id": ticket_id, **values})
        if inserts:
            connection.execute(_INSERT_TICKET, inserts)
        if updates:
            connection.execute(_UPDATE_TICKET, updates)
        held.in_table.update(held.unwritten)
        held.unwritten.clear()

    def get(self, ticket_id: int) -> TicketSnapshot | None:
        with reading(self.engine) as connection:
            row = connection.execute(select(tickets.c.snapshot).where(tickets.c.id == ticket_id)).first()
        return ticket_from_json(row.snapshot) if row else None

    def get_many(self, ticket_ids) -> list[TicketSnapshot]:
        ids = list(ticket_ids)
        if not ids:
            return []
        with reading(self.engine) as connection:
            rows = connection.execute(select(tickets.c.snapshot).where(tickets.c.id.in_(ids)).order_by(tickets.c.id))
            return [ticket_from_json(row.snapshot) for row in rows]

    def event_counts(self) -> dict[int, int]:
        with reading(self.engine) as connection:
            rows = connection.execute(select(tickets.c.id, tickets.c.event_count))
            return {row.id: row.event_count for row in rows}

    def updated_since(self, since: datetime) -> list[TicketSnapshot]:
        query = select(tickets.c.snapshot).where(tickets.c.seen_at >= since).order_by(tickets.c.id)
        with reading(self.engine) as connection:
            return [ticket_from_json(row.snapshot) for row in connection.execute(query)]


class IssueSnapshots:
    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, connection: Connection, incoming: IssueSnapshot, now: datetime) -> IssueSnapshot:
        row = connection.execute(
            select(issues.c.snapshot).where(issues.c.id == incoming.id).with_for_update(key_share=True)
        ).first()
        if row:
            stored = issue_from_json(row.snapshot)
            if _is_older(incoming.updated_at, stored.updated_at):
                return stored
            connection.execute(issues.update().where(issues.c.id == incoming.id).values(
                key=incoming.key, snapshot=issue_to_json(incoming),
                issue_updated_at=incoming.updated_at, seen_at=now))
        else:
            connection.execute(issues.insert().values(
                id=incoming.id, key=incoming.key, snapshot=issue_to_json(incoming),
                issue_updated_at=incoming.updated_at, seen_at=now))
        return incoming

    def current(self, connection: Connection, issue_id: str) -> IssueSnapshot | None:
        """The stored issue, read inside the caller's transaction."""
        row = connection.execute(select(issues.c.snapshot).where(issues.c.id == issue_id)).first()
        return issue_from_json(row.snapshot) if row else None

    def get_by_key(self, key: str) -> IssueSnapshot | None:
        with reading(self.engine) as connection:
            row = connection.execute(select(issues.c.snapshot).where(issues.c.key == key)).first()
        return issue_from_json(row.snapshot) if row else None
