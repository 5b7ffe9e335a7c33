"""API tests: a bridge whose database holds problems built through the real detection path."""

from __future__ import annotations

import pytest

from bridge.http.app import create_app
from bridge.runtime import build_runtime
from tests.support.problem_data import API_TOKEN, build_problems, problem_settings


@pytest.fixture
def bridge(database_url, tmp_path, clock):
    runtime = build_runtime(problem_settings(database_url, tmp_path / "rules"), clock=clock)
    built = build_problems(runtime, clock)
    yield create_app(runtime).test_client(), built
    runtime.engine.dispose()


@pytest.fixture
def api(bridge):
    client, _ = bridge

    def get(path: str, **query):
        return client.get(path, query_string=query, headers={"Authorization": f"Bearer {API_TOKEN}"})

    return get


@pytest.fixture
def built(bridge):
    return bridge[1]
