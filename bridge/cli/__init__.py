"""The `bridge` command line: one module per command group."""

from __future__ import annotations

import click

from bridge.cli.actions import actions
from bridge.cli.backfill import backfill
from bridge.cli.context import CONFIG_HELP, CONFIG_PATH, CliContext, accept_config_after
from bridge.cli.demo import demo
from bridge.cli.discover import discover
from bridge.cli.events import events
from bridge.cli.problems import problems
from bridge.cli.report import report
from bridge.cli.rules import rules
from bridge.cli.service import check, db, serve, worker
from bridge.cli.setup import setup
from bridge.cli.sim import sim
from bridge.config.settings import CONFIG_ENV_VARIABLE


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", envvar=CONFIG_ENV_VARIABLE, type=CONFIG_PATH, help=CONFIG_HELP)
@click.version_option(package_name="zendesk-jira-bridge")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Zendesk–Jira problem bridge: recurring tickets become Jira problems; fixes reach customers."""
    ctx.obj = CliContext(config_path)


for command in (check, setup, serve, worker, db, events, actions, problems, report, discover, backfill, rules, demo,
                sim):
    main.add_command(accept_config_after(command))
