"""One test group per condition type, plus all / any / not and the tag requirement used for indexing."""

import pytest

from tests.rules.conftest import ticket


@pytest.mark.parametrize("condition, tags, expected", [
    ("{any: [billing, refund]}", ("Refund", "vip"), True),
    ("{any: [billing, refund]}", ("vip",), False),
    ("{all: [billing, vip]}", ("billing", "vip", "x"), True),
    ("{all: [billing, vip]}", ("billing",), False),
    ("{none: [spam]}", ("billing",), True),
    ("{none: [spam]}", ("spam",), False),
    ("{any: [a], none: [b]}", ("a", "b"), False),
])
def test_tags(match_rule, condition, tags, expected):
    assert match_rule(f"tags: {condition}").matches(ticket(tags=tags)) is expected


def test_text_searches_subject_and_description_and_parts_alone(match_rule):
    both = ticket(subject="Order question", description="The app crashed on start")
    assert match_rule("text: {any: [crash*]}").matches(both)
    assert match_rule("description: {any: [crash*]}").matches(both)
    assert not match_rule("subject: {any: [crash*]}").matches(both)
    assert match_rule("subject: {all: [order, question]}").matches(both)
    assert not match_rule("subject: {all: [order, invoice]}").matches(both)
    assert not match_rule("text: {any: [crash*], none: [order]}").matches(both)


def test_text_keyword_phrase_spanning_subject_and_description_does_not_match(match_rule):
    rule = match_rule("text: {any: [\"question the\"]}")
    assert not rule.matches(ticket(subject="Order question", description="The app"))
    assert rule.matches(ticket(subject="A question:\nthe app", description=""))


def test_text_regex_is_case_insensitive_accent_free_and_sees_punctuation(match_rule):
    rule = match_rule("text: {regex: 'INV-\\d{4}'}")
    assert rule.matches(ticket(description="wrong amount on inv-2024 again"))
    assert not rule.matches(ticket(description="wrong amount on inv 2024"))
    assert match_rule("subject: {regex: ['^facture', 'x$']}").matches(ticket(subject="Facturé x"))
    assert not match_rule("subject: {regex: ['^facture', 'y$']}").matches(ticket(subject="Facturé x"))


@pytest.mark.parametrize("field, condition, values, expected", [
    ("status", "{in: [new, open]}", {"status": "open"}, True),
    ("status", "{in: [new, open]}", {"status": "solved"}, False),
    ("priority", "{equals: urgent}", {"priority": "urgent"}, True),
    ("priority", "{exists: false}", {}, True),
    ("type", "{equals: incident}", {"type": "problem"}, False),
    ("channel", "{in: [web, email]}", {"channel": "email"}, True),
    ("channel", "{regex: '^api'}", {"channel": "api"}, True),
    ("brand", "{equals: 7}", {"brand_id": 7}, True),
    ("group", "{in: [1, 2]}", {"group_id": 3}, False),
    ("form", "{exists: true}", {"form_id": 9}, True),
    ("organization", "{in: [100]}", {"organization_id": 100}, True),
    ("organization", "{in: [100]}", {}, False),
    ("requester_domain", "{in: [example.com]}", {"requester_email": "Ann@Example.COM"}, True),
    ("requester_domain", "{in: [example.com]}", {"requester_email": "ann@other.org"}, False),
    ("requester_domain", "{exists: true}", {"requester_email": "not-an-address"}, False),
])
def test_ticket_fields(match_rule, field, condition, values, expected):
    assert match_rule(f"{field}: {condition}").matches(ticket(**values)) is expected


@pytest.mark.parametrize("condition, custom, expected", [
    ("{\"360001\": {equals: app_ios}}", {"360001": "app_ios"}, True),          # by id
    ("{product: {equals: App_iOS}}", {"360001": "app_ios"}, True),            # by config name
    ("{product: {in: [web, app_ios]}}", {"360001": "web"}, True),
    ("{product: {in: [web, app_ios]}}", {"360001": "desktop"}, False),
    ("{product: {exists: true}}", {"360001": ""}, False),
    ("{product: {exists: true}}", {"360001": ["a"]}, True),
    ("{product: {exists: false}}", {}, True),
    ("{order_number: {regex: '^A-\\d+$'}}", {"360002": "A-123"}, True),
    ("{order_number: {equals: 42}}", {"360002": "42"}, True),                 # numbers as text
    ("{\"360003\": {equals: true}}", {"360003": True}, True),                 # checkbox
    ("{product: {equals: web}}", {"360001": ["web", "app"]}, True),           # multi-select
])
def test_custom_fields(match_rule, condition, custom, expected):
    assert match_rule(f"custom_fields: {condition}").matches(ticket(custom_fields=custom)) is expected


def test_all_any_not_and_implicit_all(match_rule):
    rule = match_rule("""
        all:
          - tags: {any: [billing]}
          - any:
              - text: {any: [refund*]}
              - priority: {equals: urgent}
        not:
          status: {in: [closed]}
    """)
    assert rule.matches(ticket(tags=("billing",), subject="Refund please"))
    assert rule.matches(ticket(tags=("billing",), priority="urgent"))
    assert not rule.matches(ticket(tags=("billing",), subject="Hello"))
    assert not rule.matches(ticket(tags=("billing",), subject="refund", status="closed"))
    assert not rule.matches(ticket(subject="refund"))


@pytest.mark.parametrize("match, required", [
    ("tags: {any: [a, b]}", {"a", "b"}),
    ("tags: {all: [a, b]}", {"a"}),
    ("tags: {none: [a]}", None),
    ("text: {any: [x]}", None),
    ("{tags: {any: [a, b, c]}, all: [{tags: {any: [d]}}]}", {"d"}),        # the narrowest wins
    ("any: [{tags: {any: [a]}}, {tags: {any: [b]}}]", {"a", "b"}),
    ("any: [{tags: {any: [a]}}, {text: {any: [x]}}]", None),               # one branch needs no tag
    ("not: {tags: {any: [a]}}", None),
])
def test_required_tags(match_rule, match, required):
    rule = match_rule(match)
    assert rule.required_tags == (None if required is None else frozenset(required))
