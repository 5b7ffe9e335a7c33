"""Every invalid-rule case: a fixture file in tests/fixtures/rules_invalid and its exact message."""

import pytest

from bridge.rules import load_rules
from bridge.rules.yamlsource import SourceErrors
from tests.rules.conftest import CUSTOM_FIELDS, INVALID, TEAMS


def errors_of(*patterns: str) -> list[str]:
    with pytest.raises(SourceErrors) as caught:
        load_rules(list(patterns), INVALID, TEAMS, CUSTOM_FIELDS)
    return [str(error) for error in caught.value.errors]


@pytest.mark.parametrize("file, message", [
    ("unknown_key.yaml", "unknown_key.yaml:8: rules[0].jira.sumary: unknown key; did you mean 'summary'?"),
    ("wrong_type.yaml", "wrong_type.yaml:7: rules[0].threshold.count: expected a whole number, got the text '3'"),
    ("misspelt_choice.yaml", "misspelt_choice.yaml:4: rules[0].enabled: expected true or false, got the text "
                             "'yes please'\nmisspelt_choice.yaml:9: rules[0].threshold.of: expected one of tickets, "
                             "requesters, organizations; got the text 'requestors'; did you mean 'requesters'?"),
    ("bad_regex.yaml", "bad_regex.yaml:8: rules[0].match.any[1].text.regex: bad regular expression: "
                       "missing ): error (\\d+ (in error (\\d+)"),
    ("bad_duration.yaml", "bad_duration.yaml:8: rules[0].threshold.window: bad duration '3 days' "
                          "(expected a number and a unit m, h, d or w, e.g. 90m, 24h, 7d)"),
    ("unknown_team.yaml", "unknown_team.yaml:3: rules[0].team: unknown team 'marketing' "
                          "(config teams: engineering, finance, shipping)"),
    ("unknown_custom_field.yaml", "unknown_custom_field.yaml:6: rules[0].match.custom_fields.prodcut: "
                                  "unknown custom field name 'prodcut' (config custom_fields declares: "
                                  "order_number, product)"),
    ("bad_template.yaml", "bad_template.yaml:8: rules[0].jira.summary: template does not compile: "
                          "unexpected '}' (template line 1)"),
])
def test_invalid_file_message(file, message):
    assert errors_of(file) == message.split("\n")


def test_duplicate_rule_name_across_files_names_both_places():
    assert errors_of("duplicate_name_*.yaml") == [
        "duplicate_name_b.yaml:8: rules[1].name: duplicate rule name 'refunds' "
        "(first defined at duplicate_name_a.yaml:2 rules[0].name)"]


def test_glob_matching_nothing_is_an_error():
    assert errors_of("nothing/*.yaml") == [
        f"nothing/*.yaml: (top level): no rule file matches (looked in {INVALID})"]


def test_all_errors_of_all_files_come_at_once():
    errors = errors_of("*.yaml", "missing.yaml")
    assert len(errors) == 11  # misspelt_choice.yaml has two
    assert {e.split(":")[0] for e in errors} == {p.name for p in INVALID.glob("*.yaml")} - {
        "duplicate_name_a.yaml"} | {"missing.yaml"}


def test_yaml_syntax_error_is_located(tmp_path):
    (tmp_path / "broken.yaml").write_text("rules:\n  - name: [unclosed\n", encoding="utf-8")
    with pytest.raises(SourceErrors) as caught:
        load_rules(["broken.yaml"], tmp_path, TEAMS, CUSTOM_FIELDS)
    assert str(caught.value).startswith("broken.yaml:3: (top level): invalid YAML")
