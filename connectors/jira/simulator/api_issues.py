"""REST routes on issues: create, get, edit, delete, comments, transitions, remote links, properties, links."""

from __future__ import annotations

from flask import Blueprint, g, request

from connectors.jira.adf import adf_to_text
from connectors.jira.simulator.catalog import API_USER
from connectors.jira.simulator.errors import JiraApiError
from connectors.jira.simulator.routes import simulator as _sim

issues_api = Blueprint("jira_sim_issues", __name__, url_prefix="/rest/api/<api>")


def _body() -> dict:
    body = request.get_json(silent=True)
    if request.get_data() and body is None:
        raise JiraApiError(400, ["Unexpected character in the request body: it is not valid JSON."])
    return body if isinstance(body, dict) else {}


def _writable(key: str):
    """The issue, after counting this request against its write limit."""
    issue = _sim().store.issue(key)
    _sim().limiter.record_write(issue.id)
    return issue


@issues_api.post("/issue")
def create_issue():
    body = _body()
    if not isinstance(body.get("fields"), dict):
        raise JiraApiError(400, ["Issue must have 'fields'."])
    issue = _sim().store.create_issue(body["fields"], API_USER)
    return {"id": issue.id, "key": issue.key, "self": g.renderer.issue(issue)["self"]}, 201


@issues_api.get("/issue/<key>")
def get_issue(key: str):
    fields, expand = request.args.get("fields"), request.args.get("expand", "")
    with _sim().store.lock:
        return g.renderer.issue(_sim().store.issue(key), fields.split(",") if fields else None,
                                rendered="renderedFields" in expand.split(","))


@issues_api.put("/issue/<key>")
def edit_issue(key: str):
    body = _body()
    _writable(key)
    _sim().store.edit_issue(key, body.get("fields") or {}, body.get("update") or {}, API_USER)
    return "", 204


@issues_api.delete("/issue/<key>")
def delete_issue(key: str):
    _writable(key)
    _sim().store.delete_issue(key, API_USER)
    return "", 204


@issues_api.get("/issue/<key>/comment")
def list_comments(key: str):
    """One page of comments, oldest first unless orderBy=-created (Jira's default page: 100)."""
    order = request.args.get("orderBy", "created")
    if order not in ("created", "+created", "-created"):
        raise JiraApiError(400, [f"orderBy {order!r} is not supported."])
    start_at, max_results = _page_argument("startAt", 0), _page_argument("maxResults", 100)
    with _sim().store.lock:
        every = list(_sim().store.issue(key).comments)
    if order == "-created":
        every.reverse()
    page = [g.renderer.comment(c) for c in every[start_at:start_at + max_results]]
    return {"startAt": start_at, "maxResults": max_results, "total": len(every), "comments": page}


def _page_argument(name: str, default: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        raise JiraApiError(400, [f"{name} must be a number."]) from None
    if value < 0:
        raise JiraApiError(400, [f"{name} must not be negative."])
    return value


@issues_api.post("/issue/<key>/comment")
def add_comment(key: str):
    body = _body()
    if not body.get("body"):
        raise JiraApiError(400, errors={"comment": "Comment body can not be empty!"})
    _writable(key)
    comment = _sim().store.add_comment(key, adf_to_text(body["body"]), API_USER)
    return g.renderer.comment(comment), 201


@issues_api.get("/issue/<key>/transitions")
def list_transitions(key: str):
    with_fields = "transitions.fields" in request.args.get("expand", "")
    store = _sim().store
    transitions = [store.render_transition(t, with_fields, g.renderer) for t in store.available_transitions(key)]
    return {"expand": "transitions", "transitions": transitions}


@issues_api.post("/issue/<key>/transitions")
def do_transition(key: str):
    body = _body()
    transition_id = (body.get("transition") or {}).get("id")
    if transition_id is None:
        raise JiraApiError(400, ["Missing 'transition' identifier"])
    _writable(key)
    _sim().store.transition(key, str(transition_id), body.get("fields") or {}, body.get("update") or {}, API_USER)
    return "", 204


@issues_api.get("/issue/<key>/remotelink")
def list_remote_links(key: str):
    with _sim().store.lock:
        issue = _sim().store.issue(key)
        return [{"self": f"{g.renderer.issue(issue)['self']}/remotelink/{link['id']}", **link}
                for link in issue.remote_links]


@issues_api.post("/issue/<key>/remotelink")
def upsert_remote_link(key: str):
    body = _body()
    issue = _writable(key)
    link, created = _sim().store.upsert_remote_link(key, body)
    body = {"id": link["id"], "self": f"{g.renderer.issue(issue)['self']}/remotelink/{link['id']}"}
    return body, 201 if created else 200


@issues_api.put("/issue/<key>/properties/<name>")
def set_property(key: str, name: str):
    value = request.get_json(silent=True)
    if value is None and request.get_data().strip() != b"null":
        raise JiraApiError(400, ["The property value must be valid JSON."])
    _writable(key)
    created = _sim().store.set_property(key, name, value)
    return "", 201 if created else 200


@issues_api.get("/issue/<key>/properties/<name>")
def get_property(key: str, name: str):
    return {"key": name, "value": _sim().store.get_property(key, name)}


@issues_api.post("/issueLink")
def link_issues():
    body = _body()
    try:
        type_name = body["type"].get("name") or body["type"].get("id")
        inward, outward = body["inwardIssue"]["key"], body["outwardIssue"]["key"]
    except (KeyError, AttributeError, TypeError):
        raise JiraApiError(400, ["An issue link needs type, inwardIssue and outwardIssue."]) from None
    _sim().store.link_issues(type_name, inward, outward)
    return "", 201
