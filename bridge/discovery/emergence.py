"""Is a group news? Decided from when its tickets arrived, against the group's own past.

Two ways to be emerging over the `recent` part of the window: *new* (no ticket before it, and
already `min_size` now) or *growing* (`min_size` now, and `growth` times the rate its earlier
tickets in the window set, by more than chance: a Poisson count at that rate, counted generously
(one ticket more than seen), reaches it with probability below `significance`; small groups
wobble, and a hundred of them judged every minute would flag one by chance every day). A steady
topic (password resets every day) keeps its own rate and is never flagged. Nothing is judged
before the bridge has watched for longer than `recent`: on the first day every group is new.
bridge/discovery/judging.py judges a group together with its neighbours."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

NEW, GROWING = "new", "growing"


@dataclass(frozen=True)
class EmergencePolicy:
    window: timedelta = timedelta(days=7)
    recent: timedelta = timedelta(days=1)
    min_size: int = 5
    growth: float = 3.0
    significance: float = 0.0001


@dataclass(frozen=True)
class Emergence:
    recent: int  # tickets in the recent period
    earlier: int  # tickets in the window before it
    expected: float  # tickets the earlier rate predicts for the recent period
    reason: str | None  # NEW, GROWING, or None: not emerging

    @property
    def emerging(self) -> bool:
        return self.reason is not None

    @property
    def growth(self) -> float | None:
        """Recent tickets against the expected number; None when nothing was expected."""
        return self.recent / self.expected if self.expected else None


def judge(arrivals: Sequence[datetime], now: datetime, watched_since: datetime,
          policy: EmergencePolicy) -> Emergence:
    recent_from = now - policy.recent
    window_from = max(now - policy.window, watched_since)
    recent = sum(1 for at in arrivals if recent_from <= at <= now)
    earlier = sum(1 for at in arrivals if window_from <= at < recent_from)
    return judge_counts(recent, earlier, now, watched_since, policy)


def judge_counts(recent: int, earlier: int, now: datetime, watched_since: datetime,
                 policy: EmergencePolicy) -> Emergence:
    """`recent`: the tickets reported within `policy.recent` of `now`; `earlier`: in the window
    (watched since `watched_since`) before that."""
    recent_from = now - policy.recent
    window_from = max(now - policy.window, watched_since)
    baseline = recent_from - window_from
    share = policy.recent / baseline if baseline > timedelta(0) else 0.0
    expected = earlier * share
    reason = None
    if baseline >= policy.recent and recent >= policy.min_size:
        if earlier == 0:
            reason = NEW
        elif (recent >= policy.growth * expected
              and poisson_at_least(recent, (earlier + 1) * share) < policy.significance):
            reason = GROWING
    return Emergence(recent, earlier, expected, reason)


def poisson_at_least(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean)."""
    if count <= 0:
        return 1.0
    term = below = math.exp(-mean)
    for k in range(1, count):
        term *= mean / k
        below += term
    return max(0.0, 1.0 - below)
