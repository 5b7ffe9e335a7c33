"""A newcomer's first commands: `--config` after the subcommand, `bridge check` that creates no
database and says when the API is off, read-only commands that neither migrate nor log Alembic's
lines."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from bridge.cli import main
from tests.support.processes import ROOT
from tests.support.settings import make_settings, write_config


def all_commands(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    for name, subcommand in getattr(command, "commands", {}).items():
        yield from all_commands(subcommand, (*path, name))


def run_bridge(*arguments: str) -> subprocess.CompletedProcess:
    """`bridge` as a process: what it writes to stderr includes its logging, which CliRunner may miss."""
    return subprocess.run([sys.executable, "-m", "bridge.cli", *arguments], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


@pytest.fixture
def config(tmp_path):
    return write_config(tmp_path, make_settings(f"sqlite:///{tmp_path / 'bridge.db'}",
                                                api={"token": "an-api-token"}))


def test_every_subcommand_takes_config_after_its_name():
    missing = [" ".join(path) for path, command in all_commands(main) if path
               and "--config" not in {opt for param in command.params for opt in getattr(param, "opts", ())}]
    assert missing == []


def test_config_after_the_subcommand_is_the_config_used(config, tmp_path):
    result = CliRunner().invoke(main, ["check", "--offline", "--config", str(config)], env={"BRIDGE_CONFIG": ""})
    assert result.exit_code == 0, result.output
    assert f"ok: {config} is valid" in result.stdout
    nested = CliRunner().invoke(main, ["--config", str(tmp_path / "absent.yaml"), "rules", "check",
                                       "--config", str(config)])
    assert nested.exit_code == 0, nested.output


def test_check_creates_no_database(config, tmp_path):
    result = CliRunner().invoke(main, ["--config", str(config), "check", "--offline"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "bridge.db").exists()


def test_check_names_a_directory_where_the_database_cannot_be_created(tmp_path):
    missing = tmp_path / "no-such-directory" / "bridge.db"
    path = write_config(tmp_path, make_settings(f"sqlite:///{missing}", api={"token": "t"}))
    result = CliRunner().invoke(main, ["--config", str(path), "check", "--offline"])
    assert result.exit_code == 1
    assert f"error: database.url: the directory {missing.parent} for the SQLite database does not exist" \
        in result.stderr


@pytest.mark.parametrize("token", ["", None])
def test_check_says_that_an_empty_api_token_switches_the_api_and_dashboard_off(tmp_path, token):
    path = write_config(tmp_path, make_settings(f"sqlite:///{tmp_path / 'bridge.db'}", api={"token": token}))
    result = CliRunner().invoke(main, ["--config", str(path), "check", "--offline"])
    assert result.exit_code == 0, result.output
    assert "warning: api.token: empty, so the API (/api/...) and the dashboard (/dashboard) are switched off" \
        in result.stderr


def test_check_is_quiet_about_a_set_api_token(config):
    result = CliRunner().invoke(main, ["--config", str(config), "check", "--offline"])
    assert result.stderr == ""


def test_a_read_only_command_on_a_database_not_yet_created_creates_none(config, tmp_path):
    result = run_bridge("problems", "list", "--config", str(config))
    assert result.returncode == 1
    assert result.stderr == (f"error: no database at {tmp_path / 'bridge.db'} yet: run `bridge db upgrade` "
                             "(`bridge serve` and `bridge worker` also do it on start)\n")
    assert not (tmp_path / "bridge.db").exists()


def test_read_only_commands_print_no_migration_lines(config):
    upgraded = run_bridge("db", "upgrade", "--config", str(config))
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Running upgrade" in upgraded.stderr  # the command that migrates says so
    for command in (("problems", "list"), ("problems", "show", "1"), ("events", "list"), ("report",)):
        result = run_bridge(*command, "--config", str(config))
        assert "alembic" not in result.stderr, command
        assert result.returncode in (0, 1), result.stderr


def test_a_read_only_command_on_a_database_behind_the_code_asks_for_an_upgrade(config, tmp_path):
    (tmp_path / "bridge.db").touch()
    result = CliRunner().invoke(main, ["--config", str(config), "problems", "list"])
    assert result.exit_code == 1
    assert "error: the database is empty, this bridge needs revision" in result.stderr
    assert "run `bridge db upgrade`" in result.stderr


def test_a_database_a_newer_bridge_migrated_is_named_as_such(config, tmp_path):
    assert CliRunner().invoke(main, ["--config", str(config), "db", "upgrade"]).exit_code == 0
    with sqlite3.connect(tmp_path / "bridge.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    result = CliRunner().invoke(main, ["--config", str(config), "problems", "list"])
    assert result.exit_code == 1
    assert "error: the database is at revision 9999, which a newer bridge made; this one knows up to" \
        in result.stderr
