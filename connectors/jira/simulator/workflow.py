"""Transitions of the simulated workflow: To Do / In Progress / In Review / Done, resolution on Done."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from connectors.jira.adf import adf_to_text
from connectors.jira.simulator import catalog
from connectors.jira.simulator.catalog import Transition, User
from connectors.jira.simulator.errors import JiraApiError
from connectors.jira.simulator.model import Comment, Issue, utc_now


class WorkflowMixin:
    """Part of JiraStore (uses its lock, lookups and change announcement)."""

    if TYPE_CHECKING:  # what JiraStore provides
        lock: threading.RLock

        def issue(self, key_or_id: str) -> Issue: ...
        def add_comment(self, key: str, body: str, actor: User) -> Comment: ...
        def _change(self, issue: Issue, actor: User, issue_event: str, mutate: Callable[[], None]) -> None: ...

    def available_transitions(self, key: str) -> list[Transition]:
        with self.lock:
            issue = self.issue(key)
            return [t for t in catalog.TRANSITIONS if t.to_status != issue.status]

    def transition(self, key: str, transition_id: str, fields: dict[str, Any], update: dict[str, Any],
                   actor: User) -> None:
        with self.lock:
            transition = next((t for t in self.available_transitions(key) if t.id == str(transition_id)), None)
            if transition is None:
                raise JiraApiError(400, [f"Transition id '{transition_id}' is not valid for this issue."])
            target_is_done = catalog.STATUSES[transition.to_status].category == "done"
            unknown = set(fields) - ({"resolution"} if target_is_done else set())
            if unknown:
                raise JiraApiError(400, errors={name: f"Field '{name}' cannot be set. It is not on the appropriate "
                                                      "screen, or unknown." for name in unknown})
            resolution = _resolution_name(fields.get("resolution")) if "resolution" in fields else None
            comments = [op["add"].get("body") for op in update.get("comment", []) if isinstance(op.get("add"), dict)]
            self._move_to(key, transition.to_status, resolution, actor)
            for body in comments:
                self.add_comment(key, adf_to_text(body), actor)

    def transition_to_status(self, key: str, status: str, resolution: str | None, actor: User) -> None:
        with self.lock:
            if status not in catalog.STATUSES:
                raise JiraApiError(400, [f"Status '{status}' does not exist."])
            if resolution is not None and resolution not in catalog.RESOLUTIONS:
                raise JiraApiError(400, errors={"resolution": f"Resolution '{resolution}' does not exist."})
            self._move_to(key, status, resolution, actor)

    def _move_to(self, key: str, status: str, resolution: str | None, actor: User) -> None:
        issue = self.issue(key)
        done = catalog.STATUSES[status].category == "done"

        def move() -> None:
            issue.status = status
            issue.resolution = (resolution or issue.resolution or catalog.DEFAULT_RESOLUTION) if done else None
            issue.resolutiondate = (issue.resolutiondate or utc_now()) if done else None

        self._change(issue, actor, "issue_generic", move)

    def render_transition(self, transition: Transition, with_fields: bool, renderer) -> dict[str, Any]:
        done = catalog.STATUSES[transition.to_status].category == "done"
        rendered = {"id": transition.id, "name": transition.name, "to": renderer.status(transition.to_status),
                    "hasScreen": done, "isGlobal": True, "isInitial": False, "isAvailable": True,
                    "isConditional": False, "isLooped": False}
        if with_fields:
            rendered["fields"] = {} if not done else {"resolution": {
                "required": False, "schema": {"type": "resolution", "system": "resolution"},
                "name": "Resolution", "key": "resolution", "hasDefaultValue": True, "operations": ["set"],
                "allowedValues": [renderer.resolution(name) for name in catalog.RESOLUTIONS]}}
        return rendered


def _resolution_name(reference: Any) -> str:
    for name, resolution_id in catalog.RESOLUTIONS.items():
        if isinstance(reference, dict) and (reference.get("name") == name or str(reference.get("id")) == resolution_id):
            return name
    raise JiraApiError(400, errors={"resolution": "Specify a valid resolution."})
