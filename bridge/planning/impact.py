"""The "Customer impact" section of a problem's Jira issue: rendered between two fixed marker
lines so that the bridge can rewrite it in place, and the values of the configured count fields."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import tzinfo

from bridge.config.settings import JiraFieldSettings
from bridge.domain.events import TicketSnapshot
from bridge.domain.problems import Problem
from bridge.planning.facts import COUNTED, ProblemFacts, counted, format_moment, one_line
from bridge.planning.impact_score import impact_summary
from bridge.planning.links import zendesk_tag_search_url, zendesk_ticket_url

IMPACT_START = "=== Customer impact (kept up to date by the support bridge; edits in here are replaced) ==="
IMPACT_END = "=== End of customer impact ==="
EXAMPLE_TICKETS = 5
_SUBJECT_LENGTH = 100


def _marker_line(marker: str) -> re.Pattern:
    # The whole line, give or take surrounding blanks; the line end (\n or \r\n) is not part of it.
    return re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*(?=\r?$)", re.MULTILINE)


_START_LINE, _END_LINE = _marker_line(IMPACT_START), _marker_line(IMPACT_END)


def render_impact_section(facts: ProblemFacts, tickets: Sequence[TicketSnapshot], *, zendesk_url: str,
                          link_tag: str, zone: tzinfo, literal: Callable[[str], str] = str) -> str:
    """Counts, since when, the latest ticket, up to five example tickets (lowest ids: the first
    reports) with links, and a Zendesk search for every ticket carrying the problem's `link_tag`.
    `literal` keeps customer text (the subjects) from turning into the tracker's markup."""
    counts = facts.counts
    lines = [IMPACT_START,
             "Affected: " + ", ".join(counted(counts[of], of) for of in COUNTED),
             f"Since: {format_moment(facts.since, zone)}"]
    if facts.problem.impact is not None:
        lines.append(f"Impact score: {impact_summary(facts.problem.impact)}")
    if facts.last_ticket_at is not None:
        lines.append(f"Latest ticket: {format_moment(facts.last_ticket_at, zone)}")
    examples = sorted(tickets, key=lambda ticket: ticket.id)[:EXAMPLE_TICKETS]
    if examples:
        lines.append("Example tickets:")
        lines += [f"- #{ticket.id} {literal(one_line(ticket.subject or '', _SUBJECT_LENGTH)) or '(no subject)'}: "
                  f"{zendesk_ticket_url(zendesk_url, ticket.id)}"
                  for ticket in examples]
    lines += [f"All linked tickets: {zendesk_tag_search_url(zendesk_url, link_tag)}", IMPACT_END]
    return "\n".join(lines)


def replace_impact_section(description: str | None, section: str) -> str:
    """`description` with its impact section replaced by `section`; text outside the markers is
    kept as the admin left it. Without a complete section (first end marker, nearest start
    marker above it), `section` is appended after a blank line. Replacing twice changes nothing."""
    text = description or ""
    end = _END_LINE.search(text)
    starts = list(_START_LINE.finditer(text, 0, end.start())) if end else []
    if end is None or not starts:
        return f"{text.rstrip()}\n\n{section}" if text.strip() else section
    return text[:starts[-1].start()] + section + text[end.end():]


def impact_field_values(problem: Problem, fields: JiraFieldSettings) -> dict[str, float]:
    """{Jira custom field id: value} for the count fields and the impact score field the config
    names (the score once it was read)."""
    pairs: tuple[tuple[str | None, float], ...] = (
        (fields.affected_tickets, problem.ticket_count), (fields.affected_requesters, problem.requester_count),
        (fields.affected_organizations, problem.organization_count))
    if problem.impact is not None:
        pairs += ((fields.impact_score, problem.impact.score),)
    return {field: value for field, value in pairs if field}
