"""`bridge demo`: the whole loop against simulated Zendesk and Jira, no accounts, no config."""

from __future__ import annotations

import signal
import threading

import click

from bridge.cli.context import reported_source_errors


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON (narration goes to stderr).")
@click.option("--keep-running", is_flag=True,
              help="Leave the bridge and simulators up, with problems open, at risk, overdue and detecting "
                   "on the dashboard; print their URLs (the dashboard's with the API token).")
@click.option("--tickets", type=click.IntRange(1, 2000), default=40, show_default=True,
              help="Customer tickets to play.")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the generated ticket stream.")
def demo(as_json: bool, keep_running: bool, tickets: int, seed: int) -> None:
    """Play a realistic ticket stream through simulated Zendesk and Jira and show what the bridge does."""
    from bridge.demo import DemoOptions, RulesNotFound, run_demo

    def say(line: str) -> None:
        click.echo(line, err=as_json)

    def present(summary, env) -> None:
        click.echo(summary.to_json() if as_json else "\n" + summary.format_table())
        if keep_running:
            _wait_for_interrupt(env, err=as_json)

    try:
        with reported_source_errors():
            summary = run_demo(DemoOptions(tickets=tickets, seed=seed, first_look=keep_running), say, present)
    except RulesNotFound as error:
        raise click.ClickException(str(error)) from None
    if not summary.ok:
        click.echo("demo failed: " + "; ".join(summary.failures), err=True)
        raise SystemExit(1)


def _wait_for_interrupt(env, err: bool) -> None:
    access = env.access
    width = max(len(name) for name in env.urls)
    lines = [f"{name + ':':<{width + 1}} {url}" for name, url in env.urls.items()]
    if env.api_token:
        lines.append(f"bridge API:  Authorization: Bearer {env.api_token} (/api/problems, /api/problems.csv)")
    lines += [f"zendesk API: {access.zendesk_email} / token {access.zendesk_api_token}",
              f"jira API:    {access.jira_email} / token {access.jira_api_token}",
              "everything keeps running; press Ctrl-C to stop"]
    click.echo("\n".join(lines), err=err)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("stopping", err=True)


def _interrupt(*_) -> None:
    raise KeyboardInterrupt
