"""The scheduled job that feeds discovery: the tickets the bridge saw since its last run, placed
in their groups (or taken out, once a rule matches them), and the window moved on.

It reads what intake already stored (the tickets table), after the fact, so intake never waits
for it; the grouping is kept in memory between runs (bounded by the window) and rebuilt from the
database when this process did not write the last run (a restart, another leader)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bridge.config.discovery_settings import DiscoverySettings
from bridge.discovery.bursts import move, split_off
from bridge.discovery.candidates import candidate
from bridge.discovery.grouping import Grouping, Member
from bridge.discovery.handover import hand_over
from bridge.discovery.settings import emergence_policy
from bridge.intake.processing import EventProcessor
from bridge.logs import log_event
from bridge.rules import RuleSet
from bridge.storage.cursors import Cursors
from bridge.storage.discovery import ChangedTicket, DiscoveredTicket, DiscoveryStore

log = logging.getLogger("bridge.discovery")

TICKETS_CURSOR = "discovery.tickets"  # "<seen_at ISO>|<ticket id>" of the last ticket read
# Since when discovery knows the tickets: the baseline starts there. Set by the first run that
# grouped any, at the earliest report it read (stored tickets, backfilled history among them).
WATCHED_SINCE = "discovery.watched_since"
CHUNK = 100  # tickets per transaction: SQLite's writer lock is never held long


def load_grouping(store: DiscoveryStore, settings: DiscoverySettings, now: datetime) -> Grouping:
    """The window's groups as the database keeps them."""
    grouping = Grouping(settings.similarity)
    for row in store.tickets_since(now - settings.window):
        grouping.add(row.group_id, Member(row.ticket_id, row.arrived_at, row.terms, row.requester_id,
                                          row.organization_id))
    return grouping


def watched_since(cursors: Cursors) -> datetime | None:
    value = cursors.get(WATCHED_SINCE)
    return datetime.fromisoformat(value) if value else None


