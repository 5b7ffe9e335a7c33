"""Rule regexes run on RE2: no pattern can stall the worker, whatever the text; what RE2 cannot run
is refused when the rules load (file, line and key); rules search a bounded part of long texts."""

import time

import pytest

from bridge.rules import load_rules
from bridge.rules.text import SEARCHED_CHARACTERS
from bridge.rules.yamlsource import SourceErrors
from tests.rules.conftest import CUSTOM_FIELDS, TEAMS, ticket

HOSTILE_RULES = r"""
rules:
  - name: hostile
    team: engineering
    match:
      description: {regex: '^(\w+\s?)+$'}
    threshold: {count: 1, window: 1h}
  - name: invoices
    team: finance
    match:
      text: {any: [invoice], regex: 'INV-\d{4}'}
    threshold: {count: 1, window: 1h}
"""

ISSUE_CASE = "a" * 27 + "!"  # 8.4 s with Python's re, doubling per character
ONE_MEGABYTE = ISSUE_CASE + " INV-2024 invoice " + "log line 42, all fine " * 47_000


@pytest.mark.parametrize("description", [ISSUE_CASE, ONE_MEGABYTE], ids=["28-characters", "1-MB"])
def test_a_catastrophic_regex_is_evaluated_without_backtracking(rules_from, description):
    ruleset = rules_from(HOSTILE_RULES)
    snapshot = ticket(subject="Invoice INV-2024", description=description)
    started = time.perf_counter()
    matched = [rule.name for rule in ruleset.matching(snapshot)]
    elapsed = time.perf_counter() - started
    assert matched == ["invoices"]
    # About 10 ms here; backtracking takes 8.4 s. The bound is far from both, so that a loaded
    # machine does not fail it and a backtracking engine still does.
    assert elapsed < 2.0, f"rules took {elapsed:.3f} s"


def test_regexes_still_match_as_before(match_rule):
    rule = match_rule(r"description: {regex: '^(\w+\s?)+$'}")
    assert rule.matches(ticket(description="all words here"))
    assert not rule.matches(ticket(description="all words here!"))
    assert match_rule(r"subject: {regex: '\bERROR\s+5\d\d\b'}").matches(ticket(subject="Got error 503 again"))
    assert match_rule("subject: {regex: 'factur'}").matches(ticket(subject="FACTURÉ deux fois"))


def test_text_past_the_searched_part_is_not_searched(match_rule):
    keyword, regex = match_rule("description: {any: [refund]}"), match_rule("description: {regex: 'refund'}")
    early = "refund " + "x" * (SEARCHED_CHARACTERS + 100)
    late = "x" * SEARCHED_CHARACTERS + " refund"
    assert keyword.matches(ticket(description=early)) and regex.matches(ticket(description=early))
    assert not keyword.matches(ticket(description=late)) and not regex.matches(ticket(description=late))


def test_a_long_custom_field_value_is_searched_up_to_the_same_bound(match_rule):
    rule = match_rule("custom_fields: {product: {regex: 'widget'}}")
    assert rule.matches(ticket(custom_fields={"360001": "widget " + "x" * SEARCHED_CHARACTERS}))
    assert not rule.matches(ticket(custom_fields={"360001": "x" * SEARCHED_CHARACTERS + " widget"}))


RE2_CANNOT_RUN = "valid in Python, but the bridge runs regexes on RE2, which never backtracks"


@pytest.mark.parametrize("pattern, reason", [
    (r"(\d+)-\1", r"invalid escape sequence: \1"),
    (r"(?P<n>\d+)-(?P=n)", "invalid perl operator: (?P"),
    (r"refund(?= requested)", "invalid perl operator: (?="),
    (r"(?<!no )refund", "invalid perl operator: (?<!"),
    (r"\d++", "bad repetition operator: ++"),
    (r"refund\Z", r"invalid escape sequence: \Z"),
    (r"(ab){2000}", "invalid repetition size: {2000}"),
])
def test_rules_check_refuses_what_re2_cannot_run_naming_file_line_and_key(tmp_path, pattern, reason):
    (tmp_path / "refunds.yaml").write_text(
        "rules:\n"
        "  - name: refunds\n"
        "    team: finance\n"
        "    threshold: {count: 1, window: 1h}\n"
        "    match:\n"
        "      all:\n"
        "        - tags: {any: [billing]}\n"
        "        - subject:\n"
        f"            regex: '{pattern}'\n", encoding="utf-8")
    with pytest.raises(SourceErrors) as caught:
        load_rules(["refunds.yaml"], tmp_path, TEAMS, CUSTOM_FIELDS)
    [error] = caught.value.errors
    assert (error.file, error.line, error.key) == ("refunds.yaml", 9, "rules[0].match.all[1].subject.regex")
    assert error.message.startswith(f"bad regular expression: {reason} (in {pattern}); {RE2_CANNOT_RUN}")
