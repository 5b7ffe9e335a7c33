"""What the problem end-to-end tests share: a small rule file with clear thresholds, the settings
that make the bridge write everything a linked ticket can carry, customers reporting, and waiting
until every outbox action is finished (the environment's own idle check covers the inbox only)."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bridge.demo import LoopbackEnvironment
from bridge.planning import problem_label
from bridge.storage.leased_queue import FAILED, PENDING, PROCESSING
from bridge.storage.schema import outbox_actions

CRASH_RULE, REFUND_RULE = "checkout-crash", "refund-missing"
CRASH_THRESHOLD, CRASH_ESCALATION_AT = 3, 5
REFUND_THRESHOLD = 2
JIRA_KEY_FIELD = 360000000900  # Zendesk ticket field the bridge writes the Jira key into
AFFECTED_TICKETS_FIELD = "customfield_10050"  # the Jira simulator's "Affected tickets"
COUNTS_INTERVAL = 1  # seconds between two counts updates on one Jira issue

RULES = f"""
rules:
  - name: {CRASH_RULE}
    description: The checkout crashes when customers pay.
    team: engineering
    match:
      text: {{all: [checkout, "crash*"]}}
    threshold: {{count: {CRASH_THRESHOLD}, of: tickets, window: 1h}}
    jira:
      priority: High
      labels: [customer-impact]
      due: {{High: 4 business days, Highest: 1 business day}}
      escalation:
        - {{at: {CRASH_ESCALATION_AT}, of: tickets, priority: Highest}}

  - name: {REFUND_RULE}
    description: Refunds promised by support never arrive.
    team: finance
    match:
      text: {{any: ["refund missing", "no refund"]}}
    threshold: {{count: {REFUND_THRESHOLD}, of: tickets, window: 1h}}
"""

SETTINGS = {
    "jira": {"counts_update_interval_seconds": COUNTS_INTERVAL,
             "fields": {"affected_tickets": AFFECTED_TICKETS_FIELD}},
    "zendesk": {"fields": {"jira_key": JIRA_KEY_FIELD}},
}


def write_rules(directory: Path, rules: str = RULES) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "problems.yaml").write_text(textwrap.dedent(rules))
    return directory


def problem_environment(rules_dir: Path, connect_webhooks: bool = True, jira_deployment: str = "cloud",
                        rules: str = RULES, **settings: dict) -> LoopbackEnvironment:
    """Simulators and a bridge with the rules above (or `rules`); `settings` merge over SETTINGS."""
    environment = LoopbackEnvironment(rules_dir=write_rules(rules_dir, rules), connect_webhooks=connect_webhooks,
                                      settings_overrides={**SETTINGS, **settings},
                                      jira_deployment=jira_deployment)
    environment.start()
    try:
        environment.zendesk.define_custom_field(JIRA_KEY_FIELD, "Jira issue", "text")
    except BaseException:
        environment.stop()
        raise
    return environment


# customers -----------------------------------------------------------------------------------

_customers = iter(range(1, 10**9))


def report_crash(environment: LoopbackEnvironment) -> int:
    """A new customer reports the checkout crash; the ticket's id."""
    number = next(_customers)
    return environment.zendesk.customer_creates_ticket(
        "Checkout crashes when I pay", f"The checkout crashed again, attempt {number}.",
        email=f"crash.customer{number}@example.com")["id"]


def open_crash_problem(environment: LoopbackEnvironment) -> tuple[object, list[int]]:
    """Just enough crash reports to open the problem, settled: the problem (with its Jira key)
    and the tickets."""
    tickets = [report_crash(environment) for _ in range(CRASH_THRESHOLD)]
    settle_all(environment)
    return the_problem(environment.runtime, CRASH_RULE), tickets


def report_missing_refund(environment: LoopbackEnvironment) -> int:
    number = next(_customers)
    return environment.zendesk.customer_creates_ticket(
        "Refund missing", f"Support promised a refund three weeks ago: no refund yet ({number}).",
        email=f"refund.customer{number}@example.com")["id"]


