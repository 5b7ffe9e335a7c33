"""A catastrophic rule regex and a 1 MB description, through the worker: the event is processed
at once and the other rules still count it. (The rule evaluation itself is held to 100 ms in
tests/rules/test_rules_regex_engine.py; here the bound covers parsing and storing 1 MB too.)
And `bridge rules check` refuses a pattern RE2 cannot run."""

from __future__ import annotations

import time

from click.testing import CliRunner

from bridge.cli import main
from bridge.storage.inbox import DONE
from tests.detection.test_detection import DOUBLE_CHARGE
from tests.detection.test_rules_reload_and_cli import config_with_rules

RULES = r"""
rules:
  - name: hostile
    team: engineering
    match:
      description: {regex: '^(\w+\s?)+$'}
    threshold: {count: 1, window: 24h}
  - name: invoices
    team: finance
    match:
      text: {any: [invoice]}
    threshold: {count: 1, window: 24h}
"""


def test_the_worker_processes_a_hostile_regex_on_a_1_mb_description_at_once(make_scenario):
    scenario = make_scenario(RULES)
    # Python's re needs 8 s for the first 28 characters alone (and twice that per extra "a").
    description = "a" * 27 + "! invoice " + "log line 42, all fine " * 47_000
    assert len(description) > 1_000_000
    scenario.ticket_event(1, subject="Wrong invoice", description=description)
    started = time.perf_counter()
    assert scenario.process() == 1
    elapsed = time.perf_counter() - started
    assert [p.rule for p in scenario.problems()] == ["invoices"]
    assert [row.status for row in scenario.runtime.inbox.list()] == [DONE]
    # Far from both a loaded machine's worst (well under a second) and backtracking (8 s and more).
    assert elapsed < 4.0, f"the worker took {elapsed:.3f} s"


def test_rules_check_names_file_line_and_key_of_a_pattern_re2_cannot_run(tmp_path, sqlite_url):
    lookbehind = DOUBLE_CHARGE.replace('- text: {any: ["charged twice"]}',
                                       "- text: {regex: '(?<!not )charged twice'}")
    config = config_with_rules(tmp_path, sqlite_url, lookbehind)
    result = CliRunner().invoke(main, ["--config", str(config), "rules", "check"])
    assert result.exit_code == 1
    assert ("rules.yaml:8: rules[0].match.any[1].text.regex: bad regular expression: invalid perl operator: "
            "(?<! (in (?<!not )charged twice); valid in Python, but the bridge runs regexes on RE2") in result.output
