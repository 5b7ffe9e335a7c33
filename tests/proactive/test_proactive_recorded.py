"""A proactive notice, once sent, is recorded on its problem: the timeline and the counts on the
dashboard, the API (list and detail), `bridge problems show`, and `bridge report` (text and JSON)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bridge.cli import main
from bridge.http.app import create_app
from bridge.proactive.in_process import run_notice
from tests.support.closure_world import closure_runtime, limited_simulator
from tests.support.proactive_world import QUERY, seed_audience
from tests.support.problem_data import API_TOKEN
from tests.support.settings import write_config

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


@pytest.fixture
def sent(tmp_path):
    with limited_simulator() as sim:
        runtime = closure_runtime(sim, tmp_path, api={"token": API_TOKEN})
        audience = seed_audience(sim, runtime, 12, organizations=2)
        notice_id = runtime.proactive.start(runtime.proactive.preview(audience.problem_id, QUERY), runtime.clock())
        run_notice(runtime, notice_id, timeout=30)
        yield runtime, audience.problem_id, write_config(tmp_path, runtime.settings)
        runtime.engine.dispose()


def test_the_dashboard_and_the_api_show_the_customers_told(sent):
    runtime, problem_id, _ = sent
    client = create_app(runtime).test_client()

    page = client.get(f"/dashboard/problems/{problem_id}", headers=AUTH).get_data(as_text=True)
    assert "Proactive notice 1: 12 of 12 customers told before writing in (done; 17 left out)" in page
    assert "Proactive notice started" in page and "Customers told before writing in" in page
    assert "<b>12</b>told proactively" in client.get("/dashboard", headers=AUTH).get_data(as_text=True)
    assert "<b>12</b>told proactively" in client.get("/dashboard/teams/engineering",
                                                     headers=AUTH).get_data(as_text=True)

    [listed] = client.get("/api/problems", headers=AUTH).get_json()["problems"]
    assert listed["proactive_notified"] == 12
    [notice] = client.get(f"/api/problems/{problem_id}", headers=AUTH).get_json()["proactive_notices"]
    assert {key: notice[key] for key in ("notice_id", "state", "query", "total", "notified", "failed")} == {
        "notice_id": 1, "state": "done", "query": QUERY, "total": 12, "notified": 12, "failed": 0}
    assert notice["excluded"] == {"already_linked": 5, "opted_out": 7, "suspended": 3, "no_email": 2}


def test_bridge_problems_show_and_bridge_report_say_so(sent):
    _, problem_id, config = sent
    runner = CliRunner()

    shown = runner.invoke(main, ["--config", str(config), "problems", "show", str(problem_id)])
    assert shown.exit_code == 0, shown.output
    assert f"proactive notice 1: 12/12 customers told (done, 17 left out); query {QUERY!r}" in shown.output

    text = runner.invoke(main, ["--config", str(config), "report"])
    assert text.exit_code == 0, text.output
    assert "## Proactive notices: 12 customers told before writing in" in text.output
    assert "| 1 | checkout-crash | engineering | 1 | done | 12 | 0 |" in text.output
    figures = json.loads(runner.invoke(main, ["--config", str(config), "report", "--format", "json"]).output)
    assert figures["proactive_notices_sent"] == 12
    assert figures["proactive_notices"] == [{"problem": problem_id, "rule": "checkout-crash", "team": "engineering",
                                             "notice": 1, "state": "done", "notified": 12, "failed": 0}]
