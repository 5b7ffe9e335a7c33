"""REST routes for fields (list, create a custom field) and screens (list), as Jira Cloud's
platform API documents them (`createCustomField`, `getScreens`); Data Center's v2 has the same."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from connectors.jira.simulator import catalog
from connectors.jira.simulator.errors import JiraApiError
from connectors.jira.simulator.routes import json_object, simulator

fields_api = Blueprint("jira_sim_fields", __name__, url_prefix="/rest/api/<api>")

# The searchers a custom field type accepts (Jira's list, for the types the simulator holds).
SEARCHERS = {catalog.CUSTOM_FIELD_PREFIX + "float": {"exactnumber", "numberrange"},
             catalog.CUSTOM_FIELD_PREFIX + "textfield": {"textsearcher"},
             catalog.PARAGRAPH_FIELD_TYPE: {"textsearcher"}}


@fields_api.get("/field")
def list_fields():
    system = [{"id": field_id, "key": field_id, "name": name, "custom": False, "orderable": True,
               "navigable": True, "searchable": True, "clauseNames": [field_id],
               "schema": {"type": schema_type, "system": field_id}}
              for field_id, (name, schema_type) in catalog.SYSTEM_FIELDS.items()]
    with simulator().store.lock:
        custom = [_custom_field_json(c) for c in simulator().store.custom_fields.values()]
    return system + custom


@fields_api.post("/field")
def create_custom_field():
    body = json_object()
    name, custom_type, searcher = body.get("name"), body.get("type"), body.get("searcherKey")
    errors = {}
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "The custom field name must not be empty."
    if not isinstance(custom_type, str) or custom_type not in catalog.CUSTOM_FIELD_TYPES:
        errors["type"] = f"Custom field type {custom_type!r} is not valid."
    elif searcher is not None and (not isinstance(searcher, str) or searcher.removeprefix(
            catalog.CUSTOM_FIELD_PREFIX) not in SEARCHERS[custom_type]):
        errors["searcherKey"] = f"Searcher {searcher!r} is not valid for the field type."
    if errors:
        raise JiraApiError(400, errors=errors)
    return _custom_field_json(simulator().store.add_custom_field(name, custom_type)), 201


@fields_api.get("/screens")
def list_screens():
    """Every project's screens, one page at a time (`startAt`, `maxResults`)."""
    with simulator().store.lock:
        projects = list(simulator().store.projects.values())
    screens = [{"id": int(project.id) * 10 + i, "name": f"{project.key}: {purpose}",
                "description": f"The {purpose.lower()} of project {project.name}"}
               for project in projects for i, purpose in enumerate(catalog.PROJECT_SCREENS)]
    try:
        start, size = int(request.args.get("startAt", 0)), int(request.args.get("maxResults", 100))
    except ValueError:
        raise JiraApiError(400, ["startAt and maxResults must be numbers."]) from None
    page = screens[start:start + max(1, min(size, 100))]
    return {"startAt": start, "maxResults": size, "total": len(screens),
            "isLast": start + len(page) >= len(screens), "values": page}


def _custom_field_json(custom: catalog.CustomField) -> dict[str, Any]:
    number = int(custom.id.split("_")[1])
    return {"id": custom.id, "key": custom.id, "name": custom.name, "untranslatedName": custom.name,
            "custom": True, "orderable": True, "navigable": True, "searchable": True,
            "clauseNames": [f"cf[{number}]", custom.name],
            "schema": {"type": custom.type, "custom": custom.custom_type, "customId": number}}
