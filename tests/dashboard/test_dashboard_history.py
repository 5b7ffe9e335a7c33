"""`/dashboard/history` and the filters it shares with `/api/problems`: every problem ever, filtered
and paged on the server (SQLite and PostgreSQL), and the problem's story in plain words."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from bridge.http import dashboard
from bridge.http.app import create_app
from bridge.problems.story import story
from bridge.runtime import build_runtime
from bridge.storage.schema import problems
from tests.support.problem_data import API_TOKEN, problem_settings

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
# id: (rule, group, team, state, jira key, days after START)
ROWS = {
    1: ("double-charge", "", "finance", "fixed", "FIN-1", 0),
    2: ("double-charge", "eu", "finance", "open", "FIN-2", 3),
    3: ("app-crash", "ios", "engineering", "detecting", None, 5),
    4: ("app-crash", "android_100%", "engineering", "closed", "ENG-4", 9),
    5: ("app-crash", "web", "engineering", "wont_fix", "ENG-5", 12),
}


@pytest.fixture
def runtime(database_url, tmp_path, clock):
    runtime = build_runtime(problem_settings(database_url, tmp_path / "rules"), clock=clock)
    with runtime.engine.begin() as connection:
        for problem_id, (rule, group, team, state, key, days) in ROWS.items():
            moment = START + timedelta(days=days)
            connection.execute(problems.insert().values(
                id=problem_id, rule=rule, group_key=group, team=team, state=state, detected_at=moment,
                opened_at=moment, updated_at=moment, ticket_count=problem_id, requester_count=1,
                organization_count=0, jira_key=key))
    yield runtime
    runtime.engine.dispose()


def found(runtime, **filters) -> list[int]:
    return [problem.id for problem in runtime.problems.search(**filters)[0]]


def test_the_store_filters_by_rule_text_and_detection_time(runtime):
    assert found(runtime, rules=["app-crash"]) == [5, 4, 3]
    assert found(runtime, text="FIN") == [2, 1]  # the Jira key, case-insensitive
    assert found(runtime, text="ios") == [3]  # the group
    assert found(runtime, text="4") == [4]  # the id (and ENG-4)
    assert found(runtime, text="100%") == [4] and found(runtime, text="_1") == [4]  # wildcards taken literally
    assert found(runtime, text="%") == [4] and found(runtime, text="nothing") == []
    assert found(runtime, detected_since=START + timedelta(days=3),
                 detected_before=START + timedelta(days=9)) == [3, 2]
    assert runtime.problems.search(rules=["app-crash"], limit=1, offset=1) == (
        [runtime.problems.get(4)], 3)


def test_history_pages_keep_their_filters(runtime, monkeypatch):
    monkeypatch.setattr(dashboard, "HISTORY_PAGE", 2)
    client = create_app(runtime).test_client()
    page = client.get("/dashboard/history", headers=AUTH, query_string={"team": "engineering"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and re.findall(r'<tr id="problem-(\d+)"', text) == ["5", "4"]
    assert "page 1 of 2" in text and 'data-number="total">3<' in text
    [older] = re.findall(r'href="([^"]+)" rel="next"', text)
    assert older.replace("&amp;", "&") == "/dashboard/history?team=engineering&page=2"
    second = client.get(older.replace("&amp;", "&"), headers=AUTH).get_data(as_text=True)
    assert re.findall(r'<tr id="problem-(\d+)"', second) == ["3"] and 'rel="next"' not in second

    dated = client.get("/dashboard/history", headers=AUTH,
                       query_string={"since": "2026-11-04", "until": "2026-11-06", "state": "detecting"})
    assert re.findall(r'<tr id="problem-(\d+)"', dated.get_data(as_text=True)) == ["3"]
    beyond = client.get("/dashboard/history", headers=AUTH, query_string={"page": "9"})
    assert beyond.status_code == 200 and "none on page 9 of 3" in beyond.get_data(as_text=True)
    assert client.get("/dashboard/history", headers=AUTH, query_string={"page": "0"}).status_code == 400


def test_the_api_takes_the_same_filters(runtime):
    client = create_app(runtime).test_client()
    answer = client.get("/api/problems", headers=AUTH, query_string={"rule": "app-crash", "q": "w"}).get_json()
    assert [problem["id"] for problem in answer["problems"]] == [5] and answer["total"] == 1
    dated = client.get("/api/problems", headers=AUTH, query_string={"since": "2026-11-13"}).get_json()
    assert [problem["id"] for problem in dated["problems"]] == [5]
    for query, reason in (({"until": "soon"}, "until: expected a date"), ({"until": "9999-12-31"}, "until: expected"),
                          ({"since": "0001-01-01"}, "since: expected"), ({"q": "a\x00b"}, "q: contains a NUL"),
                          ({"team": "\x00"}, "team: contains a NUL")):
        refused = client.get("/api/problems", headers=AUTH, query_string=query)
        assert refused.status_code == 400 and reason in refused.get_json()["message"], query
    for query in ({"since": "99999999w"}, {"since": "0d"}, {"format": "xlsx"}):
        assert client.get("/dashboard/report", headers=AUTH, query_string=query).status_code == 400, query


def test_the_api_and_the_history_filter_by_the_day_a_fix_shipped(runtime):
    """Fixed on 1 Nov 23:30 and 12 Nov 00:10 UTC (the closed and the fixed problem), whatever their
    state now; the days are calendar days in the bridge's zone (UTC here), both ends included."""
    with runtime.engine.begin() as connection:
        for problem_id, fixed_at in ((1, datetime(2026, 11, 12, 0, 10, tzinfo=UTC)),
                                     (4, datetime(2026, 11, 1, 23, 30, tzinfo=UTC))):
            connection.execute(problems.update().where(problems.c.id == problem_id).values(fixed_at=fixed_at))
    client = create_app(runtime).test_client()

    def ids(**query) -> list[int]:
        answer = client.get("/api/problems", headers=AUTH, query_string=query).get_json()
        assert answer["total"] == len(answer["problems"])
        return [problem["id"] for problem in answer["problems"]]

    assert ids(fixed_since="2026-11-01") == [4, 1]  # newest detected first, like every listing
    assert ids(fixed_since="2026-11-02") == [1] and ids(fixed_until="2026-11-11") == [4]
    assert ids(fixed_since="2026-11-12", fixed_until="2026-11-12") == [1]
    assert ids(fixed_until="2026-10-31") == [] and ids(fixed_since="2026-11-13") == []
    assert ids(fixed_since="2026-11-01", team="finance") == [1]
    page = client.get("/dashboard/history", headers=AUTH, query_string={"fixed_until": "2026-11-11"})
    assert re.findall(r'<tr id="problem-(\d+)"', page.get_data(as_text=True)) == ["4"]
    for query, reason in (({"fixed_since": "soon"}, "fixed_since: expected a date"),
                          ({"fixed_until": "3000-01-01"}, "fixed_until: expected a date from"),
                          ({"fixed_since": "2026-11-12", "fixed_until": "2026-11-11"},
                           "fixed_until: 2026-11-11 is before fixed_since 2026-11-12"),
                          ({"fixed_since": "\x00"}, "fixed_since: contains a NUL")):
        refused = client.get("/api/problems", headers=AUTH, query_string=query)
        assert refused.status_code == 400 and reason in refused.get_json()["message"], query
        assert client.get("/dashboard/history", headers=AUTH, query_string=query).status_code == 400


