"""Dry run: what a rule set would do with a batch of tickets, without storage or network."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from jinja2 import TemplateError

from bridge.domain.bridge_tickets import created_by_bridge
from bridge.domain.events import TicketSnapshot
from bridge.rules.durations import DuePolicy, format_window
from bridge.rules.ruleset import COUNTED_ATTRIBUTE, Rule, RuleSet, counted_key
from bridge.rules.window import Occurrence, keys_in_latest_window, window_crossing

TEAM_DEFAULT = "(team default)"
_UNDATED = datetime(1970, 1, 1, tzinfo=UTC)  # tickets without timestamps count together


@dataclass
class PlannedIssue:
    team: str
    issue_type: str
    priority: str
    due: str
    summary: str


@dataclass
class GroupOutcome:
    key: str
    ticket_ids: list[int]
    counts: dict[str, int]  # distinct tickets / requesters / organizations in the latest window
    crosses_threshold: bool
    crossed_at_ticket: int | None = None
    planned_issue: PlannedIssue | None = None


@dataclass
class RuleOutcome:
    rule: str
    team: str
    location: str
    threshold: str
    matched_ticket_ids: list[int] = field(default_factory=list)
    groups: list[GroupOutcome] = field(default_factory=list)


@dataclass
class DryRunReport:
    ticket_count: int
    rules: list[RuleOutcome]
    bridge_tickets_skipped: int = 0  # the bridge's own follow-ups: never a customer's report

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    def format_text(self) -> str:
        skipped = (f" ({self.bridge_tickets_skipped} more created by the bridge itself, skipped)"
                   if self.bridge_tickets_skipped else "")
        lines = [f"{self.ticket_count} tickets checked against {len(self.rules)} rules{skipped}"]
        for outcome in self.rules:
            lines.append(f"\n{outcome.rule} (team {outcome.team}, {outcome.threshold}) {outcome.location}")
            lines.append(f"  matched {len(outcome.matched_ticket_ids)} tickets"
                         + (f": {_ids(outcome.matched_ticket_ids)}" if outcome.matched_ticket_ids else ""))
            for group in outcome.groups:
                verdict = (f"PROBLEM (threshold crossed at ticket {group.crossed_at_ticket})"
                           if group.crosses_threshold else "below threshold")
                counts = ", ".join(f"{n} {what}" for what, n in group.counts.items())
                lines.append(f"  group {group.key or '(all)'!r}: tickets {_ids(group.ticket_ids)}; "
                             f"latest window: {counts} -> {verdict}")
                if group.planned_issue:
                    issue = group.planned_issue
                    lines.append(f"    would create in {issue.team}: [{issue.issue_type}, {issue.priority}, "
                                 f"due {issue.due}] {issue.summary}")
        return "\n".join(lines)


def _ids(ids: list[int], shown: int = 20) -> str:
    text = ", ".join(str(i) for i in ids[:shown])
    return text + (f" ... (+{len(ids) - shown})" if len(ids) > shown else "")


def dry_run(ruleset: RuleSet, snapshots: Iterable[TicketSnapshot]) -> DryRunReport:
    """As the worker would: the bridge's own tickets are not evaluated."""
    given = list(snapshots)
    tickets = [ticket for ticket in given if not created_by_bridge(ticket)]
    matched: dict[str, list[TicketSnapshot]] = defaultdict(list)
    for ticket in tickets:
        for rule in ruleset.matching(ticket):
            matched[rule.name].append(ticket)
    outcomes = [_rule_outcome(rule, matched[rule.name]) for rule in ruleset if rule.spec.enabled]
    return DryRunReport(len(tickets), outcomes, len(given) - len(tickets))


def _rule_outcome(rule: Rule, tickets: list[TicketSnapshot]) -> RuleOutcome:
    threshold = rule.spec.threshold
    outcome = RuleOutcome(rule.name, rule.team, rule.location,
                          f"{threshold.count} {threshold.of} within {format_window(threshold.window)}",
                          [t.id for t in tickets])
    groups: dict[str, list[TicketSnapshot]] = defaultdict(list)
    for ticket in tickets:
        groups[rule.group_key(ticket)].append(ticket)
    for key, members in sorted(groups.items()):
        outcome.groups.append(_group_outcome(rule, key, members))
    return outcome


def _group_outcome(rule: Rule, key: str, tickets: list[TicketSnapshot]) -> GroupOutcome:
    threshold = rule.spec.threshold
    counts = {of: len(keys_in_latest_window(_occurrences(tickets, of), threshold.window))
              for of in COUNTED_ATTRIBUTE}
    crossing = window_crossing(_occurrences(tickets, threshold.of), threshold.count, threshold.window)
    group = GroupOutcome(key, [t.id for t in tickets], counts, crossing is not None)
    if crossing is not None:
        group.crossed_at_ticket = crossing.ticket_id
        group.planned_issue = _planned_issue(rule, key, tickets, counts)
    return group


def _occurrences(tickets: list[TicketSnapshot], of: str) -> list[Occurrence]:
    occurrences = []
    for ticket in tickets:
        key = counted_key(ticket, of)
        if key is not None:
            occurrences.append(Occurrence(ticket.id, key, _event_time(ticket)))
    return occurrences


def _event_time(ticket: TicketSnapshot) -> datetime:
    moment = ticket.updated_at or ticket.created_at or _UNDATED
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _planned_issue(rule: Rule, key: str, tickets: list[TicketSnapshot], counts: dict[str, int]) -> PlannedIssue:
    jira = rule.spec.jira
    priority, due = jira.priority, jira.due
    for step in jira.escalation:
        if counts.get(step.of, 0) >= step.at:  # the score is read from Zendesk: not judged here
            priority, due = step.priority or priority, step.due or due
    summary = TEAM_DEFAULT
    if jira.summary is not None:
        context = rule.template_context(key, tickets, counts[rule.spec.threshold.of])
        try:
            summary = jira.summary.render(**context)
        except TemplateError as exc:
            summary = f"(template error: {exc})"
    return PlannedIssue(rule.team, jira.issue_type or TEAM_DEFAULT, priority or TEAM_DEFAULT,
                        _due_text(due, priority), summary)


def _due_text(due: DuePolicy | dict[str, DuePolicy] | None, priority: str | None) -> str:
    if due is None:
        return TEAM_DEFAULT
    if isinstance(due, DuePolicy):
        return str(due)
    if priority in due:
        return str(due[priority])
    return "; ".join(f"{p}: {policy}" for p, policy in due.items())
