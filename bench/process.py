"""A burst of realistic ticket events into a running bridge: how fast the worker drains it, and what
processing an event costs against what taking it in cost, in the same run.

Run:  PYTHONPATH=. python bench/process.py                 # 10,000 events, SQLite (~1-2 minutes)
      PYTHONPATH=. python bench/process.py --events 2000
      PYTHONPATH=. python bench/process.py --database-url postgresql://postgres@127.0.0.1:5432/test
      PYTHONPATH=. python bench/process.py --database-url postgresql://... --workers 2
      PYTHONPATH=. python bench/process.py --echo-burst      # the echoes of a fix shipped to 10,000 tickets
                                                            # (needs wrk: apt-get install wrk)

The burst (default). Events are what the Zendesk simulator sends for what people do in it (its
webhook envelopes, recorded instead of delivered, then signed like Zendesk signs them): customers
creating tickets whose texts come from the public ticket datasets (../shared/vendor/datasets, else
the samples in tests/fixtures/datasets), customers commenting, agents changing status or priority,
and the bridge's own echoes (its API user tagging, noting, solving: `detail.actor_id` is
`zendesk.bridge_user_id`). The bridge runs the shipped rules (rules/*.yaml, teams and custom field
as config.simulators.yaml) against both simulators, so lookups, problems and their Jira issues are
real HTTP calls.
  1. intake: `bridge serve` with `worker.embedded: false` takes in all N events (posted by 16
     keep-alive connections); the CPU of its process tree per request is intake's cost.
  2. processing: `bridge serve` as shipped (the worker on) on the same database drains them;
     with --workers 2 (PostgreSQL) one more `bridge worker` process runs beside it. The inbox is
     counted every --sample seconds (waiting events, the age of the oldest: the lag); the CPU of
     every bridge process from the first sample to the drain, per event processed in between, is
     processing's cost (it includes the outbox actions the events caused, and a worker process's
     start if it starts after the HTTP port opens).
Target (issue 15): processing CPU per event <= 2x intake CPU per request.

The echo burst (--echo-burst). A fix ships for a problem linked to --tickets (10,000) tickets: the
bridge's closure runs in this process through the simulator (limits on, its minute scaled to a
second as in bench/close.py), and the events Zendesk sends back for the bridge's writes (status,
comment, tags: about 3 per ticket) are recorded. Then the default `bridge serve` on that database
takes them from wrk with 200 connections as fast as it answers (harsher than Zendesk, which spreads
them over minutes), and the bare endpoint of bench/ingest.py takes the same requests for as long.
Targets: drained in under 60 s; webhook p99 during the burst <= 2x the bare endpoint's.

Exit status 1 when an answer was not 2xx, an event failed, or the inbox did not drain in time;
a missed target only prints MISS.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.running_bridge import (  # noqa: E402  (after the path: run as a script)
    HOST,
    PRODUCT_FIELD_ID,
    BridgeCommand,
    InboxReader,
    bridge_config,
    prepare_database,
    process_tree_cpu,
    write_config,
)

TARGET_CPU_RATIO = 2.0
TARGET_DRAIN_SECONDS = 60.0
TARGET_P99_RATIO = 2.0
POSTING_CONNECTIONS = 16
DATASET_FOLDERS = (ROOT.parent / "shared" / "vendor" / "datasets", Path("/work/shared/vendor/datasets"))
SAMPLES = ROOT / "tests" / "fixtures" / "datasets"
# What people do, by share of the actions; an agent's update sends two events, an echo two or
# three, so about a quarter of the events are tickets created and half are the bridge's echoes.
MIX = {"created": 0.35, "customer comment": 0.2, "agent update": 0.1, "echo": 0.35}
ECHO_TAG = "problem_billing_double_charge"


# --- ticket texts --------------------------------------------------------------------------------

def ticket_texts() -> list[str]:
    """Customer-written texts: the full public datasets when present, else the shipped samples."""
    for folder in DATASET_FOLDERS:
        bitext = folder / "bitext-customer-support-sample-4514.csv"
        it = folder / "it-service-tickets-all_tickets_processed_improved_v3.csv"
        if bitext.exists() and it.exists():
            return _column(bitext, "instruction") + _column(it, "Document")
    return (_column(SAMPLES / "bitext-customer-support-594.csv", "instruction")
            + _column(SAMPLES / "it-service-tickets-400.csv", "text"))


def _column(path: Path, name: str) -> list[str]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [row[name][:2000] for row in csv.DictReader(handle) if row[name].strip()]


# --- the simulators ------------------------------------------------------------------------------

class RecordingDeliverer:
    """Stands in for the Zendesk simulator's webhook sender: keeps the envelopes instead of posting
    them, so the bench decides when and how fast the bridge gets them."""

    def __init__(self):
        self.envelopes: list[dict] = []

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def enqueue(self, deliveries) -> None:
        self.envelopes.extend(delivery.envelope for delivery in deliveries)

    def wait_until_drained(self, timeout: float) -> bool:
        return True


@dataclass
class Simulators:
    zendesk: object
    jira: object
    recorder: RecordingDeliverer

    @property
    def bridge_user_id(self) -> int:
        return self.zendesk.account.api_user_id

    def stop(self) -> None:
        self.zendesk.stop()
        self.jira.stop()


def start_simulators(limited: bool = False) -> Simulators:
    from connectors.jira.simulator.simulator import JiraSimulator
    from connectors.zendesk.simulator import ZendeskSimulator
    from tests.support.closure_world import limited_simulator

    zendesk = limited_simulator() if limited else ZendeskSimulator(job_delay=0.02)
    recorder = RecordingDeliverer()
    zendesk.account.deliverer = recorder
    zendesk.configure_webhook("http://127.0.0.1:9/recorded-not-sent", "unused")
    zendesk.define_custom_field(PRODUCT_FIELD_ID, "Product", "tagger")
    jira = JiraSimulator(max_page_size=50)
    zendesk.start()
    jira.start()
    return Simulators(zendesk, jira, recorder)


def simulated_config(sims: Simulators, database_url: str, worker: bool, **extra) -> dict:
    return bridge_config(database_url, worker=worker, zendesk_url=sims.zendesk.url, jira_url=sims.jira.url,
                         bridge_user_id=sims.bridge_user_id, rules=True, extra=extra or None)


# --- the burst -----------------------------------------------------------------------------------

def make_burst(sims: Simulators, count: int, seed: int = 15) -> tuple[list[dict], Counter]:
    """`count` envelopes from people acting in the simulated Zendesk, in the order it sent them."""
    rng = random.Random(seed)
    texts = ticket_texts()
    rng.shuffle(texts)
    sim, recorder = sims.zendesk, sims.recorder
    tickets: list[int] = []
    kinds: Counter = Counter()
    actions, weights = list(MIX), list(MIX.values())
    number = 0
    while len(recorder.envelopes) < count:
        before = len(recorder.envelopes)
        action = "created" if len(tickets) < 20 else rng.choices(actions, weights)[0]
        text = texts[number % len(texts)]
        number += 1
        if action == "created":
            customer = rng.randrange(count // 3 + 1)
            ticket = sim.customer_creates_ticket(text[:120], text, email=f"customer{customer}@example.com",
                                                 name=f"Customer {customer}")
            tickets.append(ticket["id"])
        elif action == "customer comment":
            sim.customer_comments(rng.choice(tickets), text)
        elif action == "agent update":
            sim.agent_updates_ticket(rng.choice(tickets), status=rng.choice(["pending", "open", "hold"]),
                                     priority=rng.choice(["low", "normal", "high"]))
        else:  # the bridge's own writes, as its agent: a link tag and note, or the fix's reply
            ticket_id = rng.choice(tickets)
            if rng.random() < 0.5:
                change = {"additional_tags": [ECHO_TAG],
                          "comment": {"body": "Linked to a finance problem.", "public": False}}
            else:
                change = {"status": "solved", "additional_tags": ["double_charge_fixed"],
                          "comment": {"body": "Good news: the extra charge was reversed.", "public": True}}
            sim.account.update_ticket_as(ticket_id, change, sims.bridge_user_id)
        kinds[action] += len(recorder.envelopes) - before
    envelopes = recorder.envelopes[:count]
    kinds["(not sent: past N)"] = len(recorder.envelopes) - count
    recorder.envelopes = []
    return envelopes, kinds


def signed_requests(envelopes: list[dict]) -> list[tuple[bytes, dict]]:
    from tests.support.signing import zendesk_headers

    now = datetime.now(UTC)
    requests = []
    for envelope in envelopes:
        body = json.dumps(envelope).encode()
        requests.append((body, zendesk_headers(body, now)))
    return requests


def post_all(port: int, requests: list[tuple[bytes, dict]], connections: int = POSTING_CONNECTIONS) -> Counter:
    """Every request once, over `connections` keep-alive connections; the answers' statuses."""
    statuses: Counter = Counter()
    queue = iter(requests)
    lock = threading.Lock()

    def send() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                break
            body, headers = item
            try:
                connection.request("POST", "/webhooks/zendesk", body, headers)
                response = connection.getresponse()
                response.read()
                status: object = response.status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
            with lock:
                statuses[status] += 1
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


