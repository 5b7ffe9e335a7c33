"""Due dates: business days across weekends, holidays and time zones; calendar units; priority maps."""

from datetime import UTC, date, datetime

import pytest

from bridge.config.settings import CalendarSettings
from bridge.planning.due import add_business_days, choose_due_policy, due_date, policy_due_date
from bridge.rules.durations import DuePolicy, parse_due_policy
from tests.planning.conftest import OPENED, UTC_CALENDAR

BERLIN = CalendarSettings(timezone="Europe/Berlin")
EASTER_2025 = CalendarSettings(holidays=[date(2025, 4, 18), date(2025, 4, 21)])
FRIDAY_LATE = datetime(2025, 3, 7, 23, 30, tzinfo=UTC)  # Saturday 00:30 in Berlin


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize("start, days, expected", [
    (utc(2025, 3, 3, 9), 1, date(2025, 3, 4)),   # Monday -> Tuesday
    (utc(2025, 3, 7, 9), 1, date(2025, 3, 10)),  # Friday -> Monday
    (utc(2025, 3, 7, 9), 5, date(2025, 3, 14)),  # a working week later
    (utc(2025, 3, 8, 9), 1, date(2025, 3, 11)),  # Saturday counts as Monday's start -> Tuesday
    (utc(2025, 3, 9, 9), 0, date(2025, 3, 10)),  # Sunday, zero days: the next business day
    (utc(2025, 3, 5, 9), 0, date(2025, 3, 5)),
])
def test_business_days_skip_weekends(start, days, expected):
    assert add_business_days(start, days, frozenset(), UTC) == expected


def test_business_days_skip_holidays():
    # Thursday before Easter: Good Friday and Easter Monday are holidays.
    assert add_business_days(utc(2025, 4, 17, 9), 2, EASTER_2025.holidays, UTC) == date(2025, 4, 23)
    # Opened on Good Friday: counted from Tuesday.
    assert add_business_days(utc(2025, 4, 18, 9), 1, EASTER_2025.holidays, UTC) == date(2025, 4, 23)


def test_the_calendar_time_zone_decides_the_day():
    assert add_business_days(FRIDAY_LATE, 1, frozenset(), UTC) == date(2025, 3, 10)
    assert add_business_days(FRIDAY_LATE, 1, frozenset(), BERLIN.zone) == date(2025, 3, 11)
    assert due_date(parse_due_policy("1 business day"), None, FRIDAY_LATE, BERLIN) == date(2025, 3, 11)


def test_a_naive_start_is_utc():
    assert add_business_days(datetime(2025, 3, 7, 23, 30), 1, frozenset(), BERLIN.zone) == date(2025, 3, 11)


def test_negative_business_days_are_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        add_business_days(OPENED, -1, frozenset(), UTC)


@pytest.mark.parametrize("policy, start, calendar, expected", [
    ("2 days", OPENED, UTC_CALENDAR, date(2025, 3, 9)),           # calendar days may end on a Sunday
    ("1 week", OPENED, UTC_CALENDAR, date(2025, 3, 14)),
    ("3 weeks", OPENED, EASTER_2025, date(2025, 3, 28)),
    ("8 hours", OPENED, UTC_CALENDAR, date(2025, 3, 7)),
    ("8 hours", utc(2025, 3, 7, 20), BERLIN, date(2025, 3, 8)),   # 05:00 on Saturday in Berlin
    # Across the switch to summer time (30 March 2025, 02:00 Berlin): 24 elapsed hours after
    # 23:30 CET on the 29th are 00:30 CEST on the 31st.
    ("24 hours", utc(2025, 3, 29, 22, 30), BERLIN, date(2025, 3, 31)),
    ("5 business days", OPENED, EASTER_2025, date(2025, 3, 14)),
])
def test_every_policy_unit(policy, start, calendar, expected):
    assert policy_due_date(parse_due_policy(policy), start, calendar) == expected


PER_PRIORITY = {"Highest": DuePolicy(1, "business_days"), "High": DuePolicy(3, "business_days")}


@pytest.mark.parametrize("priority, expected", [
    ("Highest", date(2025, 3, 10)),
    ("high", date(2025, 3, 12)),    # priority names match in any case
    ("Low", date(2025, 3, 12)),     # missing from the map: its longest policy
    (None, date(2025, 3, 12)),
])
def test_per_priority_maps(priority, expected):
    assert due_date(PER_PRIORITY, priority, OPENED, UTC_CALENDAR) == expected


def test_the_first_setting_naming_the_priority_wins():
    team = DuePolicy(10, "business_days")
    assert choose_due_policy("Highest", PER_PRIORITY, team) == DuePolicy(1, "business_days")
    assert choose_due_policy("Medium", PER_PRIORITY, team) == team      # the rule's map lacks Medium
    assert choose_due_policy("Medium", None, team) == team              # the rule sets no due
    assert choose_due_policy("Medium", PER_PRIORITY, {"Low": team}) == DuePolicy(3, "business_days")


def test_the_longest_policy_compares_units():
    mixed = {"A": DuePolicy(30, "hours"), "B": DuePolicy(2, "business_days"), "C": DuePolicy(2, "days")}
    assert choose_due_policy("Z", mixed) == DuePolicy(2, "business_days")


def test_no_policy_at_all_is_an_error():
    with pytest.raises(ValueError, match="no due policy"):
        choose_due_policy("High", None, None)
