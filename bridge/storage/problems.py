"""Problems, their occurrences and their tickets. SQL only: detection decides (bridge/detection/detector.py),
the lifecycle says which state changes are allowed and what they write (bridge/domain/lifecycle.py).

Rows are locked FOR NO KEY UPDATE (`key_share=True`), not FOR UPDATE: workers still take turns on a
problem, but inserting a row that references it (an outbox action, a ticket link), whose foreign key
check takes FOR KEY SHARE, does not wait for them. With FOR UPDATE, two PostgreSQL workers that each
held one problem and queued an action for the other's deadlocked, and each deadlock cost a second
(deadlock_timeout) and a retried batch: two workers processed about what one did."""

from __future__ import annotations

import builtins  # ProblemStore.list shadows the builtin in the class body
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Engine,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    true,
    update,
)

from bridge.domain.events import TicketSnapshot
from bridge.domain.impact import ImpactScore
from bridge.domain.lifecycle import ProblemState, Transition, start_columns
from bridge.domain.problems import (
    DETECTING,
    OVERDUE,
    RULE,
    Accountability,
    Membership,
    Problem,
    active_key,
)
from bridge.rules.window import Occurrence
from bridge.storage.audit import AuditLog
from bridge.storage.db import reading, upsert_insert
from bridge.storage.schema import occurrences, problem_tickets, problems


def _containing(text: str) -> ColumnElement[bool]:
    """Rule, group key or Jira key contains `text` (case-insensitive, wildcards taken literally),
    or the problem's id is `text`."""
    c = problems.c
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matches: list[ColumnElement[bool]] = [
        func.lower(column).like(pattern, escape="\\") for column in (c.rule, c.group_key, c.jira_key)]
    if text.strip().isdigit() and int(text) < 2**63:
        matches.append(c.id == int(text))
    return or_(*matches)


class StateChanged(Exception):
    """The problem left the state a transition starts from (another transaction moved it)."""


@dataclass(frozen=True)
class TicketLink:
    """A ticket's membership of an open problem, and whether Zendesk was told (`linked_at`)."""

    ticket_id: int
    joined_at: datetime
    left_at: datetime | None
    linked_at: datetime | None
    unlinked_at: datetime | None


def _problem(row) -> Problem:
    return Problem(
        id=row.id, rule=row.rule, group_key=row.group_key, team=row.team, state=ProblemState(row.state),
        detected_at=row.detected_at, opened_at=row.opened_at, updated_at=row.updated_at,
        ticket_count=row.ticket_count, requester_count=row.requester_count,
        organization_count=row.organization_count, origin=row.origin, jira_key=row.jira_key,
        jira_id=row.jira_id, priority=row.priority, due_date=row.due_date,
        escalation_applied=tuple(row.escalation_applied or ()), counts_written=row.counts_written,
        counts_written_at=row.counts_written_at, fixed_at=row.fixed_at, fix_version=row.fix_version,
        closed_at=row.closed_at, accountability=Accountability(row.accountability),
        accountability_due=row.accountability_due, at_risk_at=row.at_risk_at, overdue_at=row.overdue_at,
        impact=ImpactScore.from_json(row.impact))


def _memberships_statement():
    """The active problems that tickets (`ticket_ids`) are counted in or linked to, built once:
    detection asks for every ticket event, and building it cost more than running it."""
    ticket_ids: BindParameter[int] = bindparam("ticket_ids", expanding=True)
    counted = select(occurrences.c.ticket_id.label("ticket_id"), occurrences.c.problem_id.label("problem_id")
                     ).where(occurrences.c.ticket_id.in_(ticket_ids))
    linked = (select(problem_tickets.c.ticket_id.label("ticket_id"),
                     problem_tickets.c.problem_id.label("problem_id"))
              .where(problem_tickets.c.ticket_id.in_(ticket_ids), problem_tickets.c.left_at.is_(None)))
    pairs = counted.union(linked).subquery()
    return (select(pairs.c.ticket_id, problems.c.id, problems.c.rule, problems.c.group_key, problems.c.state,
                   problems.c.jira_key)
            .join(problems, problems.c.id == pairs.c.problem_id)
            .where(problems.c.active_key.is_not(None))
            .order_by(pairs.c.ticket_id, problems.c.id))


