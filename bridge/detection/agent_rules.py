"""Rules the config implies for agents' tags, beside the admin's rule files.

- `agent-escalation.<team>`: a ticket tagged with the team's escalate tag (`escalate_engineering`)
  is a problem on its own (threshold 1, one problem per ticket) routed to that team; removing the
  tag makes the ticket leave it, like any rule that stops matching.
- `agent-link.<team>`: the rule a problem opened by an agent's link tag (`jira_eng_123`) is planned
  and linked with. Link tags name an issue rather than describe tickets, so detection handles them
  itself (bridge/detection/detector.py); this rule is disabled, never matched.
"""

from __future__ import annotations

from bridge.config.settings import Settings
from bridge.rules import Rule
from bridge.rules.schema import RuleSpec
from bridge.rules.validated import ValidationContext

SOURCE = "(implied by the config's tags and teams)"


def escalation_rule_name(team: str) -> str:
    return f"agent-escalation.{team}"


def link_rule_name(team: str) -> str:
    return f"agent-link.{team}"


def agent_rules(settings: Settings) -> list[Rule]:
    context = ValidationContext(frozenset(settings.teams), dict(settings.custom_fields))
    rules = []
    for team in settings.teams:
        escalate_tag = settings.tags.escalate.format(team=team)
        link_tag = settings.tags.link_to_issue.format(project=settings.teams[team].project, number="n")
        specs = [
            {"name": escalation_rule_name(team), "team": team,
             "description": f"Escalated to {team} by an agent (tag {escalate_tag})",
             "match": {"tags": {"any": [escalate_tag]}}, "group_by": "ticket",
             "threshold": {"count": 1, "of": "tickets", "window": "1d"}},
            {"name": link_rule_name(team), "team": team, "enabled": False,
             "description": f"Linked to a {team} Jira issue by agents (tags like {link_tag})",
             "match": {"tags": {"any": [link_tag]}},
             "threshold": {"count": 1, "of": "tickets", "window": "1d"}},
        ]
        rules += [Rule.from_spec(RuleSpec.model_validate(spec, context=context), SOURCE) for spec in specs]
    return rules
