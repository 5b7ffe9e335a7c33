"""Web addresses the bridge writes into Jira issues and Zendesk notes."""

from __future__ import annotations

from urllib.parse import quote


def zendesk_ticket_url(zendesk_url: str, ticket_id: int) -> str:
    return f"{zendesk_url.rstrip('/')}/agent/tickets/{ticket_id}"


def zendesk_tag_search_url(zendesk_url: str, tag: str) -> str:
    """An agent-interface search listing every ticket with `tag`: all tickets of a problem."""
    return f"{zendesk_url.rstrip('/')}/agent/search/1?type=ticket&q={quote(f'tags:{tag}', safe='')}"


def jira_issue_url(jira_url: str, key: str) -> str:
    return f"{jira_url.rstrip('/')}/browse/{key}"
