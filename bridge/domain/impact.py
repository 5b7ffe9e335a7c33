"""What Zendesk says about a problem's affected tickets beyond their number (the inputs of the
weighted impact score, bridge/planning/impact_score.py), and the score with its parts as the
bridge keeps it on the problem."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime


@dataclass(frozen=True)
class TicketEffort:
    """One affected ticket: its organization, whether its satisfaction rating is bad, and the
    agents' effort on it (ticket metrics: public agent replies, full resolution time)."""

    ticket_id: int
    organization_id: int | None
    bad_rating: bool
    replies: int
    full_resolution_minutes: int | None  # calendar minutes; None while never solved


@dataclass(frozen=True)
class ImpactReading:
    tickets: tuple[TicketEffort, ...]
    # organization id -> the configured organization field's value (None: the field is empty)
    organization_values: Mapping[int, str | float | None]


@dataclass(frozen=True)
class ImpactScore:
    """The score and each part it adds up from (docs/impact.md gives the formula)."""

    score: float
    organization_points: float
    organizations: int  # affected organizations found in Zendesk
    bad_ratings: int
    bad_rating_points: float
    replies: int
    reply_points: float
    resolution_hours: float
    resolution_points: float
    tickets_read: int
    read_at: datetime
    settings_digest: str | None = None  # the `impact:` settings it was weighed under (None: before they were kept)

    def to_json(self) -> dict:
        return {**asdict(self), "read_at": self.read_at.isoformat()}

    @classmethod
    def from_json(cls, data: Mapping | None) -> ImpactScore | None:
        if not data:
            return None
        return cls(**{**data, "read_at": datetime.fromisoformat(data["read_at"])})
