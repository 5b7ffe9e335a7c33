"""Grouping unmatched tickets by the similarity of their words, one ticket at a time.

A single pass: a ticket joins the group whose centroid is nearest (cosine of TF-IDF vectors,
document frequencies counted over the tickets in the window) when it is near enough, and starts a
group of its own otherwise. Each ticket costs a look at the groups that share one of its terms
(an inverted index), not at every group; memory is what the window holds: tickets older than it
are forgotten (`expire`), their terms with them, and a group without tickets is gone.
bench/discover.py measures this against scikit-learn's batch clustering (docs/discovery.md)."""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bridge.discovery.term_arrivals import TermArrivals
from bridge.discovery.terms import sublinear

QUERY_TERMS = 30  # a ticket's heaviest terms that look up groups (bench/discover.py: long IT tickets)
COMMON_POSTINGS = 100  # a term used by more groups than this finds none (see _similarities)


@dataclass(frozen=True)
class Member:
    """A ticket in a group, with what the emergence decision and the listing need of it."""

    ticket_id: int
    arrived_at: datetime
    terms: Mapping[str, int]
    requester_id: int | None = None
    organization_id: int | None = None


@dataclass
class Group:
    id: int
    members: dict[int, Member] = field(default_factory=dict)  # by ticket id, in the order they joined
    term_sums: dict[str, float] = field(default_factory=dict)  # sublinear term counts, summed

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Placement:
    """Where a ticket belongs: an existing group (`group_id`) or, when None, a group of its own."""

    group_id: int | None
    similarity: float


