"""What the bridge writes when a problem meets Jira and Zendesk, decided by pure functions: due
dates, escalations, the Jira issue's content, the changes on linked tickets, agents' tags.
Nothing here does I/O; the worker's actions call these and carry out the result."""

from bridge.planning.agent_tags import AgentTagChanges, AgentTags, read_agent_tag_changes, read_agent_tags
from bridge.planning.due import add_business_days, choose_due_policy, due_date
from bridge.planning.escalation import EscalationResult, escalate, escalation_comment, escalation_marker
from bridge.planning.facts import ProblemFacts
from bridge.planning.impact import impact_field_values, render_impact_section, replace_impact_section
from bridge.planning.issue_content import IssuePlan, plan_issue, problem_label
from bridge.planning.ticket_link import LinkUpdate, link_changes, link_tag, unlink_changes

__all__ = [
    "AgentTagChanges", "AgentTags", "EscalationResult", "IssuePlan", "LinkUpdate", "ProblemFacts",
    "add_business_days", "choose_due_policy", "due_date", "escalate", "escalation_comment",
    "escalation_marker", "impact_field_values", "link_changes", "link_tag", "plan_issue", "problem_label",
    "read_agent_tag_changes", "read_agent_tags", "render_impact_section", "replace_impact_section",
    "unlink_changes",
]
