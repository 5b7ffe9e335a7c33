"""Rendering a rule's problem-side templates with what the planning functions know; a template
that fails at render time falls back to the bridge's default text and the failure is reported,
so a typo in a rule never keeps a problem from reaching Jira or its tickets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError

from bridge.domain.events import TicketSnapshot
from bridge.planning.facts import ProblemFacts
from bridge.rules.ruleset import Rule
from bridge.rules.templates import RuleTemplate

# What a sandboxed template can raise while rendering: undefined names, sandbox violations, and
# the errors of expressions such as `{{ count / 0 }}` or `{{ tickets[99] }}`.
RENDER_FAILURES = (TemplateError, ArithmeticError, LookupError, TypeError, ValueError)


@dataclass(frozen=True)
class Rendered:
    text: str
    error: str | None = None  # why the default was used instead of the rule's template


def first_name(name: str | None) -> str:
    """The first word of a person's name, as a greeting uses it ("" without a name)."""
    words = (name or "").split()
    return words[0] if words else ""


def template_context(rule: Rule, facts: ProblemFacts, tickets: Sequence[TicketSnapshot] = (),
                     **extra: Any) -> dict[str, Any]:
    """`problem`, `rule`, `tickets`, `count` for a rule template. `problem` carries id, rule,
    team, group, state, count, ticket_count, requester_count, organization_count, detected_at,
    opened_at, first_ticket_at, last_ticket_at and whatever `extra` adds (jira_key, ...);
    `count` is what the rule's threshold counts (tickets, requesters or organizations)."""
    problem = facts.problem
    return rule.template_context(
        problem.group_key, tickets, facts.counts[rule.spec.threshold.of],
        id=problem.id, state=problem.state, detected_at=problem.detected_at,
        opened_at=problem.opened_at, ticket_count=problem.ticket_count,
        requester_count=problem.requester_count, organization_count=problem.organization_count,
        first_ticket_at=facts.since, last_ticket_at=facts.last_ticket_at, **extra)


def with_literal_customer_text(context: dict[str, Any], literal: Callable[[str], str]) -> dict[str, Any]:
    """`context` for a template whose output is the tracker's markup: every text a customer
    controls (the tickets, the group key read from their fields, the link tag made from it)
    passed through `literal`, so it shows as typed. Rule and bridge values stay as they are."""
    problem = dict(context["problem"])
    for name in ("group", "link_tag"):
        if isinstance(problem.get(name), str):
            problem[name] = literal(problem[name])
    return {**context, "problem": problem, "tickets": _literal_strings(context["tickets"], literal)}


def _literal_strings(value: Any, literal: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return literal(value)
    if isinstance(value, dict):
        return {key: _literal_strings(item, literal) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_literal_strings(item, literal) for item in value)
    return value


def render_or_default(template: RuleTemplate | None, context: dict[str, Any], default: str,
                      where: str) -> Rendered:
    """The template's text, or `default` when there is no template, it fails, or it renders
    blank; `where` (e.g. `rule x: jira.summary`) names it in the reported error."""
    if template is None:
        return Rendered(default)
    try:
        text = template.render(**context)
    except RENDER_FAILURES as exc:
        return Rendered(default, f"{where}: template failed ({type(exc).__name__}: {exc}); used the default")
    if not text.strip():
        return Rendered(default, f"{where}: template rendered nothing; used the default")
    return Rendered(text)
