"""`bridge check` against the live Jira: do the projects, issue types, components, priorities and
custom fields that the config and the rules name exist there? Each problem names its config key
(`teams.engineering.project`) or its rule (`rules/billing.yaml:24: rule billing-double-charge`).
And is the webhook wired (`jira_wiring.py`)?"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bridge.checks.jira_wiring import AUTH_FAILED, wiring_problems
from bridge.checks.reachability import unreachable
from bridge.config.settings import Settings, TeamSettings
from bridge.rules import RuleSet
from bridge.rules.schema import JiraSpec
from bridge.setup.jira import jira_wiring, open_client
from connectors.jira.client import JiraClient
from connectors.jira.errors import JiraError


@dataclass(frozen=True)
class JiraProject:
    key: str
    issue_types: tuple[str, ...]
    components: tuple[str, ...]


@dataclass(frozen=True)
class JiraCatalog:
    """What the configured Jira has, as far as the bridge's settings depend on it."""

    project_keys: tuple[str, ...]  # every project the credentials can see
    projects: dict[str, JiraProject]  # details of those the config names
    priorities: tuple[str, ...]
    fields: dict[str, str]  # field id -> name
    field_types: dict[str, str] = field(default_factory=dict)  # field id -> its schema's type (number, string...)


def check_jira(settings: Settings, rules: RuleSet | None, public_url: str | None = None) -> list[str]:
    """Problems found in Jira; one line when Jira cannot be reached or refuses the credentials.
    Without valid rules (None) only the config's own keys are checked. Without a `public_url`
    the webhook's address is checked by its path only."""
    try:
        with open_client(settings) as client:
            catalog = read_catalog(client, {team.project for team in settings.teams.values()})
            wiring = wiring_problems(client, jira_wiring(settings, public_url))
    except JiraError as error:
        return [_unusable(settings, error)]
    return jira_problems(settings, rules or (), catalog) + wiring


def read_catalog(client: JiraClient, wanted_projects: Iterable[str]) -> JiraCatalog:
    keys = tuple(sorted(project["key"] for project in client.projects()))
    projects = {}
    for key in sorted(set(wanted_projects) & set(keys)):
        raw = client.project(key)
        projects[key] = JiraProject(key, tuple(t["name"] for t in raw.get("issueTypes", [])),
                                    tuple(c["name"] for c in raw.get("components", [])))
    priorities = tuple(priority["name"] for priority in client.priorities())
    every = client.fields()
    names = {described["id"]: described.get("name", "") for described in every}
    types = {described["id"]: str((described.get("schema") or {}).get("type", "")) for described in every}
    return JiraCatalog(keys, projects, priorities, names, types)


def jira_problems(settings: Settings, rules: Iterable, catalog: JiraCatalog) -> list[str]:
    problems: list[str] = []
    for name, team in settings.teams.items():
        where = f"teams.{name}"
        if team.project not in catalog.projects:
            problems.append(f"{where}.project: Jira has no project {team.project!r} "
                            f"(projects: {_listing(catalog.project_keys)})")
        problems += _team_problems(where, team, catalog)
    for rule in rules:
        team = settings.teams[rule.team]
        problems += [f"{rule.location}: rule {rule.name}: {problem}"
                     for problem in _rule_problems(rule.spec.jira, team, catalog)]
    problems += _field_problems(settings, catalog)
    return problems


def _team_problems(where: str, team: TeamSettings, catalog: JiraCatalog) -> list[str]:
    return [f"{where}.{problem}" for problem in (
        _project_problems(team.project, team.issue_type, team.components, catalog)
        + _priority_problems([("priority", team.priority), *_due_priorities("due", team.due)], catalog))]


def _rule_problems(spec: JiraSpec, team: TeamSettings, catalog: JiraCatalog) -> list[str]:
    priorities = [("priority", spec.priority), *_due_priorities("due", spec.due)]
    for i, step in enumerate(spec.escalation):
        priorities += [(f"escalation[{i}].priority", step.priority)]
        priorities += _due_priorities(f"escalation[{i}].due", step.due)
    return [f"jira.{problem}" for problem in (
        _project_problems(team.project, spec.issue_type, spec.components, catalog)
        + _priority_problems(priorities, catalog))]


def _project_problems(key: str, issue_type: str | None, components: Sequence[str],
                      catalog: JiraCatalog) -> list[str]:
    project = catalog.projects.get(key)
    if project is None:  # reported once, on the team's `project`
        return []
    problems = []
    if issue_type is not None and issue_type not in project.issue_types:
        problems.append(f"issue_type: Jira project {key} has no issue type {issue_type!r} "
                        f"(issue types: {_listing(project.issue_types)})")
    problems += [f"components[{i}]: Jira project {key} has no component {name!r} "
                 f"(components: {_listing(project.components)})"
                 for i, name in enumerate(components) if name not in project.components]
    return problems


def _due_priorities(key: str, due) -> list[tuple[str, str]]:
    """The priority names a due map ({priority: policy}) is keyed by."""
    return [(f"{key}.{priority}", priority) for priority in due] if isinstance(due, dict) else []


def _priority_problems(named: list[tuple[str, str | None]], catalog: JiraCatalog) -> list[str]:
    return [f"{key}: Jira has no priority {name!r} (priorities: {_listing(catalog.priorities)})"
            for key, name in named if name is not None and name not in catalog.priorities]


def _field_problems(settings: Settings, catalog: JiraCatalog) -> list[str]:
    custom = [f"{field_id} {name}" for field_id, name in catalog.fields.items() if field_id.startswith("customfield_")]
    problems = []
    for key, field_id in settings.jira.fields.model_dump().items():
        if field_id is None:
            continue
        if field_id not in catalog.fields:
            problems.append(f"jira.fields.{key}: Jira has no field {field_id!r} (custom fields: {_listing(custom)})")
        elif key == "workaround" and catalog.field_types.get(field_id, "string") != "string":
            problems.append(f"jira.fields.workaround: Jira field {field_id} ({catalog.fields[field_id]}) holds a "
                            f"{catalog.field_types[field_id]}, not text; name a paragraph field (`bridge setup jira "
                            "--fields` creates one)")
    return problems


def _unusable(settings: Settings, error: JiraError) -> str:
    jira = settings.jira
    if error.status in AUTH_FAILED:
        credentials = "jira.email and jira.api_token" if jira.email else "jira.api_token"
        return f"jira: Jira at {jira.url} refused the credentials (HTTP {error.status}): check {credentials}"
    if error.status is None:
        return f"jira.url: {unreachable(jira.url, error)}"
    return f"jira: Jira at {jira.url} answered HTTP {error.status}: {error.message}"


def _listing(names: Iterable[str]) -> str:
    return ", ".join(names) or "none"
