"""`bridge actions list|failed|retry`: the outbox, looked at and replayed like `bridge events`."""

from __future__ import annotations

import pytest

from bridge.config.settings import load_settings
from bridge.runtime import build_runtime


def test_list_shows_the_outbox_newest_first(bridge_cli, built):
    result = bridge_cli("actions", "list")
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split() == ["id", "kind", "problem", "status", "tries", "created", "outcome", "/", "error"]
    assert row.split() == [str(built.failed_action), "jira.create_issue", str(built.finance), "failed", "1",
                           "2026-11-23T12:01:00+00:00", "jira:", "create", "issue", "in", "FIN:", "HTTP", "503"]


def test_list_by_status_and_failed(bridge_cli, built):
    assert bridge_cli("actions", "list", "--status", "pending").stdout.strip() == "no actions"
    assert "jira.create_issue" in bridge_cli("actions", "list", "--status", "failed").stdout
    assert "HTTP 503" in bridge_cli("actions", "failed").stdout


def test_retry_needs_ids_or_all(bridge_cli, built):
    result = bridge_cli("actions", "retry")
    assert result.exit_code == 2 and "name action ids or pass --all" in result.output


@pytest.mark.parametrize("arguments", [["--all"], ["{id}"]])
def test_retry_queues_failed_actions_again(bridge_cli, built, problems_config, arguments):
    result = bridge_cli("actions", "retry", *[a.format(id=built.failed_action) for a in arguments])
    assert result.exit_code == 0 and "1 action(s) queued again" in result.output
    runtime = build_runtime(load_settings(problems_config[0]))
    [action] = runtime.outbox.list()
    assert (action.status, action.attempts) == ("pending", 0)
    runtime.engine.dispose()
    assert bridge_cli("actions", "failed").stdout.strip() == "no actions"
    assert "0 action(s) queued again" in bridge_cli("actions", "retry", "--all").stdout


def test_every_queue_command_has_help(bridge_cli):
    for command in (["actions", "list"], ["actions", "failed"], ["actions", "retry"], ["problems", "list"],
                    ["problems", "show"], ["events", "list"]):
        result = bridge_cli(*command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output
