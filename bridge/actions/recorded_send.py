"""A Zendesk batch is recorded in its action's payload before it is sent, so that a retry knows
whose update may have gone out.

An update_many job is known by the id Zendesk answers. An attempt that fails or dies after Zendesk
accepted the job and before the id is recorded leaves tickets whose update may or may not come:
sending to them again at once would tell them twice (Zendesk runs a job seconds after accepting
it). So an action records `{"tickets", "attempt"}` before sending (one more claim of the action,
at once), and a retry that finds another attempt's record first waits until a job Zendesk
accepted has surely run, then reads those tickets back and sends only to those without the mark
the update carries. A retry whose batch was never recorded never sent it, and sends at once; a
postponement (a 429) is not a new attempt, and sends again at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from bridge.actions.results import Later
from bridge.domain.ports import TicketSystem

KEY = "sending"


def read_back_wait(payload: dict, attempts: int, now: datetime, grace: timedelta) -> Later | None:
    """Later, once per attempt, when another attempt's batch may have gone out."""
    record = payload.get(KEY)
    if not record or record["attempt"] == attempts or record.get("read_back") == attempts:
        return None
    return Later(now + grace, {**payload, KEY: {**record, "read_back": attempts}}, "waiting for an unknown send")


def to_read_back(payload: dict, attempts: int) -> list[int]:
    """The tickets of another attempt's batch, whose update may have gone out (after the wait)."""
    record = payload.get(KEY)
    return list(record["tickets"]) if record and record["attempt"] != attempts else []


def carrying(zendesk: TicketSystem, ticket_ids: list[int], tag: str) -> set[int]:
    """Of `ticket_ids`, those whose update went out: they carry its tag in Zendesk."""
    return {ticket.id for ticket in zendesk.fetch_tickets(ticket_ids) if tag in ticket.tags}


def record_before_sending(payload: dict, tickets: list[int], attempts: int, now: datetime) -> Later | None:
    """Later (at once) with the batch recorded, unless this attempt recorded exactly it."""
    if payload.get(KEY) == {"tickets": tickets, "attempt": attempts}:
        return None
    return Later(now, {**payload, KEY: {"tickets": tickets, "attempt": attempts}}, "recording the batch")


def without_record(payload: dict) -> dict:
    return {key: value for key, value in payload.items() if key != KEY}
