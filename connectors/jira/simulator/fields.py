"""Parsing issue field values from REST bodies (with Jira's error texts) and diffing for changelogs."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from connectors.jira.adf import adf_to_text
from connectors.jira.simulator import catalog
from connectors.jira.simulator.catalog import Project, User
from connectors.jira.simulator.model import ChangeItem, Issue

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FieldError(ValueError):
    pass


class FieldParser:
    """Turns one REST field value into the simulator's stored value for `project`."""

    def __init__(self, project: Project, find_user: Callable[[dict], User | None],
                 version_id_by_name: Callable[[Project, str], str | None],
                 custom_fields: Mapping[str, catalog.CustomField]):
        self.project = project
        self.custom_fields = custom_fields
        self._find_user = find_user
        self._version_id_by_name = version_id_by_name

    def parse(self, name: str, raw: Any) -> Any:
        if name in self.custom_fields:
            return _custom_value(self.custom_fields[name], raw)
        return getattr(self, f"_parse_{name}")(raw)

    def _parse_summary(self, raw: Any) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise FieldError("You must specify a summary of the issue.")
        if "\n" in raw or len(raw) > 255:
            raise FieldError("The summary is invalid because it contains newline characters or is too long.")
        return raw

    def _parse_description(self, raw: Any) -> str:
        try:
            return adf_to_text(raw)
        except ValueError:
            raise FieldError("Operation value must be a string or an Atlassian Document.") from None

    def _parse_priority(self, raw: Any) -> str:
        for name, priority_id in catalog.PRIORITIES.items():
            if isinstance(raw, dict) and (raw.get("name") == name or str(raw.get("id")) == priority_id):
                return name
        raise FieldError("The priority selected is invalid.")

    def _parse_labels(self, raw: Any) -> list[str]:
        if not isinstance(raw, list) or not all(isinstance(label, str) for label in raw):
            raise FieldError("Operation value must be an array of strings.")
        for label in raw:
            if not label or " " in label:
                raise FieldError(f"The label '{label}' contains spaces which is invalid.")
        return list(dict.fromkeys(raw))

    def _parse_components(self, raw: Any) -> list[str]:
        if not isinstance(raw, list):
            raise FieldError("Operation value must be an array.")
        names = []
        for reference in raw:
            name = next((n for n, c_id in self.project.components.items()
                         if isinstance(reference, dict)
                         and (reference.get("name") == n or str(reference.get("id")) == c_id)),
                        None)
            if name is None:
                raise FieldError(f"Component name '{_reference_text(reference)}' is not valid")
            names.append(name)
        return names

    def _parse_duedate(self, raw: Any) -> str | None:
        if raw is None:
            return None
        if not isinstance(raw, str) or not DATE.match(raw):
            raise FieldError(f"Error parsing date string: {raw}")
        return raw

    def _parse_assignee(self, raw: Any) -> User | None:
        if raw is None:
            return None
        user = self._find_user(raw) if isinstance(raw, dict) else None
        if user is None:
            raise FieldError(f"User '{_reference_text(raw)}' does not exist.")
        return user

    _parse_reporter = _parse_assignee

    def _parse_fixVersions(self, raw: Any) -> list[str]:
        if not isinstance(raw, list):
            raise FieldError("Operation value must be an array.")
        ids = []
        for reference in raw:
            version_id = str(reference["id"]) if isinstance(reference, dict) and "id" in reference else (
                self._version_id_by_name(self.project, reference.get("name", ""))
                if isinstance(reference, dict) else None)
            if version_id is None:
                raise FieldError(f"Version name '{_reference_text(reference)}' is not valid")
            ids.append(version_id)
        return ids


def _custom_value(custom: catalog.CustomField, raw: Any) -> Any:
    if raw is None:
        return None
    if custom.type == "number" and (isinstance(raw, bool) or not isinstance(raw, int | float)):
        raise FieldError("Operation value must be a number")
    if custom.custom_type == catalog.PARAGRAPH_FIELD_TYPE and isinstance(raw, dict):
        try:
            return adf_to_text(raw)  # REST v3 writes a paragraph as an Atlassian document
        except ValueError:
            raise FieldError("Operation value must be a string or an Atlassian Document.") from None
    if custom.type == "string" and not isinstance(raw, str):
        raise FieldError("Operation value must be a string")
    return raw


def _reference_text(reference: Any) -> str:
    if isinstance(reference, dict):
        return str(reference.get("name") or reference.get("accountId") or reference.get("id") or reference)
    return str(reference)


def tracked_values(issue: Issue, cloud: bool, version_name: Callable[[str], str],
                   custom_fields: Mapping[str, catalog.CustomField]) -> dict[str, ChangeItem]:
    """Every changelog-tracked field's (id, display) value, keyed by field id; compare two with `diff`.
    Resolution comes before status, as in Jira's own changelogs."""

    def item(label: str, field_id: str, value: str | None, display: str | None, field_type: str = "jira"):
        return ChangeItem(label, field_id, None, None, value, display, field_type)

    assignee = issue.assignee
    assignee_id = (assignee.account_id if cloud else assignee.name) if assignee else None
    values = [
        item("Key", "key", None, issue.key),
        item("project", "project", issue.project.id, issue.project.name),
        item("summary", "summary", None, issue.summary),
        item("description", "description", None, issue.description or None),
        item("priority", "priority", catalog.PRIORITIES[issue.priority], issue.priority),
        item("labels", "labels", None, " ".join(issue.labels) or None),
        item("Component", "components", None, ", ".join(issue.components) or None),
        item("duedate", "duedate", issue.duedate, issue.duedate),
        item("assignee", "assignee", assignee_id, assignee.display_name if assignee else None),
        item("Fix Version", "fixVersions", ", ".join(issue.fix_versions) or None,
             ", ".join(version_name(v) for v in issue.fix_versions) or None),
        item("resolution", "resolution", catalog.RESOLUTIONS.get(issue.resolution or ""), issue.resolution),
        item("status", "status", catalog.STATUSES[issue.status].id, issue.status),
    ]
    for custom in custom_fields.values():
        value = issue.custom.get(custom.id)
        values.append(item(custom.name, custom.id, None, None if value is None else str(value), "custom"))
    return {value.field_id: value for value in values}


def diff(before: dict[str, ChangeItem], after: dict[str, ChangeItem]) -> tuple[ChangeItem, ...]:
    changed = []
    for field_id, new in after.items():
        old = before.get(field_id)
        old_pair = (old.to_value, old.to_string) if old else (None, None)
        if old_pair != (new.to_value, new.to_string):
            changed.append(ChangeItem(new.field, new.field_id, old_pair[0], old_pair[1],
                                      new.to_value, new.to_string, new.field_type))
    return tuple(changed)
