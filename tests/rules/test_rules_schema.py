"""The schema itself: a typo is an error at every nesting level; values are parsed strictly."""

import copy
from datetime import timedelta

import pytest
from pydantic import ValidationError

from bridge.rules.durations import DuePolicy, format_window, parse_due_policy, parse_window
from bridge.rules.schema import RuleFileSpec
from bridge.rules.validated import ValidationContext
from tests.rules.conftest import CUSTOM_FIELDS, TEAMS

CONTEXT = ValidationContext(frozenset(TEAMS), CUSTOM_FIELDS)
FULL_RULE = {
    "name": "full", "description": "d", "team": "finance", "enabled": True,
    "match": {
        "tags": {"any": ["a"]}, "text": {"any": ["x"]}, "status": {"in": ["open"]},
        "custom_fields": {"product": {"equals": "p"}},
        "any": [{"subject": {"regex": "y"}}], "all": [{"priority": {"equals": "high"}}],
        "not": {"channel": {"equals": "api"}},
    },
    "group_by": ["organization", "custom_fields.product"],
    "threshold": {"count": 2, "of": "requesters", "window": "7d"},
    "jira": {"issue_type": "Bug", "priority": "High", "labels": ["l"], "components": ["c"],
             "summary": "{{ count }}", "description": "{{ rule.name }}", "due": {"High": "2 days"},
             "escalation": [{"at": 5, "of": "requesters", "priority": "Highest", "due": "1 day"}]},
    "zendesk": {"link_tag": "t", "internal_note": "n",
                "on_fix": {"public_reply": "r", "status": "solved", "tags": ["f"]}},
}


def validate(rule: dict) -> RuleFileSpec:
    return RuleFileSpec.model_validate({"rules": [rule]}, context=CONTEXT)


def test_full_rule_is_valid():
    spec = validate(FULL_RULE).rules[0]
    assert spec.threshold.window == timedelta(days=7)
    assert spec.jira.due == {"High": DuePolicy(2, "days")}
    assert spec.match.custom_fields == {"360001": spec.match.custom_fields["360001"]}


@pytest.mark.parametrize("path", [
    (), ("match",), ("match", "tags"), ("match", "text"), ("match", "status"),
    ("match", "custom_fields", "product"), ("match", "any", 0), ("match", "any", 0, "subject"),
    ("match", "all", 0, "priority"), ("match", "not"), ("threshold",), ("jira",),
    ("jira", "escalation", 0), ("zendesk",), ("zendesk", "on_fix"),
])
def test_unknown_key_is_rejected_at_every_level(path):
    rule = copy.deepcopy(FULL_RULE)
    target = rule
    for part in path:
        target = target[part]
    target["typo"] = 1
    with pytest.raises(ValidationError) as caught:
        validate(rule)
    [error] = caught.value.errors()
    assert error["type"] == "extra_forbidden"
    assert error["loc"] == ("rules", 0, *path, "typo")


def test_unknown_key_at_file_level_is_rejected():
    with pytest.raises(ValidationError):
        RuleFileSpec.model_validate({"rules": [FULL_RULE], "rule": []}, context=CONTEXT)


@pytest.mark.parametrize("path, value", [
    (("enabled",), "yes"), (("threshold", "count"), 0), (("threshold", "of"), "customers"),
    (("match", "status", "in"), ["opened"]), (("match", "tags"), {}), (("match",), {}),
    (("match", "text", "any"), []), (("jira", "labels"), "billing"), (("jira", "due"), "soon"),
    (("jira", "summary"), "{{ unknown_name }}"), (("group_by",), ["nowhere"]),
    (("jira", "escalation"), [{"at": 1, "of": "requesters"}]),         # not above the threshold
    (("zendesk", "on_fix", "status"), "closed"), (("name",), "has spaces"),
])
def test_bad_values_are_rejected(path, value):
    rule = copy.deepcopy(FULL_RULE)
    target = rule
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    with pytest.raises(ValidationError):
        validate(rule)


@pytest.mark.parametrize("text, expected", [
    ("90m", timedelta(minutes=90)), ("24h", timedelta(hours=24)), ("7d", timedelta(days=7)),
    (" 2w ", timedelta(weeks=2)),
])
def test_windows(text, expected):
    assert parse_window(text) == expected


@pytest.mark.parametrize("text", ["0h", "24", "1.5h", "1 day", "h", "-1d"])
def test_bad_windows(text):
    with pytest.raises(ValueError):
        parse_window(text)


def test_window_format_round_trips():
    assert [format_window(parse_window(t)) for t in ("90m", "24h", "7d", "14d")] == ["90m", "1d", "1w", "2w"]


@pytest.mark.parametrize("text, expected", [
    ("5 business days", DuePolicy(5, "business_days")), ("1 business day", DuePolicy(1, "business_days")),
    ("2 Days", DuePolicy(2, "days")), ("8 hours", DuePolicy(8, "hours")), ("1 week", DuePolicy(1, "weeks")),
])
def test_due_policies(text, expected):
    assert parse_due_policy(text) == expected
    assert str(expected) in ("5 business days", "1 business day", "2 days", "8 hours", "1 week")


@pytest.mark.parametrize("text", ["soon", "0 days", "5 businessdays", "3"])
def test_bad_due_policies(text):
    with pytest.raises(ValueError):
        parse_due_policy(text)
