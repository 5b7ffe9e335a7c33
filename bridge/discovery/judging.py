"""A group judged with its neighbourhood: the groups near enough that they may hold the same topic.

A single pass splits a topic whose wording varies: a few tickets about delivery times that did
not reach the main group's centroid start a group of their own, which then looks new. Judged
together with its neighbours, such a fragment shares their baseline and is not news; a new
failure has no neighbours, or grows the neighbourhood it lands in: unusually (its steady part
dilutes the news, so a milder growth and a milder improbability suffice there)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bridge.discovery.bursts import carrying_burst
from bridge.discovery.emergence import Emergence, EmergencePolicy, judge
from bridge.discovery.grouping import Grouping

# A neighbourhood only has to be unusual, not news: its steady part dilutes what is new in it.
NEIGHBOURHOOD_GROWTH = 2.0
NEIGHBOURHOOD_SIGNIFICANCE = 0.0001


@dataclass(frozen=True)
class GroupVerdict:
    group_id: int
    own: Emergence  # the group alone
    neighbourhood: tuple[int, ...]  # the neighbours judged with it
    emergence: Emergence  # the group with its neighbours, or its bursting term: what decides
    term: str | None = None  # the bursting term most of its recent tickets use, when that decided

    @property
    def emerging(self) -> bool:
        return self.emergence.emerging


def judge_group(grouping: Grouping, group_id: int, now: datetime, watched_since: datetime,
                policy: EmergencePolicy, neighbourhood: float) -> GroupVerdict:
    """Emerging only when the group alone is, and either its neighbourhood is too or most of its
    recent tickets use a bursting term (bridge/discovery/bursts.py: a new failure in a steady
    topic's words, split off its group, has that group for a neighbour). The neighbours are looked
    up only for a group that is emerging alone (few are)."""
    own = judge(_arrivals(grouping, (group_id,)), now, watched_since, policy)
    if not own.emerging:
        return GroupVerdict(group_id, own, (), own)
    neighbours = tuple(grouping.neighbours(group_id, neighbourhood))
    if not neighbours:
        return GroupVerdict(group_id, own, (), own)
    together = judge(_arrivals(grouping, (group_id, *neighbours)), now, watched_since, replace(
        policy, growth=NEIGHBOURHOOD_GROWTH, significance=NEIGHBOURHOOD_SIGNIFICANCE))
    if not together.emerging:
        burst = carrying_burst(grouping, group_id, now, watched_since, policy)
        if burst is not None:
            return GroupVerdict(group_id, own, neighbours, burst.emergence, burst.term)
    return GroupVerdict(group_id, own, neighbours, together)


def _arrivals(grouping: Grouping, group_ids: tuple[int, ...]) -> list[datetime]:
    return [member.arrived_at for group_id in group_ids for member in grouping.groups[group_id].members.values()]
