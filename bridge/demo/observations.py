"""Read what actually happened, from where it happened: the bridge's database and metrics, and the
simulated Zendesk and Jira. Nothing here assumes a capability exists; a missing table reads as
"not supported yet"."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine, MetaData, Table, func, inspect, select

from bridge.domain.bridge_tickets import PROACTIVE_TAG
from bridge.runtime import Runtime
from connectors.jira.simulator import JiraSimulator
from connectors.zendesk.simulator import ZendeskSimulator

PROBLEM_TABLE = "problems"
# Columns worth showing for a problem, in this order, when the table has them.
PROBLEM_COLUMNS = ("id", "rule", "group_key", "team", "state", "ticket_count")


@dataclass(frozen=True)
class ProblemReport:
    supported: bool  # the database has a problems table
    by_state: dict[str, int] = field(default_factory=dict)
    rows: tuple[dict, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.by_state.values())


def read_problems(engine: Engine) -> ProblemReport:
    if not inspect(engine).has_table(PROBLEM_TABLE):
        return ProblemReport(supported=False)
    table = Table(PROBLEM_TABLE, MetaData(), autoload_with=engine)
    shown = [table.c[name] for name in PROBLEM_COLUMNS if name in table.c]
    with engine.connect() as connection:
        rows = tuple(dict(row._mapping) for row in connection.execute(select(*shown)))
        by_state = ({state: count for state, count in connection.execute(
            select(table.c.state, func.count()).group_by(table.c.state))} if "state" in table.c
            else {"(no state column)": len(rows)})
    return ProblemReport(True, by_state, rows)


@dataclass(frozen=True)
class JiraIssueView:
    key: str
    project: str
    summary: str
    status: str
    priority: str
    due: str | None
    resolution: str | None


def jira_issues(sim: JiraSimulator) -> list[JiraIssueView]:
    with sim.store.lock:
        return [JiraIssueView(issue.key, issue.project.key, issue.summary, issue.status, issue.priority,
                              issue.duedate, issue.resolution)
                for issue in sorted(sim.store.issues.values(), key=lambda issue: int(issue.id))]


@dataclass(frozen=True)
class ZendeskOutcome:
    """Tickets the bridge itself wrote to: public replies (customers notified), internal notes."""

    notified: tuple[int, ...]
    noted: tuple[int, ...]
    solved_after_notification: tuple[int, ...]


def zendesk_outcome(sim: ZendeskSimulator) -> ZendeskOutcome:
    bridge_user = sim.account.api_user_id
    notified, noted, solved = [], [], []
    for ticket in sim.tickets():
        if PROACTIVE_TAG in ticket["tags"]:
            continue  # a proactive notice's own ticket, counted by the summary's proactive_notices_sent
        mine = [comment for comment in sim.comments(ticket["id"]) if comment["author_id"] == bridge_user]
        if any(comment["public"] for comment in mine):
            notified.append(ticket["id"])
            if ticket["status"] in ("solved", "closed"):
                solved.append(ticket["id"])
        if any(not comment["public"] for comment in mine):
            noted.append(ticket["id"])
    return ZendeskOutcome(tuple(notified), tuple(noted), tuple(solved))


def api_calls(sim: ZendeskSimulator | JiraSimulator) -> dict[str, int]:
    """API requests the simulator answered (all made by the bridge in a loopback run): reads
    (GET, and searches whatever their method) and writes."""
    requests = sim.requests
    reads = sum(1 for request in requests if request.method in ("GET", "HEAD") or "/search" in request.path)
    return {"reads": reads, "writes": len(requests) - reads}


@dataclass(frozen=True)
class DeliveryReport:
    """Webhook deliveries one simulator made: delivered (a 2xx), or not, with the statuses seen."""

    sent: int
    delivered: int
    statuses: dict[str, int]  # every attempt's HTTP status (or "unreachable"), counted

    @property
    def undelivered(self) -> int:
        return self.sent - self.delivered


def zendesk_deliveries(sim: ZendeskSimulator) -> DeliveryReport:
    deliveries = sim.deliveries
    statuses = Counter(str(attempt) for delivery in deliveries for attempt in delivery.attempts)
    return DeliveryReport(len(deliveries), sum(delivery.delivered for delivery in deliveries), dict(statuses))


def jira_deliveries(sim: JiraSimulator) -> DeliveryReport:
    attempts = sim.deliveries
    identifiers = {attempt.identifier for attempt in attempts}
    delivered = {attempt.identifier for attempt in attempts
                 if attempt.status is not None and 200 <= attempt.status < 300}
    statuses = Counter("unreachable" if attempt.status is None else str(attempt.status) for attempt in attempts)
    return DeliveryReport(len(identifiers), len(delivered), dict(statuses))


@dataclass(frozen=True)
class BridgeIntake:
    """What the bridge's inbox and metrics say about the webhooks it got."""

    inbox: dict[str, int]  # events by status
    duplicates: int
    rejected: int
    tickets_known: int
    issues_known: int

    @property
    def accepted(self) -> int:
        return sum(self.inbox.values())


def bridge_intake(runtime: Runtime) -> BridgeIntake:
    registry = runtime.metrics.registry
    return BridgeIntake(
        inbox=runtime.inbox.counts(),
        duplicates=int(_metric_total(registry, "bridge_webhook_events_deduplicated_total")),
        rejected=int(_metric_total(registry, "bridge_webhook_events_rejected_total")),
        tickets_known=len(runtime.tickets.event_counts()),
        issues_known=_row_count(runtime.engine, "issues"))


def _metric_total(registry, sample_name: str) -> float:
    return sum(sample.value for metric in registry.collect() for sample in metric.samples
               if sample.name == sample_name)


def _row_count(engine: Engine, table_name: str) -> int:
    table = Table(table_name, MetaData(), autoload_with=engine)
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()
