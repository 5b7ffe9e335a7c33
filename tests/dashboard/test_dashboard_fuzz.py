"""Property: no query string makes the history, the report or the problems API answer 5xx."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.http.app import create_app
from bridge.runtime import build_runtime
from tests.support.clock import FakeClock
from tests.support.problem_data import API_TOKEN, build_problems, problem_settings

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
NAMES = ["team", "state", "accountability", "overdue", "rule", "q", "since", "until", "page", "format", "limit",
         "offset"]
values = (st.text(max_size=30) | st.sampled_from(["", "open", "fixed,open", "2026-11-01", "9999-12-31", "0001-01-01",
                                                   "30d", "99999999w", "csv", "json", "true", "-1", "%", "_", "\\"])
          | st.integers(-(2**70), 2**70).map(str) | st.dates().map(lambda day: day.isoformat()))
queries = st.lists(st.tuples(st.sampled_from(NAMES), values), max_size=6)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fuzz")
    clock = FakeClock()
    runtime = build_runtime(problem_settings(f"sqlite:///{directory / 'bridge.db'}", directory / "rules"), clock=clock)
    build_problems(runtime, clock)
    yield create_app(runtime).test_client()
    runtime.engine.dispose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries, path=st.sampled_from(["/dashboard/history", "/dashboard/report", "/api/problems"]))
def test_no_query_string_is_a_server_error(client, query, path):
    response = client.get(path, headers=AUTH, query_string=query)
    assert response.status_code < 500, (path, query, response.get_data(as_text=True)[:500])
    assert response.status_code in (200, 400), (path, query)
