"""For each term, when the window's tickets using it were reported: how many a period holds, by
bisection, whatever the window's size (bridge/discovery/bursts.py judges a term's recent rate)."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from datetime import datetime


class TermArrivals:
    def __init__(self) -> None:
        self._by_term: dict[str, list[tuple[datetime, int]]] = {}  # (arrived at, ticket id), in order

    def add(self, terms: Iterable[str], arrived_at: datetime, ticket_id: int) -> None:
        for term in terms:
            insort(self._by_term.setdefault(term, []), (arrived_at, ticket_id))

    def remove(self, terms: Iterable[str], arrived_at: datetime, ticket_id: int) -> None:
        for term in terms:
            entries = self._by_term[term]
            index = bisect_left(entries, (arrived_at, ticket_id))
            if index < len(entries) and entries[index] == (arrived_at, ticket_id):
                del entries[index]
            if not entries:
                del self._by_term[term]

    def count(self, term: str, start: datetime, end: datetime | None = None) -> int:
        """The tickets using the term reported from `start` and before `end` (None: since)."""
        entries = self._by_term.get(term, [])
        stop = len(entries) if end is None else bisect_left(entries, (end,))
        return stop - bisect_left(entries, (start,))

    def tickets(self, term: str, start: datetime) -> list[int]:
        """The ids of the tickets using the term reported since `start`, oldest first."""
        entries = self._by_term.get(term, [])
        return [ticket_id for _, ticket_id in entries[bisect_left(entries, (start,)):]]
