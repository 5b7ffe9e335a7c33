"""Config for what Jira's progress does to linked tickets, when a fix counts as shipped, and what
a regression does. Defaults keep engineering chatter internal: no public message unless set."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator

from bridge.rules.templates import PROBLEM_VARIABLES, RuleTemplate, compile_template

# Templates here see the problem facts plus `issue`: key, url, status, category, resolution,
# due_date, fix_versions.
SYNC_VARIABLES = PROBLEM_VARIABLES | {"issue"}


def _sync_template(value: Any) -> RuleTemplate:
    if isinstance(value, RuleTemplate):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a template string")
    return compile_template(value, SYNC_VARIABLES)


SyncTemplate = Annotated[RuleTemplate, PlainValidator(_sync_template),
                         PlainSerializer(lambda template: template.source, return_type=str)]
TicketStatus = Literal["open", "pending", "hold", "solved"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TicketUpdate(_Strict):
    """What every linked ticket gets when the Jira issue reaches a status (one bulk update)."""

    internal_note: SyncTemplate | None = None
    public_message: SyncTemplate | None = None  # reaches customers: only where the admin asks
    ticket_status: TicketStatus | None = None


JiraStatusCategory = Literal["new", "indeterminate", "done"]
JIRA_STATUS_CATEGORIES: tuple[JiraStatusCategory, ...] = get_args(JiraStatusCategory)

DEFAULT_CATEGORIES: dict[JiraStatusCategory, TicketUpdate] = {
    "new": TicketUpdate(internal_note=_sync_template(
        "Jira {{ issue.key }} is back in {{ issue.status }} (to do). Due {{ issue.due_date or 'not set' }}.")),
    "indeterminate": TicketUpdate(internal_note=_sync_template(
        "Jira {{ issue.key }} is {{ issue.status }}: the team is working on it. "
        "Expected by {{ issue.due_date or 'no date yet' }}."), ticket_status="hold"),
    "done": TicketUpdate(internal_note=_sync_template(
        "Jira {{ issue.key }} is {{ issue.status }} ({{ issue.resolution or 'no resolution' }}).")),
}


class StatusSyncSettings(_Strict):
    # By Jira status category (new = To Do, indeterminate = In Progress, done = Done) ...
    categories: dict[JiraStatusCategory, TicketUpdate] = Field(
        default_factory=lambda: dict(DEFAULT_CATEGORIES))
    # ... with per-status overrides by status name (e.g. "In Review").
    statuses: dict[str, TicketUpdate] = {}
    # Done with one of these resolutions is a fix (the fixed customer message comes from the rule).
    fixed_resolutions: tuple[str, ...] = ("Fixed", "Done")
    # Done with any other resolution (Won't Do, Duplicate, Cannot Reproduce...) is not a fix.
    not_fixed: TicketUpdate = TicketUpdate(internal_note=_sync_template(
        "Jira {{ issue.key }} was closed as {{ issue.resolution or 'unresolved' }}: no fix is coming. "
        "Please answer the customer with a workaround."))

    def update_for(self, status: str | None, category: str | None) -> TicketUpdate | None:
        if status and status in self.statuses:
            return self.statuses[status]
        return self.categories.get(category) if category in JIRA_STATUS_CATEGORIES else None


class RegressionSettings(_Strict):
    # A ticket matching a fixed problem's rule and group within this many days is a regression.
    window_days: int = Field(default=30, ge=0)
    # reopen: move the fixed issue back to `reopen_status` with a comment; new_issue: a new issue
    # linked to the old one ("relates to").
    action: Literal["reopen", "new_issue"] = "reopen"
    reopen_status: str = "To Do"
