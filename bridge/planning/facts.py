"""A problem as the planning functions see it: the stored row plus when its tickets came in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from bridge.domain.problems import Problem
from bridge.planning.due import local_time

COUNTED = ("tickets", "requesters", "organizations")


@dataclass(frozen=True)
class ProblemFacts:
    problem: Problem
    first_ticket_at: datetime | None = None  # the earliest linked ticket; else detected_at is shown
    last_ticket_at: datetime | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Distinct affected tickets, requesters and organizations, keyed like a rule's `of`."""
        problem = self.problem
        return {"tickets": problem.ticket_count, "requesters": problem.requester_count,
                "organizations": problem.organization_count}

    @property
    def measures(self) -> dict[str, float]:
        """What escalation steps measure: the counts, and the impact score once it was read."""
        impact = self.problem.impact
        return {**self.counts, **({"score": impact.score} if impact else {})}

    @property
    def since(self) -> datetime:
        return self.first_ticket_at or self.problem.detected_at


def counted(amount: int, of: str) -> str:
    """`1 ticket`, `12 requesters` (`of` is a plural noun such as a rule's `of`)."""
    return f"{amount} {of[:-1] if amount == 1 else of}"


def measured(amount: float, of: str) -> str:
    """`12 tickets`, or `impact score 42.5` (`of` is an escalation step's measure)."""
    return f"impact score {amount:g}" if of == "score" else counted(int(amount), of)


def format_moment(moment: datetime, zone: tzinfo) -> str:
    """`2025-03-07 09:15 CET`: minutes, in the calendar's time zone (naive times are UTC)."""
    return local_time(moment, zone).strftime("%Y-%m-%d %H:%M %Z")


def one_line(text: str, limit: int) -> str:
    """`text` with its whitespace (line breaks included) collapsed, cut to `limit` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 1] + "…"
