"""Agents' tags: links to existing Jira issues and escalations, in default and custom formats."""

from bridge.config.settings import TagSettings, TeamSettings
from bridge.planning.agent_tags import (
    EscalationRequest,
    IssueLinkRequest,
    read_agent_tag_changes,
    read_agent_tags,
)
from tests.planning.conftest import TEAMS

DEFAULT = TagSettings()


def test_default_formats():
    tags = ["vip", "jira_eng_123", "escalate_finance", "JIRA_FIN_0042", "jira_xyz_1", "escalate_marketing",
            "jira_eng", "jira_eng_123"]
    read = read_agent_tags(tags, DEFAULT, TEAMS)
    assert read.issue_links == (IssueLinkRequest("jira_eng_123", "ENG-123", "engineering"),
                                IssueLinkRequest("jira_fin_0042", "FIN-42", "finance"))
    assert read.escalations == (EscalationRequest("escalate_finance", "finance"),)
    assert read.unknown == ("jira_xyz_1", "escalate_marketing")


def test_custom_formats_and_project_keys_with_digits_and_underscores():
    formats = TagSettings(link_to_issue="issue-{project}-{number}", escalate="{team}_needs_help")
    teams = {"Web_App": TeamSettings(project="WEB2"), "billing": TeamSettings(project="MY_PROJ")}
    read = read_agent_tags(["issue-web2-7", "issue-my_proj-8", "web_app_needs_help", "jira_web2_7",
                            "escalate_billing"], formats, teams)
    assert [link.key for link in read.issue_links] == ["WEB2-7", "MY_PROJ-8"]
    assert read.escalations == (EscalationRequest("web_app_needs_help", "Web_App"),)
    assert read.unknown == ()


def test_a_project_shared_by_two_teams_goes_to_the_first():
    teams = {"frontend": TeamSettings(project="ENG"), "backend": TeamSettings(project="ENG")}
    assert read_agent_tags(["jira_eng_1"], DEFAULT, teams).issue_links[0].team == "frontend"


def test_a_tag_change():
    changes = read_agent_tag_changes(added=["jira_eng_5", "escalate_engineering", "vip"],
                                     removed=["jira_fin_9", "escalate_engineering"],
                                     formats=DEFAULT, teams=TEAMS)
    assert [link.key for link in changes.link.issue_links] == ["ENG-5"]
    assert changes.link.escalations == ()  # added and removed at once: nothing to do
    assert [link.key for link in changes.unlink.issue_links] == ["FIN-9"]
    assert changes.unlink.escalations == ()
