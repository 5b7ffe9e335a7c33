"""`bridge demo --keep-running` leaves a dashboard worth a first look: after the main stages customers
keep writing, so that problems are open, at risk, overdue, still detecting and recently fixed when
a person opens /dashboard. Each state comes about the way it does in production: tickets cross a
rule's threshold; a fixed cause comes back (the refund problem the backfill found in two-week-old
tickets, so it opened back then: its issue reopens in To Do with more than half of the time from
that opening to its due date gone, so it is at risk); an engineer moves a due date into the past in
Jira; and the scheduler's `check_due` job runs (now, rather than at its next interval). The
backfilled address problem ended with its Help Center article: a customer writing about it again
joins it and is answered with the article at once."""

from __future__ import annotations

from datetime import timedelta

from bridge.demo import phrasebook
from bridge.demo.scenario import OTHER_PRODUCT, CustomerTicket, generate_scenario
from bridge.demo.stages import DemoRun, Stage, wait_for_processing
from bridge.domain.problems import DETECTING, Problem
from bridge.planning.due import local_date
from bridge.problems.views import detecting
from bridge.scheduler.jobs import scheduled_jobs

# (rule, group key or None for any, which of the extra scenario's tickets feed it)
OPENS = (("defects-app-crash", OTHER_PRODUCT.value), ("billing-invoice-wrong", None))
OVERDUE_RULE = "defects-app-crash"  # its newly opened problem gets a due date in the past
POOL_SIZE = 300  # the extra scenario the new tickets are taken from


def keep_customers_writing(run: DemoRun) -> None:
    """Tickets that open two new problems, bring the backfilled refund problem back and join the
    address problem that ended with its article."""
    pool = generate_scenario(POOL_SIZE, run.scenario.seed + 1).tickets
    feeds = {"defects-app-crash": [t for t in pool if t.product == OTHER_PRODUCT.value],
             "billing-invoice-wrong": [t for t in pool if t.cause == "wrong_invoice"]}
    for rule, group in OPENS:
        needed = _still_needed(run, rule, group)
        for ticket in feeds[rule][:needed]:
            _play(run, ticket)
        run.say(f"  {needed} more {rule} tickets: the rule's threshold is reached")
    for (subject, body), what in ((phrasebook.REFUND_COMES_BACK, "the backfilled refund problem, fixed, comes back"),
                                  (phrasebook.ADDRESS_PROBLEMS[0], "joins the address problem its article answers")):
        created = run.env.zendesk.customer_creates_ticket(subject, body, email="returning.customer@example.org",
                                                          name="Returning Customer")
        run.ticket_ids.append(created["id"])
        run.say(f"  ticket #{created['id']:<4} {subject}: {what}")


def _still_needed(run: DemoRun, rule_name: str, group: str | None) -> int:
    """Tickets that take the rule's detecting problem (of that group) to its threshold."""
    runtime = run.env.runtime
    rule = runtime.rules.current().by_name(rule_name)
    if rule is None:
        return 0
    found, _ = runtime.problems.search(rules=[rule_name], states=[DETECTING])
    problem = next((p for p in found if group is None or p.group_key == group), None)
    progress = detecting(runtime, problem) if problem is not None else None
    counted = progress.counted if progress is not None else 0
    return max(rule.spec.threshold.count - counted, 0)


def _play(run: DemoRun, ticket: CustomerTicket) -> None:
    created = run.env.zendesk.customer_creates_ticket(
        ticket.subject, ticket.body, email=ticket.requester_email, name=ticket.requester_name,
        tags=ticket.tags, custom_fields=ticket.custom_fields)
    run.ticket_ids.append(created["id"])


def move_a_due_date_into_the_past(run: DemoRun) -> None:
    """An engineer sets yesterday as the due date of the new crash issue (Jira tells the bridge)."""
    problem = _open_problem(run, OVERDUE_RULE, OTHER_PRODUCT.value)
    if problem is None or problem.jira_key is None:
        run.failures.append(f"first look: no open {OVERDUE_RULE} problem with a Jira issue to make overdue")
        return
    runtime = run.env.runtime
    yesterday = local_date(runtime.clock(), runtime.settings.calendar.zone) - timedelta(days=1)
    run.env.jira.user_edits(problem.jira_key, {"duedate": yesterday.isoformat()})
    run.say(f"  {problem.jira_key}: due date moved to {yesterday.isoformat()} in Jira")


def _open_problem(run: DemoRun, rule: str, group: str) -> Problem | None:
    found, _ = run.env.runtime.problems.search(rules=[rule], states=["open", "in_progress"])
    return next((problem for problem in found if problem.group_key == group), None)


def check_due_dates(run: DemoRun) -> None:
    """The scheduler's check_due job, once."""
    [job] = [job for job in scheduled_jobs(run.env.runtime) if job.id == "check_due"]
    run.say(f"  check_due: {job.run()}")


def show_the_first_look(run: DemoRun) -> None:
    found, _ = run.env.runtime.problems.search()
    states: dict[str, int] = {}
    for problem in found:
        shown = (problem.accountability if problem.state in ("open", "in_progress", "regressed")
                 and problem.accountability != "on_time" else problem.state)
        states[str(shown)] = states.get(str(shown), 0) + 1
    run.say("the dashboard now shows: " + ", ".join(f"{name} {count}" for name, count in sorted(states.items())))


FIRST_LOOK = (
    Stage("keep_customers_writing", keep_customers_writing),
    Stage("wait_for_new_problems", wait_for_processing),
    Stage("move_a_due_date_into_the_past", move_a_due_date_into_the_past),
    Stage("wait_for_the_due_date", wait_for_processing),
    Stage("check_due_dates", check_due_dates),
    Stage("wait_for_overdue_actions", wait_for_processing),
    Stage("show_the_first_look", show_the_first_look),
)
