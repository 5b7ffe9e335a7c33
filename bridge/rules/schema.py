"""Pydantic models of a rule file: `rules:` list of rules, each with match, grouping, threshold
and the Jira and Zendesk side of what happens when tickets add up to a problem."""

from __future__ import annotations

from itertools import pairwise
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from bridge.rules.conditions import Condition
from bridge.rules.validated import (
    Due,
    GroupBy,
    ReplyTemplate,
    StrictModel,
    Template,
    Window,
    WorkaroundTemplate,
    context_of,
    rule_error,
)

CountedThing = Literal["tickets", "requesters", "organizations"]
# What an escalation step can measure: the counts, or the weighted impact score (docs/impact.md).
Measure = Literal["tickets", "requesters", "organizations", "score"]
MEASURES = ("tickets", "requesters", "organizations", "score")


class Threshold(StrictModel):
    """A problem exists once `count` distinct `of` match within `window` of each other."""

    count: int = Field(ge=1)
    of: CountedThing = "tickets"
    window: Window


class Escalation(StrictModel):
    """From `at` distinct `of` on (or from an impact score of `at`), the Jira issue gets this
    priority and/or due policy. `at: {score: 40}` is short for `at: 40, of: score`."""

    at: int = Field(ge=1)
    of: Measure = "tickets"
    priority: str | None = None
    due: Due | None = None

    @model_validator(mode="before")
    @classmethod
    def _measure_named_in_at(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("at"), dict):
            return data
        named = data["at"]
        if len(named) != 1 or "of" in data:
            raise rule_error("'at' names one measure and its threshold, e.g. {score: 40} or {tickets: 15}, "
                             "and then 'of' is left out")
        [(measure, threshold)] = named.items()
        if measure not in MEASURES:
            raise rule_error(f"'at' measures one of {', '.join(MEASURES)}, not {measure!r}")
        return {**data, "at": threshold, "of": measure}

    @field_validator("of")
    @classmethod
    def _score_needs_impact(cls, of: str, info: ValidationInfo) -> str:
        if of == "score" and not context_of(info).impact_configured:
            raise rule_error("an escalation at a score needs the config's 'impact' section (docs/impact.md)")
        return of


class JiraSpec(StrictModel):
    """What the Jira issue looks like; keys left out are inherited from the team's defaults."""

    issue_type: str | None = None
    priority: str | None = None
    labels: list[str] = []
    components: list[str] = []
    summary: Template | None = None
    description: Template | None = None
    due: Due | None = None
    escalation: list[Escalation] = []

    @field_validator("escalation")
    @classmethod
    def _increasing(cls, steps: list[Escalation]) -> list[Escalation]:
        for earlier, later in pairwise(steps):
            if later.of == earlier.of and later.at <= earlier.at:
                raise rule_error(f"escalation steps must have increasing 'at' ({later.at} after {earlier.at})")
        return steps


class OnFix(StrictModel):
    """What linked tickets get when the Jira issue is fixed: the reply may also use `requester`
    (name, first_name), `ticket` (id) and `fix_version`."""

    public_reply: ReplyTemplate | None = None
    status: Literal["open", "pending", "hold", "solved"] | None = None
    tags: list[str] = []


class WorkaroundEnds(StrictModel):
    """The impact bar: below `below` distinct `of`, a workaround ends the problem (no escalation,
    no due-date chase); at or above it, the Jira issue stays on course for a fix."""

    below: int = Field(ge=1)
    of: CountedThing = "requesters"


class OnWorkaround(StrictModel):
    """What a workaround does: the Help Center article written from `article_title` and
    `article_body` (HTML; rewritten with `fix_version` once the fix ships), and what every linked
    ticket gets: an internal note, or, when `public_reply` is given, that reply to the customer."""

    article_title: WorkaroundTemplate | None = None
    article_body: WorkaroundTemplate | None = None
    internal_note: WorkaroundTemplate | None = None
    public_reply: WorkaroundTemplate | None = None
    ends_problem: WorkaroundEnds | None = None

    @model_validator(mode="after")
    def _one_kind_of_answer(self) -> OnWorkaround:
        if self.internal_note is not None and self.public_reply is not None:
            raise rule_error("give internal_note or public_reply, not both: tickets get one answer")
        return self


class ZendeskSpec(StrictModel):
    link_tag: Template | None = None
    internal_note: Template | None = None
    on_fix: OnFix | None = None
    on_workaround: OnWorkaround | None = None


class RuleSpec(StrictModel):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    team: str
    enabled: bool = True
    match: Condition
    group_by: GroupBy | None = None
    threshold: Threshold
    jira: JiraSpec = JiraSpec()
    zendesk: ZendeskSpec = ZendeskSpec()

    @field_validator("team")
    @classmethod
    def _known_team(cls, team: str, info: ValidationInfo) -> str:
        teams = context_of(info).teams
        if team not in teams:
            raise rule_error(f"unknown team {team!r} (config teams: {', '.join(sorted(teams)) or 'none'})")
        return team

    @model_validator(mode="after")
    def _escalation_above_threshold(self) -> RuleSpec:
        for step in self.jira.escalation:
            if step.of == self.threshold.of and step.at <= self.threshold.count:
                raise rule_error(f"escalation at {step.at} {step.of} is not above the threshold "
                                 f"count {self.threshold.count}")
        return self


class RuleFileSpec(StrictModel):
    rules: list[RuleSpec] = Field(min_length=1)
