"""Which problems to list: the filters `/api/problems` and the dashboard's history take from a query
string, checked, each refusal naming the parameter and what it accepts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from bridge.domain.problems import Accountability, ProblemState

STATES, ACCOUNTABILITY_STATES = tuple(ProblemState), tuple(Accountability)
FILTER_PARAMETERS = frozenset({"team", "state", "accountability", "overdue", "rule", "q", "since", "until",
                               "fixed_since", "fixed_until"})
MAX_TEXT = 200
EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 31)  # the dates a filter may name


class FilterError(ValueError):
    """A filter value that cannot be used; the message names the parameter."""


class QueryArguments(Protocol):
    def getlist(self, key: str) -> list[str]: ...
    def get(self, key: str) -> str | None: ...


@dataclass(frozen=True)
class ProblemFilters:
    teams: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    accountability: tuple[str, ...] = ()
    overdue: bool | None = None
    rules: tuple[str, ...] = ()
    text: str | None = None
    since: date | None = None  # detected on or after this calendar day
    until: date | None = None  # detected on or before this calendar day
    fixed_since: date | None = None  # its fix shipped on or after this calendar day
    fixed_until: date | None = None  # its fix shipped on or before this calendar day

    def search_arguments(self, zone: tzinfo) -> dict[str, Any]:
        """Keyword arguments for ProblemStore.search; the days are calendar days in `zone`."""
        def start(day: date) -> datetime:
            return datetime.combine(day, time(), zone)

        return {"teams": self.teams, "states": self.states, "accountability": self.accountability,
                "overdue": self.overdue, "rules": self.rules, "text": self.text,
                "detected_since": start(self.since) if self.since else None,
                "detected_before": start(self.until + timedelta(days=1)) if self.until else None,
                "fixed_since": start(self.fixed_since) if self.fixed_since else None,
                "fixed_before": start(self.fixed_until + timedelta(days=1)) if self.fixed_until else None}

    def query(self) -> list[tuple[str, str]]:
        """The filters as query parameters again (for paging links)."""
        names = {"teams": "team", "states": "state", "rules": "rule", "text": "q"}
        pairs: list[tuple[str, str]] = []
        for field in fields(self):
            value = getattr(self, field.name)
            name = names.get(field.name, field.name)
            if isinstance(value, tuple):
                pairs += [(name, item) for item in value]
            elif isinstance(value, bool):
                pairs.append((name, str(value).lower()))
            elif value is not None:
                pairs.append((name, value.isoformat() if isinstance(value, date) else str(value)))
        return pairs

    @property
    def any(self) -> bool:
        return bool(self.query())


def parse_filters(arguments: QueryArguments) -> ProblemFilters:
    """Raises FilterError for an unknown state or accountability, a bad boolean or date, a range
    that ends before it starts, or a NUL character (no database stores one)."""
    for name in sorted(FILTER_PARAMETERS):
        if any("\x00" in value for value in arguments.getlist(name)):
            raise FilterError(f"{name}: contains a NUL character")
    states = _listed(arguments, "state")
    _known("state", states, STATES, "states")
    accountability = _listed(arguments, "accountability")
    _known("accountability", accountability, ACCOUNTABILITY_STATES, "values")
    text = (arguments.get("q") or "").strip()
    if len(text) > MAX_TEXT:
        raise FilterError(f"q: at most {MAX_TEXT} characters, got {len(text)}")
    since, until = _range(arguments, "since", "until")
    fixed_since, fixed_until = _range(arguments, "fixed_since", "fixed_until")
    return ProblemFilters(teams=tuple(_listed(arguments, "team")), states=tuple(states),
                          accountability=tuple(accountability), overdue=_boolean(arguments, "overdue"),
                          rules=tuple(_listed(arguments, "rule")), text=text or None, since=since, until=until,
                          fixed_since=fixed_since, fixed_until=fixed_until)


def _known(name: str, given: Iterable[str], allowed: tuple[str, ...], kind: str) -> None:
    wrong = [value for value in given if value not in allowed]
    if wrong:
        raise FilterError(f"{name}: unknown {'state(s)' if name == 'state' else 'value(s)'} {', '.join(wrong)} "
                          f"({kind}: {', '.join(allowed)})")


def _listed(arguments: QueryArguments, name: str) -> list[str]:
    """A parameter given repeatedly (`?state=open&state=fixed`) or as a comma list (`?state=open,fixed`)."""
    return [part.strip() for value in arguments.getlist(name) for part in value.split(",") if part.strip()]


def _boolean(arguments: QueryArguments, name: str) -> bool | None:
    raw = arguments.get(name)
    if raw is None:
        return None
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise FilterError(f"{name}: expected true or false, got {raw[:40]!r}")
    return value == "true"


def _range(arguments: QueryArguments, first: str, last: str) -> tuple[date | None, date | None]:
    since, until = _day(arguments, first), _day(arguments, last)
    if since and until and until < since:
        raise FilterError(f"{last}: {until.isoformat()} is before {first} {since.isoformat()}")
    return since, until


def _day(arguments: QueryArguments, name: str) -> date | None:
    raw = (arguments.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise FilterError(f"{name}: expected a date as YYYY-MM-DD, got {raw[:40]!r}") from None
    if not EARLIEST <= day <= LATEST:
        raise FilterError(f"{name}: expected a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}, got {raw}")
    return day
