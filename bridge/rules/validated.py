"""Building blocks of the rule schema: the strict base model and the values that are parsed or
compiled while validating (regexes, keywords, durations, templates, field references)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainValidator, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from bridge.rules.durations import DuePolicy, parse_due_policy, parse_window
from bridge.rules.fields import FieldRef, parse_field_ref, resolve_custom_field
from bridge.rules.linear_regex import LinearRegex, compile_linear
from bridge.rules.templates import (
    REPLY_VARIABLES,
    TICKET_VARIABLES,
    WORKAROUND_VARIABLES,
    RuleTemplate,
    compile_template,
)
from bridge.rules.text import keyword_needle


class StrictModel(BaseModel):
    """Unknown keys are errors (a typo must never pass silently); no type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=False)


class AtLeastOneKeyModel(StrictModel):
    """A mapping whose keys are all optional but which must not be empty."""

    @model_validator(mode="after")
    def _at_least_one_key(self) -> AtLeastOneKeyModel:
        fields = type(self).model_fields
        if all(getattr(self, name) is None for name in fields):
            keys = ", ".join(info.alias or name for name, info in fields.items())
            raise rule_error(f"give at least one of {keys}")
        return self


@dataclass(frozen=True)
class ValidationContext:
    """What rule validation needs to know from the bridge config."""

    teams: frozenset[str] = frozenset()
    custom_fields: Mapping[str, int] = field(default_factory=dict)
    impact_configured: bool = False  # the config has an `impact` section: escalations may use the score


def context_of(info: ValidationInfo) -> ValidationContext:
    return info.context if isinstance(info.context, ValidationContext) else ValidationContext()


def rule_error(message: str) -> PydanticCustomError:
    """A validation error whose message is shown as is (no 'Value error, ' prefix)."""
    return PydanticCustomError("rule_value", "{message}", {"message": message})


def _reported(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def validate(value: Any) -> Any:
        try:
            return parse(value)
        except ValueError as exc:
            raise rule_error(str(exc)) from None
    return validate


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected {what}, got {type(value).__name__}")
    return value


def _strings(value: Any, what: str) -> list[str]:
    """A string or a non-empty list of strings."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ValueError(f"expected {what} or a non-empty list of them")
    return [_string(item, what) for item in items]


def _regexes(value: Any) -> tuple[LinearRegex, ...]:
    compiled = []
    for pattern in _strings(value, "a regular expression"):
        try:
            compiled.append(compile_linear(pattern, ignore_case=True))
        except ValueError as exc:
            raise ValueError(f"bad regular expression: {exc}") from None
    return tuple(compiled)


def _keywords(value: Any) -> tuple[str, ...]:
    return tuple(keyword_needle(keyword) for keyword in _strings(value, "a keyword or phrase"))


def _scalar(value: Any) -> str | int | bool:
    if not isinstance(value, (str, int, bool)):
        raise ValueError(f"expected a string, number or true/false, got {type(value).__name__}")
    return value


def _due(value: Any) -> DuePolicy | dict[str, DuePolicy]:
    """One policy string, or a map {Jira priority: policy string}."""
    if isinstance(value, dict) and value:
        return {str(priority): parse_due_policy(_string(policy, "a due policy"))
                for priority, policy in value.items()}
    return parse_due_policy(_string(value, "a due policy or a map of priority to due policy"))


def _template(value: Any) -> RuleTemplate:
    return compile_template(_string(value, "a template string"))


def _reply_template(value: Any) -> RuleTemplate:
    return compile_template(_string(value, "a template string"), REPLY_VARIABLES)


def _workaround_template(value: Any) -> RuleTemplate:
    return compile_template(_string(value, "a template string"), WORKAROUND_VARIABLES)


def _group_part(text: str, info: ValidationInfo) -> FieldRef | RuleTemplate:
    if "{{" in text or "{%" in text:
        return compile_template(text, TICKET_VARIABLES)
    return parse_field_ref(text.strip(), context_of(info).custom_fields)


def _group_by(value: Any, info: ValidationInfo) -> tuple[FieldRef | RuleTemplate, ...]:
    try:
        return tuple(_group_part(text, info) for text in _strings(value, "a field name or template"))
    except ValueError as exc:
        raise rule_error(str(exc)) from None


def _custom_field_key(value: str, info: ValidationInfo) -> str:
    try:
        return resolve_custom_field(value, context_of(info).custom_fields)
    except ValueError as exc:
        raise rule_error(str(exc)) from None


Regexes = Annotated[tuple[LinearRegex, ...], PlainValidator(_reported(_regexes))]
Keywords = Annotated[tuple[str, ...], PlainValidator(_reported(_keywords))]
Scalar = Annotated[str | int | bool, PlainValidator(_reported(_scalar))]
Window = Annotated[timedelta, PlainValidator(_reported(lambda v: parse_window(_string(v, "a duration"))))]
Due = Annotated[DuePolicy | dict[str, DuePolicy], PlainValidator(_reported(_due))]
Template = Annotated[RuleTemplate, PlainValidator(_reported(_template))]
ReplyTemplate = Annotated[RuleTemplate, PlainValidator(_reported(_reply_template))]
WorkaroundTemplate = Annotated[RuleTemplate, PlainValidator(_reported(_workaround_template))]
GroupBy = Annotated[tuple[FieldRef | RuleTemplate, ...], PlainValidator(_group_by)]
CustomFieldKey = Annotated[str, AfterValidator(_custom_field_key)]
