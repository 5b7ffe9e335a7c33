"""Prometheus metrics: counters updated where they happen; gauges from the database, served from
the last good read so that a scrape never waits on the database (bridge/storage/single_flight.py).

`bridge serve` runs the worker in a process of its own (bridge/serving/worker_process.py). There,
`share_between_processes` puts every process's values in files of one private folder (prometheus
multiprocess mode) and /metrics, in the HTTP process, adds them up; elsewhere (tests, the demo,
`bridge worker`) the values live in the process's memory."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import Engine

from bridge.storage.gauges import DatabaseGauges, read_gauges
from bridge.storage.single_flight import SingleFlight

# A scrape finding the last database read older than this starts a new one (which the next scrape shows).
DATABASE_REFRESH_SECONDS = 5.0
_MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def share_between_processes(folder: Path) -> None:
    """From now on, metrics built in this process and in the processes it forks keep their values
    in `folder` (one file per process and kind), and each BridgeMetrics exports the sum over all
    of them. Call before forking, with an empty folder private to one `bridge serve`."""
    os.environ[_MULTIPROCESS_ENV] = str(folder)
    # prometheus_client picks the value class from the environment when it is first imported,
    # which in `bridge serve` is long before this; metrics read it as each one is built.
    values.ValueClass = values.MultiProcessValue()


def shared_folder() -> Path | None:
    folder = os.environ.get(_MULTIPROCESS_ENV)
    return Path(folder) if folder else None


def forget_process(pid: int) -> None:
    """A process that shared its metrics has ended: its gauges no longer count (its counters do)."""
    if folder := shared_folder():
        multiprocess.mark_process_dead(pid, str(folder))


class BridgeMetrics:
    def __init__(self, registry: CollectorRegistry | None = None):
        # `registry` is what /metrics exports. When processes share their metrics, this process's
        # values are exported through the shared folder, so they go on a registry of their own.
        self.registry = registry or CollectorRegistry()
        r = self.registry
        # The serving process's own CPU, memory, file descriptors, Python version and garbage collection.
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        if folder := shared_folder():
            multiprocess.MultiProcessCollector(self.registry, path=str(folder))
            r = CollectorRegistry()
        self.events_received = Counter(
            "bridge_webhook_events_received", "Webhook deliveries stored in the inbox.",
            ["source"], registry=r)
        self.events_deduplicated = Counter(
            "bridge_webhook_events_deduplicated", "Redelivered webhooks recognised and not stored again.",
            ["source"], registry=r)
        self.events_rejected = Counter(
            "bridge_webhook_events_rejected", "Webhook requests refused, by reason.",
            ["source", "reason"], registry=r)
        self.bodies_refused = Counter(
            "bridge_http_bodies_refused", "Request bodies refused before the app saw them "
            "(request_timeout, too_large, busy), any path.", ["reason"], registry=r)
        self.events_processed = Counter(
            "bridge_events_processed", "Inbox events the worker finished, by outcome (done, ignored).",
            ["source", "outcome"], registry=r)
        self.events_failed = Counter(
            "bridge_events_failed", "Failed processing attempts; parked=true when given up.",
            ["source", "parked"], registry=r)
        self.yielded_to_intake = Counter(
            "bridge_worker_yielded_to_intake_seconds", "Time the worker process of `bridge serve` waited "
            "between batches because webhooks kept intake busy.", registry=r)
        self.actions_done = Counter(
            "bridge_actions_done", "Actions on Zendesk and Jira carried out, by kind.", ["kind"], registry=r)
        self.actions_failed = Counter(
            "bridge_actions_failed", "Failed action attempts; parked=true when given up.",
            ["kind", "parked"], registry=r)
        self.actions_rate_limited = Counter(
            "bridge_actions_rate_limited", "Actions delayed by a 429 from Zendesk or Jira.", ["kind"], registry=r)
        # Set by every process that loads the rules; the one that (re)loaded them last is right.
        self.rules_loaded = Gauge("bridge_rules_loaded", "Rules in use.", registry=r,
                                  multiprocess_mode="livemostrecent")
        self.rules_reload_ok = Gauge(
            "bridge_rules_reload_ok", "1 while the rule files on disk are valid, 0 after a broken edit "
            "(the last valid rules stay in use).", registry=r, multiprocess_mode="livemostrecent")
        self.rules_reload_ok.set(1)
        self.rules_reload_errors = Counter(
            "bridge_rules_reload_errors", "Rule file edits that failed validation.", registry=r)
        self.intake_seconds = Histogram(
            "bridge_webhook_intake_seconds", "Time to verify and store one webhook.",
            ["source"], registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0))
        self.vendor_request_seconds = Histogram(
            "bridge_vendor_request_seconds", "Time of one request to Zendesk or Jira, by endpoint "
            "(ids and issue keys in the path shown as {id} and {key}).",
            ["vendor", "method", "endpoint"], registry=r,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
        self.vendor_request_errors = Counter(
            "bridge_vendor_request_errors", "Requests to Zendesk or Jira that failed, by endpoint and "
            "outcome (429, 4xx, 5xx, timeout, connection_error).",
            ["vendor", "method", "endpoint", "outcome"], registry=r)
        # The leader runs the periodic jobs (bridge/scheduler); in `bridge serve` the worker process.
        self.scheduler_leader = Gauge(
            "bridge_scheduler_leader", "1 while this bridge's scheduler holds leadership (runs the periodic "
            "jobs), 0 on a standby.", registry=r, multiprocess_mode="livemax")
        self.scheduler_job_last_run = Gauge(
            "bridge_scheduler_job_last_run_timestamp_seconds", "When each periodic job last finished a run "
            "on the leader (Unix time), by outcome (ok, failed).", ["job", "outcome"], registry=r,
            multiprocess_mode="max")

        # The intake counts every webhook: its per-source children are looked up once, not per request.
        self._intake = {source: IntakeMetrics(self.events_received.labels(source),
                                              self.events_deduplicated.labels(source),
                                              self.intake_seconds.labels(source))
                        for source in ("zendesk", "jira")}

    def scheduler_leading(self, leading: bool) -> None:
        self.scheduler_leader.set(1 if leading else 0)

    def scheduler_job_ran(self, job: str, ok: bool) -> None:
        self.scheduler_job_last_run.labels(job, "ok" if ok else "failed").set_to_current_time()

    def observe_vendor_request(self, vendor: str, method: str, endpoint: str, seconds: float, outcome: str) -> None:
        self.vendor_request_seconds.labels(vendor, method, endpoint).observe(seconds)
        if outcome not in ("2xx", "3xx"):
            self.vendor_request_errors.labels(vendor, method, endpoint, outcome).inc()

    def intake(self, source: str) -> IntakeMetrics:
        return self._intake[source]

    def watch_database(self, engine: Engine, clock: Callable[[], datetime], read_timeout: float) -> DatabaseCollector:
        collector = DatabaseCollector(engine, clock, read_timeout)
        self.registry.register(collector)
        return collector


@dataclass(frozen=True)
class IntakeMetrics:
    received: Counter
    deduplicated: Counter
    seconds: Histogram


class DatabaseCollector:
    """The gauges read from the database (inbox, outbox, problems, closures), from the last good
    read: a scrape never waits on the database for longer than `read_timeout`."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime], read_timeout: float):
        self.clock = clock
        self.reads = SingleFlight(engine, lambda: read_gauges(engine, clock()), read_timeout,
                                  name="bridge-metrics-database")

    def collect(self):
        snapshot = self.reads.snapshot()
        if snapshot.last_good is None or snapshot.last_good.age_seconds >= DATABASE_REFRESH_SECONDS:
            snapshot = self.reads.refresh()
        last_good = snapshot.last_good
        yield GaugeMetricFamily(
            "bridge_database_gauges_read_age_seconds", "Age of the database read behind the gauges "
            "bridge_inbox_*, bridge_outbox_*, bridge_problems* and bridge_closure* (+Inf before the first "
            "read succeeds).", value=last_good.age_seconds if last_good else math.inf)
        if last_good is None or last_good.value is None:  # a good read has its value
            return
        state: DatabaseGauges = last_good.value
        now = self.clock()
        yield _labelled("bridge_inbox_events", "Inbox events by status.", "status", state.inbox)
        yield GaugeMetricFamily(
            "bridge_inbox_lag_seconds", "Age of the oldest event not yet processed (as of the last read).",
            value=_age(now, state.inbox_oldest_waiting))
        yield _labelled("bridge_outbox_actions", "Outbox actions (writes to Zendesk and Jira) by status; "
                        "pending includes those deferred to later.", "status", state.outbox)
        yield GaugeMetricFamily(
            "bridge_outbox_lag_seconds", "How long the oldest action that is due has waited (as of the last read).",
            value=_age(now, state.outbox_oldest_due))
        yield _labelled("bridge_problems", "Problems by state.", "state", state.problems)
        yield _labelled("bridge_problems_accountability", "Problems on course for a fix (open, in progress, "
                        "regressed), by the due-date check's verdict.", "accountability", state.accountability)
        yield GaugeMetricFamily("bridge_closures_running", "Fix notifications being sent.",
                                value=state.closures_running)
        yield _labelled("bridge_closure_tickets", "Tickets of the fix notifications being sent, by state "
                        "(notified out of the total is the progress).", "state", state.closure_tickets)


def _labelled(name: str, documentation: str, label: str, values: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in values.items():
        family.add_metric([key], value)
    return family


def _age(now: datetime, moment: datetime | None) -> float:
    return max((now - moment).total_seconds(), 0.0) if moment else 0.0
