"""A proactive notice, decided: who of the customers a search found is told (and why each of the
others is not), and the ticket each one gets. Pure: no I/O.

Each customer the search found is told unless, checked in this order:
- `not_a_customer`: an agent or admin, not an end user;
- `inactive`: deleted in Zendesk;
- `suspended`: suspended in Zendesk;
- `no_email`: Zendesk has no email address to reach them at;
- `opted_out`: the user or their organization carries the opt-out tag (`proactive.opt_out_tag`);
- `already_linked`: they wrote in about the problem already (a requester of a ticket linked to it);
- `already_notified`: an earlier proactive notice of the problem told them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bridge.domain.bridge_tickets import PROACTIVE_TAG, proactive_external_id
from bridge.domain.ports import Customer
from bridge.planning.facts import ProblemFacts
from bridge.planning.templates import Rendered, first_name, render_or_default, template_context
from bridge.rules.ruleset import Rule
from bridge.rules.templates import RuleTemplate

NOT_A_CUSTOMER, INACTIVE, SUSPENDED, NO_EMAIL = "not_a_customer", "inactive", "suspended", "no_email"
OPTED_OUT, ALREADY_LINKED, ALREADY_NOTIFIED = "opted_out", "already_linked", "already_notified"
EXCLUSIONS = {
    NOT_A_CUSTOMER: "agents and admins, not end users",
    INACTIVE: "deleted in Zendesk",
    SUSPENDED: "suspended in Zendesk",
    NO_EMAIL: "no email address in Zendesk",
    OPTED_OUT: "the opt-out tag on the user or their organization",
    ALREADY_LINKED: "wrote in about the problem already",
    ALREADY_NOTIFIED: "told by an earlier proactive notice of the problem",
}
DEFAULT_SUBJECT = "A known issue that may affect you"


@dataclass(frozen=True)
class Audience:
    recipients: tuple[Customer, ...]
    excluded: Mapping[str, tuple[Customer, ...]]  # reason -> the customers left out for it

    @property
    def excluded_counts(self) -> dict[str, int]:
        return {reason: len(customers) for reason, customers in self.excluded.items() if customers}


def exclusion(customer: Customer, opt_out_tag: str, linked_requesters: Collection[int],
              already_notified: Collection[int]) -> str | None:
    """Why the customer is not told, None if they are."""
    checks = (
        (NOT_A_CUSTOMER, customer.role != "end-user"),
        (INACTIVE, not customer.active),
        (SUSPENDED, customer.suspended),
        (NO_EMAIL, not customer.email),
        (OPTED_OUT, opt_out_tag in customer.tags or opt_out_tag in customer.organization_tags),
        (ALREADY_LINKED, customer.id in linked_requesters),
        (ALREADY_NOTIFIED, customer.id in already_notified),
    )
    return next((reason for reason, applies in checks if applies), None)


def choose_audience(found: Sequence[Customer], opt_out_tag: str, linked_requesters: Collection[int],
                    already_notified: Collection[int]) -> Audience:
    """The customers to tell, in id order (each once), and those left out by reason."""
    recipients: dict[int, Customer] = {}
    excluded: dict[str, dict[int, Customer]] = {reason: {} for reason in EXCLUSIONS}
    for customer in found:
        reason = exclusion(customer, opt_out_tag.lower(), linked_requesters, already_notified)
        (excluded[reason] if reason else recipients)[customer.id] = customer
    return Audience(tuple(recipients[user_id] for user_id in sorted(recipients)),
                    {reason: tuple(people[user_id] for user_id in sorted(people))
                     for reason, people in excluded.items()})


def notice_tag(notice_id: int) -> str:
    """On every ticket of one notice: how a resumed run finds the tickets already created."""
    return f"{PROACTIVE_TAG}_{notice_id}"


def default_message(name: str | None, facts: ProblemFacts) -> str:
    greeting = f"Hi {first_name(name)}," if first_name(name) else "Hello,"
    reference = f" (reference {facts.problem.jira_key})" if facts.problem.jira_key else ""
    return "\n\n".join([
        greeting,
        f"We have found a problem that may affect you{reference}, and our team is working on it.",
        "You do not need to do anything now. If you notice it, reply to this message and we will help.",
    ])


@dataclass(frozen=True)
class ProactiveMessage:
    """The ticket each customer of one notice gets; `rule` is None when the problem's rule is no
    longer configured (the default text is used then)."""

    notice_id: int
    subject: RuleTemplate | None
    body: RuleTemplate | None
    rule: Rule | None
    facts: ProblemFacts
    status: str = "solved"

    def _render(self, template: RuleTemplate | None, default: str, name: str | None, where: str) -> Rendered:
        if self.rule is None:
            return Rendered(default)
        context = template_context(self.rule, self.facts, jira_key=self.facts.problem.jira_key)
        context["customer"] = {"name": name or "", "first_name": first_name(name)}
        return render_or_default(template, context, default, where)

    def texts(self, name: str | None) -> tuple[str, str, list[str]]:
        """(subject, body, template errors) for one customer."""
        subject = self._render(self.subject, DEFAULT_SUBJECT, name, "proactive notice subject")
        body = self._render(self.body, default_message(name, self.facts), name, "proactive notice message")
        return subject.text.strip(), body.text, [r.error for r in (subject, body) if r.error]

    def ticket(self, user_id: int, name: str | None) -> tuple[dict, list[str]]:
        """The new ticket for one customer, marked as the bridge's own (never a customer's
        report), and the template errors met writing it."""
        subject, body, errors = self.texts(name)
        return {"subject": subject[:250], "comment": {"body": body, "public": True}, "requester_id": user_id,
                "status": self.status, "tags": [PROACTIVE_TAG, notice_tag(self.notice_id)],
                "external_id": proactive_external_id(self.notice_id, user_id)}, errors
