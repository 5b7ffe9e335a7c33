"""The Jira issue of a problem: project and defaults from the rule's team (the rule's own `jira:`
keys win), priority and due date (escalated as far as the counts already reach), and the summary
and description from the rule's templates or the bridge's defaults, with the customer impact."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bridge.config.settings import CalendarSettings, JiraFieldSettings, TeamSettings
from bridge.domain.events import TicketSnapshot
from bridge.planning.due import choose_due_policy, policy_due_date
from bridge.planning.escalation import EscalationResult, escalate
from bridge.planning.facts import ProblemFacts, counted, one_line
from bridge.planning.impact import impact_field_values, render_impact_section
from bridge.planning.templates import render_or_default, template_context, with_literal_customer_text
from bridge.planning.ticket_link import link_tag
from bridge.rules.ruleset import NO_GROUP, Rule

SUMMARY_LENGTH = 255  # Jira's limit; a summary is also a single line
NO_CUSTOM_FIELDS = JiraFieldSettings()  # a deployment whose Jira has no affected-count fields


@dataclass(frozen=True)
class IssuePlan:
    project: str
    issue_type: str
    summary: str
    description: str  # the tracker's rich text (customer text made literal), ending with the impact section
    priority: str
    labels: tuple[str, ...]  # always includes problem_label(problem id)
    components: tuple[str, ...]
    assignee: str | None
    due_date: date  # Jira's `duedate`: due_date.isoformat()
    custom_fields: dict[str, float]  # the configured count and impact score fields
    escalation: EscalationResult  # steps the counts already reach; comment on the issue if any
    template_errors: tuple[str, ...] = ()  # rule templates that failed; defaults were used


def problem_label(problem_id: int) -> str:
    """The label that finds a problem's issue again (e.g. after a crash between create and commit)."""
    return f"bridge-problem-{problem_id}"


def plan_issue(rule: Rule, team: TeamSettings, facts: ProblemFacts, tickets: Sequence[TicketSnapshot], *,
               zendesk_url: str, calendar: CalendarSettings, now: datetime,
               jira_fields: JiraFieldSettings = NO_CUSTOM_FIELDS,
               literal: Callable[[str], str] = str) -> IssuePlan:
    """Everything needed to create the problem's Jira issue. The due date counts from when the
    problem opened (`now` if it has not yet), so a retried creation plans the same date; a problem
    found in history (`bridge backfill`) opened before the bridge detected it, and its due date
    counts from that detection: the team cannot have been told sooner.
    `literal` (the tracker's) keeps customer text in the description from becoming markup; the
    summary is plain text in Jira and gets none."""
    jira, problem = rule.spec.jira, facts.problem
    start = max(problem.opened_at, problem.detected_at) if problem.opened_at else now
    priority = jira.priority or team.priority
    due = policy_due_date(choose_due_policy(priority, jira.due, team.due), start, calendar)
    escalation = escalate(jira.escalation, facts.measures, (), priority=priority, due_date=due,
                          due_settings=(jira.due, team.due), calendar=calendar, now=start)
    due_date = escalation.due_date
    assert due_date is not None, "escalation keeps the due date it is given or moves it up"
    tag = link_tag(rule, facts)
    context = template_context(rule, facts, tickets, priority=escalation.priority,
                               due_date=due_date.isoformat(), link_tag=tag.text)
    where = f"rule {rule.name}: jira"
    summary = render_or_default(jira.summary, context, default_summary(rule, facts), f"{where}.summary")
    body = render_or_default(jira.description, with_literal_customer_text(context, literal),
                             default_description(rule, facts, literal), f"{where}.description")
    impact = render_impact_section(facts, tickets, zendesk_url=zendesk_url, link_tag=tag.text, zone=calendar.zone,
                                   literal=literal)
    return IssuePlan(
        project=team.project,
        issue_type=jira.issue_type or team.issue_type,
        summary=one_line(summary.text, SUMMARY_LENGTH),
        description=f"{body.text.rstrip()}\n\n{impact}",
        priority=escalation.priority,
        labels=_unique(*(jira.labels or team.labels), problem_label(problem.id)),
        components=tuple(jira.components or team.components),
        assignee=team.assignee,
        due_date=due_date,
        custom_fields=impact_field_values(problem, jira_fields),
        escalation=escalation,
        template_errors=tuple(r.error for r in (tag, summary, body) if r.error),
    )


def default_summary(rule: Rule, facts: ProblemFacts) -> str:
    """`<rule description> (<group>): 12 tickets`, the rule's name standing in for a description."""
    what = (rule.spec.description or rule.name).strip().rstrip(".")
    group = _group(facts)
    scope = f" ({group})" if group else ""
    of = rule.spec.threshold.of
    return f"{what}{scope}: {counted(facts.counts[of], of)}"


def default_description(rule: Rule, facts: ProblemFacts, literal: Callable[[str], str] = str) -> str:
    intro = rule.spec.description.strip() or f"Customers report a problem matching rule {rule.name}."
    scope = f", group {literal(_group(facts))}" if _group(facts) else ""
    return (f"{intro}\n\nDetected in Zendesk by the support bridge (rule {rule.name}{scope}, "
            f"problem {facts.problem.id}). Tickets about the same problem are linked to this issue, "
            "never filed again; the customer impact below is kept up to date.")


def _group(facts: ProblemFacts) -> str:
    """The problem's group key, or "" when the rule does not group or the ticket lacked the field."""
    group = facts.problem.group_key
    return "" if group == NO_GROUP else group


def _unique(*labels: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(labels))
