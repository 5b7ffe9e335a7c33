"""The domain's ImpactSource over ZendeskClient: what a problem's weighted impact needs from
Zendesk, read in batches. A ticket's `satisfaction_rating` is the Support API's object
(`{id, score, comment}`, or null); its metrics are the TicketMetricObject side-loaded as
`metric_sets`; an organization's custom values are in `organization_fields`."""

from __future__ import annotations

from collections.abc import Sequence

from bridge.domain.impact import ImpactReading, TicketEffort
from connectors.payload import integer_id, obj
from connectors.remote import remote_errors
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.errors import ZendeskError

# The scores a rating can have; "bad" ones (with or without a comment) are stored as "bad".
BAD_SCORE = "bad"


class ZendeskImpactSource:
    def __init__(self, client: ZendeskClient):
        self.client = client

    def read_impact(self, ticket_ids: Sequence[int], organization_field: str | None) -> ImpactReading:
        with remote_errors("Zendesk", ZendeskError):
            tickets, metric_sets = self.client.show_many_with_metrics(sorted(set(ticket_ids)))
            metrics = {ticket_id: metric for metric in metric_sets
                       if isinstance(metric, dict) and (ticket_id := integer_id(metric, "ticket_id")) is not None}
            efforts = tuple(ticket_effort(ticket, metrics.get(integer_id(ticket, "id") or 0, {}))
                            for ticket in tickets if isinstance(ticket, dict) and integer_id(ticket, "id"))
            organization_ids = sorted({e.organization_id for e in efforts if e.organization_id is not None})
            values: dict[int, str | float | None] = {}
            if organization_ids:
                for organization in self.client.show_many_organizations(organization_ids):
                    organization_id = integer_id(organization, "id") if isinstance(organization, dict) else None
                    if organization_id is not None:
                        values[organization_id] = organization_value(organization, organization_field)
        return ImpactReading(efforts, values)


def ticket_effort(ticket: dict, metric_set: dict) -> TicketEffort:
    rating = ticket.get("satisfaction_rating")
    score = rating.get("score") if isinstance(rating, dict) else None
    return TicketEffort(
        ticket_id=integer_id(ticket, "id", required=True),
        organization_id=integer_id(ticket, "organization_id"),
        bad_rating=score == BAD_SCORE,
        replies=_whole(metric_set.get("replies")) or 0,
        full_resolution_minutes=_whole(obj(metric_set, "full_resolution_time_in_minutes").get("calendar")))


def organization_value(organization: dict, field: str | None) -> str | float | None:
    """The field's value: a number stays a number, anything else is text (a drop-down's tag)."""
    if field is None:
        return None
    value = obj(organization, "organization_fields").get(field)
    if value is None or value == "":
        return None
    if isinstance(value, bool):  # a checkbox field
        return str(value).lower()
    return float(value) if isinstance(value, int | float) else str(value)


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
