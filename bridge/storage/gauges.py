"""What the bridge's Prometheus gauges show of the database, read in one go (bridge/metrics.py
serves it from the last good read, so a scrape never waits on the database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select

from bridge.domain.lifecycle import ProblemState
from bridge.domain.problems import CHECKED_STATES, Accountability
from bridge.storage import closures as closure_rows
from bridge.storage.db import reading
from bridge.storage.leased_queue import PENDING, PROCESSING, STATUSES
from bridge.storage.schema import closure_tickets, closures, inbox_events, outbox_actions, problems

CLOSURE_TICKET_STATES = (closure_rows.PENDING, closure_rows.SENT, closure_rows.NOTIFIED, closure_rows.FAILED)


@dataclass(frozen=True)
class DatabaseGauges:
    inbox: dict[str, int]  # events by status
    inbox_oldest_waiting: datetime | None  # received_at of the oldest unprocessed event
    outbox: dict[str, int]  # actions by status
    outbox_oldest_due: datetime | None  # available_at of the oldest action due and not done
    problems: dict[str, int]  # by state
    accountability: dict[str, int]  # problems the due-date check judges, by verdict
    closures_running: int
    closure_tickets: dict[str, int]  # the running closures' tickets, by state


def read_gauges(engine: Engine, now: datetime) -> DatabaseGauges:
    with reading(engine) as connection:
        inbox, inbox_oldest = _queue(connection, inbox_events, inbox_events.c.received_at, None)
        outbox, outbox_oldest = _queue(connection, outbox_actions, outbox_actions.c.available_at,
                                       outbox_actions.c.available_at <= now)
        p = problems.c
        by_state = {state.value: 0 for state in ProblemState} | _grouped(
            connection, select(p.state, func.count()).group_by(p.state))
        judged = select(p.accountability, func.count()).where(
            p.active_key.is_not(None), p.state.in_(CHECKED_STATES)).group_by(p.accountability)
        accountability = {verdict.value: 0 for verdict in Accountability} | _grouped(connection, judged)
        running = closures.c.state == closure_rows.RUNNING
        closures_running = connection.execute(select(func.count()).where(running)).scalar() or 0
        t = closure_tickets.c
        tickets = select(t.state, func.count()).join_from(closure_tickets, closures).where(running).group_by(t.state)
        by_ticket_state = dict.fromkeys(CLOSURE_TICKET_STATES, 0) | _grouped(connection, tickets)
    return DatabaseGauges(inbox, inbox_oldest, outbox, outbox_oldest, by_state, accountability,
                          closures_running, by_ticket_state)


def _queue(connection: Connection, table, moment, due) -> tuple[dict[str, int], datetime | None]:
    c = table.c
    counts = dict.fromkeys(STATUSES, 0) | _grouped(connection, select(c.status, func.count()).group_by(c.status))
    waiting = c.status.in_([PENDING, PROCESSING])
    oldest = select(func.min(moment)).where(waiting if due is None else waiting & due)
    return counts, connection.execute(oldest).scalar()


def _grouped(connection: Connection, query) -> dict[str, int]:
    return {row[0]: row[1] for row in connection.execute(query)}
