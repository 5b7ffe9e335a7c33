"""Escalation steps measured by the weighted impact score: `at: {score: N}` next to counts."""

import textwrap

import pytest

from bridge.rules import load_rules
from bridge.rules.yamlsource import SourceErrors
from tests.rules.conftest import CUSTOM_FIELDS, TEAMS


def load(tmp_path, steps: str, impact_configured: bool = True):
    header = ("rules:\n  - name: export\n    team: engineering\n    match: {text: {any: [export]}}\n"
              "    threshold: {count: 3, window: 1h}\n    jira:\n      escalation:\n")
    (tmp_path / "rules.yaml").write_text(header + textwrap.indent(textwrap.dedent(steps), " " * 8), encoding="utf-8")
    return load_rules(["rules.yaml"], tmp_path, TEAMS, CUSTOM_FIELDS, impact_configured=impact_configured)


def errors(tmp_path, steps: str, impact_configured: bool = True) -> list[str]:
    with pytest.raises(SourceErrors) as caught:
        load(tmp_path, steps, impact_configured)
    return [str(error) for error in caught.value.errors]


def test_a_step_names_its_measure_in_at(tmp_path):
    steps = load(tmp_path, """\
        - {at: {tickets: 10}, priority: High}
        - {at: {score: 40}, priority: Highest}
        - {at: 80, of: score, due: 1 day}
        """).rules[0].spec.jira.escalation
    assert [(step.at, step.of) for step in steps] == [(10, "tickets"), (40, "score"), (80, "score")]


def test_a_score_step_needs_the_impact_section(tmp_path):
    assert errors(tmp_path, "- {at: {score: 40}, priority: Highest}", impact_configured=False) == [
        "rules.yaml:8: rules[0].jira.escalation[0].of: an escalation at a score needs the config's 'impact' "
        "section (docs/impact.md)"]


@pytest.mark.parametrize("step, message", [
    ("- {at: {scores: 40}}", "'at' measures one of tickets, requesters, organizations, score, not 'scores'"),
    ("- {at: {score: 40, tickets: 5}}", "'at' names one measure and its threshold, e.g. {score: 40} or "
                                        "{tickets: 15}, and then 'of' is left out"),
    ("- {at: {score: 40}, of: tickets}", "'at' names one measure and its threshold, e.g. {score: 40} or "
                                         "{tickets: 15}, and then 'of' is left out"),
])
def test_a_malformed_measure_is_located(tmp_path, step, message):
    assert errors(tmp_path, step) == [f"rules.yaml:8: rules[0].jira.escalation[0]: {message}"]


def test_score_steps_increase_like_count_steps(tmp_path):
    assert errors(tmp_path, "- {at: {score: 40}}\n- {at: {score: 40}}") == [
        "rules.yaml:7: rules[0].jira.escalation: escalation steps must have increasing 'at' (40 after 40)"]
