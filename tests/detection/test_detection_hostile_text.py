"""A catastrophic rule regex and a 1 MB description, through the worker: the event is processed
at once and the other rules still count it. (The rule evaluation itself is held to 100 ms in
tests/rules/test_rules_regex_engine.py; here the bound covers parsing and storing 1 MB too.)"""

from __future__ import annotations

import time

from bridge.storage.inbox import DONE

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
    assert elapsed < 1.0, f"the worker took {elapsed:.3f} s"
