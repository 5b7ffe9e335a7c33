"""The `match:` part of a rule: conditions over a ticket snapshot, combined with all/any/not.

Keys of one condition mapping must all hold (an implicit `all`); rules/billing.yaml explains them
for admins, and `matching.py` turns these models into predicates.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from bridge.rules.fields import ALLOWED_VALUES
from bridge.rules.validated import AtLeastOneKeyModel, CustomFieldKey, Keywords, Regexes, Scalar, rule_error


class TagCondition(AtLeastOneKeyModel):
    """Ticket tags (compared lower-case): has any of, has all of, has none of."""

    any_of: list[str] | None = Field(None, alias="any", min_length=1)
    all_of: list[str] | None = Field(None, alias="all", min_length=1)
    none_of: list[str] | None = Field(None, alias="none", min_length=1)



class TextCondition(AtLeastOneKeyModel):
    """Keywords and phrases (whole words; `word*` matches word prefixes) and regular expressions.

    Keywords are compared after folding (accents, case, punctuation and line breaks ignored).
    Regexes search case-insensitively in the text with accents removed, punctuation and line
    breaks kept; they run on RE2 (bridge/rules/linear_regex.py). Both see only the first
    SEARCHED_CHARACTERS of a text (bridge/rules/text.py).
    """

    any_of: Keywords | None = Field(None, alias="any")
    all_of: Keywords | None = Field(None, alias="all")
    none_of: Keywords | None = Field(None, alias="none")
    regex: Regexes | None = None



class ValueCondition(AtLeastOneKeyModel):
    """One field's value. Strings compare casefolded; a list value (multi-select) matches when any
    element does. `exists: true` means set and not empty."""

    equals: Scalar | None = None
    in_: list[Scalar] | None = Field(None, alias="in", min_length=1)
    exists: bool | None = None
    regex: Regexes | None = None


    def literal_values(self) -> list[str | int | bool]:
        return ([self.equals] if self.equals is not None else []) + list(self.in_ or [])


class Condition(AtLeastOneKeyModel):
    all_of: list[Condition] | None = Field(None, alias="all", min_length=1)
    any_of: list[Condition] | None = Field(None, alias="any", min_length=1)
    not_: Condition | None = Field(None, alias="not")
    tags: TagCondition | None = None
    text: TextCondition | None = None
    subject: TextCondition | None = None
    description: TextCondition | None = None
    status: ValueCondition | None = None
    priority: ValueCondition | None = None
    type: ValueCondition | None = None
    channel: ValueCondition | None = None
    brand: ValueCondition | None = None
    group: ValueCondition | None = None
    form: ValueCondition | None = None
    organization: ValueCondition | None = None
    requester_domain: ValueCondition | None = None
    custom_fields: dict[CustomFieldKey, ValueCondition] | None = Field(None, min_length=1)

    @field_validator("status", "priority", "type")
    @classmethod
    def _known_values(cls, condition: ValueCondition | None, info) -> ValueCondition | None:
        allowed = ALLOWED_VALUES[info.field_name]
        for value in condition.literal_values() if condition else []:
            if not isinstance(value, str) or value.lower() not in allowed:
                raise rule_error(f"unknown {info.field_name} {value!r} (expected one of {', '.join(allowed)})")
        return condition