class DiscoveryFeed:
    """`processor`: the worker's, for handing accepted groups to detection (the scheduled job in
    the bridge's worker process, whose rules are the ones its actions will find); without it (the
    command line) accepted groups wait for that job."""

    def __init__(self, engine: Engine, settings: DiscoverySettings, rules: Callable[[], RuleSet],
                 clock: Callable[[], datetime], processor: EventProcessor | None = None):
        self.engine, self.settings, self.rules, self.clock = engine, settings, rules, clock
        self.processor = processor
        self.store, self.cursors = DiscoveryStore(engine), Cursors(engine)
        self.grouping: Grouping | None = None
        self.position: str | None = None  # the cursor this process last wrote
        self.rules_checked: RuleSet | None = None  # the rules the grouped tickets were last checked against
        self.last_read = 0  # tickets the last run read (batch_size: there may be more)
        self.last_seen: tuple[datetime, int] | None = None  # (seen_at, id) of the last ticket read
        self.watched = clock()  # since when discovery watches (the baseline), as this run judges

    def catch_up(self, most_runs: int = 100) -> None:
        """Runs until every stored ticket was read, the last minute's too (`bridge discover`,
        before it lists); those are placed without moving the cursor, which the job moves later."""
        for _ in range(most_runs):
            self.run()
            if self.last_read < self.settings.batch_size:
                break
        tail = None
        for _ in range(most_runs):
            self.run(unsettled_after=tail or _parse_position(self.position) or (self.clock() - self.settings.window, 0))
            if self.last_read < self.settings.batch_size:
                break
            tail = self.last_seen

    def run(self, unsettled_after: tuple[datetime, int] | None = None) -> str:
        """One run. `unsettled_after`: read from there, the tickets seen within
        `discovery.settle_seconds` too, without moving the cursor."""
        now = self.clock()
        position = self.cursors.get(TICKETS_CURSOR)
        if self.grouping is None or position != self.position:
            self.grouping = load_grouping(self.store, self.settings, now)
        grouping, placed, left = self.grouping, 0, 0
        unsettled = unsettled_after is not None
        # The first run starts at the window: a ticket reported in it was seen in it.
        after = unsettled_after or _parse_position(position) or (now - self.settings.window, 0)
        settled = now - timedelta(seconds=self.settings.settle_seconds)
        changed = self.store.changed_tickets(after, None if unsettled else settled, self.settings.batch_size)
        # The first run watches from the earliest report it reads, as WATCHED_SINCE will say.
        self.watched = watched_since(self.cursors) or min(
            [now, *(ticket.snapshot.created_at or ticket.seen_at for ticket in changed)])
        try:
            left += self._hand_over_accepted(grouping, now)
            left += self._leave_if_matched(grouping, now)
            waiting = set(self.store.accepted_rules(grouping.groups))
            for start in range(0, len(changed), CHUNK):
                chunk = changed[start:start + CHUNK]
                with self.engine.begin() as connection:
                    for ticket in chunk:
                        outcome = self._take(connection, grouping, ticket, now, waiting)
                        placed += outcome == "placed"
                        left += outcome == "left"
                    if not unsettled:
                        position = f"{chunk[-1].seen_at.isoformat()}|{chunk[-1].snapshot.id}"
                        self.cursors.set_in(connection, TICKETS_CURSOR, position, now)
            with self.engine.begin() as connection:
                grouping.expire(now - self.settings.window)
                self.store.forget_before(connection, now - self.settings.window)
                if grouping.ticket_count and self.cursors.get_in(connection, WATCHED_SINCE) is None:
                    since = min([now, *(m.arrived_at for g in grouping.groups.values() for m in g.members.values())])
                    self.cursors.set_in(connection, WATCHED_SINCE, since.isoformat(), now)
        except Exception:
            self.grouping = None  # what memory holds may be ahead of what committed: reload next run
            raise
        self.position, self.last_read = position, len(changed)
        if changed:
            self.last_seen = (changed[-1].seen_at, changed[-1].snapshot.id)
        log_event(log, logging.INFO, "discovery.run", read=len(changed), placed=placed, left=left,
                  tickets=grouping.ticket_count, groups=len(grouping.groups))
        return f"{len(changed)} tickets read, {placed} placed, {left} left"

    def _hand_over_accepted(self, grouping: Grouping, now: datetime) -> int:
        """The tickets of groups whose accepted rule this process runs now go through detection
        (bridge/discovery/handover.py) and leave discovery; a crash in between hands them over
        again, which detection counts once."""
        if self.processor is None:
            return 0
        rules, handed = self.rules(), 0
        for group_id, rule in self.store.accepted_rules(grouping.groups).items():
            if rules.by_name(rule) is None:
                continue  # not reloaded yet: the next run
            ticket_ids = list(grouping.groups[group_id].members)
            hand_over(self.engine, self.processor, list(self.store.snapshots(ticket_ids).values()), now)
            with self.engine.begin() as connection:
                for ticket_id in ticket_ids:
                    grouping.remove(ticket_id)
                    self.store.remove(connection, ticket_id)
            log_event(log, logging.INFO, "discovery.handed_over", group=group_id, rule=rule, tickets=len(ticket_ids))
            handed += len(ticket_ids)
        return handed

    def _leave_if_matched(self, grouping: Grouping, now: datetime) -> int:
        """When the rules changed (a rule file edited), the grouped tickets a rule now matches
        leave: detection owns them. Those of accepted groups stay until they are handed over."""
        rules = self.rules()
        if rules is self.rules_checked:
            return 0
        waiting = set(self.store.accepted_rules(grouping.groups))  # for the hand-over, not to leave
        snapshots = self.store.snapshots_seen_since(now - 2 * self.settings.window)
        matched = [ticket_id for ticket_id, group_id in list(grouping.group_of.items())
                   if group_id not in waiting and ticket_id in snapshots and rules.matching(snapshots[ticket_id])]
        with self.engine.begin() as connection:
            for ticket_id in matched:
                grouping.remove(ticket_id)
                self.store.remove(connection, ticket_id)
        self.rules_checked = rules
        return len(matched)

    def _take(self, connection, grouping: Grouping, changed: ChangedTicket, now: datetime,
              waiting: set[int]) -> str:
        """`waiting`: accepted groups, whose tickets stay until the hand-over."""
        ticket = changed.snapshot
        current = grouping.group_of.get(ticket.id)
        if current in waiting:
            return "kept"
        member = candidate(ticket, bool(self.rules().matching(ticket)), changed.seen_at, now, self.settings.window)
        if member is None:
            if current is None:
                return "skipped"
            grouping.remove(ticket.id)
            self.store.remove(connection, ticket.id)
            return "left"
        if current is not None and dict(grouping.groups[current].members[ticket.id].terms) == dict(member.terms):
            return "kept"  # an update that did not change the customer's words
        grouping.remove(ticket.id)
        placement = grouping.place(member.terms)
        group_id = placement.group_id if placement.group_id is not None else self.store.new_group(connection, now)
        grouping.add(group_id, member)
        self._put(connection, group_id, member)
        self._split_off_burst(connection, grouping, member, now, waiting)
        return "placed"

    def _split_off_burst(self, connection, grouping: Grouping, member: Member, now: datetime,
                         waiting: set[int]) -> None:
        """A term of the new ticket bursting inside other topics' groups takes its recent tickets
        out of them (bridge/discovery/bursts.py); accepted groups neither give nor take."""
        burst = split_off(grouping, member.terms, now, self.watched, emergence_policy(self.settings), fixed=waiting)
        if burst is None:
            return
        into = burst.into if burst.into is not None else self.store.new_group(connection, now)
        for moved in move(grouping, burst, into):
            self._put(connection, into, moved)
        log_event(log, logging.INFO, "discovery.split", group=into, tickets=len(burst.ticket_ids))

    def _put(self, connection, group_id: int, member: Member) -> None:
        self.store.put(connection, DiscoveredTicket(group_id, member.ticket_id, member.arrived_at, dict(member.terms),
                                                    member.requester_id, member.organization_id))


def _parse_position(value: str | None) -> tuple[datetime, int] | None:
    if not value:
        return None
    seen_at, _, ticket_id = value.rpartition("|")
    return datetime.fromisoformat(seen_at), int(ticket_id)