# --- watching the drain --------------------------------------------------------------------------

@dataclass
class Sample:
    seconds: float
    waiting: int
    lag: float
    cpu: float
    by_status: dict[str, int]

    @property
    def stored(self) -> int:
        return sum(self.by_status.values())

    @property
    def processed(self) -> int:
        return self.stored - self.waiting


@dataclass
class Drain:
    samples: list[Sample] = field(default_factory=list)
    drained_at: float | None = None  # seconds after the first sample

    @property
    def first(self) -> Sample:
        return self.samples[0]

    @property
    def last(self) -> Sample:
        return self.samples[-1]


def watch_drain(inbox: InboxReader, cpu, expected: int, interval: float, timeout: float,
                stop_early=lambda: False) -> Drain:
    """Sample the inbox and the CPU every `interval` s until all `expected` events are in it and
    none waits, or `timeout`."""
    drain = Drain()
    started = time.monotonic()
    while True:
        counts = inbox.counts("zendesk")
        now = time.monotonic() - started
        drain.samples.append(Sample(now, counts.waiting, counts.oldest_waiting_seconds, cpu(), counts.by_status))
        if counts.total >= expected and counts.waiting == 0:
            drain.drained_at = now
            return drain
        if now > timeout or stop_early():
            return drain
        time.sleep(max(0.0, interval - (time.monotonic() - started - now)))


