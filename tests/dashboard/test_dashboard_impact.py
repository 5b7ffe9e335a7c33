"""A problem's weighted impact, once read, on the dashboard's pages and in the API and CSV."""

from __future__ import annotations

from bridge.domain.impact import ImpactScore
from bridge.http.app import create_app
from bridge.runtime import build_runtime
from tests.support.problem_data import API_TOKEN, build_problems, problem_settings

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


def test_the_score_and_its_parts_show_where_the_counts_do(sqlite_url, tmp_path, clock):
    runtime = build_runtime(problem_settings(sqlite_url, tmp_path / "rules", api={"token": API_TOKEN}, impact={}),
                            clock=clock)
    finance = build_problems(runtime, clock).finance
    client = create_app(runtime).test_client()
    assert "Impact score" not in client.get(f"/dashboard/problems/{finance}", headers=AUTH).get_data(as_text=True)

    impact = ImpactScore(score=42.5, organization_points=30, organizations=3, bad_ratings=2, bad_rating_points=10,
                         replies=3, reply_points=1.5, resolution_hours=10, resolution_points=1, tickets_read=3,
                         read_at=clock())
    with runtime.engine.begin() as connection:
        runtime.problems.record_impact(connection, finance, impact)

    page = client.get(f"/dashboard/problems/{finance}", headers=AUTH).get_data(as_text=True)
    assert ("Impact score 42.5 (organizations 30 from 3; 2 bad ratings 10; 3 replies 1.5; 10 h to resolution 1)"
            in page)
    assert "score 42.5" in client.get("/dashboard", headers=AUTH).get_data(as_text=True)
    detail = client.get(f"/api/problems/{finance}", headers=AUTH).get_json()
    assert detail["impact"] == impact.to_json()
    csv_rows = client.get("/api/problems?format=csv", headers=AUTH).get_data(as_text=True).splitlines()
    assert csv_rows[0].endswith(",impact_score") and any(row.endswith(",42.5") for row in csv_rows[1:])
    runtime.engine.dispose()
