"""`bridge rules check`: warn when the bridge's own words for a rule match that rule: the fix reply
(as the follow-up ticket of a closed ticket carries it) or the internal note on linked tickets.

The bridge never evaluates its own tickets and comments (bridge/domain/bridge_tickets.py), so this
no longer reopens the loop; but such wording counts wherever it is quoted back: a customer who
pastes the reply into a new ticket, an agent who copies it into a macro, `bridge rules test` on
exported tickets. Rendered with sample facts; matched by the rule's normal entry point."""

from __future__ import annotations

from datetime import UTC, datetime

from bridge.closure.message import ClosureMessage
from bridge.config.settings import Settings
from bridge.domain.events import TicketSnapshot
from bridge.domain.problems import FIXED, Problem
from bridge.planning.facts import ProblemFacts
from bridge.planning.links import jira_issue_url
from bridge.planning.ticket_link import link_changes
from bridge.rules import RuleSet
from bridge.rules.ruleset import Rule

SAMPLE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SAMPLE_JIRA_KEY, SAMPLE_FIX_VERSION, SAMPLE_REQUESTER = "PROJ-123", "1.0", "Alex Doe"
SAMPLE_TICKET, SAMPLE_FOLLOWUP = 1001, 1002


def own_words_matching_their_rule(ruleset: RuleSet, settings: Settings) -> list[str]:
    """One warning per enabled rule and text that matches it."""
    warnings = []
    for rule in ruleset:
        if not rule.spec.enabled:
            continue
        for where, ticket in _own_words(rule, settings):
            if rule.matches(ticket):
                warnings.append(f"{rule.location}: rule {rule.name}: {where} matches the rule itself; "
                                f"reword it so that quoting it back does not report the problem again")
    return warnings


def _own_words(rule: Rule, settings: Settings) -> list[tuple[str, TicketSnapshot]]:
    facts = ProblemFacts(Problem(id=1, rule=rule.name, group_key="", team=rule.team, state=FIXED,
                                 detected_at=SAMPLE_TIME, opened_at=SAMPLE_TIME, updated_at=SAMPLE_TIME,
                                 ticket_count=3, requester_count=3, organization_count=1,
                                 jira_key=SAMPLE_JIRA_KEY, fixed_at=SAMPLE_TIME, fix_version=SAMPLE_FIX_VERSION))
    message = ClosureMessage(0, rule, facts, SAMPLE_FIX_VERSION)
    reply = message.text(SAMPLE_REQUESTER, SAMPLE_TICKET).text
    followup = message.followup(SAMPLE_TICKET, None, reply)
    zendesk = rule.spec.zendesk
    reply_name = "zendesk.on_fix.public_reply" if message.on_fix.public_reply else "the default fix reply"
    note = link_changes(rule, facts, SAMPLE_JIRA_KEY, jira_issue_url(settings.jira.browse_base, SAMPLE_JIRA_KEY),
                        None, settings).changes["comment"]["body"]
    note_name = "zendesk.internal_note" if zendesk.internal_note else "the default internal note"
    return [
        (f"{reply_name} (on its follow-up ticket)",
         TicketSnapshot(id=SAMPLE_FOLLOWUP, subject=followup["subject"], description=reply,
                        status=followup["status"], tags=tuple(followup["tags"]))),
        (note_name, TicketSnapshot(id=SAMPLE_TICKET, description=note)),
    ]
