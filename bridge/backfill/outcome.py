"""What a backfill did, or would do: the problems it opens, with counts and sample tickets."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class OpenedProblem:
    id: int  # in a dry run, the id it had in the rolled-back transaction
    rule: str
    group_key: str
    team: str
    tickets: int
    requesters: int
    sample_ticket_ids: list[int]


@dataclass
class BackfillOutcome:
    applied: bool
    read: int = 0  # tickets the export listed in this run
    evaluated: int = 0
    bridge_tickets: int = 0  # the bridge's own, evaluated as the worker does: never a report
    rate_limited: int = 0  # 429s waited out
    opened: list[OpenedProblem] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    def format_text(self) -> str:
        own = f" ({self.bridge_tickets} created by the bridge itself, not reports)" if self.bridge_tickets else ""
        waited = f"; waited out {self.rate_limited} rate limit answers" if self.rate_limited else ""
        lines = [f"read {self.read} tickets from Zendesk's export{waited}; evaluated {self.evaluated}{own}"]
        verb = "opened" if self.applied else "would open"
        lines.append(f"{verb} {len(self.opened)} problem{'s' if len(self.opened) != 1 else ''}"
                     + (":" if self.opened else ""))
        for problem in self.opened:
            group = f" group {problem.group_key!r}" if problem.group_key else ""
            sample = ", ".join(f"#{ticket_id}" for ticket_id in problem.sample_ticket_ids)
            more = f" and {problem.tickets - len(problem.sample_ticket_ids)} more" \
                if problem.tickets > len(problem.sample_ticket_ids) else ""
            lines.append(f"  {problem.rule} (team {problem.team}){group}: {problem.tickets} tickets, "
                         f"{problem.requesters} requesters; tickets {sample}{more}")
        if not self.applied:
            lines.append("dry run: no problem was written; `bridge backfill --apply` opens them")
        return "\n".join(lines)
