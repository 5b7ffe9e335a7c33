"""The demo's narration, as a list of stages. Each stage acts (plays tickets, moves Jira issues) or
reports what the system now holds, reading it from the database and the simulators; a capability
that does not exist yet shows up as nothing having happened, never as a made-up result.
A new capability adds a stage to `STAGES`."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bridge.actions.in_process import SendStalled
from bridge.backfill.outcome import BackfillOutcome
from bridge.backfill.run import Backfill
from bridge.checks.preflight import run_checks
from bridge.demo.affected_customers import AFFECTED_VERSION, AUDIENCE_QUERY, set_up_affected_customers
from bridge.demo.discovery_stage import DiscoveredRule, discover_emerging
from bridge.demo.environment import LoopbackEnvironment
from bridge.demo.history import BACKFILL_PERIOD, BACKFILL_SINCE, HistoryTicket
from bridge.demo.observations import bridge_intake, jira_issues, read_problems, zendesk_outcome
from bridge.demo.scenario import OUTBREAK_PRODUCT, Scenario
from bridge.demo.workaround_stage import end_with_article
from bridge.domain.bridge_tickets import PROACTIVE_TAG
from bridge.proactive.in_process import run_notice
from bridge.proactive.preview_text import preview_lines
from bridge.proactive.start import NOTIFIABLE_STATES, NotNotifiable
from bridge.problems.report import Report, build_report
from bridge.problems.report_pages import render_markdown
from bridge.storage.inbox import DONE, FAILED, IGNORED, PENDING, PROCESSING

DONE_STATUS = "Done"
STARTED_STATUS = "In Progress"


@dataclass
class DemoRun:
    env: LoopbackEnvironment
    scenario: Scenario
    say: Callable[[str], None]
    pace_seconds: float = 0.0
    process_timeout: float = 30.0
    history: tuple[HistoryTicket, ...] = ()  # in Zendesk before the bridge was wired
    ticket_ids: list[int] = field(default_factory=list)  # Zendesk ids, in scenario order
    agent_updates: int = 0
    fixes_shipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    started_at: datetime | None = None  # the bridge's clock when the stages began: the report's period
    report: Report | None = None
    wiring_problems: list[str] | None = None  # what `bridge check` found; None: not run
    backfill_dry_run: BackfillOutcome | None = None
    backfill_applied: BackfillOutcome | None = None
    ended_with_article: list[str] = field(default_factory=list)  # Jira keys of problems a workaround ended
    discovered_rules: list[DiscoveredRule] = field(default_factory=list)  # emerging groups turned into rules


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[DemoRun], None]


def check_wiring(run: DemoRun) -> None:
    """`bridge check` with the bridge's public URL: config, rules, database, and both vendors'
    wiring, live (the webhooks exist, point here, carry every event, share the secret)."""
    env = run.env
    run.say(f"$ bridge check --public-url {env.bridge_url}")
    run.wiring_problems = run_checks(env.settings, public_url=env.bridge_url)
    for problem in run.wiring_problems:
        run.say(f"  error: {problem}")
    if run.wiring_problems:
        run.failures.append(f"bridge check found {len(run.wiring_problems)} problems after setup")
    else:
        run.say("  ok: the config is valid; Zendesk and Jira send their events to this bridge, signed with its secrets")


def backfill_dry_run(run: DemoRun) -> None:
    run.backfill_dry_run = _backfill(run, apply=False)


def backfill_apply(run: DemoRun) -> None:
    run.backfill_applied = _backfill(run, apply=True)
    dry_run, applied = run.backfill_dry_run, run.backfill_applied
    if dry_run is not None and _found(dry_run) != _found(applied):
        run.failures.append("the backfill opened other problems than its dry run said it would")


def _backfill(run: DemoRun, apply: bool) -> BackfillOutcome:
    """`bridge backfill --since 30d [--apply]` over the tickets Zendesk held before the wiring."""
    if not apply:
        run.say(f"zendesk already held {len(run.history)} tickets from before the bridge was wired; "
                "no webhook told the bridge about them")
    run.say(f"$ bridge backfill --since {BACKFILL_SINCE}" + (" --apply" if apply else ""))
    outcome = Backfill(run.env.runtime).run(BACKFILL_PERIOD, apply)
    for line in outcome.format_text().splitlines():
        run.say(f"  {line}")
    return outcome


def _found(outcome: BackfillOutcome) -> list[tuple]:
    """What a dry run and `--apply` must agree on (not the ids a dry run's rollback gives back)."""
    return [(problem.rule, problem.group_key, problem.team, problem.tickets, problem.requesters)
            for problem in outcome.opened]


def play_tickets(run: DemoRun) -> None:
    zendesk = run.env.zendesk
    for ticket in run.scenario.tickets:
        created = zendesk.customer_creates_ticket(
            ticket.subject, ticket.body, email=ticket.requester_email, name=ticket.requester_name,
            tags=ticket.tags, custom_fields=ticket.custom_fields)
        run.ticket_ids.append(created["id"])
        run.say(f"  ticket #{created['id']:<4} {ticket.category:<9} {ticket.subject}  ({ticket.requester_name})")
        if run.pace_seconds:
            time.sleep(run.pace_seconds)
    counts = ", ".join(f"{category} {count}" for category, count in run.scenario.count_by_category().items())
    run.say(f"customers opened {len(run.ticket_ids)} tickets: {counts}")


def agent_activity(run: DemoRun) -> None:
    for action in run.scenario.agent_actions:
        ticket_id = run.ticket_ids[action.ticket_index]
        run.env.zendesk.agent_updates_ticket(ticket_id, **action.changes)
        run.agent_updates += 1
        run.say(f"  agent on #{ticket_id:<4} {action.description}")
    run.say(f"agents made {run.agent_updates} ticket updates")


def wait_for_processing(run: DemoRun) -> None:
    """Wait until the bridge is idle, showing inbox progress as it changes."""
    deadline = time.monotonic() + run.process_timeout
    shown = None
    while True:
        idle = run.env.wait_until_idle(timeout=min(0.5, max(0.0, deadline - time.monotonic())))
        counts = run.env.runtime.inbox.counts()
        line = (f"  bridge inbox: {sum(counts.values())} events accepted, "
                f"{counts[DONE] + counts[IGNORED]} processed ({counts[IGNORED]} ignored), "
                f"{counts[PENDING] + counts[PROCESSING]} waiting, {counts[FAILED]} failed")
        if line != shown:
            run.say(line)
            shown = line
        if idle:
            break
        if time.monotonic() >= deadline:
            run.failures.append(f"the bridge was still busy after {run.process_timeout:.0f} s")
            run.say("bridge did not become idle in time")
            return
    if counts[FAILED]:
        run.failures.append(f"{counts[FAILED]} events failed in the bridge's inbox (see `bridge events failed`)")
    intake = bridge_intake(run.env.runtime)
    run.say(f"bridge is idle: knows {intake.tickets_known} tickets and {intake.issues_known} Jira issues")


def report_problems(run: DemoRun) -> None:
    report = read_problems(run.env.runtime.engine)
    if not report.supported:
        run.say("problems: this bridge version does not detect problems yet (no problems table)")
        return
    for row in report.rows:
        run.say("  problem " + ", ".join(f"{name}={value}" for name, value in row.items()))
    states = ", ".join(f"{state} {count}" for state, count in sorted(report.by_state.items())) or "none"
    run.say(f"problems: {report.total} ({states})")


def report_jira_issues(run: DemoRun) -> None:
    issues = jira_issues(run.env.jira)
    for issue in issues:
        run.say(f"  {issue.key:<8} [{issue.priority}, due {issue.due or '-'}, {issue.status}] {issue.summary}")
    projects = sorted({issue.project for issue in issues})
    where = f" in {', '.join(projects)}" if projects else ""
    run.say(f"jira: {len(issues)} issues{where}")


def proactive_notice(run: DemoRun) -> None:
    """The outbreak (the app crash on one product, the demo's high-impact problem) ends with a
    proactive notice: the customers on the affected app version who have not written in are told,
    previewed first (a dry run), then sent."""
    runtime = run.env.runtime
    found, _ = runtime.problems.search(states=NOTIFIABLE_STATES)
    outbreak = [p for p in found if p.group_key == OUTBREAK_PRODUCT.value]
    if not outbreak:
        run.say(f"proactive notice: no open problem on {OUTBREAK_PRODUCT.app} to warn customers of")
        return
    problem = outbreak[0]
    affected = set_up_affected_customers(run.env.zendesk)
    run.say(f"zendesk: {affected} customers in organizations on app version {AFFECTED_VERSION} "
            f"(one organization opted out of proactive notices)")
    command = f"$ bridge problems notify {problem.id} --query '{AUDIENCE_QUERY}'"
    try:
        run.say(f"{command} --dry-run")
        preview = runtime.proactive.preview(problem.id, AUDIENCE_QUERY)
        lines, warnings = preview_lines(preview, sample_size=3)
        for line in [*lines, *warnings]:
            run.say(f"  {line}")
        run.say(f"{command} --send")
        notice_id = runtime.proactive.start(preview, runtime.clock())
        progress = run_notice(runtime, notice_id, timeout=run.process_timeout)
    except (NotNotifiable, SendStalled, TimeoutError) as error:
        run.failures.append(f"proactive notice for problem {problem.id}: {error}")
        run.say(f"  proactive notice failed: {error}")
        return
    per_customer = Counter(ticket["requester_id"] for ticket in run.env.zendesk.tickets()
                           if PROACTIVE_TAG in ticket["tags"])
    if sorted(per_customer.values()) != [1] * progress.done:
        run.failures.append(f"proactive notice {notice_id}: {progress.done} customers told, but Zendesk holds "
                            f"{sum(per_customer.values())} proactive tickets for {len(per_customer)} customers")
    run.say(f"  proactive notice {notice_id} {progress.state}: {progress.done} of {progress.total} customers told, "
            f"one ticket each")


def ship_fixes(run: DemoRun) -> None:
    """Engineers pick up every open Jira issue and ship the fix (In Progress, then Done/Fixed),
    except those of problems that ended with their workaround article."""
    ended = set(run.ended_with_article)
    for key in sorted(ended):
        run.say(f"  {key} ended with its workaround article: no fix to ship")
    open_issues = [issue for issue in jira_issues(run.env.jira)
                   if issue.status != DONE_STATUS and issue.key not in ended]
    if not open_issues:
        run.say("engineering: no Jira issues to work on")
        return
    for issue in open_issues:
        run.env.jira.user_transitions(issue.key, STARTED_STATUS)
        run.say(f"  {issue.key} moved to {STARTED_STATUS}")
    for issue in open_issues:
        run.env.jira.user_transitions(issue.key, DONE_STATUS, resolution="Fixed")
        run.fixes_shipped.append(issue.key)
        run.say(f"  {issue.key} moved to {DONE_STATUS} (Fixed): the fix shipped")
    run.say(f"engineering shipped {len(run.fixes_shipped)} fixes")


def report_ticket_updates(run: DemoRun) -> None:
    outcome = zendesk_outcome(run.env.zendesk)
    run.say(f"zendesk: the bridge replied to {len(outcome.notified)} customers "
            f"({len(outcome.solved_after_notification)} of those tickets solved) and left internal notes "
            f"on {len(outcome.noted)} tickets")


def report_figures(run: DemoRun) -> None:
    """What `bridge report` prints (markdown) for the demo's period, read from the database."""
    runtime = run.env.runtime
    until = runtime.clock()
    run.report = build_report(runtime.engine, run.started_at or until, until, runtime.settings.calendar.zone)
    run.say("bridge report for the demo's period:")
    for line in render_markdown(run.report).splitlines():
        run.say(f"  {line}" if line else "")


STAGES = (
    Stage("check_wiring", check_wiring),
    Stage("backfill_dry_run", backfill_dry_run),
    Stage("backfill_apply", backfill_apply),
    Stage("play_tickets", play_tickets),
    Stage("agent_activity", agent_activity),
    Stage("wait_for_processing", wait_for_processing),
    Stage("report_problems", report_problems),
    Stage("report_jira_issues", report_jira_issues),
    Stage("end_with_article", end_with_article),
    Stage("proactive_notice", proactive_notice),
    Stage("ship_fixes", ship_fixes),
    Stage("wait_for_fix_processing", wait_for_processing),
    Stage("discover_emerging", discover_emerging),
    Stage("report_ticket_updates", report_ticket_updates),
    Stage("report", report_figures),
)
