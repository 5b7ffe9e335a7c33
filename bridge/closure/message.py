"""What a customer hears when the fix ships: the rule's `zendesk.on_fix` reply (a sandboxed
template that may use the requester's name, the fix version and the Jira key) or a default, the
status and tags the ticket gets, and the follow-up ticket that carries the reply to a closed ticket.
Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from bridge.domain.bridge_tickets import FOLLOWUP_TAG, followup_external_id
from bridge.planning.facts import ProblemFacts
from bridge.planning.templates import Rendered, first_name, render_or_default, template_context
from bridge.rules.ruleset import Rule
from bridge.rules.schema import OnFix

DEFAULT_STATUS = "solved"
# Template names whose value differs from ticket to ticket: a reply using them is personalised.
PER_TICKET_VARIABLES = frozenset({"requester", "ticket"})


def closure_tag(closure_id: int) -> str:
    """Added by every update and follow-up of one closure: how a retry recognises what already landed."""
    return f"bridge_notified_{closure_id}"


def default_reply(requester_name: str | None, fix_version: str | None, jira_key: str | None) -> str:
    greeting = f"Hi {first_name(requester_name)}," if first_name(requester_name) else "Hello,"
    shipped = f"in version {fix_version}" if fix_version else "and the fix is live"
    reference = f" (reference {jira_key})" if jira_key else ""
    return "\n\n".join([
        greeting,
        f"Good news: the problem you reported has been fixed {shipped}{reference}.",
        "If anything still does not work as it should, reply to this message and we will look into it again.",
    ])


@dataclass(frozen=True)
class ClosureMessage:
    """The reply of one closure; `rule` is None when the problem's rule is no longer configured."""

    closure_id: int
    rule: Rule | None
    facts: ProblemFacts
    fix_version: str | None

    @property
    def on_fix(self) -> OnFix:
        return (self.rule.spec.zendesk.on_fix if self.rule else None) or OnFix()

    @property
    def personalised(self) -> bool:
        """Different text per ticket (batch form, one change per ticket) or one text for all (?ids= form)."""
        template = self.on_fix.public_reply
        return template is None or bool(template.variables & PER_TICKET_VARIABLES)

    @property
    def status(self) -> str:
        return self.on_fix.status or DEFAULT_STATUS

    @property
    def tags(self) -> list[str]:
        return list(dict.fromkeys([*self.on_fix.tags, closure_tag(self.closure_id)]))

    def text(self, requester_name: str | None = None, ticket_id: int | None = None) -> Rendered:
        problem = self.facts.problem
        default = default_reply(requester_name, self.fix_version, problem.jira_key)
        if self.rule is None:
            return Rendered(default)
        context = template_context(self.rule, self.facts, jira_key=problem.jira_key, fix_version=self.fix_version)
        context |= {"requester": {"name": requester_name or "", "first_name": first_name(requester_name)},
                    "ticket": {"id": ticket_id}, "fix_version": self.fix_version}
        return render_or_default(self.on_fix.public_reply, context, default,
                                 f"rule {self.rule.name}: zendesk.on_fix.public_reply")

    def ticket_update(self, body: str) -> dict:
        """The change on an open ticket: the public reply, the status, the tags."""
        return {"comment": {"body": body, "public": True}, "status": self.status, "additional_tags": self.tags}

    def followup(self, source_ticket_id: int, requester_id: int | None, body: str) -> dict:
        """A new, solved ticket for a closed one's requester, linked to it as its follow-up, and
        marked as the bridge's own (bridge/domain/bridge_tickets.py): never a customer's report."""
        ticket = {"subject": f"Update on your request #{source_ticket_id}",
                  "comment": {"body": body, "public": True}, "status": "solved",
                  "tags": [*self.tags, FOLLOWUP_TAG],
                  "via_followup_source_id": source_ticket_id,
                  "external_id": followup_external_id(self.closure_id, source_ticket_id)}
        if requester_id is not None:
            ticket["requester_id"] = requester_id
        return ticket
