"""CLI tests: a config file on disk whose SQLite database holds problems built by detection."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bridge.cli import main
from bridge.runtime import build_runtime
from tests.support.problem_data import build_problems, problem_settings
from tests.support.settings import write_config


@pytest.fixture
def problems_config(tmp_path, sqlite_url, clock):
    settings = problem_settings(sqlite_url, tmp_path / "rules")
    runtime = build_runtime(settings, clock=clock)
    built = build_problems(runtime, clock)
    runtime.engine.dispose()
    return write_config(tmp_path, settings), built


@pytest.fixture
def bridge_cli(problems_config):
    path, _ = problems_config

    def invoke(*arguments: str):
        return CliRunner().invoke(main, ["--config", str(path), *arguments])

    return invoke


@pytest.fixture
def built(problems_config):
    return problems_config[1]