_MEMBERSHIPS = _memberships_statement()
# One ticket's occurrence in one problem; built once, as detection counts every report.
_THIS_OCCURRENCE = and_(occurrences.c.problem_id == bindparam("occurrence_problem"),
                        occurrences.c.ticket_id == bindparam("occurrence_ticket"))
_OCCURRENCE_TIME = select(occurrences.c.event_time).where(_THIS_OCCURRENCE)
_UPDATE_OCCURRENCE = update(occurrences).where(_THIS_OCCURRENCE)


@dataclass(frozen=True)
class NotYetOpen:
    last_id: int  # problems created later had not been created yet
    detecting: frozenset[int]

class ProblemStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.audit = AuditLog(engine)  # a state change records its audit entry in the same transaction

    # --- inside the worker's transaction -------------------------------------------------------

    def active_for_update(self, connection: Connection, rule: str, group_key: str, team: str,
                          now: datetime, state: ProblemState = DETECTING, origin: str = RULE,
                          jira_key: str | None = None, fix_version: str | None = None) -> Problem:
        """The active problem of (rule, group key), created in `state` if there is none, and locked
        for the rest of the transaction, so concurrent workers take turns on it."""
        key = active_key(rule, group_key)
        connection.execute(
            upsert_insert(connection, problems).values(
                rule=rule, group_key=group_key, team=team, active_key=key, detected_at=now, updated_at=now,
                ticket_count=0, requester_count=0, organization_count=0, origin=origin, jira_key=jira_key,
                fix_version=fix_version, **start_columns(state, now),
            ).on_conflict_do_nothing(index_elements=["active_key"])
        )
        row = connection.execute(
            select(problems).where(problems.c.active_key == key).with_for_update(key_share=True)
        ).one()
        return _problem(row)

    def memberships_of(self, connection: Connection, ticket_id: int) -> list[Membership]:
        """Every active problem the ticket is counted in or linked to."""
        return self.memberships_of_many(connection, [ticket_id])[ticket_id]

    def lock_active(self, connection: Connection, active_keys: Collection[str],
                    problem_ids: Collection[int]) -> builtins.list[Problem]:
        """The active problems with these active keys or ids, locked in id order: a batch takes
        the locks it will need up front in one order, so that concurrent batches wait for each
        other instead of deadlocking."""
        if not active_keys and not problem_ids:
            return []
        rows = connection.execute(
            select(problems).where(problems.c.active_key.is_not(None), or_(
                problems.c.active_key.in_(sorted(active_keys)), problems.c.id.in_(sorted(problem_ids))))
            .order_by(problems.c.id).with_for_update(key_share=True))
        return [_problem(row) for row in rows]

    def memberships_of_many(self, connection: Connection,
                            ticket_ids: Collection[int]) -> dict[int, builtins.list[Membership]]:
        """`memberships_of` for several tickets in one query; every ticket asked about is a key."""
        rows = connection.execute(_MEMBERSHIPS, {"ticket_ids": list(ticket_ids)})
        found: dict[int, builtins.list[Membership]] = {ticket_id: [] for ticket_id in ticket_ids}
        for row in rows:
            found[row.ticket_id].append(
                Membership(row.id, row.rule, row.group_key, ProblemState(row.state), row.jira_key))
        return found

    def active_with_issue(self, connection: Connection, jira_key: str, jira_id: str | None = None) -> Problem | None:
        """The active problem whose Jira issue has this id (it survives a move to another
        project) or, for issues the bridge knows only by key (agents' links), this key; locked."""
        match = problems.c.jira_key == jira_key
        if jira_id:
            match = or_(problems.c.jira_id == jira_id, match)
        row = connection.execute(select(problems).where(match, problems.c.active_key.is_not(None))
                                 .order_by(problems.c.id).limit(1).with_for_update(key_share=True)).first()
        return _problem(row) if row else None

    def change_state(self, connection: Connection, problem_id: int, change: Transition, now: datetime) -> Problem:
        """Write a lifecycle transition (bridge/domain/lifecycle.py) and record its audit entry; the
        problem as it is now. Raises StateChanged if the problem is no longer in the state the
        transition starts from."""
        if not self._write_state(connection, problem_id, change, now):
            raise StateChanged(f"problem {problem_id} is no longer {change.source} (wanted {change.target} "
                               f"because of {change.cause})")
        return self._read(connection, problem_id)

    def _write_state(self, connection: Connection, problem_id: int, change: Transition, now: datetime) -> bool:
        values = {**change.columns, "updated_at": now}
        if change.releases_group:
            values["active_key"] = None
        written = connection.execute(update(problems).where(
            problems.c.id == problem_id, problems.c.state == change.source).values(**values)).rowcount == 1
        if written:
            self.audit.record(connection, now, change.audit.action, f"problem:{problem_id}", dict(change.audit.details))
        return written

    def set_jira_key(self, connection: Connection, problem_id: int, jira_key: str, now: datetime) -> None:
        """The issue moved to another project: same issue (same id), new key."""
        self._set(connection, problem_id, now, jira_key=jira_key)

    def set_priority(self, connection: Connection, problem_id: int, priority: str, now: datetime) -> None:
        self._set(connection, problem_id, now, priority=priority)

    def set_due_date(self, connection: Connection, problem_id: int, due_date: date | None, now: datetime) -> None:
        self._set(connection, problem_id, now, due_date=due_date)

    def clear_issue(self, connection: Connection, problem_id: int, now: datetime) -> None:
        """Its Jira issue is gone."""
        self._set(connection, problem_id, now, jira_key=None, jira_id=None)

    def replace_issue(self, connection: Connection, problem_id: int, jira_key: str, jira_id: str,
                      priority: str, due_date: date | None, now: datetime) -> None:
        """It follows a new Jira issue (a regression's), planned with this priority and due date."""
        self._set(connection, problem_id, now, jira_key=jira_key, jira_id=jira_id, priority=priority,
                  due_date=due_date)

    def _set(self, connection: Connection, problem_id: int, now: datetime, **values: object) -> None:
        connection.execute(update(problems).where(problems.c.id == problem_id).values(updated_at=now, **values))

    def current(self, connection: Connection, problem_id: int) -> Problem:
        """The problem as this transaction sees it."""
        return self._read(connection, problem_id)

    def _read(self, connection: Connection, problem_id: int) -> Problem:
        return _problem(connection.execute(select(problems).where(problems.c.id == problem_id)).one())

    def move_tickets(self, connection: Connection, from_id: int, to_id: int, now: datetime) -> list[int]:
        """Every ticket linked to one problem leaves it and joins another; the tickets moved."""
        c = problem_tickets.c
        rows = list(connection.execute(select(c.ticket_id, c.requester_id, c.organization_id).where(
            c.problem_id == from_id, c.left_at.is_(None))))
        for row in rows:
            self._link(connection, to_id, row.ticket_id, row.requester_id, row.organization_id, now)
        connection.execute(update(problem_tickets).where(c.problem_id == from_id, c.left_at.is_(None))
                           .values(left_at=now))
        connection.execute(delete(occurrences).where(occurrences.c.problem_id == from_id))
        return [row.ticket_id for row in rows]

    def lock(self, connection: Connection, problem_id: int) -> Problem:
        """The problem, locked for the rest of the transaction (its state is what a transition
        starts from)."""
        return _problem(connection.execute(
            select(problems).where(problems.c.id == problem_id).with_for_update(key_share=True)).one())

    def forget_links(self, connection: Connection, problem_id: int) -> None:
        """Zendesk must be told again (e.g. the tickets now belong to a new Jira issue)."""
        connection.execute(update(problem_tickets).where(problem_tickets.c.problem_id == problem_id)
                           .values(linked_at=None, unlinked_at=None))

    def active_with_issues(self, connection: Connection) -> list[Problem]:
        rows = connection.execute(select(problems).where(
            problems.c.active_key.is_not(None), problems.c.jira_key.is_not(None)).order_by(problems.c.id))
        return [_problem(row) for row in rows]

    def record_occurrence(self, connection: Connection, problem_id: int, ticket: TicketSnapshot,
                          counted_key: str, event_time: datetime) -> None:
        """Count the ticket; it keeps the earliest event time at which it was seen matching."""
        key = {"occurrence_problem": problem_id, "occurrence_ticket": ticket.id}
        existing = connection.execute(_OCCURRENCE_TIME, key).first()
        values = {"counted_key": counted_key, "requester_id": ticket.requester_id,
                  "organization_id": ticket.organization_id}
        if existing is None:
            connection.execute(occurrences.insert(), {
                "problem_id": problem_id, "ticket_id": ticket.id, "event_time": event_time, **values})
        else:
            connection.execute(_UPDATE_OCCURRENCE, {
                **key, "event_time": min(existing.event_time, event_time), **values})

    def occurrences(self, connection: Connection, problem_id: int) -> list[Occurrence]:
        c = occurrences.c
        rows = connection.execute(select(c.ticket_id, c.counted_key, c.event_time)
                                  .where(c.problem_id == problem_id))
        return [Occurrence(row.ticket_id, row.counted_key, row.event_time) for row in rows]

    def forget_occurrences_before(self, connection: Connection, problem_id: int, before: datetime) -> None:
        connection.execute(delete(occurrences).where(
            occurrences.c.problem_id == problem_id, occurrences.c.event_time < before))

    def open(self, connection: Connection, problem_id: int, ticket_ids: Iterable[int], change: Transition,
             now: datetime) -> None:
        """detecting → open (`change`, the lifecycle's), linking the tickets that crossed the
        threshold. Guarded on the state so that it happens once even if two transactions got this far."""
        if not self._write_state(connection, problem_id, change, now):
            return
        c = occurrences.c
        rows = connection.execute(
            select(c.ticket_id, c.requester_id, c.organization_id)
            .where(c.problem_id == problem_id, c.ticket_id.in_(list(ticket_ids))))
        for row in rows:
            self._link(connection, problem_id, row.ticket_id, row.requester_id, row.organization_id, now)

    def link(self, connection: Connection, problem_id: int, ticket: TicketSnapshot, now: datetime) -> bool:
        """Link a ticket to an open problem; False if it already was."""
        return self._link(connection, problem_id, ticket.id, ticket.requester_id,
                          ticket.organization_id, now)

    def _link(self, connection, problem_id, ticket_id, requester_id, organization_id, now) -> bool:
        c = problem_tickets.c
        row = connection.execute(select(c.left_at).where(
            c.problem_id == problem_id, c.ticket_id == ticket_id)).first()
        if row is not None and row.left_at is None:
            return False
        if row is None:
            connection.execute(problem_tickets.insert().values(
                problem_id=problem_id, ticket_id=ticket_id, requester_id=requester_id,
                organization_id=organization_id, joined_at=now))
        else:
            connection.execute(update(problem_tickets).where(
                c.problem_id == problem_id, c.ticket_id == ticket_id
            ).values(left_at=None, joined_at=now, requester_id=requester_id,
                     organization_id=organization_id))
        return True

    def remove_ticket(self, connection: Connection, problem_id: int, ticket_id: int, now: datetime) -> None:
        """The ticket stopped matching: it no longer counts, and leaves the problem if linked."""
        connection.execute(delete(occurrences).where(
            occurrences.c.problem_id == problem_id, occurrences.c.ticket_id == ticket_id))
        connection.execute(update(problem_tickets).where(
            problem_tickets.c.problem_id == problem_id, problem_tickets.c.ticket_id == ticket_id,
            problem_tickets.c.left_at.is_(None)).values(left_at=now))

    def drop_if_empty_detecting(self, connection: Connection, problem_id: int) -> bool:
        """A detecting problem with nothing left to count disappears."""
        has_any = connection.execute(
            select(occurrences.c.ticket_id).where(occurrences.c.problem_id == problem_id).limit(1)
        ).first()
        if has_any:
            return False
        return connection.execute(delete(problems).where(
            problems.c.id == problem_id, problems.c.state == DETECTING)).rowcount == 1

    def refresh_counts(self, connection: Connection, problem_id: int, now: datetime) -> Problem:
        """Recount affected tickets, requesters and organizations (from linked tickets once open)."""
        problem = self._read(connection, problem_id)
        live: ColumnElement[bool]
        if problem.past_detection:
            source, live = problem_tickets.c, problem_tickets.c.left_at.is_(None)
        else:
            source, live = occurrences.c, true()
        tickets, requesters, organizations = connection.execute(
            select(func.count(), func.count(source.requester_id.distinct()),
                   func.count(source.organization_id.distinct()))
            .where(and_(source.problem_id == problem_id, live))
        ).one()
        connection.execute(update(problems).where(problems.c.id == problem_id).values(
            ticket_count=tickets, requester_count=requesters, organization_count=organizations,
            updated_at=now))
        return self._read(connection, problem_id)

    def refresh_counts_many(self, connection: Connection, problem_ids: Collection[int], now: datetime) -> None:
        """`refresh_counts` for several problems, one statement per source of counts (set-based:
        a batch of events recounts each problem it touched once). Ids of problems that are gone
        are skipped."""
        ids = sorted(problem_ids)
        if not ids:
            return
        for source, live, detecting in ((occurrences.c, true(), True),
                                        (problem_tickets.c, problem_tickets.c.left_at.is_(None), False)):
            def counted(expression, source=source, live=live):
                return (select(expression).where(source.problem_id == problems.c.id, live)
                        .scalar_subquery())
            state = problems.c.state == DETECTING if detecting else problems.c.state != DETECTING
            connection.execute(update(problems).where(problems.c.id.in_(ids), state).values(
                ticket_count=counted(func.count()),
                requester_count=counted(func.count(source.requester_id.distinct())),
                organization_count=counted(func.count(source.organization_id.distinct())),
                updated_at=now))

    # --- reading -------------------------------------------------------------------------------

    def list(self, states: Iterable[str] | None = None) -> list[Problem]:
        query = select(problems).order_by(problems.c.id)
        if states is not None:
            query = query.where(problems.c.state.in_(list(states)))
        with reading(self.engine) as connection:
            return [_problem(row) for row in connection.execute(query)]

    def get(self, problem_id: int) -> Problem | None:
        with reading(self.engine) as connection:
            row = connection.execute(select(problems).where(problems.c.id == problem_id)).first()
        return _problem(row) if row else None

    def linked_ticket_ids(self, problem_id: int, limit: int | None = None) -> builtins.list[int]:
        with reading(self.engine) as connection:
            return self.linked_ticket_ids_in(connection, problem_id, limit)

    @staticmethod
    def linked_ticket_ids_in(connection: Connection, problem_id: int, limit: int | None = None) -> builtins.list[int]:
        c = problem_tickets.c
        return list(connection.execute(
            select(c.ticket_id).where(c.problem_id == problem_id, c.left_at.is_(None))
            .order_by(c.ticket_id).limit(limit)).scalars())

    @staticmethod
    def not_yet_open(connection: Connection) -> NotYetOpen:
        """What `opened_after` compares with: the problems that may still open."""
        last = connection.execute(select(func.max(problems.c.id))).scalar_one()
        detecting = connection.execute(select(problems.c.id).where(problems.c.state == DETECTING)).scalars()
        return NotYetOpen(last or 0, frozenset(detecting))

    @staticmethod
    def opened_after(connection: Connection, before: NotYetOpen) -> builtins.list[Problem]:
        """The problems that opened since `before` was read, as this transaction sees them (not by
        their `opened_at`: a problem found in history opened when its tickets did)."""
        query = select(problems).where(problems.c.opened_at.is_not(None), or_(
            problems.c.id > before.last_id, problems.c.id.in_(before.detecting))).order_by(problems.c.id)
        return [_problem(row) for row in connection.execute(query)]

    def counted(self, problem_id: int) -> builtins.list[Occurrence]:
        """The tickets a detecting problem counts (`occurrences`), in a connection of its own."""
        with reading(self.engine) as connection:
            return self.occurrences(connection, problem_id)

    def counted_ticket_ids(self, problem_id: int) -> builtins.list[int]:
        c = occurrences.c
        with reading(self.engine) as connection:
            return list(connection.execute(
                select(c.ticket_id).where(c.problem_id == problem_id).order_by(c.ticket_id)).scalars())

    def search(self, teams: Collection[str] = (), states: Collection[str] = (), limit: int | None = None,
               offset: int = 0, accountability: Collection[str] = (),
               overdue: bool | None = None, rules: Collection[str] = (), text: str | None = None,
               detected_since: datetime | None = None,
               detected_before: datetime | None = None, fixed_since: datetime | None = None,
               fixed_before: datetime | None = None,
               newest_fix_first: bool = False) -> tuple[builtins.list[Problem], int]:
        """Newest first, only the given teams, states, accountability states and rules (all when
        empty), overdue or not (either when None), detected in [since, before), whose fix shipped in
        [fixed_since, fixed_before) (whatever their state now), whose rule, group or Jira key contains
        `text` (or whose id it is); and how many match in all. `limit=None`: all.
        `newest_fix_first`: ordered by when their fix shipped instead."""
        c = problems.c
        conditions: builtins.list[ColumnElement[bool]] = [column.in_(list(values)) for column, values in
                      ((c.team, teams), (c.state, states), (c.accountability, accountability), (c.rule, rules))
                      if values]
        if overdue is not None:
            conditions.append(c.accountability == OVERDUE if overdue else c.accountability != OVERDUE)
        if detected_since is not None:
            conditions.append(c.detected_at >= detected_since)
        if detected_before is not None:
            conditions.append(c.detected_at < detected_before)
        if fixed_since is not None:
            conditions.append(c.fixed_at >= fixed_since)
        if fixed_before is not None:
            conditions.append(c.fixed_at < fixed_before)
        if text:
            conditions.append(_containing(text))
        newest = problems.c.fixed_at if newest_fix_first else problems.c.detected_at
        query = (select(problems).where(*conditions)
                 .order_by(newest.desc(), problems.c.id.desc()).limit(limit).offset(offset))
        with reading(self.engine) as connection:
            found = [_problem(row) for row in connection.execute(query)]
            total = connection.execute(select(func.count()).select_from(problems).where(*conditions)).scalar_one()
        return found, total

    def ticket_links(self, problem_id: int) -> builtins.list[TicketLink]:
        """Every ticket that was linked to the problem, also those that left, in the order they joined."""
        c = problem_tickets.c
        with reading(self.engine) as connection:
            rows = connection.execute(select(problem_tickets).where(c.problem_id == problem_id)
                                      .order_by(c.joined_at, c.ticket_id))
            return [TicketLink(row.ticket_id, row.joined_at, row.left_at, row.linked_at, row.unlinked_at)
                    for row in rows]

    # --- the Jira and Zendesk side -------------------------------------------------------------

    def record_issue(self, connection: Connection, problem_id: int, jira_key: str, jira_id: str,
                     priority: str, due_date, escalation_applied, counts_written: str, now: datetime) -> None:
        connection.execute(update(problems).where(problems.c.id == problem_id).values(
            jira_key=jira_key, jira_id=jira_id, priority=priority, due_date=due_date,
            escalation_applied=sorted(escalation_applied), counts_written=counts_written,
            counts_written_at=now, updated_at=now))

    def record_impact(self, connection: Connection, problem_id: int, impact: ImpactScore) -> None:
        connection.execute(update(problems).where(problems.c.id == problem_id).values(impact=impact.to_json()))

    def record_counts_written(self, connection: Connection, problem_id: int, counts_written: str,
                              now: datetime, priority: str | None = None, due_date=None,
                              escalation_applied=None) -> None:
        values = {"counts_written": counts_written, "counts_written_at": now, "updated_at": now}
        if escalation_applied is not None:
            values |= {"priority": priority, "due_date": due_date,
                       "escalation_applied": sorted(escalation_applied)}
        connection.execute(update(problems).where(problems.c.id == problem_id).values(**values))

    def tickets_to_link(self, problem_id: int, limit: int) -> builtins.list[int]:
        """Members Zendesk has not been told about yet, oldest first."""
        c = problem_tickets.c
        with reading(self.engine) as connection:
            return list(connection.execute(
                select(c.ticket_id).where(c.problem_id == problem_id, c.left_at.is_(None),
                                          c.linked_at.is_(None))
                .order_by(c.joined_at, c.ticket_id).limit(limit)).scalars())

    def has_tickets_to_sync(self, connection: Connection, problem_id: int) -> bool:
        """Inside the caller's transaction (so it sees links just marked there): is any ticket
        still to be linked or unlinked in Zendesk?"""
        c = problem_tickets.c
        to_link = and_(c.left_at.is_(None), c.linked_at.is_(None))
        to_unlink = and_(c.left_at.is_not(None), c.linked_at.is_not(None), c.unlinked_at.is_(None))
        return connection.execute(select(c.ticket_id).where(
            c.problem_id == problem_id, or_(to_link, to_unlink)).limit(1)).first() is not None

    def tickets_to_unlink(self, problem_id: int, limit: int) -> builtins.list[int]:
        """Tickets that left after Zendesk was told they joined, and were not yet unlinked."""
        c = problem_tickets.c
        with reading(self.engine) as connection:
            return list(connection.execute(
                select(c.ticket_id).where(c.problem_id == problem_id, c.left_at.is_not(None),
                                          c.linked_at.is_not(None), c.unlinked_at.is_(None))
                .order_by(c.ticket_id).limit(limit)).scalars())

    def mark_linked(self, connection: Connection, problem_id: int, ticket_ids, now: datetime) -> None:
        c = problem_tickets.c
        connection.execute(update(problem_tickets).where(
            c.problem_id == problem_id, c.ticket_id.in_(list(ticket_ids)), c.left_at.is_(None)
        ).values(linked_at=now, unlinked_at=None))

    def mark_unlinked(self, connection: Connection, problem_id: int, ticket_ids, now: datetime) -> None:
        c = problem_tickets.c
        connection.execute(update(problem_tickets).where(
            c.problem_id == problem_id, c.ticket_id.in_(list(ticket_ids)), c.left_at.is_not(None)
        ).values(unlinked_at=now, linked_at=None))

    def ticket_times(self, problem_id: int) -> tuple[datetime | None, datetime | None]:
        """When the first and the latest linked ticket joined."""
        c = problem_tickets.c
        with reading(self.engine) as connection:
            first, last = connection.execute(select(func.min(c.joined_at), func.max(c.joined_at)).where(
                c.problem_id == problem_id, c.left_at.is_(None))).one()
            return first, last