class Grouping:
    def __init__(self, similarity: float):
        self.similarity = similarity  # the least cosine at which a ticket joins a group
        self.groups: dict[int, Group] = {}
        self.group_of: dict[int, int] = {}  # ticket id -> group id
        self.doc_freq: Counter[str] = Counter()
        # term -> {group: the term's summed weight in it}, for every group whose tickets use it
        self.postings: dict[str, dict[int, float]] = {}
        self._norms: dict[int, float] = {}
        self._arrivals: list[tuple[datetime, int]] = []  # a heap: the oldest ticket first
        self.term_arrivals = TermArrivals()

    @property
    def ticket_count(self) -> int:
        return len(self.group_of)

    def idf(self, term: str) -> float:
        return math.log((1 + self.ticket_count) / (1 + self.doc_freq[term])) + 1.0

    def place(self, terms: Mapping[str, int]) -> Placement:
        """The nearest group near enough for these terms; decides, changes nothing."""
        similarities = self._similarities({term: sublinear(count) for term, count in terms.items()},
                                          QUERY_TERMS)
        best, best_score = None, 0.0
        for group_id, cosine in similarities.items():
            if cosine > best_score:
                best, best_score = group_id, cosine
        return Placement(best if best_score >= self.similarity else None, best_score)

    def neighbours(self, group_id: int, least: float) -> list[int]:
        """The other groups whose centroids are at least `least` similar to this one's: where the
        same topic's tickets may also be (a single pass splits a topic when its wording varies)."""
        similarities = self._similarities(self.groups[group_id].term_sums, QUERY_TERMS)
        return sorted(other for other, cosine in similarities.items() if other != group_id and cosine >= least)

    def _similarities(self, weights: Mapping[str, float], most: int) -> dict[int, float]:
        """Cosine of these (sublinear) term weights, at the current IDF, with the groups sharing one
        of the `most` heaviest terms; the rest count in the length only (a long ticket costs what a
        short one does). Groups are found through the terms few groups use; the common terms'
        products are added to those groups only: a group sharing nothing but common words with the
        ticket (low IDF) is not near it anyway, unless the ticket has no other words."""
        idfs = {term: self.idf(term) for term in weights}
        vector = sorted(((weight * idfs[term], term) for term, weight in weights.items()), reverse=True)
        length = math.sqrt(sum(weight * weight for weight, _ in vector)) or 1.0
        query = [(weight * idfs[term], self.postings.get(term, {})) for weight, term in vector[:most]]
        rare = [(factor, postings) for factor, postings in query if len(postings) <= COMMON_POSTINGS]
        common = [(factor, postings) for factor, postings in query if len(postings) > COMMON_POSTINGS]
        if not rare:
            rare, common = common, []
        scores: dict[int, float] = {}
        for factor, postings in rare:
            for group_id, total in postings.items():
                scores[group_id] = scores.get(group_id, 0.0) + factor * total
        for factor, postings in common:
            for group_id in scores:
                scores[group_id] += factor * postings.get(group_id, 0.0)
        return {group_id: score / (length * self._norm(group_id)) for group_id, score in scores.items()}

    def add(self, group_id: int, member: Member) -> None:
        """Puts a ticket in a group (a new one if `group_id` is not known yet)."""
        if member.ticket_id in self.group_of:
            self.remove(member.ticket_id)
        group = self.groups.setdefault(group_id, Group(group_id))
        group.members[member.ticket_id] = member
        self.group_of[member.ticket_id] = group_id
        heapq.heappush(self._arrivals, (member.arrived_at, member.ticket_id))
        self.term_arrivals.add(member.terms, member.arrived_at, member.ticket_id)
        for term, count in member.terms.items():
            self.doc_freq[term] += 1
            total = group.term_sums[term] = group.term_sums.get(term, 0.0) + sublinear(count)
            self.postings.setdefault(term, {})[group_id] = total
        self._norms.pop(group_id, None)

    def remove(self, ticket_id: int) -> None:
        group_id = self.group_of.pop(ticket_id, None)
        if group_id is None:
            return
        group = self.groups[group_id]
        self._forget(group, group.members.pop(ticket_id))

    def expire(self, before: datetime) -> list[int]:
        """Forgets the tickets that arrived before `before`; the ids of the groups left empty."""
        emptied = []
        while self._arrivals and self._arrivals[0][0] < before:
            arrived_at, ticket_id = heapq.heappop(self._arrivals)
            group_id = self.group_of.get(ticket_id)
            if group_id is None or self.groups[group_id].members[ticket_id].arrived_at != arrived_at:
                continue  # moved or removed since: its current entry is elsewhere in the heap
            self.remove(ticket_id)
            if group_id not in self.groups:
                emptied.append(group_id)
        return emptied

    def _forget(self, group: Group, member: Member) -> None:
        self.term_arrivals.remove(member.terms, member.arrived_at, member.ticket_id)
        for term, count in member.terms.items():
            self.doc_freq[term] -= 1
            if self.doc_freq[term] <= 0:
                del self.doc_freq[term]
            total = group.term_sums[term] = group.term_sums[term] - sublinear(count)
            if total <= 1e-9:
                del group.term_sums[term]
                del self.postings[term][group.id]
                if not self.postings[term]:
                    del self.postings[term]
            else:
                self.postings[term][group.id] = total
        self._norms.pop(group.id, None)
        if not group.members:
            del self.groups[group.id]

    def _norm(self, group_id: int) -> float:
        """The centroid's length at the current weights; kept until the group changes (document
        frequencies drift slowly, a group's own tickets change it at once)."""
        norm = self._norms.get(group_id)
        if norm is None:
            sums = self.groups[group_id].term_sums
            norm = math.sqrt(sum((total * self.idf(term)) ** 2 for term, total in sums.items())) or 1.0
            self._norms[group_id] = norm
        return norm

    def characteristic_terms(self, group_id: int, limit: int = 8) -> list[str]:
        """The terms that weigh most in the group's centroid: frequent in it, rare elsewhere."""
        sums = self.groups[group_id].term_sums
        ranked = sorted(sums, key=lambda term: (-sums[term] * self.idf(term), term))
        return ranked[:limit]


def group_all(grouping: Grouping, members: Iterable[Member], new_id: Iterable[int]) -> list[int]:
    """Places and adds members in order, new groups taking ids from `new_id`; each one's group."""
    ids = iter(new_id)
    placed = []
    for member in members:
        placement = grouping.place(member.terms)
        group_id = placement.group_id if placement.group_id is not None else next(ids)
        grouping.add(group_id, member)
        placed.append(group_id)
    return placed
