"""A proactive notice's preview in words (`bridge problems notify --dry-run`, `bridge demo`): how
many customers the query found, who would be told (a sample), who is left out and why, and what
the first of them would read."""

from __future__ import annotations

from bridge.domain.ports import Customer
from bridge.planning.proactive import EXCLUSIONS
from bridge.proactive.start import Preview


def _describe(customer: Customer) -> str:
    organization = f", organization {customer.organization_id}" if customer.organization_id else ""
    return f"user {customer.id} {customer.name or '(no name)'}{organization}"


def preview_lines(preview: Preview, sample_size: int) -> tuple[list[str], list[str]]:
    """(lines, template warnings)."""
    audience = preview.audience
    told, excluded = audience.recipients, audience.excluded_counts
    lines = [f"problem {preview.problem.id}: the query {preview.query!r} finds {len(told) + sum(excluded.values())} "
             f"customers; {len(told)} would be told, {sum(excluded.values())} left out"]
    lines += [f"  {_describe(customer)}" for customer in told[:sample_size]]
    if len(told) > sample_size:
        lines.append(f"  ... and {len(told) - sample_size} more")
    for reason, count in excluded.items():
        lines.append(f"left out, {reason} ({EXCLUSIONS[reason]}): {count}")
        lines += [f"  {_describe(customer)}" for customer in audience.excluded[reason][:sample_size]]
    if not told:
        return lines, []
    subject, body, errors = preview.sample.texts(told[0].name)
    lines += ["", f"the ticket {told[0].name or 'the first customer'} would get:", f"subject: {subject}", "",
              *body.splitlines()]
    return lines, errors
