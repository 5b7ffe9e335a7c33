"""Loaded rules ready to evaluate: `Rule` (one validated rule plus its compiled predicate) and
`RuleSet` (all rules, indexed by the tags they require)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from bridge.domain.events import TicketSnapshot
from bridge.rules.fields import FieldRef
from bridge.rules.matching import Predicate, compile_condition, required_tags
from bridge.rules.schema import RuleSpec
from bridge.rules.ticket_view import TicketView

if TYPE_CHECKING:
    from bridge.rules.rule_files import RuleFiles

NO_GROUP = "(none)"  # group key part of a ticket that lacks the group_by field
COUNTED_ATTRIBUTE = {"tickets": "id", "requesters": "requester_id", "organizations": "organization_id"}


def counted_key(ticket: TicketSnapshot, of: str) -> str | None:
    """The ticket's id, requester id or organization id (`of` a threshold mode) as text, or None."""
    value = getattr(ticket, COUNTED_ATTRIBUTE[of])
    return None if value is None else str(value)


@dataclass(frozen=True, eq=False)
class Rule:
    spec: RuleSpec
    file: str
    line: int | None
    predicate: Predicate = field(repr=False)
    required_tags: frozenset[str] | None

    @classmethod
    def from_spec(cls, spec: RuleSpec, file: str = "", line: int | None = None) -> Rule:
        return cls(spec, file, line, compile_condition(spec.match), required_tags(spec.match))

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def team(self) -> str:
        return self.spec.team

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def matches(self, ticket: TicketSnapshot | TicketView) -> bool:
        return self.predicate(ticket if isinstance(ticket, TicketView) else TicketView(ticket))

    def group_key(self, ticket: TicketSnapshot) -> str:
        """"" without group_by; else each part's value (`(none)` when unset) joined by `|`."""
        return "|".join(_group_part(part, ticket) for part in self.spec.group_by or ())

    def counting_key(self, ticket: TicketSnapshot) -> str | None:
        """What the threshold counts for this ticket; None (not counted) if the ticket lacks it."""
        return counted_key(ticket, self.spec.threshold.of)

    def template_context(self, group_key: str, tickets: Sequence[TicketSnapshot], count: int,
                         **problem: Any) -> dict[str, Any]:
        """What problem-side templates see: `problem`, `rule`, `tickets` (dicts), `count`.
        `problem` holds rule, team, group and count plus whatever the caller adds (id, url...)."""
        rule = {"name": self.name, "description": self.spec.description, "team": self.team}
        return {
            "problem": {"rule": self.name, "team": self.team, "group": group_key, "count": count, **problem},
            "rule": rule,
            "tickets": [asdict(ticket) for ticket in tickets],
            "count": count,
        }


def _group_part(part, ticket: TicketSnapshot) -> str:
    if isinstance(part, FieldRef):
        value = part.read(ticket)
        values = value if isinstance(value, (list, tuple)) else [value]
        text = ",".join(sorted(str(v) for v in values if v is not None and v != ""))
    else:
        text = part.render(ticket=ticket).strip()
    return text or NO_GROUP


def _fields_read_by_condition(condition) -> set[str]:
    """Snapshot fields a match condition reads that ticket events may not carry."""
    if condition is None:
        return set()
    fields = set()
    if condition.custom_fields:
        fields.add("custom_fields")
    if condition.requester_domain is not None:
        fields.add("requester_email")
    for child in [*(condition.all_of or ()), *(condition.any_of or ()), condition.not_]:
        fields |= _fields_read_by_condition(child)
    return fields


def _fields_read_by_group(part) -> set[str]:
    if not isinstance(part, FieldRef):
        return {"custom_fields", "requester_email"}  # a template may read anything
    if part.custom_id is not None:
        return {"custom_fields"}
    return {"requester_email"} if part.name == "requester_domain" else set()


class RuleSet:
    """Rules in file order. `matching` evaluates only the rules a ticket's tags do not rule out."""

    def __init__(self, rules: Sequence[Rule], files: RuleFiles | None = None):
        self.rules = tuple(rules)
        self.files = files
        self._always: list[tuple[int, Rule]] = []
        self._by_tag: dict[str, list[tuple[int, Rule]]] = {}
        for position, rule in enumerate(self.rules):
            if not rule.spec.enabled:
                continue
            if rule.required_tags is None:
                self._always.append((position, rule))
            for tag in rule.required_tags or ():
                self._by_tag.setdefault(tag, []).append((position, rule))

    @property
    def fields_needing_lookup(self) -> frozenset[str]:
        """Of the fields ticket events leave out (custom fields, requester email), those some
        enabled rule reads: when a ticket's snapshot lacks them, they are read from Zendesk."""
        fields: set[str] = set()
        for rule in self.rules:
            if rule.spec.enabled:
                fields |= _fields_read_by_condition(rule.spec.match)
                for part in rule.spec.group_by or ():
                    fields |= _fields_read_by_group(part)
        return frozenset(fields)

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self):
        return iter(self.rules)

    def by_name(self, name: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.name == name), None)

    def matching(self, ticket: TicketSnapshot) -> list[Rule]:
        """Enabled rules whose match holds for `ticket`, in file order."""
        view = TicketView(ticket)
        candidates = dict(self._always)
        for tag in view.tags:
            candidates.update(self._by_tag.get(tag, ()))
        return [rule for _, rule in sorted(candidates.items(), key=lambda item: item[0])
                if rule.predicate(view)]
