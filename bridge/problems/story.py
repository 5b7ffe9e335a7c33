"""A problem's story in plain words, from its audit log: what happened, who was told what, when.

Pure: the problem's detail (bridge/problems/views.py `problem_detail`) in, timeline entries out.
Only ids, keys, states, dates and counts reach a sentence, never text from a ticket. Audit actions
not listed here stay in the raw audit log (the dashboard shows it behind a disclosure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Details = Mapping[str, Any]


@dataclass(frozen=True)
class StoryEvent:
    at: str  # ISO timestamp, as the audit log has it
    title: str
    text: str
    kind: str  # start | route | told | status | risk | late | good: the dot's colour


def _tickets(details: Details, key: str = "tickets") -> str:
    value = details.get(key)
    count = len(value) if isinstance(value, list) else value
    if not isinstance(count, int):
        return "the linked tickets"
    return f"{count} ticket{'s' if count != 1 else ''}"


def _days(value: object) -> str:
    return f"{value} day{'s' if value != 1 else ''}" if value is not None else "some days"


def _version(details: Details) -> str:
    return f" in {details['fix_version']}" if details.get("fix_version") else ""


def _due(details: Details) -> str:
    return f", due {details['due_date']}" if details.get("due_date") else ""


def _opened(d: Details) -> str:
    threshold = f" (the rule's threshold is {d['threshold']})" if d.get("threshold") else ""
    return f"{_tickets(d).capitalize()} with the same cause within the rule's window{threshold}: a problem."


def _synced(d: Details) -> str:
    """A status move says where the problem went; otherwise what the bridge took over from Jira."""
    followed = [f"{name.replace('_', ' ')} {d[name]}" for name in ("due_date", "priority", "jira_key") if d.get(name)]
    status = f"status {d.get('status') or 'unknown'}"
    if d.get("resolution"):
        status += f", resolution {d['resolution']}"
    if d.get("state"):
        text = f"Jira {status}: the problem is now {str(d['state']).replace('_', ' ')}"
        return text + (f"; {', '.join(followed)}." if followed else ".")
    return f"Changed in Jira: {', '.join(followed) or 'nothing the bridge follows'} ({status})."


def _closure_finished(d: Details) -> str:
    text = f"{d.get('notified', '?')} of {d.get('total', '?')} linked tickets' customers got the fix reply"
    return text + (f"; {d['failed']} could not be reached" if d.get("failed") else "") + "."


# action: (title, kind, sentence from the entry's details)
STORY: dict[str, tuple[str, str, Callable[[Details], str]]] = {
    "problem.opened": ("Opened", "start", _opened),
    "jira.issue_created": ("Routed", "route", lambda d: (
        f"Jira issue {d.get('key')} created in {d.get('project')} for the responsible team, "
        f"priority {d.get('priority') or 'default'}{_due(d)}.")),
    "jira.issue_found": ("Routed", "route", lambda d: (
        f"The Jira issue {d.get('key')} created earlier was found again.")),
    "zendesk.tickets_linked": ("Agents told", "told", lambda d: (
        f"{_tickets(d).capitalize()} got the Jira key and an internal note for agents.")),
    "zendesk.tickets_unlinked": ("Agents told", "told", lambda d: (
        f"{_tickets(d).capitalize()} that stopped matching were unlinked.")),
    "ticket.linked_by_agent": ("Linked by an agent", "route", lambda d: (
        f"An agent linked ticket #{d.get('ticket')} by hand." if d.get("ticket") else "An agent linked a ticket.")),
    "problem.escalated": ("Escalated", "risk", lambda d: (
        f"More customers affected: priority {d.get('priority') or 'unchanged'}{_due(d)}.")),
    "problem.synced_from_jira": ("Jira changed", "status", _synced),
    "problem.due_date_moved": ("Due date moved", "status", lambda d: (
        f"Due date moved from {d.get('old_due_date') or 'none'} to {d.get('due_date') or 'none'}.")),
    "problem.at_risk": ("At risk", "risk", lambda d: f"Close to its due date{_due(d)} and not fixed."),
    "problem.overdue": ("Overdue", "late", lambda d: f"Overdue by {_days(d.get('days_overdue'))}{_due(d)}."),
    "jira.overdue_commented": ("Assignee told", "told", lambda d: (
        f"A comment on {d.get('key')} told the assignee it is {_days(d.get('days'))} overdue.")),
    "jira.overdue_priority_bumped": ("Priority raised", "late", lambda d: (
        f"Priority on {d.get('key')} raised from {d.get('from')} to {d.get('to')} (overdue).")),
    "zendesk.overdue_noted": ("Agents told", "told", lambda d: (
        f"{_tickets(d).capitalize()} got an internal note that the fix is overdue.")),
    "chat.overdue_posted": ("Chat told", "told", lambda d: (
        f"The chat channel was told it is {_days(d.get('days'))} overdue.")),
    "problem.fixed": ("Fixed", "good", lambda d: f"The fix shipped{_version(d)}."),
    "closure.started": ("Notifying customers", "good", lambda d: (
        f"Every linked ticket's customer is being told of the fix{_version(d)}.")),
    "closure.finished": ("Customers notified", "good", _closure_finished),
    "problem.regressed": ("Regressed", "late", lambda d: (
        f"Ticket #{d.get('ticket')} with the same cause arrived after the fix{_version(d)}.")),
    "jira.regression_issue_created": ("Regression issue", "route", lambda d: (
        f"Jira issue {d.get('key')} created for the regression.")),
    "problem.merged_into_duplicate": ("Merged", "status", lambda d: (
        f"Its issue duplicates {d.get('duplicate_of')}: {_tickets(d)} moved to problem #{d.get('into_problem')}.")),
    "problem.received_duplicate": ("Duplicate merged in", "status", lambda d: (
        f"{_tickets(d).capitalize()} moved here from problem #{d.get('from_problem')}.")),
    "jira.issue_deleted": ("Jira issue deleted", "late", lambda d: (
        f"{d.get('jira_key')} was deleted in Jira; the problem gets a new issue.")),
    "problem.closed": ("Closed", "status", lambda d: "No regression within the window after the fix: closed."),
    "problem.workaround_added": ("Workaround", "good", lambda d: "A workaround was recorded."),
    "problem.worked_around": ("Ended with its workaround", "good", lambda d: (
        "Small enough to end with the workaround article.")),
    "zendesk.workaround_article": ("Article written", "good", lambda d: (
        "A Help Center article describes the workaround.")),
    "zendesk.workaround_answered": ("Customers answered", "told", lambda d: (
        f"{_tickets(d, 'answered').capitalize()} answered with the workaround article.")),
    "proactive.started": ("Proactive notice started", "told", lambda d: (
        f"{d.get('recipients', '?')} customers who had not written in are being warned "
        f"({sum((d.get('excluded') or {}).values())} left out).")),
    "proactive.finished": ("Customers told before writing in", "told", lambda d: (
        f"{d.get('notified', '?')} of {d.get('total', '?')} customers got the proactive notice"
        + (f"; {d['failed']} could not be reached" if d.get("failed") else "") + ".")),
}


def story(detail: Mapping[str, Any]) -> list[StoryEvent]:
    """Detected (the problem's own timestamp), then each audit entry STORY knows, oldest first."""
    group = f" (group {detail['group']})" if detail.get("group") else ""
    events = [StoryEvent(detail["detected_at"], "Detected",
                         f"The first ticket matching rule {detail['rule']}{group} arrived; "
                         f"team {detail['team']} is responsible.", "start")]
    for entry in detail["audit"]:
        known = STORY.get(entry["action"])
        if known is None:
            continue
        title, kind, sentence = known
        details = entry["details"] if isinstance(entry["details"], Mapping) else {}
        events.append(StoryEvent(entry["at"], title, sentence(details), kind))
    return events
