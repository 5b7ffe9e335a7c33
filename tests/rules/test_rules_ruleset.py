"""Group keys, counting keys, disabled rules and the tag index of RuleSet.matching."""

import pytest

from bridge.rules import NO_GROUP, RuleSet
from bridge.rules.ruleset import Rule
from tests.rules.conftest import ticket

RULE = """
rules:
  - name: r
    team: engineering
    match: {{text: {{any: [crash*]}}}}
    {group_by}
    threshold: {{count: 2, of: {of}, window: 1h}}
"""


def one_rule(rules_from, group_by="", of="tickets") -> Rule:
    return rules_from(RULE.format(group_by=group_by, of=of)).rules[0]


def test_group_key_is_empty_without_group_by(rules_from):
    assert one_rule(rules_from).group_key(ticket(organization_id=5)) == ""


@pytest.mark.parametrize("group_by, values, key", [
    ("group_by: organization", {"organization_id": 5}, "5"),
    ("group_by: organization", {}, NO_GROUP),
    ("group_by: custom_fields.product", {"custom_fields": {"360001": "app_ios"}}, "app_ios"),
    ("group_by: custom_fields.product", {"custom_fields": {"360001": ""}}, NO_GROUP),
    ("group_by: [organization, custom_fields.360001]",
     {"organization_id": 5, "custom_fields": {"360001": ["b", "a"]}}, "5|a,b"),
    ("group_by: requester_domain", {"requester_email": "x@Acme.io"}, "acme.io"),
    ("group_by: \"{{ ticket.subject.split(':')[0] | lower }}\"", {"subject": "IOS: crash"}, "ios"),
])
def test_group_keys(rules_from, group_by, values, key):
    assert one_rule(rules_from, group_by).group_key(ticket(**values)) == key


@pytest.mark.parametrize("of, values, key", [
    ("tickets", {}, "7"),
    ("requesters", {"requester_id": 70}, "70"),
    ("requesters", {}, None),
    ("organizations", {"organization_id": 700}, "700"),
])
def test_counting_keys(rules_from, of, values, key):
    assert one_rule(rules_from, of=of).counting_key(ticket(7, **values)) == key


def test_matching_returns_enabled_rules_in_file_order(rules_from):
    ruleset = rules_from("""
        rules:
          - {name: a, team: finance, match: {tags: {any: [x]}}, threshold: {count: 1, window: 1h}}
          - {name: b, team: finance, match: {text: {any: [hello]}}, threshold: {count: 1, window: 1h}}
          - {name: c, team: finance, match: {tags: {all: [x, y]}}, threshold: {count: 1, window: 1h}}
          - {name: d, team: finance, enabled: false, match: {tags: {any: [x]}}, threshold: {count: 1, window: 1h}}
    """)
    assert [r.name for r in ruleset.matching(ticket(tags=("y", "x"), subject="Hello"))] == ["a", "b", "c"]
    assert [r.name for r in ruleset.matching(ticket(tags=("y",), subject="Hello"))] == ["b"]
    assert ruleset.by_name("d").spec.enabled is False


def test_tag_index_skips_rules_the_tags_rule_out(rules_from):
    lines = [f"  - {{name: t{i}, team: finance, match: {{tags: {{any: [tag{i}]}}}}, "
             f"threshold: {{count: 1, window: 1h}}}}" for i in range(100)]
    ruleset = rules_from("rules:\n" + "\n".join(lines) + "\n")
    evaluated = []
    counted = RuleSet([Rule(r.spec, r.file, r.line, _recording(r, evaluated), r.required_tags)
                       for r in ruleset])
    assert [r.name for r in counted.matching(ticket(tags=("tag7", "tag42", "other")))] == ["t7", "t42"]
    assert sorted(evaluated) == ["t42", "t7"]


def _recording(rule, evaluated):
    def predicate(view):
        evaluated.append(rule.name)
        return rule.predicate(view)
    return predicate
