"""GET /api/problems filtered by accountability (`overdue`, `accountability`), and the CSV export
(`/api/problems.csv`, `?format=csv`): same filters, same auth, formula-safe cells."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import update

from bridge.domain.lifecycle import Cause, transition
from bridge.problems.views import CSV_COLUMNS, csv_cell
from bridge.storage.schema import problems
from tests.support.problem_data import API_TOKEN, record_accountability


@pytest.fixture
def runtime(bridge):
    client, _ = bridge
    return client.application.extensions["bridge"]


@pytest.fixture
def finance_overdue(runtime, built, clock):
    record_accountability(runtime, built.finance, "overdue", clock())
    return built


def rows_of(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_list_shows_the_accountability_state_and_when_it_was_entered(api, finance_overdue):
    views = {p["id"]: p for p in api("/api/problems").json["problems"]}
    finance, engineering = views[finance_overdue.finance], views[finance_overdue.engineering]
    assert (finance["accountability"], finance["at_risk_at"], finance["overdue_at"]) == (
        "overdue", "2026-11-23T12:03:00+00:00", "2026-11-23T12:03:00+00:00")
    assert (engineering["accountability"], engineering["at_risk_at"], engineering["overdue_at"]) == (
        "on_time", None, None)
    detail = api(f"/api/problems/{finance_overdue.finance}").json
    assert (detail["accountability"], detail["overdue_at"]) == ("overdue", "2026-11-23T12:03:00+00:00")


@pytest.mark.parametrize("query, expected", [
    ({"overdue": "true"}, ["finance"]),
    ({"overdue": "TRUE"}, ["finance"]),
    ({"overdue": "false"}, ["engineering"]),
    ({"accountability": "overdue"}, ["finance"]),
    ({"accountability": "on_time"}, ["engineering"]),
    ({"accountability": "at_risk"}, []),
    ({"accountability": "at_risk,overdue"}, ["finance"]),
    ({"accountability": ["on_time", "overdue"]}, ["engineering", "finance"]),
    ({"overdue": "true", "team": "engineering"}, []),
    ({"overdue": "true", "state": "open"}, ["finance"]),
    ({"overdue": "false", "accountability": "overdue"}, []),
])
def test_filters_by_accountability(api, finance_overdue, query, expected):
    body = api("/api/problems", **query).json
    assert sorted(p["team"] for p in body["problems"]) == expected
    assert body["total"] == len(expected)


def test_an_at_risk_problem_is_not_overdue(api, runtime, built, clock):
    record_accountability(runtime, built.finance, "at_risk", clock())
    assert [p["id"] for p in api("/api/problems", accountability="at_risk").json["problems"]] == [built.finance]
    assert sorted(p["id"] for p in api("/api/problems", overdue="false").json["problems"]) == sorted(
        [built.finance, built.engineering])


@pytest.mark.parametrize("path", ["/api/problems", "/api/problems.csv"])
@pytest.mark.parametrize("query, mentions", [
    ({"overdue": "yes"}, "overdue: expected true or false"),
    ({"overdue": ""}, "overdue: expected true or false"),
    ({"accountability": "late"}, "accountability: unknown value(s) late"),
    ({"accountability": "on_time,at-risk"}, "at-risk"),
    ({"format": "xlsx"}, "format"),
])
def test_bad_accountability_filters_and_formats_are_400(api, built, path, query, mentions):
    response = api(path, **query)
    assert response.status_code == 400
    assert response.json["error"] == "bad_parameter"
    assert mentions in response.json["message"]


def test_the_csv_export_has_a_header_and_one_row_per_problem(api, finance_overdue, runtime, clock):
    with runtime.engine.begin() as connection:
        shipped = transition(runtime.problems.lock(connection, finance_overdue.finance).state, Cause.FIX_SHIPPED,
                             clock())
        runtime.problems.change_state(connection, finance_overdue.finance, shipped, clock())
    response = api("/api/problems.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="problems.csv"'
    assert response.headers["X-Total-Count"] == "2"
    text = response.get_data(as_text=True)
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    engineering, finance = rows_of(response)
    assert finance == {
        "id": str(finance_overdue.finance), "rule": "double-charge", "group": "", "team": "finance",
        "state": "fixed", "accountability": "overdue", "jira_key": "FIN-7",
        "jira_url": "https://acme.atlassian.net/browse/FIN-7", "priority": "High", "due_date": "2026-11-25",
        "tickets": "2", "requesters": "2", "organizations": "0", "detected_at": "2026-11-23T12:01:00+00:00",
        "opened_at": "2026-11-23T12:01:00+00:00", "fixed_at": "2026-11-23T12:03:00+00:00", "impact_score": ""}
    assert (engineering["id"], engineering["state"], engineering["jira_key"], engineering["opened_at"],
            engineering["fixed_at"]) == (str(finance_overdue.engineering), "detecting", "", "", "")
    assert "charged twice" not in text.lower()


def test_format_csv_on_the_list_is_the_same_export(api, finance_overdue):
    assert api("/api/problems", format="csv").get_data() == api("/api/problems.csv").get_data()
    assert api("/api/problems", format="json").json["total"] == 2
    assert api("/api/problems.csv", format="csv").status_code == 200


@pytest.mark.parametrize("query, expected", [
    ({"overdue": "true"}, ["finance"]),
    ({"overdue": "false"}, ["engineering"]),
    ({"team": "finance"}, ["finance"]),
    ({"state": "detecting"}, ["engineering"]),
    ({"accountability": "at_risk"}, []),
    ({"limit": "1"}, ["engineering"]),
    ({"limit": "1", "offset": "1"}, ["finance"]),
])
def test_the_csv_export_takes_the_same_filters(api, finance_overdue, query, expected):
    for path, extra in (("/api/problems.csv", {}), ("/api/problems", {"format": "csv"})):
        response = api(path, **query, **extra)
        assert response.status_code == 200
        assert [row["team"] for row in rows_of(response)] == expected


def test_the_csv_export_is_not_limited_to_a_page_unless_asked(api, built):
    assert len(rows_of(api("/api/problems.csv"))) == 2
    assert api("/api/problems.csv", limit="501").status_code == 400
    assert api("/api/problems.csv", status="open").json["error"] == "unknown_parameter"


def test_an_empty_export_is_just_the_header(api, built):
    response = api("/api/problems.csv", team="marketing")
    assert response.get_data(as_text=True) == ",".join(CSV_COLUMNS) + "\r\n"


@pytest.mark.parametrize("path", ["/api/problems.csv", "/api/problems?format=csv"])
def test_the_csv_export_needs_the_token(bridge, path):
    client, _ = bridge
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).json["error"] == "invalid_token"
    assert client.get(path, headers={"Authorization": f"Bearer {API_TOKEN}"}).status_code == 200


@pytest.mark.parametrize("group", ["=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-2+3", "@SUM(A1)",
                                   "\t=1", "\r=1"])
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted(api, built, runtime, group):
    with runtime.engine.begin() as connection:
        connection.execute(update(problems).where(problems.c.id == built.engineering).values(group_key=group))
    [engineering] = rows_of(api("/api/problems.csv", team="engineering"))
    assert engineering["group"] == "'" + group


@pytest.mark.parametrize("value, cell", [
    (None, ""), (7, "7"), ("finance", "finance"), ("a=b", "a=b"), ("=1", "'=1"), ("-", "'-"),
    ("2026-11-25", "2026-11-25"), ("", ""),
])
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell
