"""What the domain needs from the vendors; connectors implement these, tests can replace them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from bridge.domain.events import IssueComment, IssueSnapshot, TicketSnapshot
from bridge.domain.impact import ImpactReading


class RemoteError(Exception):
    """A call to Zendesk or Jira failed. `temporary`: worth retrying (timeouts, 429, 5xx);
    `retry_after`: how long the vendor asked us to wait, in seconds; `status`: the HTTP status
    (None without an answer); `code`: the vendor's error code or refused field ids, safe to log at
    any level. The message is the vendor's text, which can echo ticket text: log it at DEBUG."""

    def __init__(self, message: str, temporary: bool, retry_after: float | None = None,
                 status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.temporary, self.retry_after, self.status, self.code = temporary, retry_after, status, code


@dataclass(frozen=True)
class IssueRef:
    key: str
    id: str


@dataclass(frozen=True)
class BulkJob:
    """A Zendesk background job: finished or not, and per ticket, what went wrong. A create job
    reports by position in the request: `created` maps it to the new ticket's id, `failed` (keyed
    by position then) says why the others were not created."""

    finished: bool
    succeeded: frozenset[int] = frozenset()
    failed: dict[int, str] = field(default_factory=dict)
    created: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RemoteTicket:
    """What the bridge reads of a ticket to know where it stands: status, tags, requester, and the
    follow-up tickets made from it (a closed ticket's only way to reach its requester)."""

    id: int
    status: str | None
    tags: frozenset[str] = frozenset()
    requester_id: int | None = None
    followup_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ChangedTicketsPage:
    """One page of tickets changed since a position; `cursor` is where the next page starts."""

    tickets: list[TicketSnapshot]
    cursor: str | None
    end_of_stream: bool
    # Who created each ticket (ticket id -> user id), where the export says: tickets the bridge's
    # own API user submitted are never a customer's report.
    submitters: dict[int, int] = field(default_factory=dict)


class TicketSystem(Protocol):
    def fetch_tickets(self, ticket_ids: Iterable[int]) -> list[TicketSnapshot]:
        """Full current snapshots (custom fields and requester email included), batched."""
        ...

    def start_bulk_update(self, ticket_ids: list[int], changes: dict) -> str:
        """One identical change for at most 100 tickets (update_many ?ids=); the job's id."""
        ...

    def bulk_update_status(self, job_id: str) -> BulkJob:
        ...

    def read_tickets(self, ticket_ids: Iterable[int]) -> list[RemoteTicket]:
        """Status, tags, requester and follow-ups (show_many, 1 call per 100); unknown ids are left out."""
        ...

    def user_names(self, user_ids: Iterable[int]) -> dict[int, str]:
        """Users' names (show_many, 1 call per 100)."""
        ...

    def start_individual_updates(self, updates: list[dict]) -> str:
        """A change per ticket (`id` plus changes), at most 100 (update_many `tickets: [...]`); the job's id."""
        ...

    def start_bulk_create(self, tickets: list[dict]) -> str:
        """Create at most 100 tickets in one job (create_many); the job's id."""
        ...

    def bulk_statuses(self, job_ids: list[str]) -> dict[str, BulkJob]:
        """Several jobs at once (job_statuses show_many, 1 call per 100); unknown ids are left out."""
        ...

    def changed_tickets(self, since: str | datetime) -> ChangedTicketsPage:
        """Tickets changed after a cursor from an earlier page, or since a moment: one page,
        oldest change first (Zendesk's incremental export)."""
        ...


@dataclass(frozen=True)
class Customer:
    """A Zendesk user an audience search found, with what choosing the audience reads: whether
    they can get a ticket (role, active, suspended, email) and the tags of the user and of their
    organization (an opt-out tag on either)."""

    id: int
    name: str
    email: str | None
    role: str = "end-user"
    active: bool = True
    suspended: bool = False
    tags: frozenset[str] = frozenset()
    organization_id: int | None = None
    organization_tags: frozenset[str] = frozenset()


class AudienceSource(Protocol):
    def find_customers(self, query: str) -> list[Customer]:
        """The users a Zendesk search finds: `type:user ...` the users themselves,
        `type:organization ...` the members of the organizations found. RemoteError when Zendesk
        refuses the query (status 400 or 422)."""
        ...

    def tickets_by_external_id(self, external_ids: Sequence[str]) -> dict[str, int]:
        """The ticket (its id) carrying each of the external ids that one carries: one read per id,
        exact at once (a search would lag behind new tickets and stop at 1,000 results)."""
        ...


class ImpactSource(Protocol):
    def read_impact(self, ticket_ids: Sequence[int], organization_field: str | None) -> ImpactReading:
        """The tickets' organizations, satisfaction ratings and metrics (show_many with the metric
        sets side-loaded, 1 call per 100 tickets), and `organization_field` of each organization
        (organizations show_many, 1 call per 100)."""
        ...
@dataclass(frozen=True)
class Article:
    """A knowledge-base article the bridge wrote: its id and where customers read it."""

    id: int
    url: str
    draft: bool = False


@dataclass(frozen=True)
class NewArticle:
    title: str
    body: str  # HTML
    label: str  # finds the article again after a crash: the knowledge base has no idempotency key
    draft: bool


class KnowledgeBase(Protocol):
    def find_article(self, label: str) -> Article | None:
        """The article carrying `label`, if one was created."""

    def create_article(self, article: NewArticle) -> Article:
        """Publish (or save as a draft) `article` where the admin configured."""

    def rewrite_article(self, article_id: int, title: str, body: str) -> None:
        """Replace an article's title and body (its draft state stays)."""


class NewIssue(Protocol):
    """What creating an issue takes (bridge.planning's IssuePlan is one)."""

    @property
    def project(self) -> str: ...
    @property
    def issue_type(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def description(self) -> str: ...  # the tracker's rich text
    @property
    def priority(self) -> str: ...
    @property
    def labels(self) -> Sequence[str]: ...
    @property
    def components(self) -> Sequence[str]: ...
    @property
    def assignee(self) -> str | None: ...
    @property
    def due_date(self) -> date: ...
    @property
    def custom_fields(self) -> Mapping[str, float]: ...  # Jira field id -> value


class IssueTracker(Protocol):
    def literal(self, text: str) -> str:
        """Customer text as the tracker's rich text (descriptions, comments) shows it as typed,
        never as markup: Jira Cloud's ADF as is, Data Center's wiki markup escaped."""
        ...

    def find_by_label(self, label: str) -> IssueRef | None:
        ...

    def create(self, plan: NewIssue) -> IssueRef:
        ...

    def update_fields(self, key: str, fields: dict) -> None:
        """Jira field ids -> values, e.g. priority, duedate, custom fields, description."""
        ...

    def description(self, key: str) -> str | None:
        ...

    def comment_once(self, key: str, body: str, marker: str | None = None) -> bool:
        """Post `body` as a comment unless one of the issue's newest comments already contains
        `marker` (by default, the whole body): a retry after a crash that came after the comment
        was posted doesn't post it again (Jira has no idempotency key). True when posted."""
        ...

    def url(self, key: str) -> str:
        ...

    def move_to_status(self, key: str, status: str) -> None:
        """Transition the issue to the status with this name."""
        ...

    def relate(self, key: str, other_key: str) -> None:
        """Link two issues with Jira's "Relates" link."""
        ...

    def search_updated(self, keys: Iterable[str], since: datetime | None) -> list[IssueSnapshot]:
        """The issues among `keys` updated at or after `since` (all of them when None), oldest
        change first. Keys Jira no longer knows are skipped."""
        ...

    def newest_comments(self, issue: IssueSnapshot) -> list[IssueComment]:
        """The issue's newest comments (a few dozen), newest first."""
        ...

    def own_account(self) -> str | None:
        """The Jira account the bridge acts as (read once): its own comments are never a workaround."""
        ...
