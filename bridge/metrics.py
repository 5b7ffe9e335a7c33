"""Prometheus metrics: counters updated where they happen; inbox gauges from the database, served from
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

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess, values
from prometheus_client.core import GaugeMetricFamily

from bridge.storage.inbox import Inbox
from bridge.storage.single_flight import SingleFlight

# A scrape finding the last inbox read older than this starts a new one (which the next scrape shows).
INBOX_REFRESH_SECONDS = 5.0
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

        # The intake counts every webhook: its per-source children are looked up once, not per request.
        self._intake = {source: IntakeMetrics(self.events_received.labels(source),
                                              self.events_deduplicated.labels(source),
                                              self.intake_seconds.labels(source))
                        for source in ("zendesk", "jira")}

    def intake(self, source: str) -> IntakeMetrics:
        return self._intake[source]

    def watch_inbox(self, inbox: Inbox, clock: Callable[[], datetime], read_timeout: float) -> InboxCollector:
        collector = InboxCollector(inbox, clock, read_timeout)
        self.registry.register(collector)
        return collector


@dataclass(frozen=True)
class IntakeMetrics:
    received: Counter
    deduplicated: Counter
    seconds: Histogram


@dataclass(frozen=True)
class InboxState:
    counts: dict[str, int]
    oldest_waiting: datetime | None


class InboxCollector:
    def __init__(self, inbox: Inbox, clock: Callable[[], datetime], read_timeout: float):
        self.clock = clock
        self.reads = SingleFlight(
            inbox.engine, lambda: InboxState(inbox.counts(), inbox.oldest_waiting_received_at()),
            read_timeout, name="bridge-metrics-inbox")

    def collect(self):
        snapshot = self.reads.snapshot()
        if snapshot.last_good is None or snapshot.last_good.age_seconds >= INBOX_REFRESH_SECONDS:
            snapshot = self.reads.refresh()
        last_good = snapshot.last_good
        yield GaugeMetricFamily(
            "bridge_inbox_read_age_seconds", "Age of the database read behind the bridge_inbox_* gauges "
            "(+Inf before the first read succeeds).",
            value=last_good.age_seconds if last_good else math.inf)
        if last_good is None or last_good.value is None:  # a good read has its value
            return
        state = last_good.value
        by_status = GaugeMetricFamily("bridge_inbox_events", "Inbox events by status.", labels=["status"])
        for status, count in state.counts.items():
            by_status.add_metric([status], count)
        yield by_status
        oldest = state.oldest_waiting
        lag = (self.clock() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "bridge_inbox_lag_seconds", "Age of the oldest event not yet processed (as of the last read).",
            value=max(lag, 0.0))
