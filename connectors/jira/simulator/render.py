"""Records -> Jira's JSON shapes (REST v2 plain text, v3 ADF; webhooks use the v2 shape), and the
HTML of `expand=renderedFields`: Data Center renders descriptions and comments as wiki markup,
Cloud shows the text of its ADF as is."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from connectors.jira.adf import text_to_adf
from connectors.jira.simulator import catalog
from connectors.jira.simulator.catalog import Project, User
from connectors.jira.simulator.model import Comment, Issue, Version
from connectors.jira.simulator.wiki_render import render_wiki


def jira_datetime(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


class Renderer:
    def __init__(self, base_url: str, cloud: bool, version_by_id: Callable[[str], Version],
                 issue_by_id: Callable[[str], Issue], custom_fields: Mapping[str, catalog.CustomField],
                 api_version: str = "2"):
        self.base_url = base_url
        self.custom_fields = custom_fields
        self.cloud = cloud
        self.api_version = api_version
        self._version_by_id = version_by_id
        self._issue_by_id = issue_by_id

    def for_api(self, api_version: str) -> Renderer:
        return Renderer(self.base_url, self.cloud, self._version_by_id, self._issue_by_id, self.custom_fields,
                        api_version)

    def _self(self, path: str) -> str:
        return f"{self.base_url}/rest/api/{self.api_version}/{path}"

    def _rich(self, text: str | None) -> Any:
        if text is None:
            return None
        return text_to_adf(text) if self.api_version == "3" else text

    def _html(self, text: str | None) -> str | None:
        if text is None:
            return None
        if self.cloud:
            return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in text.split("\n"))
        return f"<p>{render_wiki(text)}</p>"

    def user(self, user: User | None) -> dict[str, Any] | None:
        if user is None:
            return None
        common = {"displayName": user.display_name, "active": True, "timeZone": "UTC",
                  "avatarUrls": {"48x48": f"{self.base_url}/avatar/{user.name}"}}
        if self.cloud:
            return {"self": self._self(f"user?accountId={user.account_id}"), "accountId": user.account_id,
                    "accountType": "atlassian", "emailAddress": user.email, **common}
        return {"self": self._self(f"user?username={user.name}"), "name": user.name, "key": user.name,
                "emailAddress": user.email, **common}

    def project(self, project: Project) -> dict[str, Any]:
        return {"self": self._self(f"project/{project.id}"), "id": project.id, "key": project.key,
                "name": project.name, "projectTypeKey": "software", "simplified": False}

    def project_details(self, project: Project) -> dict[str, Any]:
        return {**self.project(project),
                "issueTypes": [self.issue_type(name) for name in project.issue_types],
                "components": [self.component(name, id_) for name, id_ in project.components.items()]}

    def issue_type(self, name: str) -> dict[str, Any]:
        type_id = catalog.ISSUE_TYPES[name]
        return {"self": self._self(f"issuetype/{type_id}"), "id": type_id, "name": name,
                "description": f"A {name.lower()}.", "subtask": False, "hierarchyLevel": 0}

    def component(self, name: str, component_id: str) -> dict[str, Any]:
        return {"self": self._self(f"component/{component_id}"), "id": component_id, "name": name}

    def status(self, name: str) -> dict[str, Any]:
        status = catalog.STATUSES[name]
        category = catalog.STATUS_CATEGORIES[status.category]
        return {"self": self._self(f"status/{status.id}"), "id": status.id, "name": name, "description": "",
                "iconUrl": f"{self.base_url}/images/icons/statuses/generic.png",
                "statusCategory": {"self": self._self(f"statuscategory/{category['id']}"), **category}}

    def priority(self, name: str) -> dict[str, Any]:
        priority_id = catalog.PRIORITIES[name]
        return {"self": self._self(f"priority/{priority_id}"), "id": priority_id, "name": name,
                "iconUrl": f"{self.base_url}/images/icons/priorities/{name.lower()}.svg"}

    def resolution(self, name: str | None) -> dict[str, Any] | None:
        if name is None:
            return None
        resolution_id = catalog.RESOLUTIONS[name]
        return {"self": self._self(f"resolution/{resolution_id}"), "id": resolution_id, "name": name,
                "description": ""}

    def version(self, version: Version) -> dict[str, Any]:
        rendered = {"self": self._self(f"version/{version.id}"), "id": version.id, "name": version.name,
                    "description": version.description, "archived": version.archived,
                    "released": version.released, "projectId": int(version.project_id)}
        if version.release_date:
            rendered["releaseDate"] = version.release_date
        return rendered

    def comment(self, comment: Comment) -> dict[str, Any]:
        author = self.user(comment.author)
        created = jira_datetime(comment.created)
        return {"self": self._self(f"comment/{comment.id}"), "id": comment.id, "author": author,
                "updateAuthor": author, "body": self._rich(comment.body), "created": created, "updated": created}

    def issue_link(self, link) -> dict[str, Any]:
        other = self._issue_by_id(link.other_issue_id)
        return {"id": link.id, "type": {"self": self._self(f"issueLinkType/{catalog.LINK_TYPES[link.type_name]['id']}"),
                                        **catalog.LINK_TYPES[link.type_name]},
                link.direction: {"id": other.id, "key": other.key, "self": self._self(f"issue/{other.id}"),
                                 "fields": {"summary": other.summary, "status": self.status(other.status)}}}

    def issue_fields(self, issue: Issue) -> dict[str, Any]:
        fields = {
            "summary": issue.summary, "description": self._rich(issue.description),
            "issuetype": self.issue_type(issue.issue_type), "project": self.project(issue.project),
            "priority": self.priority(issue.priority), "labels": list(issue.labels),
            "components": [self.component(name, issue.project.components[name]) for name in issue.components],
            "duedate": issue.duedate, "assignee": self.user(issue.assignee), "reporter": self.user(issue.reporter),
            "creator": self.user(issue.reporter), "status": self.status(issue.status),
            "resolution": self.resolution(issue.resolution), "resolutiondate": jira_datetime(issue.resolutiondate),
            "fixVersions": [self.version(self._version_by_id(v)) for v in issue.fix_versions],
            "created": jira_datetime(issue.created), "updated": jira_datetime(issue.updated),
            "issuelinks": [self.issue_link(link) for link in issue.links],
            "comment": {"comments": [self.comment(c) for c in issue.comments], "maxResults": len(issue.comments),
                        "total": len(issue.comments), "startAt": 0},
        }
        for field_id, custom in self.custom_fields.items():
            value = issue.custom.get(field_id)
            fields[field_id] = self._rich(value) if custom.custom_type == catalog.PARAGRAPH_FIELD_TYPE else value
        return fields

    def issue(self, issue: Issue, wanted_fields: Iterable[str] | None = None,
              rendered: bool = False) -> dict[str, Any]:
        fields = self.issue_fields(issue)
        wanted = set(wanted_fields) if wanted_fields is not None else {"*all"}
        if not wanted & {"*all", "*navigable"}:
            fields = {name: value for name, value in fields.items() if name in wanted}
        shown = {"expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
                 "id": issue.id, "self": self._self(f"issue/{issue.id}"), "key": issue.key, "fields": fields}
        if rendered:
            shown["renderedFields"] = {
                "description": self._html(issue.description),
                "comment": {"comments": [{**self.comment(c), "body": self._html(c.body)} for c in issue.comments]}}
        return shown
