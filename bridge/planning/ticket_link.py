"""The Zendesk side of linking a ticket to a problem: the problem's tag, the Jira key (and status
and expected fix date) in the configured custom fields, and an internal note for agents. Never a
public comment: customers hear nothing until a rule's `on_fix` reply says so."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bridge.config.settings import Settings
from bridge.domain.events import TicketSnapshot
from bridge.planning.facts import ProblemFacts
from bridge.planning.links import zendesk_tag_search_url
from bridge.planning.templates import Rendered, render_or_default, template_context
from bridge.rules.ruleset import Rule


@dataclass(frozen=True)
class LinkUpdate:
    """One Zendesk ticket update, the same for every linked ticket (so it can go out in bulk)."""

    changes: dict[str, Any]  # additional_tags / remove_tags, custom_fields {id: value}, comment
    template_errors: tuple[str, ...] = ()


def default_link_tag(problem_id: int) -> str:
    return f"problem_{problem_id}"


def zendesk_tag(text: str) -> str:
    """Text as Zendesk stores a tag: lower case, spaces joined with underscores."""
    return "_".join(text.lower().split())


def link_tag(rule: Rule, facts: ProblemFacts) -> Rendered:
    """The tag naming the problem on its tickets: the rule's `zendesk.link_tag`, else
    `problem_<id>`. The template sees the problem's stable facts only (id, rule, team, group;
    `count` is 0 and `tickets` empty), so the tag never changes while tickets join."""
    problem = facts.problem
    context = rule.template_context(problem.group_key, (), 0, id=problem.id)
    rendered = render_or_default(rule.spec.zendesk.link_tag, context, default_link_tag(problem.id),
                                 f"rule {rule.name}: zendesk.link_tag")
    return Rendered(zendesk_tag(rendered.text), rendered.error)


def link_changes(rule: Rule, facts: ProblemFacts, jira_key: str, jira_url: str, due_date: date | None,
                 config: Settings, *, jira_status: str | None = None,
                 tickets: Sequence[TicketSnapshot] = ()) -> LinkUpdate:
    """Link tickets to the problem's Jira issue (`jira_url`: its web address). The internal note
    is the rule's `zendesk.internal_note`, whose `problem` also has jira_key, jira_url, due_date
    (YYYY-MM-DD or None), link_tag and tickets_url; else a default note with the same facts."""
    tag = link_tag(rule, facts)
    search_url = zendesk_tag_search_url(config.zendesk.agent_base, tag.text)
    due = due_date.isoformat() if due_date is not None else None
    context = template_context(rule, facts, tickets, jira_key=jira_key, jira_url=jira_url, due_date=due,
                               link_tag=tag.text, tickets_url=search_url)
    default = default_internal_note(jira_key, jira_url, rule.team, due, facts.problem.ticket_count, search_url)
    note = render_or_default(rule.spec.zendesk.internal_note, context, default,
                             f"rule {rule.name}: zendesk.internal_note")
    changes: dict[str, Any] = {"additional_tags": [tag.text]}
    fields = config.zendesk.fields
    values = {field: value for field, value in ((fields.jira_key, jira_key), (fields.jira_status, jira_status),
                                                (fields.expected_fix_date, due))
              if field and value is not None}
    if values:
        changes["custom_fields"] = values
    changes["comment"] = {"body": note.text, "public": False}
    return LinkUpdate(changes, tuple(error for error in (tag.error, note.error) if error))


def unlink_changes(rule: Rule, facts: ProblemFacts, config: Settings, *, clear_fields: bool = True) -> LinkUpdate:
    """Unlink tickets: remove the problem's tag and, unless `clear_fields` is False (the ticket
    stays linked to another problem), empty the Jira fields the bridge wrote."""
    tag = link_tag(rule, facts)
    changes: dict[str, Any] = {"remove_tags": [tag.text]}
    fields = config.zendesk.fields
    written = (fields.jira_key, fields.jira_status, fields.expected_fix_date) if clear_fields else ()
    if any(written):
        changes["custom_fields"] = {field: None for field in written if field}
    return LinkUpdate(changes, (tag.error,) if tag.error else ())


def default_internal_note(jira_key: str, jira_url: str, team: str, due_date: str | None,
                          ticket_count: int, tickets_url: str) -> str:
    return "\n".join([
        f"Linked to Jira issue {jira_key} (team {team}): {jira_url}",
        f"Due date: {due_date or 'not set yet'}",
        f"Tickets linked to this problem so far: {ticket_count}. All of them: {tickets_url}",
        "Updates from Jira are added here as internal notes. Nothing has been sent to the customer.",
    ])

