"""A burst of one term: a new failure worded like a steady topic, found by its words (pure).

A blank invoice PDF among everyday invoice questions joins their group, whose growth the steady
questions dilute. Its tickets still share words the window rarely saw (`pdf`, `blank`): a term
whose recent rate in the window jumps against its own earlier rate (judged as a group is,
bridge/discovery/emergence.py, and by chance far more strictly) marks them. Its recent tickets in
established groups to which the term is new are split off into a group of their own (or join
the one the burst already has), and a group most of whose recent tickets use a bursting term is
emerging even when its neighbours, the steady topic's group among them, are not
(bridge/discovery/judging.py). bench/discover.py measures both."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from bridge.discovery.emergence import Emergence, EmergencePolicy, judge_counts, poisson_at_least
from bridge.discovery.grouping import Grouping, Member

# How unlikely by chance a term's recent count must be, new or growing: each ticket tests all its
# terms, a thousand words against a hundred groups (bench/discover.py: the background alone).
TERM_SIGNIFICANCE = 1e-7


@dataclass(frozen=True)
class TermBurst:
    term: str
    ticket_ids: tuple[int, ...]  # recent tickets using it: all of a group's, or those to move
    emergence: Emergence
    into: int | None = None  # the group already the burst's, where they go; None: a new one


def term_emergence(grouping: Grouping, term: str, now: datetime, watched_since: datetime,
                   policy: EmergencePolicy) -> Emergence:
    """The tickets using the term, judged as a group's are."""
    recent_from = now - policy.recent
    window_from = max(now - policy.window, watched_since)
    arrivals = grouping.term_arrivals
    return _unlikely(judge_counts(arrivals.count(term, recent_from), arrivals.count(term, window_from, recent_from),
                                  now, watched_since, policy), now, watched_since, policy)


def _unlikely(emergence: Emergence, now: datetime, watched_since: datetime, policy: EmergencePolicy) -> Emergence:
    """A term's emergence stands only when its recent count is unlikely by chance, the term new or
    not, against a baseline of half the window at least: every term of every ticket is tested, many
    more than there are groups, and a word's rate takes days to know."""
    recent_from = now - policy.recent
    baseline = recent_from - max(now - policy.window, watched_since)
    share = policy.recent / baseline if baseline.total_seconds() > 0 else 0.0
    if emergence.emerging and (2 * baseline < policy.window - policy.recent or poisson_at_least(
            emergence.recent, (emergence.earlier + 1) * share) >= TERM_SIGNIFICANCE):
        return replace(emergence, reason=None)
    return emergence


def _new_to(grouping: Grouping, group_id: int, term: str, now: datetime, watched_since: datetime,
            policy: EmergencePolicy) -> Emergence:
    """The group's own tickets using the term, judged (any count): whether the term is new to the
    topic, not its usual word that another burst happens to share ("open" a tracking link, "open"
    an account)."""
    recent_from, window_from = now - policy.recent, max(now - policy.window, watched_since)
    using = [member.arrived_at for member in grouping.groups[group_id].members.values() if term in member.terms]
    recent = sum(1 for at in using if at >= recent_from)
    earlier = sum(1 for at in using if window_from <= at < recent_from)
    return judge_counts(recent, earlier, now, watched_since, replace(policy, min_size=1))


def split_off(grouping: Grouping, terms: Iterable[str], now: datetime, watched_since: datetime,
              policy: EmergencePolicy, fixed: Collection[int] = ()) -> TermBurst | None:
    """The burst among these terms (a new ticket's) with recent tickets diluted in established
    groups (most of whose tickets came before `recent`: another topic's) to which the term is new,
    to move: into the group already the burst's (most of its tickets using the term recently), or
    into a new group when there is none and they are `min_size` or more, the term unlikely by
    chance within each group they leave. The term that grew most; None when there is none.
    Tickets in new groups stay: those are the burst's own, in other words. The `fixed` groups
    (accepted, waiting for detection) neither give nor take."""
    best: tuple[float, TermBurst] | None = None
    recent_from, window_from = now - policy.recent, max(now - policy.window, watched_since)
    share = policy.recent / (recent_from - window_from) if recent_from > window_from else 0.0
    for term in sorted(terms):
        recent = grouping.term_arrivals.count(term, recent_from)
        if recent < policy.min_size or recent < policy.growth * share * grouping.term_arrivals.count(
                term, window_from, recent_from):
            continue  # the cheap tests first: most terms of most tickets are rare or steady
        emergence = term_emergence(grouping, term, now, watched_since, policy)
        # the most specific term first: a burst lifts the common words it uses ("download") too
        growth = emergence.recent / (emergence.earlier + 1)
        if not emergence.emerging or (best is not None and growth <= best[0]):
            continue
        by_group: dict[int, list[int]] = {}
        for ticket_id in grouping.term_arrivals.tickets(term, recent_from):
            by_group.setdefault(grouping.group_of[ticket_id], []).append(ticket_id)
        hosts = {group_id: _new_to(grouping, group_id, term, now, watched_since, policy) for group_id in by_group
                 if group_id not in fixed and _established(grouping, group_id, recent_from)}
        hosts = {group_id: verdict for group_id, verdict in hosts.items() if verdict.emerging}
        held = [group_id for group_id, tickets in by_group.items()
                if group_id not in hosts and group_id not in fixed
                and 2 * len(tickets) > grouping.groups[group_id].size]
        if held:  # later tickets of a burst that has its group, which a steady topic's group took
            into = max(held, key=lambda group_id: (len(by_group[group_id]), -group_id))
            diluted = tuple(ticket_id for group_id in hosts for ticket_id in by_group[group_id])
            if diluted:
                best = growth, TermBurst(term, diluted, emergence, into)
            continue
        diluted = tuple(ticket_id for group_id, verdict in hosts.items()
                        if _unlikely(verdict, now, watched_since, policy).emerging for ticket_id in by_group[group_id])
        if len(diluted) >= policy.min_size:
            best = growth, TermBurst(term, diluted, emergence)
    return best[1] if best else None


def carrying_burst(grouping: Grouping, group_id: int, now: datetime, watched_since: datetime,
                   policy: EmergencePolicy) -> TermBurst | None:
    """A bursting term used by most of the group's recent tickets (at least `min_size`), or None."""
    recent_from = now - policy.recent
    recent = [member for member in grouping.groups[group_id].members.values() if member.arrived_at >= recent_from]
    if len(recent) < policy.min_size:
        return None
    for term in grouping.characteristic_terms(group_id):
        using = tuple(member.ticket_id for member in recent if term in member.terms)
        if len(using) < policy.min_size or 2 * len(using) <= len(recent):
            continue
        emergence = term_emergence(grouping, term, now, watched_since, policy)
        if emergence.emerging:
            return TermBurst(term, using, emergence)
    return None


def _established(grouping: Grouping, group_id: int, recent_from: datetime) -> bool:
    members = grouping.groups[group_id].members.values()
    return 2 * sum(1 for member in members if member.arrived_at < recent_from) >= len(members)


def move(grouping: Grouping, burst: TermBurst, group_id: int) -> list[Member]:
    """The burst's tickets moved into the group `group_id` (`burst.into`, or a new one's id); the
    moved members."""
    moved = [grouping.groups[grouping.group_of[ticket_id]].members[ticket_id] for ticket_id in burst.ticket_ids]
    for member in moved:
        grouping.add(group_id, member)
    return moved
