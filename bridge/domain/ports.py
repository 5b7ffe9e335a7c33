"""What the domain needs from the vendors; connectors implement these, tests can replace them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Protocol

from bridge.domain.events import TicketSnapshot

if TYPE_CHECKING:
    from bridge.planning.issue_content import IssuePlan


class RemoteError(Exception):
    """A call to Zendesk or Jira failed. `temporary`: worth retrying (timeouts, 429, 5xx);
    `retry_after`: how long the vendor asked us to wait, in seconds."""

    def __init__(self, message: str, temporary: bool, retry_after: float | None = None,
                 status: int | None = None):
        super().__init__(message)
        self.temporary, self.retry_after, self.status = temporary, retry_after, status


@dataclass(frozen=True)
class IssueRef:
    key: str
    id: str


@dataclass(frozen=True)
class BulkJob:
    """A Zendesk background job: finished or not, and per ticket, what went wrong."""

    finished: bool
    succeeded: frozenset[int] = frozenset()
    failed: dict[int, str] = field(default_factory=dict)


class TicketSystem(Protocol):
    def fetch_tickets(self, ticket_ids: Iterable[int]) -> list[TicketSnapshot]:
        """Full current snapshots (custom fields and requester email included), batched."""
        ...

    def start_bulk_update(self, ticket_ids: list[int], changes: dict) -> str:
        """One identical change for at most 100 tickets (update_many ?ids=); the job's id."""
        ...

    def bulk_update_status(self, job_id: str) -> BulkJob:
        ...


class IssueTracker(Protocol):
    def find_by_label(self, label: str) -> IssueRef | None:
        ...

    def create(self, plan: IssuePlan) -> IssueRef:
        ...

    def update_fields(self, key: str, fields: dict) -> None:
        """Jira field ids -> values, e.g. priority, duedate, custom fields, description."""
        ...

    def description(self, key: str) -> str | None:
        ...

    def comment(self, key: str, body: str) -> None:
        ...

    def url(self, key: str) -> str:
        ...
