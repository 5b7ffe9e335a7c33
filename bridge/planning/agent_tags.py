"""Tags agents add by hand, read with the configured formats (`tags.link_to_issue`,
`tags.escalate`): `jira_eng_123` asks to link the ticket to ENG-123, `escalate_engineering` to
open a problem for it routed to that team; removing the tag asks to unlink it again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bridge.config.settings import TagSettings, TeamSettings


@dataclass(frozen=True)
class IssueLinkRequest:
    tag: str
    key: str  # the Jira issue key, project as the config spells it: ENG-123
    team: str  # the first team (in config order) whose project it is


@dataclass(frozen=True)
class EscalationRequest:
    tag: str
    team: str


@dataclass(frozen=True)
class AgentTags:
    issue_links: tuple[IssueLinkRequest, ...] = ()
    escalations: tuple[EscalationRequest, ...] = ()
    # Tags in one of the formats that name a project or team the config does not have (to log).
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgentTagChanges:
    link: AgentTags  # from tags added by the change
    unlink: AgentTags  # from tags removed by it


def read_agent_tags(tags: Iterable[str], formats: TagSettings, teams: Mapping[str, TeamSettings]) -> AgentTags:
    """The link and escalation requests among `tags`, in their order; other tags are ignored.
    Projects and team names match in any case (Zendesk lower-cases tags)."""
    teams_by_project: dict[str, str] = {}
    for name, team in teams.items():
        teams_by_project.setdefault(team.project.casefold(), name)
    teams_by_name = {name.casefold(): name for name in teams}
    links, escalations, unknown = [], [], []
    for tag in dict.fromkeys(tag.strip().lower() for tag in tags):
        link = formats.link_to_issue.parse(tag)
        escalation = formats.escalate.parse(tag)
        if link is not None and link["project"] in teams_by_project:
            team_name = teams_by_project[link["project"]]
            links.append(IssueLinkRequest(tag, f"{teams[team_name].project}-{int(link['number'])}", team_name))
        elif escalation is not None and escalation["team"] in teams_by_name:
            escalations.append(EscalationRequest(tag, teams_by_name[escalation["team"]]))
        elif link is not None or escalation is not None:
            unknown.append(tag)
    return AgentTags(tuple(links), tuple(escalations), tuple(unknown))


def read_agent_tag_changes(added: Iterable[str], removed: Iterable[str], formats: TagSettings,
                           teams: Mapping[str, TeamSettings]) -> AgentTagChanges:
    """Requests from one tag change; a tag both added and removed in it cancels out."""
    added_tags = {tag.strip().lower() for tag in added}
    removed_tags = {tag.strip().lower() for tag in removed}
    return AgentTagChanges(
        read_agent_tags(sorted(added_tags - removed_tags), formats, teams),
        read_agent_tags(sorted(removed_tags - added_tags), formats, teams),
    )