def print_drain(drain: Drain, every: int = 1) -> None:
    print(f"{'s':>7}{'stored':>9}{'waiting':>9}{'processed/s':>13}{'lag s':>8}{'cpu s':>8}")
    previous = None
    for index, sample in enumerate(drain.samples):
        if index % every and index != len(drain.samples) - 1:
            continue
        rate = ""
        if previous is not None and sample.seconds > previous.seconds:
            rate = f"{(sample.processed - previous.processed) / (sample.seconds - previous.seconds):.0f}"
        print(f"{sample.seconds:>7.1f}{sample.stored:>9}{sample.waiting:>9}{rate:>13}{sample.lag:>8.1f}"
              f"{sample.cpu - drain.first.cpu:>8.1f}")
        previous = sample


# --- the burst, end to end -----------------------------------------------------------------------

def run_burst(args, folder: str) -> bool:
    database_url, cleanup = prepare_database(args.database_url, folder)
    sims = start_simulators()
    processes: list[BridgeCommand] = []
    try:
        envelopes, kinds = make_burst(sims, args.events)
        print(f"{len(envelopes):,} events: " + ", ".join(f"{kind} {n:,}" for kind, n in kinds.items() if n)
              + f"; ticket texts from {'the public datasets' if len(ticket_texts()) > 2000 else 'the samples'}")
        requests = signed_requests(envelopes)

        # 1. intake alone
        intake_config = write_config(folder, "intake", simulated_config(sims, database_url, worker=False))
        serve = BridgeCommand(intake_config, folder, name="serve-intake")
        processes.append(serve)
        serve.wait_listening()
        cpu_before, started = serve.cpu_seconds(), time.monotonic()
        statuses = post_all(serve.port, requests)
        posting = time.monotonic() - started
        intake_cpu = (serve.cpu_seconds() - cpu_before) / len(requests)
        serve.stop()
        answered_ok = sum(n for status, n in statuses.items() if isinstance(status, int) and 200 <= status < 300)
        print(f"\n1. intake, worker off: {len(requests):,} posted in {posting:.1f} s "
              f"({len(requests) / posting:.0f}/s, {POSTING_CONNECTIONS} connections); answers "
              + ", ".join(f"{status}: {n:,}" for status, n in sorted(statuses.items(), key=str))
              + f"; serve CPU {intake_cpu * 1000:.3f} ms per request")

        # 2. processing: the default serve (and more workers) on the same database
        config = write_config(folder, "default", simulated_config(sims, database_url, worker=True))
        serve = BridgeCommand(config, folder, name="serve-default")
        processes.append(serve)
        workers = [BridgeCommand(config, folder, command="worker", name=f"worker-{number}")
                   for number in range(2, args.workers + 1)]
        processes.extend(workers)
        listening = serve.wait_listening()
        inbox = InboxReader(database_url)
        try:
            drain = watch_drain(inbox, lambda: sum(process_tree_cpu(p.process.pid) for p in processes[1:]),
                                len(requests), args.sample, args.timeout,
                                stop_early=lambda: any(p.process.poll() is not None for p in processes[1:]))
        finally:
            inbox.close()
        print("\n2. processing, `bridge serve` as shipped"
              + (f" + {len(workers)} `bridge worker`" if workers else "")
              + f": port open {listening:.1f} s after start, {len(requests) - drain.first.waiting:,} events "
              "processed by then; the inbox from then on:")
        print_drain(drain, every=max(1, len(drain.samples) // 40))
        processed = drain.first.waiting - drain.last.waiting
        seconds = (drain.drained_at if drain.drained_at is not None else drain.last.seconds) or 1e-9
        processing_cpu = (drain.last.cpu - drain.first.cpu) / max(1, processed)
        ratio = processing_cpu / intake_cpu if intake_cpu else float("inf")
        outcome = drain.last.by_status
        print(f"\nevents processed per second: {processed / seconds:.0f} ({processed:,} in {seconds:.1f} s)")
        print(f"drain time: {f'{drain.drained_at:.1f} s' if drain.drained_at is not None else 'NOT DRAINED'}"
              f" after the port opened ({listening + (drain.drained_at or drain.last.seconds):.1f} s after start)")
        print(f"inbox by status: {dict(sorted(outcome.items()))}")
        print(f"processing CPU per event: {processing_cpu * 1000:.3f} ms, intake CPU per request "
              f"{intake_cpu * 1000:.3f} ms: ratio {ratio:.2f}  target <= {TARGET_CPU_RATIO:g}x: "
              f"{'PASS' if ratio <= TARGET_CPU_RATIO else 'MISS'}")
        ok = answered_ok == len(requests) and drain.drained_at is not None and not outcome.get("failed")
        if not ok:
            for process in processes:
                print(f"{process.name} log (last lines):\n{process.log_tail()}")
        return ok
    finally:
        stop_everything(processes, sims, cleanup)


def stop_everything(processes: list, sims, cleanup) -> None:
    """The bridge processes, then the simulators, then the bench's folder."""
    for process in processes:
        process.stop()
    sims.stop()
    cleanup()


# --- the echo burst ------------------------------------------------------------------------------

def raw_requests(requests: list[tuple[bytes, dict]]) -> bytes:
    raw = []
    for body, headers in requests:
        head = ["POST /webhooks/zendesk HTTP/1.1", f"Host: {HOST}", f"Content-Length: {len(body)}",
                "User-Agent: bench-process"] + [f"{name}: {value}" for name, value in headers.items()]
        raw.append(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
    return b"\0".join(raw)


def wrk(port: int, script: str, requests_path: str, connections: int, duration: float,
        done=lambda: False) -> dict:
    """wrk for `duration` s, or until `done()` (checked every 50 ms): an interrupted wrk still
    prints its report."""
    from bench.ingest import parse_wrk

    process = subprocess.Popen(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency", "--timeout", "10s",
         "-s", script, f"http://{HOST}:{port}/webhooks/zendesk", "--", requests_path],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while process.poll() is None and not done():
        time.sleep(0.05)
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    output, errors = process.communicate()
    if process.returncode:
        raise SystemExit(f"wrk failed: {errors}")
    return parse_wrk(output)


def ship_fix(sims: Simulators, database_url: str, tickets: int) -> tuple[list[dict], float]:
    """The closure of a problem linked to `tickets` tickets, run here through the simulator; the
    events Zendesk sends back for it, and how long the closure took."""
    from bridge.closure.in_process import run_closure
    from bridge.config.settings import Settings
    from bridge.runtime import build_runtime
    from connectors.zendesk.client import ZendeskClient
    from connectors.zendesk.ticket_system import ZendeskTicketSystem
    from tests.support.closure_world import LIMIT_PER_WINDOW, TIME_SCALE, seed_world, start_closure

    sim = sims.zendesk
    settings = Settings.model_validate(simulated_config(
        sims, database_url, worker=True,
        zendesk={"requests_per_minute": int(LIMIT_PER_WINDOW * TIME_SCALE), "max_jobs_in_flight": 30},
        closure={"job_poll_seconds": 0.05, "unknown_outcome_seconds": 1.0}))
    client = ZendeskClient(sim.url, sim.api_email, sim.api_token, timeout=5)
    runtime = build_runtime(settings, ticket_system=ZendeskTicketSystem(client))
    try:
        world = seed_world(sim, runtime, tickets, closed_every=10, rule="billing-double-charge")
        closure_id = start_closure(world)
        sims.recorder.envelopes = []
        started = time.monotonic()
        run_closure(runtime, closure_id, timeout=600)
        sim.wait_for_jobs(30)
        return list(sims.recorder.envelopes), time.monotonic() - started
    finally:
        runtime.engine.dispose()


def run_echo_burst(args, folder: str) -> bool:
    from bench.ingest import WRK_SCRIPT, Baseline

    if not shutil.which("wrk"):
        print("--echo-burst needs wrk: apt-get install wrk", file=sys.stderr)
        return False
    database_url, cleanup = prepare_database(args.database_url, folder)
    sims = start_simulators(limited=True)
    processes: list = []
    try:
        echoes, closure_seconds = ship_fix(sims, database_url, args.tickets)
        kinds = Counter(envelope["type"].rsplit(".", 1)[-1] for envelope in echoes)
        own = sum(1 for envelope in echoes if envelope["detail"]["actor_id"] == str(sims.bridge_user_id))
        print(f"fix shipped to {args.tickets:,} tickets in {closure_seconds:.1f} s (simulated limits, time scale 60); "
              f"Zendesk sends back {len(echoes):,} events ({own:,} by the bridge's agent): "
              + ", ".join(f"{kind} {n:,}" for kind, n in kinds.most_common()))
        requests_path = os.path.join(folder, "echoes.bin")
        Path(requests_path).write_bytes(raw_requests(signed_requests(echoes)))
        # Requests repeat until the bench stops wrk once every echo is stored (a repeat is stored once).
        replay = os.path.join(folder, "replay.lua")
        Path(replay).write_text(WRK_SCRIPT)

        config = write_config(folder, "default", simulated_config(sims, database_url, worker=True))
        serve = BridgeCommand(config, folder, name="serve-default")
        processes.append(serve)
        workers = [BridgeCommand(config, folder, command="worker", name=f"worker-{number}")
                   for number in range(2, args.workers + 1)]
        processes.extend(workers)
        bridges = [serve, *workers]
        serve.wait_listening()
        baseline = Baseline(None, folder)
        processes.append(baseline)
        inbox = InboxReader(database_url)
        before = inbox.counts("zendesk").total
        watcher: dict = {}

        def watch() -> None:
            watcher["drain"] = watch_drain(inbox, lambda: sum(process_tree_cpu(p.process.pid) for p in bridges),
                                           before + len(echoes), args.sample, args.timeout)

        thread = threading.Thread(target=watch)
        started = time.monotonic()
        thread.start()
        stored = InboxReader(database_url)
        bridge = wrk(serve.port, replay, requests_path, args.connections, args.timeout,
                     done=lambda: stored.counts("zendesk").total >= before + len(echoes))
        posting = time.monotonic() - started
        stored.close()
        thread.join()
        inbox.close()
        drain: Drain = watcher["drain"]
        bare = wrk(baseline.port, replay, requests_path, args.connections, posting)
        print(f"\nthe burst: all {len(echoes):,} stored {posting:.1f} s after the first post "
              f"({bridge['answered']:,} answers, repeats included, {bridge['rps']:.0f}/s, {args.connections} "
              f"connections), errors {bridge['errors']}; the inbox from the first post:")
        print_drain(drain, every=max(1, len(drain.samples) // 40))
        print(f"\ndrain time: {f'{drain.drained_at:.1f} s' if drain.drained_at is not None else 'NOT DRAINED'}"
              f"  target < {TARGET_DRAIN_SECONDS:.0f} s: "
              f"{'PASS' if drain.drained_at is not None and drain.drained_at < TARGET_DRAIN_SECONDS else 'MISS'}")
        ratio = bridge["p99"] / bare["p99"]
        print(f"webhook p99 during the burst: {bridge['p99']:.1f} ms, bare endpoint {bare['p99']:.1f} ms on the "
              f"same requests ({bare['rps']:.0f}/s): ratio {ratio:.2f}  target <= {TARGET_P99_RATIO:g}x: "
              f"{'PASS' if ratio <= TARGET_P99_RATIO else 'MISS'}")
        outcomes = drain.last.by_status
        print(f"inbox by status: {dict(sorted(outcomes.items()))}")
        ok = drain.drained_at is not None and not bridge["errors"] and not outcomes.get("failed")
        if not ok:
            print(f"serve log (last lines):\n{serve.log_tail()}")
        return ok
    finally:
        stop_everything(processes, sims, cleanup)


# --- main ----------------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000, help="events in the burst (default 10,000)")
    parser.add_argument("--echo-burst", action="store_true",
                        help="the echoes of a fix shipped to --tickets tickets instead of the burst")
    parser.add_argument("--tickets", type=int, default=10_000, help="tickets the fix ships to (--echo-burst)")
    parser.add_argument("--connections", type=int, default=200, help="wrk connections (--echo-burst)")
    parser.add_argument("--database-url", help="postgresql://... (a fresh schema is created)")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes: the one `bridge serve` runs, plus `bridge worker`s (PostgreSQL)")
    parser.add_argument("--sample", type=float, default=1.0, help="seconds between inbox samples")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up draining after this many seconds")
    args = parser.parse_args(argv)
    if args.workers > 1 and not (args.database_url or "").startswith("postgresql"):
        parser.error("--workers 2 needs --database-url postgresql://... (one worker per SQLite database)")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-process-") as folder:
        ok = run_echo_burst(args, folder) if args.echo_burst else run_burst(args, folder)
    print(f"({time.perf_counter() - started:.0f} s; {os.cpu_count()} CPUs; "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}, {args.workers} worker process(es))")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