def test_the_story_says_what_happened_and_who_was_told():
    detail = {"detected_at": "2026-11-01T09:00:00+00:00", "rule": "double-charge", "group": "", "team": "finance",
              "audit": [
                  {"at": "2026-11-01T10:00:00+00:00", "action": "problem.opened",
                   "details": {"tickets": [1, 2], "threshold": 2}},
                  {"at": "2026-11-01T10:01:00+00:00", "action": "jira.issue_created",
                   "details": {"key": "FIN-7", "project": "FIN", "priority": "High", "due_date": "2026-11-05"}},
                  {"at": "2026-11-01T10:02:00+00:00", "action": "zendesk.tickets_linked",
                   "details": {"tickets": [1, 2]}},
                  {"at": "2026-11-01T10:03:00+00:00", "action": "ticket.joined_problem", "details": {"ticket": 3}},
                  {"at": "2026-11-05T08:00:00+00:00", "action": "problem.synced_from_jira",
                   "details": {"status": "To Do", "category": "new", "resolution": None, "due_date": "2026-11-05"}},
                  {"at": "2026-11-05T09:00:00+00:00", "action": "problem.synced_from_jira",
                   "details": {"status": "In Progress", "category": "indeterminate", "state": "in_progress"}},
                  {"at": "2026-11-06T08:00:00+00:00", "action": "problem.overdue",
                   "details": {"due_date": "2026-11-05", "days_overdue": 1}},
                  {"at": "2026-11-06T08:01:00+00:00", "action": "chat.overdue_posted", "details": {"days": 1}},
                  {"at": "2026-11-07T08:00:00+00:00", "action": "problem.fixed", "details": {"fix_version": "2.4.1"}},
                  {"at": "2026-11-07T09:00:00+00:00", "action": "closure.finished",
                   "details": {"total": 3, "notified": 2, "failed": 1}},
              ]}
    told = [(event.title, event.text) for event in story(detail)]
    assert told == [
        ("Detected", "The first ticket matching rule double-charge arrived; team finance is responsible."),
        ("Opened", "2 tickets with the same cause within the rule's window (the rule's threshold is 2): a problem."),
        ("Routed", "Jira issue FIN-7 created in FIN for the responsible team, priority High, due 2026-11-05."),
        ("Agents told", "2 tickets got the Jira key and an internal note for agents."),
        ("Jira changed", "Changed in Jira: due date 2026-11-05 (status To Do)."),
        ("Jira changed", "Jira status In Progress: the problem is now in progress."),
        ("Overdue", "Overdue by 1 day, due 2026-11-05."),
        ("Chat told", "The chat channel was told it is 1 day overdue."),
        ("Fixed", "The fix shipped in 2.4.1."),
        ("Customers notified", "2 of 3 linked tickets' customers got the fix reply; 1 could not be reached."),
    ]


def test_a_detecting_problems_page_agrees_with_itself_and_a_fixed_one_projects_nothing(runtime):
    client = create_app(runtime).test_client()
    detecting = client.get("/dashboard/problems/3", headers=AUTH).get_data(as_text=True)
    assert 'data-number="tickets">3<' in detecting and "Projection" not in detecting
    with runtime.engine.begin() as connection:
        connection.execute(problems.update().where(problems.c.id == 1).values(
            due_date=date(2026, 11, 30), fixed_at=START + timedelta(days=1)))
    fixed = client.get("/dashboard/problems/1", headers=AUTH).get_data(as_text=True)
    assert "Projection" not in fixed and "nothing left to project" in fixed and "on time" in fixed
