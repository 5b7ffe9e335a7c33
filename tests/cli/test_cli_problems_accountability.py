"""`bridge problems list --overdue / --not-overdue / --accountability`, and the accountability in
`list` and `show`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine

from bridge.domain.problems import Accountability
from bridge.storage.accountability import AccountabilityStore
from bridge.storage.problems import ProblemStore


@pytest.fixture
def finance_overdue(problems_config, sqlite_url, clock):
    _, built = problems_config
    engine = create_engine(sqlite_url)
    try:
        due = ProblemStore(engine).get(built.finance).due_date
        with engine.begin() as connection:
            AccountabilityStore(engine).record(connection, built.finance, Accountability.OVERDUE, due,
                                               at_risk_at=clock(), overdue_at=clock())
    finally:
        engine.dispose()
    return built


@pytest.mark.parametrize("options, teams", [
    (["--overdue"], ["finance"]),
    (["--not-overdue"], ["engineering"]),
    (["--accountability", "overdue"], ["finance"]),
    (["--accountability", "on_time", "--accountability", "at_risk"], ["engineering"]),
    (["--overdue", "--team", "engineering"], []),
    ([], ["engineering", "finance"]),
])
def test_list_filters_by_accountability(bridge_cli, finance_overdue, options, teams):
    result = bridge_cli("problems", "list", "--json", *options)
    assert result.exit_code == 0, result.output
    assert sorted(p["team"] for p in json.loads(result.stdout)["problems"]) == teams


def test_the_table_and_the_detail_show_it(bridge_cli, finance_overdue):
    [header, finance] = [line.split() for line in bridge_cli("problems", "list", "--overdue").stdout.splitlines()]
    assert finance[header.index("accountability") - 2] == "overdue"  # "rule / group" is three words
    shown = bridge_cli("problems", "show", str(finance_overdue.finance)).stdout
    assert ("priority: High, due 2026-11-25, overdue, at risk 2026-11-23T12:03:00+00:00, "
            "overdue 2026-11-23T12:03:00+00:00") in shown
    listed = json.loads(bridge_cli("problems", "list", "--json", "--overdue").stdout)["problems"]
    assert (listed[0]["accountability"], listed[0]["overdue_at"]) == ("overdue", "2026-11-23T12:03:00+00:00")


def test_list_rejects_an_unknown_accountability(bridge_cli, built):
    result = bridge_cli("problems", "list", "--accountability", "late")
    assert result.exit_code == 2 and "'late' is not one of" in result.output
