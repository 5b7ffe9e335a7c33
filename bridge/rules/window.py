"""When do occurrences of one (rule, group key) add up to a problem? Pure functions over
occurrences; the storage layer keeps them (and removes those of tickets that stopped matching).

Definition: the threshold is reached when some span of `window` length (both ends included)
holds occurrences of at least `count` distinct counted keys (ticket, requester or organization
ids). Spans are measured in *event* time, not arrival time, so a late event is counted where it
happened: it can complete an older span, and it never stretches a recent one. When events arrive
in order this is exactly "distinct keys within `window` before the newest occurrence". Several
occurrences with the same counted key count once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Occurrence:
    ticket_id: int
    counted_key: str
    event_time: datetime


def window_crossing(occurrences: Iterable[Occurrence], count: int, window: timedelta) -> Occurrence | None:
    """The occurrence (in event-time order) at which `count` distinct keys first fit in one window."""
    ordered = sorted(occurrences, key=lambda o: (o.event_time, o.ticket_id))
    in_window: Counter[str] = Counter()
    start = 0
    for occurrence in ordered:
        in_window[occurrence.counted_key] += 1
        while ordered[start].event_time < occurrence.event_time - window:
            leaving = ordered[start].counted_key
            in_window[leaving] -= 1
            if not in_window[leaving]:
                del in_window[leaving]
            start += 1
        if len(in_window) >= count:
            return occurrence
    return None


def threshold_reached(occurrences: Iterable[Occurrence], count: int, window: timedelta) -> bool:
    return window_crossing(occurrences, count, window) is not None


def keys_in_latest_window(occurrences: Iterable[Occurrence], window: timedelta) -> frozenset[str]:
    """Distinct keys within `window` before the newest occurrence (the current count to show)."""
    occurrences = list(occurrences)
    if not occurrences:
        return frozenset()
    newest = max(o.event_time for o in occurrences)
    return frozenset(o.counted_key for o in occurrences if newest - window <= o.event_time <= newest)


def prunable_before(now: datetime, window: timedelta, late_arrival: timedelta) -> datetime:
    """Occurrences older than this can no longer take part in a span, given that events arrive at
    most `late_arrival` after they happened; storage may delete them."""
    return now - late_arrival - window