def die_once_zendesk_accepted_the_next_job(environment: LoopbackEnvironment, monkeypatch) -> None:
    """The next bulk update is accepted by Zendesk, then the action fails before it hears the
    job's id (as a worker killed at that moment would)."""
    zendesk = environment.runtime.ticket_system
    start_bulk_update = zendesk.start_bulk_update

    def accepted_then_died(ticket_ids, changes):
        monkeypatch.setattr(zendesk, "start_bulk_update", start_bulk_update)
        start_bulk_update(ticket_ids, changes)
        raise RuntimeError("the worker died before recording the job")

    monkeypatch.setattr(zendesk, "start_bulk_update", accepted_then_died)


# waiting -------------------------------------------------------------------------------------

def wait_for(condition: Callable[[], object], timeout: float = 10.0, what: str = "condition"):
    """Poll until `condition()` is truthy and return it; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def outbox_busy(runtime) -> int:
    counts = runtime.outbox.counts()
    return counts[PENDING] + counts[PROCESSING]


def settle_all(environment: LoopbackEnvironment, timeout: float = 20.0) -> None:
    """Until the inbox, both simulators and the outbox are idle (debounced and delayed actions
    included); fail the test otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"not idle after {timeout} s: inbox {environment.runtime.inbox.counts()}, "
                                 f"outbox {environment.runtime.outbox.counts()}")
        if environment.wait_until_idle(timeout=remaining) and not outbox_busy(environment.runtime):
            return
        time.sleep(0.05)


def utc_now() -> datetime:
    return datetime.now(UTC)


# what the bridge, Jira and Zendesk hold --------------------------------------------------------

def the_problem(runtime, rule: str):
    [problem] = [p for p in runtime.problems.list() if p.rule == rule]
    return problem


def issues_with_label(environment: LoopbackEnvironment, label: str) -> list[dict]:
    with environment.jira.store.lock:
        keys = [issue.key for issue in environment.jira.store.issues.values() if label in issue.labels]
    return [environment.jira.issue(key) for key in keys]


def the_issue(environment: LoopbackEnvironment, problem) -> dict:
    """The one Jira issue carrying the problem's label (fails when there are none or several)."""
    found = issues_with_label(environment, problem_label(problem.id))
    assert len(found) == 1, [issue["key"] for issue in found]
    return found[0]


def jira_writes(environment: LoopbackEnvironment) -> list:
    """Issue writes the bridge sent Jira: creates, edits, comments (searches and reads excluded)."""
    return [r for r in environment.jira.requests if r.method in ("POST", "PUT") and "/issue" in r.path]


def jira_comments(environment: LoopbackEnvironment, key: str) -> list[str]:
    with environment.jira.store.lock:
        return [comment.body for comment in environment.jira.store.issue(key).comments]


def zendesk_calls(environment: LoopbackEnvironment, path_part: str, method: str | None = None) -> list:
    return [r for r in environment.zendesk.requests
            if path_part in r.path and (method is None or r.method == method)]


def link_updates(environment: LoopbackEnvironment, problem) -> list:
    """The bulk updates that linked tickets to `problem` (they add its tag), 429s and errors included."""
    tag = f"problem_{problem.id}"
    return [r for r in zendesk_calls(environment, "update_many", "PUT")
            if tag in ((r.json or {}).get("ticket") or {}).get("additional_tags", [])]


def action_rows(runtime, kind: str, problem_id: int | None = None) -> list:
    """Outbox rows of one kind (with available_at and processed_at, which `Action` leaves out)."""
    c = outbox_actions.c
    query = select(outbox_actions).where(c.kind == kind).order_by(c.id)
    if problem_id is not None:
        query = query.where(c.problem_id == problem_id)
    with runtime.engine.connect() as connection:
        return list(connection.execute(query))


def assert_nothing_parked(runtime) -> None:
    assert runtime.outbox.counts()[FAILED] == 0, [(a.kind, a.last_error) for a in runtime.outbox.list(FAILED)]
    assert runtime.inbox.counts()[FAILED] == 0


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
