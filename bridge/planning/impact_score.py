"""The weighted impact score of a problem (docs/impact.md):

    score = organization points + bad_rating_weight × bad ratings + reply_weight × agent replies
            + resolution_hour_weight × hours to full resolution

over the problem's affected tickets. Each affected organization counts once: `organization_values`
of its organization field's text value, or a number field's value × `organization_multiplier`;
`organization_default` when the field is empty, not listed, or a number with no multiplier."""

from __future__ import annotations

from datetime import datetime

from bridge.config.impact_settings import ImpactSettings
from bridge.domain.impact import ImpactReading, ImpactScore


def impact_score(reading: ImpactReading, settings: ImpactSettings, now: datetime) -> ImpactScore:
    organization_points = sum(organization_worth(value, settings) for value in reading.organization_values.values())
    bad_ratings = sum(1 for ticket in reading.tickets if ticket.bad_rating)
    replies = sum(ticket.replies for ticket in reading.tickets)
    hours = sum(ticket.full_resolution_minutes or 0 for ticket in reading.tickets) / 60
    parts = (round(organization_points, 2), round(bad_ratings * settings.bad_rating_weight, 2),
             round(replies * settings.reply_weight, 2), round(hours * settings.resolution_hour_weight, 2))
    return ImpactScore(
        score=round(sum(parts), 1), organization_points=parts[0],
        organizations=len(reading.organization_values), bad_ratings=bad_ratings, bad_rating_points=parts[1],
        replies=replies, reply_points=parts[2], resolution_hours=round(hours, 1), resolution_points=parts[3],
        tickets_read=len(reading.tickets), read_at=now, settings_digest=settings.digest())


def organization_worth(value: str | float | None, settings: ImpactSettings) -> float:
    if isinstance(value, str):
        return settings.organization_values.get(value.casefold(), settings.organization_default)
    if isinstance(value, float) and settings.organization_multiplier:
        return value * settings.organization_multiplier
    return settings.organization_default


def impact_summary(impact: ImpactScore) -> str:
    """One line for the Jira issue, the dashboard and `bridge report`, e.g. `42.5 (organizations
    30 from 3; 2 bad ratings 10; 9 replies 4.5; 12.5 h to resolution 1.2)`."""
    return (f"{impact.score:g} (organizations {impact.organization_points:g} from {impact.organizations}; "
            f"{_amount(impact.bad_ratings, 'bad rating', 'bad ratings')} {impact.bad_rating_points:g}; "
            f"{_amount(impact.replies, 'reply', 'replies')} {impact.reply_points:g}; "
            f"{impact.resolution_hours:g} h to resolution {impact.resolution_points:g})")


def _amount(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"
