"""Creating Jira custom fields (numbers, and paragraphs of text) and listing screens (an admin's API,
used by `bridge setup jira`)."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.jira.client import JiraClient
from connectors.jira.errors import JiraError

_TYPES = "com.atlassian.jira.plugin.system.customfieldtypes:"
NUMBER_FIELD_TYPE, NUMBER_FIELD_SEARCHER = _TYPES + "float", _TYPES + "exactnumber"
TEXT_FIELD_TYPE, TEXT_FIELD_SEARCHER = _TYPES + "textarea", _TYPES + "textsearcher"  # a paragraph
FIELD_KINDS = {"number": (NUMBER_FIELD_TYPE, NUMBER_FIELD_SEARCHER), "text": (TEXT_FIELD_TYPE, TEXT_FIELD_SEARCHER)}
SCREENS_PAGE_SIZE = 100


@dataclass(frozen=True)
class Screen:
    id: str
    name: str


def create_number_field(client: JiraClient, name: str, description: str) -> str:
    """A new number custom field (searchable by exact number); returns its id, `customfield_<n>`."""
    return create_field(client, name, description, "number")


def create_field(client: JiraClient, name: str, description: str, kind: str) -> str:
    """A new custom field of a kind in FIELD_KINDS (`number`, or `text`: a multi-line text field);
    returns its id, `customfield_<n>`."""
    field_type, searcher = FIELD_KINDS[kind]
    body = {"name": name, "description": description, "type": field_type, "searcherKey": searcher}
    created = client.send_to_resource("POST", _api(client, "field"), body, action=f"create field {name}")
    if not isinstance(created, dict) or not isinstance(created.get("id"), str):
        raise JiraError(f"create field {name}: Jira did not answer with the field's id")
    return created["id"]


def screens(client: JiraClient, page_size: int = SCREENS_PAGE_SIZE) -> list[Screen]:
    """Every screen, page by page (Data Center answers with one list)."""
    found: list[Screen] = []
    while True:
        page = client.send_to_resource(
            "GET", _api(client, f"screens?startAt={len(found)}&maxResults={page_size}"),
            action="list screens")
        values = page.get("values") if isinstance(page, dict) else page
        if not isinstance(values, list):
            raise JiraError("list screens: Jira did not answer with screens")
        found += [Screen(str(item.get("id")), str(item.get("name", ""))) for item in values
                  if isinstance(item, dict)]
        if not isinstance(page, dict) or page.get("isLast", True) or not values:
            return found


def _api(client: JiraClient, path: str) -> str:
    return f"rest/api/{client.deployment.api_version}/{path}"
