"""Compile a rule's `match` conditions into a predicate over a TicketView, and find the tags a
match requires (so a rule set can skip rules a ticket's tags already rule out)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.rules.conditions import Condition, TagCondition, TextCondition, ValueCondition
from bridge.rules.fields import FieldRef
from bridge.rules.text import searched_part
from bridge.rules.ticket_view import TicketView

Predicate = Callable[[TicketView], bool]
TEXT_PARTS = ("text", "subject", "description")
VALUE_FIELDS = ("status", "priority", "type", "channel", "brand", "group", "form", "organization",
                "requester_domain")


def compile_condition(condition: Condition) -> Predicate:
    checks = [compile_condition(child) for child in condition.all_of or ()]
    if condition.any_of:
        alternatives = [compile_condition(child) for child in condition.any_of]
        checks.append(lambda view: any(check(view) for check in alternatives))
    if condition.not_ is not None:
        negated = compile_condition(condition.not_)
        checks.append(lambda view: not negated(view))
    if condition.tags is not None:
        checks.insert(0, _tags_predicate(condition.tags))  # cheapest first
    for part in TEXT_PARTS:
        if getattr(condition, part) is not None:
            checks.append(_text_predicate(getattr(condition, part), part))
    for name in VALUE_FIELDS:
        if getattr(condition, name) is not None:
            checks.append(_value_predicate(getattr(condition, name), FieldRef(name)))
    for field_id, value_condition in (condition.custom_fields or {}).items():
        checks.append(_value_predicate(value_condition, FieldRef(f"custom_fields.{field_id}", field_id)))
    if len(checks) == 1:
        return checks[0]
    return lambda view: all(check(view) for check in checks)


def _tags_predicate(condition: TagCondition) -> Predicate:
    any_of = frozenset(t.lower() for t in condition.any_of or ())
    all_of = frozenset(t.lower() for t in condition.all_of or ())
    none_of = frozenset(t.lower() for t in condition.none_of or ())

    def check(view: TicketView) -> bool:
        tags = view.tags
        return ((not any_of or not any_of.isdisjoint(tags)) and all_of <= tags
                and none_of.isdisjoint(tags))
    return check


def _text_predicate(condition: TextCondition, part: str) -> Predicate:
    any_of, all_of, none_of = condition.any_of, condition.all_of or (), condition.none_of or ()
    regexes = condition.regex or ()

    def check(view: TicketView) -> bool:
        folded = view.folded(part)
        if any_of is not None and not any(needle in folded for needle in any_of):
            return False
        if not all(needle in folded for needle in all_of):
            return False
        if any(needle in folded for needle in none_of):
            return False
        return all(regex.search(view.plain(part)) for regex in regexes)
    return check


def _as_strings(value: Any) -> list[str]:
    """A field value as casefolded strings (a multi-select list gives several); none if unset."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return [_scalar_text(v) for v in values if v is not None and v != ""]


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).casefold()


def _value_predicate(condition: ValueCondition, field: FieldRef) -> Predicate:
    equals = None if condition.equals is None else _scalar_text(condition.equals)
    in_ = None if condition.in_ is None else frozenset(_scalar_text(v) for v in condition.in_)
    regexes, exists = condition.regex or (), condition.exists

    def check(view: TicketView) -> bool:
        values = _as_strings(field.read(view.ticket))
        if exists is not None and bool(values) != exists:
            return False
        if equals is not None and equals not in values:
            return False
        if in_ is not None and in_.isdisjoint(values):
            return False
        return all(any(regex.search(searched_part(v)) for v in values) for regex in regexes)
    return check


def required_tags(condition: Condition) -> frozenset[str] | None:
    """Tags of which a ticket must have at least one for `condition` to hold; None if no such set."""
    candidates: list[frozenset[str]] = []
    if condition.tags is not None:
        if condition.tags.all_of:
            candidates.append(frozenset({condition.tags.all_of[0].lower()}))
        if condition.tags.any_of:
            candidates.append(frozenset(t.lower() for t in condition.tags.any_of))
    candidates += [tags for child in condition.all_of or () if (tags := required_tags(child)) is not None]
    if condition.any_of:
        alternatives = [required_tags(child) for child in condition.any_of]
        present = [tags for tags in alternatives if tags is not None]
        if len(present) == len(alternatives):
            candidates.append(frozenset().union(*present))
    return min(candidates, key=len) if candidates else None
