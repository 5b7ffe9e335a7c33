"""Thin Jira REST client over the `jira` library: calls, returns plain data, raises `JiraError`.

No policy lives here (no retries, no dedupe, no status mapping). The library's own retry loop is
switched off (`max_retries=0`) because its ResilientSession sleeps up to a minute on 429/503 and
on connection errors; the caller schedules retries itself from `JiraError.retry_after`.

A few writes go straight through the library's authenticated session instead of its helpers,
because the helpers add hidden requests or waits: `create_version` sleeps 1 s, `add_remote_link`
first lists application links, `create_issue_link` first lists link types and sends
`"comment": null`, `transition_issue` sends the transition id as a number, and `Issue.update`
needs a fetched Issue and may try to create users ("autofix").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import requests
from jira import JIRA, JIRAError

from connectors.jira.adf import adf_to_text
from connectors.jira.deployment import SEARCH_PAGE_SIZE, deployment_named
from connectors.jira.errors import JiraError
from connectors.observed import RequestObserver, observe_requests

DEFAULT_SEARCH_FIELDS = ("summary", "status", "resolution", "labels", "updated", "duedate", "priority")


class JiraClient:
    def __init__(
        self,
        url: str,
        deployment: str,
        user_or_email: str | None,
        api_token: str,
        timeout: float = 10,
        observer: RequestObserver | None = None,
    ):
        self.deployment = deployment_named(deployment)
        self._jira = JIRA(
            server=url,
            options={"rest_api_version": self.deployment.api_version, "check_update": False},
            get_server_info=False,  # no network call in the constructor; the deployment is configured
            max_retries=0,
            timeout=timeout,
            **self.deployment.auth_arguments(user_or_email, api_token),
        )
        # What get_server_info would have read from serverInfo; the library's Cloud-only methods
        # (enhanced_search_issues) check it.
        self._jira.deploymentType = self.deployment.deployment_type
        observe_requests(self._jira._session, "jira", observer)

    def close(self) -> None:
        self._jira.close()

    def __enter__(self) -> JiraClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- instance and configuration -------------------------------------------------------

    def server_info(self) -> dict[str, Any]:
        with _jira_errors("server info"):
            return self._jira.server_info()

    def myself(self) -> dict[str, Any]:
        with _jira_errors("myself"):
            return self._jira.myself()

    def projects(self) -> list[dict[str, Any]]:
        with _jira_errors("list projects"):
            return [project.raw for project in self._jira.projects()]

    def project(self, project_key: str) -> dict[str, Any]:
        """The project with its `issueTypes` and `components`."""
        with _jira_errors(f"project {project_key}"):
            return self._jira.project(project_key).raw

    def priorities(self) -> list[dict[str, Any]]:
        with _jira_errors("list priorities"):
            return [priority.raw for priority in self._jira.priorities()]

    def issue_types(self, project_key: str) -> list[dict[str, Any]]:
        return list(self.project(project_key).get("issueTypes", []))

    def fields(self) -> list[dict[str, Any]]:
        with _jira_errors("list fields"):
            return self._jira.fields()

    # --- issues ----------------------------------------------------------------------------

    def create_issue(
        self,
        project_key: str,
        issue_type: str,
        summary: str,
        description: str | None = None,
        priority: str | None = None,
        labels: Iterable[str] = (),
        components: Iterable[str] = (),
        due_date: date | str | None = None,
        assignee: str | None = None,
        custom_fields: dict[str, Any] | None = None,
    ) -> dict[str, str]:
        fields: dict[str, Any] = {
            "project": {"key": project_key},
            "issuetype": {"name": issue_type},
            "summary": summary,
        }
        if description is not None:
            fields["description"] = self.deployment.rich_text(description)
        if priority is not None:
            fields["priority"] = {"name": priority}
        if labels:
            fields["labels"] = list(labels)
        if components:
            fields["components"] = [{"name": name} for name in components]
        if due_date is not None:
            fields["duedate"] = due_date.isoformat() if isinstance(due_date, date) else due_date
        if assignee is not None:
            fields["assignee"] = self.deployment.user_reference(assignee)
        fields.update(custom_fields or {})
        with _jira_errors(f"create issue in {project_key}"):
            created = self._jira.create_issue(fields=fields, prefetch=False).raw
        return {"id": str(created["id"]), "key": created["key"]}

    def get_issue(self, key: str, fields: Iterable[str] | None = None) -> dict[str, Any]:
        with _jira_errors(f"get issue {key}"):
            return self._jira.issue(key, fields=",".join(fields) if fields is not None else None).raw

    def edit_issue(self, key: str, fields: dict[str, Any] | None = None, update: dict[str, Any] | None = None) -> None:
        body: dict[str, Any] = {}
        if fields:
            body["fields"] = {
                name: self.deployment.rich_text(value) if name == "description" and isinstance(value, str) else value
                for name, value in fields.items()
            }
        if update:
            body["update"] = update
        self._send("PUT", f"issue/{key}", body, action=f"edit issue {key}")

    def delete_issue(self, key: str) -> None:
        self._send("DELETE", f"issue/{key}", action=f"delete issue {key}")

    def add_comment(self, key: str, body: str) -> dict[str, Any]:
        with _jira_errors(f"comment on {key}"):
            comment = self._jira.add_comment(key, self.deployment.rich_text(body)).raw
        return {"id": str(comment["id"]), "created": comment.get("created")}

    def recent_comments(self, key: str, count: int) -> list[str]:
        """The text of the issue's newest `count` comments, newest first."""
        return [adf_to_text(comment.get("body")) for comment in self.newest_comments(key, count)]

    def newest_comments(self, key: str, count: int) -> list[dict[str, Any]]:
        """The issue's newest `count` comments as Jira renders them (id, author, body, created,
        updated), newest first."""
        with _jira_errors(f"comments of {key}"):
            return [comment.raw for comment in self._jira.comments(key, order_by="-created", max_results=count)]

    def transitions(self, key: str) -> list[dict[str, Any]]:
        with _jira_errors(f"transitions of {key}"):
            return self._jira.transitions(key, expand="transitions.fields")

    def transition(self, key: str, transition_id_or_target_status: str, resolution: str | None = None) -> str:
        """Do a transition given by id, or by the name of its target status (or its own name).
        Returns the transition id used."""
        transition_id = transition_id_or_target_status
        if not transition_id.isdigit():
            transition_id = _transition_id_for(self.transitions(key), transition_id_or_target_status, key)
        body: dict[str, Any] = {"transition": {"id": transition_id}}
        if resolution is not None:
            body["fields"] = {"resolution": {"name": resolution}}
        self._send("POST", f"issue/{key}/transitions", body, action=f"transition {key}")
        return transition_id

    # --- search ----------------------------------------------------------------------------

    def search(
        self, jql: str, fields: Iterable[str] = DEFAULT_SEARCH_FIELDS, page_size: int = SEARCH_PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        """Every issue matching `jql`, page by page (lazily)."""
        pages = self.deployment.search_pages(self._jira, jql, list(fields), page_size)
        while True:
            with _jira_errors("search"):
                page = next(pages, None)
            if page is None:
                return
            yield from page

    def find_issues_by_label(self, label: str, fields: Iterable[str] = DEFAULT_SEARCH_FIELDS) -> list[dict[str, Any]]:
        return list(self.search(f"labels = {jql_string(label)} ORDER BY created ASC", fields))

    # --- links, properties, versions ------------------------------------------------------

    def remote_links(self, key: str) -> list[dict[str, Any]]:
        with _jira_errors(f"remote links of {key}"):
            return [link.raw for link in self._jira.remote_links(key)]

    def upsert_remote_link(self, key: str, global_id: str, url: str, title: str, summary: str | None = None) -> dict:
        """Jira updates the link with the same globalId instead of adding a second one."""
        link_object: dict[str, Any] = {"url": url, "title": title}
        if summary is not None:
            link_object["summary"] = summary
        body = {"globalId": global_id, "object": link_object}
        return self._send("POST", f"issue/{key}/remotelink", body, action=f"remote link on {key}")

    def link_issues(self, link_type: str, inward_key: str, outward_key: str) -> None:
        body = {"type": {"name": link_type}, "inwardIssue": {"key": inward_key}, "outwardIssue": {"key": outward_key}}
        self._send("POST", "issueLink", body, action=f"link {inward_key} to {outward_key}")

    def set_entity_property(self, key: str, name: str, value: Any) -> None:
        with _jira_errors(f"set property {name} on {key}"):
            self._jira.add_issue_property(key, name, value)

    def get_entity_property(self, key: str, name: str) -> Any | None:
        """The property's value, or None when the issue has no such property."""
        try:
            with _jira_errors(f"get property {name} of {key}"):
                return self._jira.issue_property(key, name).raw["value"]
        except JiraError as error:
            if error.status == 404 and "propert" in error.message.lower():
                return None
            raise

    def create_version(self, project_key: str, name: str, description: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name, "project": project_key, "released": False, "archived": False}
        if description is not None:
            body["description"] = description
        return self._send("POST", "version", body, action=f"create version {name} in {project_key}")

    def release_version(self, version_id: str, release_date: date | None = None) -> dict[str, Any]:
        body = {"released": True, "releaseDate": (release_date or date.today()).isoformat()}
        return self._send("PUT", f"version/{version_id}", body, action=f"release version {version_id}")

    def project_versions(self, project_key: str) -> list[dict[str, Any]]:
        with _jira_errors(f"versions of {project_key}"):
            return [version.raw for version in self._jira.project_versions(project_key)]

    # --- plumbing --------------------------------------------------------------------------

    def send_to_resource(self, method: str, resource_path: str, body: Any = None, *, action: str) -> Any:
        """One request to a REST resource outside the platform API (`rest/webhooks/1.0/webhook`)."""
        return self._request(method, f"{self._jira.server_url}/{resource_path}", body, action)

    def _send(self, method: str, path: str, body: Any = None, *, action: str) -> Any:
        return self._request(method, self._jira._get_url(path), body, action)

    def _request(self, method: str, url: str, body: Any, action: str) -> Any:
        """One request through the library's authenticated session (no retries); JSON or None."""
        with _jira_errors(action):
            response = self._jira._session.request(
                method, url, data=json.dumps(body) if body is not None else None
            )
        return response.json() if response.content else None


def jql_string(value: str) -> str:
    """A JQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _transition_id_for(transitions: list[dict[str, Any]], wanted: str, key: str) -> str:
    for transition in transitions:
        if transition.get("to", {}).get("name", "").casefold() == wanted.casefold():
            return str(transition["id"])
    for transition in transitions:
        if transition.get("name", "").casefold() == wanted.casefold():
            return str(transition["id"])
    available = ", ".join(f"{t['id']}:{t.get('name')}->{t.get('to', {}).get('name')}" for t in transitions)
    raise JiraError(f"no transition of {key} leads to {wanted!r}; available: {available or 'none'}")


@contextmanager
def _jira_errors(action: str) -> Iterator[None]:
    try:
        yield
    except JIRAError as error:
        status = error.status_code
        retry_after = _retry_after_seconds(error.response) if status == 429 else None
        raise JiraError(f"{action}: {error.text or 'failed'}", status=status, retry_after=retry_after,
                        field_errors=_field_errors(error.response)) from error
    except requests.Timeout as error:
        raise JiraError(f"{action}: timed out") from error
    except requests.RequestException as error:
        raise JiraError(f"{action}: {type(error).__name__}: {error}") from error


def _field_errors(response: requests.Response | None) -> dict[str, str]:
    try:
        errors = response.json().get("errors") if response is not None else None
    except (ValueError, AttributeError):
        return {}
    return {str(name): str(message) for name, message in errors.items()} if isinstance(errors, dict) else {}


def _retry_after_seconds(response: requests.Response | None) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
