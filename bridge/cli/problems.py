"""`bridge problems list|show`: the problems the bridge found, as the API shows them (and the
commands acting on one: close, workaround, notify)."""

from __future__ import annotations

import json

import click

from bridge.cli.close import close_command
from bridge.cli.context import CliContext, pass_context
from bridge.cli.notify import notify_command
from bridge.cli.tables import cell, print_table
from bridge.cli.workaround import workaround_command
from bridge.domain.problems import Accountability, ProblemState
from bridge.problems.views import problem_detail, problem_summary

LIST_HEADERS = ("id", "state", "team", "rule / group", "jira", "priority", "due", "accountability", "tickets",
                "requesters", "orgs")


def _echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True))


def _rule_and_group(view: dict) -> str:
    return view["rule"] + (f" / {view['group']}" if view["group"] else "")


@click.group()
def problems() -> None:
    """Problems: recurring tickets with one root cause, and their Jira issues."""


def _values(states) -> list[str]:
    # Click would offer an enum's member names (OPEN); the command line takes the stored values (open).
    return [state.value for state in states]


@problems.command("list")
@click.option("--team", "teams", multiple=True, help="Only this team's problems (repeatable).")
@click.option("--state", "states", multiple=True, type=click.Choice(_values(ProblemState)),
              help="Only problems in this state (repeatable).")
@click.option("--accountability", "accountability", multiple=True, type=click.Choice(_values(Accountability)),
              help="Only problems in this state against their due date (repeatable).")
@click.option("--overdue/--not-overdue", default=None, help="Only overdue problems, or only those that are not.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON, as GET /api/problems answers.")
@pass_context
def list_problems(context: CliContext, teams: tuple[str, ...], states: tuple[str, ...],
                  accountability: tuple[str, ...], overdue: bool | None, limit: int, as_json: bool) -> None:
    """Newest problems first."""
    runtime = context.runtime()
    found, total = runtime.problems.search(teams, states, limit, accountability=accountability, overdue=overdue)
    views = [problem_summary(problem, runtime.settings) for problem in found]
    if as_json:
        _echo_json({"problems": views, "total": total, "limit": limit, "offset": 0})
        return
    print_table(LIST_HEADERS, [
        (view["id"], view["state"], view["team"], _rule_and_group(view), view["jira_key"], view["priority"],
         view["due_date"], view["accountability"], view["counts"]["tickets"], view["counts"]["requesters"],
         view["counts"]["organizations"]) for view in views], "no problems")
    if total > len(views):
        click.echo(f"({len(views)} of {total}; --limit shows more)")


@problems.command("show")
@click.argument("problem_id", type=click.IntRange(1, 2**63 - 1))
@click.option("--json", "as_json", is_flag=True, help="Print JSON, as GET /api/problems/ID answers.")
@pass_context
def show_problem(context: CliContext, problem_id: int, as_json: bool) -> None:
    """One problem: its Jira issue, linked tickets, unfinished actions and audit log."""
    detail = problem_detail(context.runtime(), problem_id)
    if detail is None:
        raise click.ClickException(f"no problem {problem_id}")
    if as_json:
        _echo_json(detail)
        return
    _print_detail(detail)


def _print_detail(view: dict) -> None:
    counts = view["counts"]
    click.echo(f"problem {view['id']}: {view['state']}, team {view['team']}, rule {_rule_and_group(view)} "
               f"(origin {view['origin']})")
    click.echo(f"jira:     {cell(view['jira_key'])}" + (f"  {view['jira_url']}" if view["jira_url"] else ""))
    click.echo(f"priority: {cell(view['priority'])}, due {cell(view['due_date'])}, {view['accountability']}"
               + "".join(f", {label} {view[key]}"
                         for label, key in (("at risk", "at_risk_at"), ("overdue", "overdue_at")) if view[key]))
    click.echo(f"affected: {counts['tickets']} tickets, {counts['requesters']} requesters, "
               f"{counts['organizations']} organizations")
    click.echo(f"detected: {view['detected_at']}, opened {cell(view['opened_at'])}, updated {view['updated_at']}")
    closure = view["customers_notified"]
    if view["fixed_at"]:
        click.echo(f"fixed:    {view['fixed_at']}" + (f" in {view['fix_version']}" if view["fix_version"] else ""))
    if closure:
        click.echo(f"notified: {closure['done']}/{closure['total']} customers ({closure['state']}"
                   + (f", {closure['failed']} failed" if closure["failed"] else "") + ")")
    workaround = view["workaround"]
    if workaround:
        click.echo(f"workaround: from {workaround['source']}, "
                   + ("ended the problem" if workaround["outcome"] == "ended" else "a fix still due")
                   + f"; article {cell(workaround['article_url'])}; {workaround['tickets_answered']} tickets answered")
    for notice in view["proactive_notices"]:
        click.echo(f"proactive notice {notice['notice_id']}: {notice['notified']}/{notice['total']} customers told "
                   f"({notice['state']}" + (f", {notice['failed']} failed" if notice["failed"] else "")
                   + f", {sum(notice['excluded'].values())} left out); query {notice['query']!r}")
    click.echo(f"\ntickets ({len(view['tickets'])}):")
    print_table(("ticket", "joined", "left", "zendesk", "url"), [
        (t["id"], t["joined_at"], t["left_at"], _zendesk_told(t), t["url"]) for t in view["tickets"]], "  none")
    click.echo(f"\nunfinished actions ({len(view['actions'])}):")
    print_table(("id", "kind", "status", "tries", "last error"), [
        (a["id"], a["kind"], a["status"], a["attempts"], a["last_error"]) for a in view["actions"]], "  none")
    click.echo(f"\naudit log ({len(view['audit'])}):")
    print_table(("at", "action", "details"), [
        (entry["at"], entry["action"], json.dumps(entry["details"], sort_keys=True)) for entry in view["audit"]],
        "  none")


def _zendesk_told(ticket: dict) -> str:
    if ticket["unlinked_at"]:
        return f"unlinked {ticket['unlinked_at']}"
    return f"linked {ticket['linked_at']}" if ticket["linked_at"] else "not yet"


problems.add_command(close_command)
problems.add_command(workaround_command)
problems.add_command(notify_command)
