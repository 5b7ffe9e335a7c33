"""Due dates: a rule's or team's due policy applied to the moment a problem opened, on the
configured calendar (Monday to Friday in its time zone, minus holidays)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo

from bridge.config.settings import CalendarSettings
from bridge.rules.durations import DuePolicy

# What `due:` holds in a rule or a team: one policy, or a map {Jira priority: policy}.
DueSetting = DuePolicy | Mapping[str, DuePolicy]

# Rough length of each unit in days, only to tell which of two policies is the longer one.
_APPROXIMATE_DAYS = {"business_days": 7 / 5, "days": 1, "hours": 1 / 24, "weeks": 7}


def is_business_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def local_time(moment: datetime, tz: tzinfo) -> datetime:
    """`moment` in `tz`; a naive `moment` is taken as UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(tz)


def local_date(moment: datetime, tz: tzinfo) -> date:
    return local_time(moment, tz).date()


def add_business_days(start: datetime, days: int, holidays: Collection[date], tz: tzinfo) -> date:
    """The date `days` business days after `start`, counted on the calendar of `tz`.

    Saturdays, Sundays and `holidays` are skipped. A start on a day off counts as the start of
    the next business day, so a problem opened on Saturday with `1 business day` is due Tuesday,
    like one opened on Monday. With `days == 0` the result is that first business day."""
    if days < 0:
        raise ValueError(f"business days must not be negative, got {days}")
    day = local_date(start, tz)
    while not is_business_day(day, holidays):
        day += timedelta(days=1)
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            remaining -= 1
    return day


def policy_due_date(policy: DuePolicy, start: datetime, calendar: CalendarSettings) -> date:
    """The date `policy` after `start`. Only business days skip weekends and holidays; days,
    weeks and hours are calendar time, and the result is a date in the calendar's time zone."""
    if policy.unit == "business_days":
        return add_business_days(start, policy.amount, calendar.holidays, calendar.zone)
    if policy.unit == "hours":
        # Elapsed hours: add in UTC, where no daylight-saving shift can bend the arithmetic.
        return local_date(local_time(start, UTC) + timedelta(hours=policy.amount), calendar.zone)
    days = policy.amount * (7 if policy.unit == "weeks" else 1)
    return local_date(start, calendar.zone) + timedelta(days=days)


def policy_for_priority(setting: DueSetting, priority: str | None) -> DuePolicy | None:
    """The policy `setting` names for `priority` (Jira priority names match in any case);
    None when `setting` is a map without that priority."""
    if isinstance(setting, DuePolicy):
        return setting
    wanted = (priority or "").casefold()
    return next((policy for name, policy in setting.items() if name.casefold() == wanted), None)


def choose_due_policy(priority: str | None, *settings: DueSetting | None) -> DuePolicy:
    """The first of `settings` (most specific first: escalation step, rule, team) that names a
    policy for `priority`. When none does, the longest policy of the first setting given: a
    priority nobody configured a due date for is not treated as more urgent than those that were."""
    given = [setting for setting in settings if setting is not None]
    if not given:
        raise ValueError("no due policy given")
    for setting in given:
        policy = policy_for_priority(setting, priority)
        if policy is not None:
            return policy
    first = given[0]
    offered = [first] if isinstance(first, DuePolicy) else first.values()
    return max(offered, key=lambda p: p.amount * _APPROXIMATE_DAYS[p.unit])


def due_date(policy: DueSetting, priority: str | None, start: datetime, calendar: CalendarSettings) -> date:
    """When an issue of `priority` opened at `start` is due under `policy` (one policy or a
    priority map, see `choose_due_policy` for a priority the map lacks)."""
    return policy_due_date(choose_due_policy(priority, policy), start, calendar)
