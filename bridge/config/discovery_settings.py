"""Config of discovery (docs/discovery.md): grouping the tickets no rule matched, and when a group
is emerging."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from bridge.rules.durations import format_window
from bridge.rules.validated import Window

# `7d`, `24h` as rule windows are written; dumped the same way (a config written back reads again).
Span = Annotated[Window, PlainSerializer(format_window, return_type=str)]


class DiscoverySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    # The least cosine similarity (TF-IDF of subject and description) at which a ticket joins a
    # group; lower makes fewer, broader groups (bench/discover.py measures 0.2 to 0.5).
    similarity: float = Field(default=0.35, gt=0, lt=1)
    # The least similarity of two groups' centroids for them to be judged together (the same
    # topic split by varied wording): a group is emerging only if its neighbourhood is too.
    neighbourhood: float = Field(default=0.15, gt=0, lt=1)
    window: Span = timedelta(days=7)  # tickets kept and compared; older ones are forgotten
    recent: Span = timedelta(days=1)  # the part of the window judged against the rest
    min_size: int = Field(default=5, ge=2)  # tickets in `recent` before a group can be emerging
    growth: float = Field(default=3.0, gt=1)  # recent rate against the earlier rate that is news
    # How unlikely by chance a growing group's recent count must be (Poisson at its earlier rate).
    significance: float = Field(default=0.0001, gt=0, lt=1)
    # The team suggested rules name (a key of `teams`); left out: the first team the config lists.
    team: str | None = Field(default=None, min_length=1)
    # Open a problem for an emerging group without waiting for an admin: its suggested rule is
    # accepted into `rules_file` (a file the config's `rules` read), routed to `team`.
    open_problems: bool = False
    rules_file: str | None = Field(default=None, min_length=1)
    run_seconds: float = Field(default=60, ge=5)  # how often the scheduled job groups new tickets
    batch_size: int = Field(default=500, ge=1, le=10000)  # tickets one run takes at most
    # The job reads a ticket this long after the bridge stored it: a worker's transaction stamps
    # the time it saw a ticket when it starts and may commit later (database.statement_timeout_seconds
    # bounds that), and the job's position must not pass a ticket still to appear behind it.
    settle_seconds: float = Field(default=60, ge=0)

    @model_validator(mode="after")
    def _recent_inside_window(self) -> DiscoverySettings:
        if self.recent * 2 > self.window:
            raise ValueError("recent must be at most half of window: the rest is the baseline it is judged against")
        if self.open_problems and self.rules_file is None:
            raise ValueError("open_problems needs rules_file: the rule file emerging groups' rules are written to")
        return self
