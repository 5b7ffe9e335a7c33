"""Remote links, issue links, entity properties and versions of the simulated Jira."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from connectors.jira.simulator import catalog
from connectors.jira.simulator.catalog import Project, User
from connectors.jira.simulator.errors import JiraApiError
from connectors.jira.simulator.model import Change, Issue, IssueLink, Version


class LinksMixin:
    """Part of JiraStore (uses its lock, lookups and id counter)."""

    if TYPE_CHECKING:  # what JiraStore provides
        lock: threading.RLock
        versions: dict[str, Version]
        on_change: Callable[[Change], None]

        def next_id(self) -> str: ...
        def issue(self, key_or_id: str) -> Issue: ...
        def project(self, key_or_id: Any) -> Project: ...
        def version(self, version_id: str) -> Version: ...
        def version_id_by_name(self, project: Project, name: str) -> str | None: ...

    def upsert_remote_link(self, key: str, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Returns (the stored link, whether it was created); the same globalId updates in place."""
        link_object = body.get("object")
        if not isinstance(link_object, dict) or not link_object.get("url") or not link_object.get("title"):
            raise JiraApiError(400, errors={"object": "A remote link needs an object with url and title."})
        with self.lock:
            issue = self.issue(key)
            global_id = body.get("globalId")
            existing = next((link for link in issue.remote_links
                             if global_id is not None and link.get("globalId") == global_id), None)
            stored: dict[str, Any] = {key_: body[key_] for key_ in ("globalId", "application", "relationship")
                                      if key_ in body}
            stored["object"] = dict(link_object)
            if existing is None:
                link = {"id": int(self.next_id()), **stored}
                issue.remote_links.append(link)
                return link, True
            link_id = existing["id"]
            existing.clear()
            existing.update({"id": link_id, **stored})
            return existing, False

    def link_issues(self, type_name: str, inward_key: str, outward_key: str) -> None:
        link_type = next((t for t in catalog.LINK_TYPES.values()
                          if type_name in (t["name"], t["id"], t["inward"], t["outward"])), None)
        if link_type is None:
            raise JiraApiError(404, [f"No issue link type with name '{type_name}' found."])
        with self.lock:
            inward, outward = self.issue(inward_key), self.issue(outward_key)
            link_id = self.next_id()
            inward.links.append(IssueLink(link_id, link_type["name"], "outwardIssue", outward.id))
            outward.links.append(IssueLink(link_id, link_type["name"], "inwardIssue", inward.id))

    def set_property(self, key: str, name: str, value: Any) -> bool:
        """Returns whether the property was created (rather than replaced)."""
        with self.lock:
            issue = self.issue(key)
            created = name not in issue.properties
            issue.properties[name] = value
            return created

    def get_property(self, key: str, name: str) -> Any:
        with self.lock:
            issue = self.issue(key)
            if name not in issue.properties:
                raise JiraApiError(404, [f"The property with key '{name}' does not exist."])
            return issue.properties[name]

    def create_version(self, body: dict[str, Any]) -> Version:
        with self.lock:
            project = self.project(body.get("projectId") or body.get("project") or "")
            name = body.get("name")
            if not isinstance(name, str) or not name.strip():
                raise JiraApiError(400, errors={"name": "You must specify a valid version name"})
            if self.version_id_by_name(project, name) is not None:
                raise JiraApiError(400, errors={"name": "A version with this name already exists in this project."})
            version = Version(self.next_id(), project.id, name, body.get("description") or "",
                              bool(body.get("released")), bool(body.get("archived")), body.get("releaseDate"))
            self.versions[version.id] = version
            return version

    def update_version(self, version_id: str, body: dict[str, Any], actor: User) -> Version:
        with self.lock:
            version = self.version(version_id)
            was_released = version.released
            for attribute, json_name in (("name", "name"), ("description", "description"),
                                         ("released", "released"), ("archived", "archived"),
                                         ("release_date", "releaseDate")):
                if json_name in body:
                    setattr(version, attribute, body[json_name])
            if version.released != was_released:
                event = "jira:version_released" if version.released else "jira:version_unreleased"
                self.on_change(Change(event, actor, version=version))
            return version

    def project_versions(self, project_key: str) -> list[Version]:
        with self.lock:
            project = self.project(project_key)
            return [v for v in self.versions.values() if v.project_id == project.id]
