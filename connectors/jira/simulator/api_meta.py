"""REST routes for instance data, projects, versions and search."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

from flask import Blueprint, g, request

from connectors.jira.simulator import catalog
from connectors.jira.simulator.catalog import API_USER
from connectors.jira.simulator.errors import JiraApiError
from connectors.jira.simulator.jql import parse_jql
from connectors.jira.simulator.model import utc_now
from connectors.jira.simulator.routes import json_object as _body
from connectors.jira.simulator.routes import simulator as _sim

meta_api = Blueprint("jira_sim_meta", __name__, url_prefix="/rest/api/<api>")


@meta_api.get("/serverInfo")
def server_info():
    cloud = _sim().deployment == "cloud"
    return {"baseUrl": _sim().url, "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.2",
            "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 2],
            "deploymentType": "Cloud" if cloud else "Server", "buildNumber": 100273,
            "serverTitle": "Jira (simulated)", "scmInfo": "simulator"}


@meta_api.get("/myself")
def myself():
    return g.renderer.user(API_USER)


@meta_api.get("/project")
def list_projects():
    with _sim().store.lock:
        return [g.renderer.project(project) for project in _sim().store.projects.values()]


@meta_api.get("/project/<key>")
def get_project(key: str):
    return g.renderer.project_details(_sim().store.project(key))


@meta_api.get("/project/<key>/versions")
def list_versions(key: str):
    return [g.renderer.version(v) for v in _sim().store.project_versions(key)]


@meta_api.post("/version")
def create_version():
    return g.renderer.version(_sim().store.create_version(_body())), 201


@meta_api.get("/version/<version_id>")
def get_version(version_id: str):
    return g.renderer.version(_sim().store.version(version_id))


@meta_api.put("/version/<version_id>")
def update_version(version_id: str):
    return g.renderer.version(_sim().store.update_version(version_id, _body(), API_USER))


@meta_api.get("/priority")
def list_priorities():
    return [g.renderer.priority(name) for name in catalog.PRIORITIES]


@meta_api.get("/resolution")
def list_resolutions():
    return [g.renderer.resolution(name) for name in catalog.RESOLUTIONS]


@meta_api.get("/status")
def list_statuses():
    return [g.renderer.status(name) for name in catalog.STATUSES]


@meta_api.get("/issuetype")
def list_issue_types():
    return [g.renderer.issue_type(name) for name in catalog.ISSUE_TYPES]


@meta_api.get("/issueLinkType")
def list_link_types():
    return {"issueLinkTypes": list(catalog.LINK_TYPES.values())}


def _search_arguments() -> dict:
    if request.method == "POST":
        return _body()
    arguments: dict[str, Any] = {key: request.args.get(key)
                                 for key in ("jql", "nextPageToken", "maxResults", "startAt")}
    fields = [name for value in request.args.getlist("fields") for name in value.split(",") if name]
    arguments["fields"] = fields or None
    return arguments


def _matching_issues(arguments: dict):
    query = parse_jql(arguments.get("jql") or "")
    try:
        requested = int(arguments.get("maxResults") or 50)
    except ValueError:
        raise JiraApiError(400, ["maxResults must be a number."]) from None
    page_size = max(1, min(requested, _sim().max_page_size))
    lag = _sim().search_lag if _sim().deployment == "cloud" else 0
    indexed_before = utc_now() - timedelta(seconds=lag)
    with _sim().store.lock:
        return query.run([i for i in _sim().store.issues.values() if i.created <= indexed_before]), page_size


def _wanted_fields(arguments: dict, default: list[str]) -> list[str]:
    fields = arguments.get("fields")
    return fields.split(",") if isinstance(fields, str) else (fields or default)


@meta_api.route("/search/jql", methods=["GET", "POST"])
def search_jql():
    if _sim().deployment != "cloud":
        raise JiraApiError(404, ["null for uri: /rest/api/2/search/jql"])
    arguments = _search_arguments()
    issues, page_size = _matching_issues(arguments)
    token = arguments.get("nextPageToken")
    offset = _page_token_offset(token, arguments.get("jql") or "") if token else 0
    page = issues[offset:offset + page_size]
    fields = _wanted_fields(arguments, ["id"])
    result = {"issues": [g.renderer.issue(issue, fields) for issue in page],
              "isLast": offset + page_size >= len(issues)}
    if not result["isLast"]:
        result["nextPageToken"] = _page_token(arguments.get("jql") or "", offset + page_size)
    return result


@meta_api.route("/search", methods=["GET", "POST"])
def search_offset():
    if _sim().deployment == "cloud":
        raise JiraApiError(410, ["The requested API has been removed. "
                                 "Please migrate to the /rest/api/3/search/jql API."])
    arguments = _search_arguments()
    issues, page_size = _matching_issues(arguments)
    start_at = int(arguments.get("startAt") or 0)
    fields = _wanted_fields(arguments, ["*navigable"])
    return {"expand": "schema,names", "startAt": start_at, "maxResults": page_size, "total": len(issues),
            "issues": [g.renderer.issue(issue, fields) for issue in issues[start_at:start_at + page_size]]}


def _page_token(jql: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"jql": jql, "offset": offset}).encode()).decode()


def _page_token_offset(token: str, jql: str) -> int:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        if decoded["jql"] == jql:
            return int(decoded["offset"])
    except (ValueError, KeyError, TypeError):
        pass
    raise JiraApiError(400, ["The provided next page token is invalid or expired."])
