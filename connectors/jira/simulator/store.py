"""The simulated Jira's in-memory state. Every change goes through here, behind one lock, and is
announced to `on_change` (the webhook dispatcher) with its changelog."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from connectors.jira.simulator import catalog
from connectors.jira.simulator.catalog import Project, User
from connectors.jira.simulator.errors import JiraApiError, not_found
from connectors.jira.simulator.fields import FieldError, FieldParser, diff, tracked_values
from connectors.jira.simulator.links import LinksMixin
from connectors.jira.simulator.model import Change, ChangeItem, Comment, Issue, Version, utc_now
from connectors.jira.simulator.render import Renderer
from connectors.jira.simulator.workflow import WorkflowMixin


class JiraStore(WorkflowMixin, LinksMixin):
    def __init__(self, base_url: str, cloud: bool, on_change: Callable[[Change], None] = lambda change: None):
        self.lock = threading.RLock()
        self.cloud = cloud
        self.on_change = on_change
        self.projects: dict[str, Project] = {}
        self.issues: dict[str, Issue] = {}  # by id
        self.versions: dict[str, Version] = {}
        self.users: list[User] = [catalog.API_USER, catalog.UI_USER]
        self._ids = itertools.count(10000)
        self._issue_numbers: dict[str, itertools.count] = {}
        self.custom_fields = dict(catalog.CUSTOM_FIELDS)  # by id; admins add more (`add_custom_field`)
        self.renderer = Renderer(base_url, cloud, self.version, self.issue_by_id, self.custom_fields)
        for key, name, components in catalog.DEFAULT_PROJECTS:
            self.add_project(key, name, components=components)

    def next_id(self) -> str:
        return str(next(self._ids))

    # --- lookups ---------------------------------------------------------------------------

    def add_project(self, key: str, name: str, issue_types=("Bug", "Task", "Story"), components=()) -> Project:
        with self.lock:
            project = Project(self.next_id(), key, name, tuple(issue_types),
                              {component: self.next_id() for component in components})
            self.projects[key] = project
            self._issue_numbers[key] = itertools.count(1)
            return project

    def add_custom_field(self, name: str, custom_type: str) -> catalog.CustomField:
        with self.lock:
            # After the highest id in use: the catalog's ids are not contiguous.
            field_id = f"customfield_{max(int(i.removeprefix('customfield_')) for i in self.custom_fields) + 1}"
            custom = catalog.CustomField(field_id, name, catalog.CUSTOM_FIELD_TYPES[custom_type], custom_type)
            self.custom_fields[field_id] = custom
            return custom

    def project(self, key_or_id: Any) -> Project:
        for project in self.projects.values():
            if str(key_or_id) in (project.key, project.id):
                return project
        raise not_found(f"No project could be found with key '{key_or_id}'. Project")

    def issue(self, key_or_id: str) -> Issue:
        for issue in self.issues.values():
            if key_or_id in (issue.key, issue.id) or key_or_id in issue.former_keys:
                return issue
        raise not_found("Issue")

    def issue_by_id(self, issue_id: str) -> Issue:
        return self.issues[issue_id]

    def version(self, version_id: str) -> Version:
        if version_id not in self.versions:
            raise not_found(f"Version {version_id}")
        return self.versions[version_id]

    def version_id_by_name(self, project: Project, name: str) -> str | None:
        return next((v.id for v in self.versions.values() if v.project_id == project.id and v.name == name), None)

    def find_user(self, reference: dict[str, Any]) -> User | None:
        wanted = {str(reference.get(k)) for k in ("accountId", "name", "key", "id") if reference.get(k)}
        return next((u for u in self.users if wanted & {u.account_id, u.name}), None)

    # --- issues ----------------------------------------------------------------------------

    def _tracked(self, issue: Issue) -> dict[str, ChangeItem]:
        return tracked_values(issue, self.cloud, lambda version_id: self.versions[version_id].name,
                              self.custom_fields)

    def _announce(self, event: str, actor: User, issue: Issue, issue_event: str,
                  items: tuple[ChangeItem, ...] = (), comment: Comment | None = None) -> None:
        snapshot = self.renderer.issue(issue)
        self.on_change(Change(event, actor, issue_event, issue, snapshot, items, comment))

    def create_issue(self, fields: dict[str, Any], actor: User) -> Issue:
        with self.lock:
            errors: dict[str, str] = {}
            project = self._referenced_project(fields.get("project"))
            if project is None:
                raise JiraApiError(400, errors={"project": "Specify a valid project ID or key"})
            issue_type = _referenced_issue_type(fields.get("issuetype"), project)
            if issue_type is None:
                errors["issuetype"] = "Specify a valid issue type"
            if "summary" not in fields:
                errors["summary"] = "You must specify a summary of the issue."
            values = self._parse_fields(project, fields, catalog.SETTABLE_ON_CREATE, errors,
                                        skip={"project", "issuetype"})
            if errors or issue_type is None:
                raise JiraApiError(400, errors=errors)
            now = utc_now()
            issue = Issue(self.next_id(), f"{project.key}-{next(self._issue_numbers[project.key])}", project,
                          issue_type, values.pop("summary"), values.pop("reporter", None) or actor, now,
                          catalog.INITIAL_STATUS, values.pop("priority", catalog.DEFAULT_PRIORITY), updated=now)
            self._apply(issue, values)
            self.issues[issue.id] = issue
            items = diff({}, {k: v for k, v in self._tracked(issue).items() if k in ("summary", "status", "priority")})
            self._announce("jira:issue_created", actor, issue, "issue_created", items)
            return issue

    def edit_issue(self, key: str, fields: dict[str, Any], update: dict[str, Any], actor: User) -> None:
        with self.lock:
            issue = self.issue(key)
            errors: dict[str, str] = {}
            values = self._parse_fields(issue.project, fields, catalog.SETTABLE_ON_EDIT, errors)
            for name, operations in update.items():
                try:
                    values[name] = self._apply_operations(issue, name, operations)
                except FieldError as error:
                    errors[name] = str(error)
            if errors:
                raise JiraApiError(400, errors=errors)
            self._change(issue, actor, "issue_updated", lambda: self._apply(issue, values))

    def _change(self, issue: Issue, actor: User, issue_event: str, mutate: Callable[[], None]) -> None:
        before = self._tracked(issue)
        mutate()
        items = diff(before, self._tracked(issue))
        if items:
            issue.updated = utc_now()
            if issue_event == "issue_updated" and {i.field_id for i in items} == {"assignee"}:
                issue_event = "issue_assigned"
            self._announce("jira:issue_updated", actor, issue, issue_event, items)

    def _parse_fields(self, project: Project, fields: dict[str, Any], settable: set[str], errors: dict[str, str],
                      skip: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
        parser = FieldParser(project, self.find_user, self.version_id_by_name, self.custom_fields)
        values = {}
        for name, raw in fields.items():
            if name in skip:
                continue
            if name not in settable and name not in self.custom_fields:
                errors[name] = f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
                continue
            try:
                values[name] = parser.parse(name, raw)
            except FieldError as error:
                errors[name] = str(error)
        return values

    def _apply_operations(self, issue: Issue, name: str, operations: list[dict[str, Any]]) -> Any:
        """Jira's `update` verbs (set/add/remove) for the list fields; returns the new stored value."""
        current = {"labels": issue.labels, "components": issue.components, "fixVersions": issue.fix_versions}
        if name not in current or not isinstance(operations, list):
            raise FieldError(f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown.")
        parser = FieldParser(issue.project, self.find_user, self.version_id_by_name, self.custom_fields)
        result = list(current[name])
        for operation in operations:
            for verb, argument in operation.items():
                if verb == "set":
                    result = parser.parse(name, argument)
                elif verb in ("add", "remove"):
                    (value,) = parser.parse(name, [argument])
                    result = [*result, value] if verb == "add" and value not in result else (
                        [v for v in result if v != value] if verb == "remove" else result)
                else:
                    raise FieldError(f"Unsupported operation '{verb}' for field '{name}'.")
        return result

    @staticmethod
    def _apply(issue: Issue, values: dict[str, Any]) -> None:
        attribute = {"components": "components", "fixVersions": "fix_versions"}
        for name, value in values.items():
            if name.startswith("customfield_"):  # only known ones get here (_parse_fields)
                issue.custom[name] = value
            else:
                setattr(issue, attribute.get(name, name), value)

    def _referenced_project(self, reference: Any) -> Project | None:
        if not isinstance(reference, dict):
            return None
        try:
            return self.project(reference.get("key") or reference.get("id"))
        except JiraApiError:
            return None

    def delete_issue(self, key: str, actor: User) -> None:
        with self.lock:
            issue = self.issue(key)
            self._announce("jira:issue_deleted", actor, issue, "issue_deleted")
            del self.issues[issue.id]
            for other in self.issues.values():
                other.links = [link for link in other.links if link.other_issue_id != issue.id]

    def move_issue(self, key: str, project_key: str, actor: User) -> Issue:
        with self.lock:
            issue, target = self.issue(key), self.project(project_key)
            if issue.issue_type not in target.issue_types:
                raise JiraApiError(400, errors={"issuetype": "Specify a valid issue type"})

            def move() -> None:
                issue.former_keys.append(issue.key)
                issue.key = f"{target.key}-{next(self._issue_numbers[target.key])}"
                issue.project = target
                issue.components = [name for name in issue.components if name in target.components]
                issue.fix_versions = []

            self._change(issue, actor, "issue_moved", move)
            return issue

    def add_comment(self, key: str, body: str, actor: User) -> Comment:
        with self.lock:
            issue = self.issue(key)
            comment = Comment(self.next_id(), body, actor, utc_now())
            issue.comments.append(comment)
            issue.updated = comment.created
            self._announce("comment_created", actor, issue, "issue_commented", comment=comment)
            return comment


def _referenced_issue_type(reference: Any, project: Project) -> str | None:
    if not isinstance(reference, dict):
        return None
    for name in project.issue_types:
        if reference.get("name") == name or str(reference.get("id")) == catalog.ISSUE_TYPES[name]:
            return name
    return None
