"""Signed webhook intake under concurrent load, as a ratio against a bare Flask endpoint.

Run:  PYTHONPATH=. python bench/ingest.py            # ~1-2 minutes: 3 rounds, 200 connections
      PYTHONPATH=. python bench/ingest.py --quick    # ~10 s smoke run
      PYTHONPATH=. python bench/ingest.py --source jira
      PYTHONPATH=. python bench/ingest.py --synchronous NORMAL
      PYTHONPATH=. python bench/ingest.py --database-url postgresql://postgres@127.0.0.1:5432/test
      PYTHONPATH=. python bench/ingest.py --profile /tmp/bridge.txt   # py-spy on the bridge process
      PYTHONPATH=. python bench/ingest.py --profile /tmp/cpu.txt --profile-gil   # CPU only, no waits

Targets (issue): bridge throughput at least 0.5 of the bare endpoint's, p99 under 50 ms at 200
concurrent requests. The machine is shared and noisy, so nothing is an absolute figure: both
servers run side by side, measurements are interleaved (baseline, bridge, baseline, bridge, ...
for --rounds) and the report gives the median of the rounds and the bridge/baseline ratios.

Setup, all on loopback, each part in its own process:
  * bridge: `bridge.serving.make_server(runtime, "127.0.0.1", 0)` (waitress, production thread
    count and connection_limit) on a runtime from `build_runtime` with production default settings:
    a real SQLite file in a temp dir with `sqlite_synchronous: FULL` (or --synchronous NORMAL, or a
    fresh schema on --database-url postgresql://...), logging configured as `bridge serve` does
    (INFO, logfmt on stderr, here a file in the temp dir). The embedded worker is off unless
    --worker (it is on by default in `bridge serve`; with it the worker competes for the database).
  * baseline: a bare Flask app with one POST route answering 200 "ok", served by the very same
    `make_server` (its `create_app` swapped for the bare app), so the waitress arguments are equal.
  * load generator: asyncio with raw sockets, HTTP/1.1 keep-alive, --concurrency connections each
    with one request in flight (closed loop), sending pre-built requests. Every request is a
    distinct, correctly signed Zendesk event envelope (unique event `id`) -- or, with --source jira,
    a signed Jira issue_updated webhook with a unique X-Atlassian-Webhook-Identifier -- so each one
    is really stored. They are built in the load process right before each measurement (Zendesk
    signature timestamps are valid for 5 minutes), and both targets get byte-identical requests.
    Latency is send -> full response. Each measurement does --warmup requests first (not timed),
    then --requests timed ones (or stops after --duration seconds). `--rate R` switches to an open
    loop: requests are due at R per second and latency counts from when a request was due.

After the run the inbox is counted: it must hold exactly one row per distinct event sent.
Exit status 1 when any answer was not 200 (or was a duplicate) or the inbox count is off; missing a
performance target only prints MISS.
Options that deviate from production for experiments: --threads, --log-level, --worker.
Columns: "server cpu/req" is the server process's CPU time per request (from /proc, warm-up
included); "client cpu" is the load generator's CPU share -- near 100 % would mean the figures
are the client's limit, not the server's. --profile needs `pip install py-spy`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0
TARGET_CONCURRENCY = 200
ZENDESK_FIXTURE = ROOT / "tests/fixtures/zendesk/ticket.comment_added__public_customer_comment.json"
JIRA_FIXTURE = ROOT / "tests/fixtures/jira/issue_updated__resolved.json"
PATHS = {"zendesk": "/webhooks/zendesk", "jira": "/webhooks/jira"}


# --- servers -----------------------------------------------------------------------------------

def bridge_settings(database_url: str, synchronous: str, threads: int | None, log_level: str):
    """Production defaults everywhere except what a benchmark must set (secrets, database)."""
    from bridge.config import Settings
    from tests.support.settings import JIRA_SECRET, ZENDESK_SECRET

    data = {
        "zendesk": {"url": "https://acme.zendesk.com", "email": "bot@acme.test",
                    "api_token": "zendesk-token", "webhook_secret": ZENDESK_SECRET},
        "jira": {"url": "https://acme.atlassian.net", "email": "bot@acme.test",
                 "api_token": "jira-token", "webhook_secret": JIRA_SECRET},
        "database": {"url": database_url, "sqlite_synchronous": synchronous},
        "teams": {"engineering": {"project": "ENG"}},
        "logging": {"level": log_level},
    }
    if threads:
        data["server"] = {"threads": threads}
    return Settings.model_validate(data)


def bare_app():
    from flask import Flask

    app = Flask("baseline")

    @app.post("/webhooks/<source>")
    def ok(source):
        return "ok"

    return app


def serve(kind: str, options: dict, log_path: str, ready) -> None:
    """Server process: the bridge or the baseline on make_server, until SIGTERM."""
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 2)  # the server's stderr (its logs) goes to a file in the temp dir
    os.close(log_fd)
    from types import SimpleNamespace
    from unittest import mock

    from bridge import serving
    from bridge.logs import configure_logging
    from bridge.runtime import build_runtime

    settings = bridge_settings(options["database_url"], options["synchronous"], options["threads"],
                               options["log_level"])
    configure_logging(settings.logging.level, settings.logging.format)  # as `bridge serve`
    runtime = None
    if kind == "bridge":
        runtime = build_runtime(settings)
        server = serving.make_server(runtime, HOST, 0)
    else:
        app = bare_app()
        with mock.patch.object(serving, "create_app", lambda _runtime: app):
            server = serving.make_server(SimpleNamespace(settings=settings), HOST, 0)
    stop = threading.Event()
    worker = runtime.start_worker_thread(stop) if runtime and options["worker"] else None

    def _terminate(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    ready.send((server.effective_port, server.adj.threads))
    ready.close()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.close()
        if worker:
            worker.join(timeout=10)
        if runtime:
            runtime.engine.dispose()


class Server:
    def __init__(self, context, kind: str, options: dict, folder: str):
        self.kind = kind
        self.log_path = os.path.join(folder, f"{kind}.log")
        receive, send = context.Pipe(duplex=False)
        self.process = context.Process(target=serve, args=(kind, options, self.log_path, send),
                                       name=f"bench-{kind}", daemon=True)
        self.process.start()
        send.close()
        if not receive.poll(60):
            self.stop()
            raise SystemExit(f"{kind} server did not start; see its log:\n{self.log_tail()}")
        self.port, self.threads = receive.recv()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(15)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


# --- requests ----------------------------------------------------------------------------------

def build_requests(source: str, count: int, port: int, tag: str) -> list[bytes]:
    """`count` distinct, correctly signed webhook requests, ready to write to a socket."""
    from datetime import UTC, datetime

    from tests.support.signing import jira_headers, zendesk_headers

    now = datetime.now(UTC)
    fixture = json.loads((ZENDESK_FIXTURE if source == "zendesk" else JIRA_FIXTURE).read_text())
    requests = []
    for number in range(count):
        if source == "zendesk":
            fixture["id"] = f"{tag}-{number}-{uuid.uuid4()}"
            fixture["detail"]["id"] = str(10_000 + number % 1000)
            fixture["subject"] = f"zen:ticket:{10_000 + number % 1000}"
            fixture["event"]["comment"]["id"] = str(number + 1)
            body = json.dumps(fixture).encode()
            headers = zendesk_headers(body, now)
        else:
            fixture["timestamp"] = int(now.timestamp() * 1000) + number
            body = json.dumps(fixture).encode()
            headers = jira_headers(body, identifier=f"{tag}-{number}-{uuid.uuid4()}")
        head = [f"POST {PATHS[source]} HTTP/1.1", f"Host: {HOST}:{port}",
                f"Content-Length: {len(body)}", "User-Agent: bench-ingest"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        requests.append(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
    return requests


# --- load generator ----------------------------------------------------------------------------

class _Phase:
    """One batch of requests over the shared connections; closed loop, or open loop at `rate`."""

    def __init__(self, loop, requests, rate=None, duration=None, check_accepted=False):
        self.loop, self.requests, self.rate = loop, requests, rate
        self.check_accepted = check_accepted
        self.duration = duration
        self.next = 0
        self.inflight = 0
        self.stopping = False
        self.latencies: list[float] = []
        self.errors: Counter = Counter()
        self.error_samples: list[str] = []
        self.duplicates = 0
        self.done = loop.create_future()
        self.started = self.finished = 0.0

    def start(self, clients) -> None:
        self.started = time.perf_counter()
        self.deadline = self.started + self.duration if self.duration else None
        for client in clients:
            client.phase = self
            self.send_next(client)
        self._check_done()

    def send_next(self, client) -> None:
        if self.stopping or self.next >= len(self.requests) or client.transport is None:
            return
        index = self.next
        self.next += 1
        self.inflight += 1
        if self.rate:
            due = self.started + index / self.rate
            delay = due - time.perf_counter()
            if delay > 0:
                self.loop.call_later(delay, client.send, self.requests[index], due)
                return
            client.send(self.requests[index], due)
        else:
            client.send(self.requests[index], time.perf_counter())

    def completed(self, client, status: int, body: bytes) -> None:
        now = time.perf_counter()
        self.latencies.append(now - client.sent_at)
        client.sent_at = None
        self.inflight -= 1
        self.finished = now
        if status != 200:
            self.errors[str(status)] += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{status} {body[:200]!r}")
        elif self.check_accepted and b'"accepted"' not in body:
            self.duplicates += 1
        if self.deadline and now >= self.deadline:
            self.stopping = True
        self.send_next(client)
        self._check_done()

    def lost(self, client, reason: str) -> None:
        if client.sent_at is not None:
            self.inflight -= 1
            self.errors["connection lost"] += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"connection lost: {reason}")
        self._check_done()

    def _check_done(self) -> None:
        exhausted = self.stopping or self.next >= len(self.requests)
        if exhausted and self.inflight == 0 and not self.done.done():
            self.finished = self.finished or time.perf_counter()
            self.done.set_result(None)


class _Client(asyncio.Protocol):
    """One keep-alive connection with one request in flight; parses Content-Length responses."""

    def __init__(self):
        self.transport = None
        self.phase: _Phase | None = None
        self.buffer = bytearray()
        self.sent_at: float | None = None
        self.body_at = self.need = -1
        self.status = 0
        self.close_after = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def send(self, request: bytes, started: float) -> None:
        if self.transport is None or self.transport.is_closing():
            self.sent_at = started
            self.phase.lost(self, "connection closed before sending")
            self.sent_at = None
            return
        self.sent_at = started
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if self.need < 0:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
            self.status = int(lines[0].split(" ", 2)[1])
            length, self.close_after = 0, False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection":
                    self.close_after = value.strip().lower() == "close"
                elif name == "transfer-encoding":
                    raise RuntimeError("chunked responses are not supported by this client")
            self.body_at, self.need = end + 4, end + 4 + length
        if len(buffer) < self.need:
            return
        body = bytes(buffer[self.body_at:self.need])
        del buffer[:self.need]
        self.need = -1
        if self.close_after:  # waitress closes after e.g. an error it could not frame
            self.transport.close()
            self.transport = None
        self.phase.completed(self, self.status, body)

    def connection_lost(self, exc) -> None:
        self.transport = None
        if self.phase is not None:
            self.phase.lost(self, repr(exc) if exc else "closed by server")
        self.sent_at = None


async def _drive(spec: dict, warm: list[bytes], timed: list[bytes]) -> dict:
    loop = asyncio.get_running_loop()
    clients = []

    async def connect():
        _transport, client = await loop.create_connection(_Client, HOST, spec["port"])
        clients.append(client)

    await asyncio.gather(*(connect() for _ in range(spec["concurrency"])))
    check = spec["kind"] == "bridge"
    warmup = _Phase(loop, warm, check_accepted=check)
    if warm:
        warmup.start(clients)
        await warmup.done
    live = [client for client in clients if client.transport is not None]
    timed_phase = _Phase(loop, timed, rate=spec["rate"], duration=spec["duration"],
                         check_accepted=check)
    cpu = time.process_time()
    timed_phase.start(live)
    await timed_phase.done
    cpu = time.process_time() - cpu
    for client in clients:
        client.phase = None
        if client.transport is not None:
            client.transport.close()
    elapsed = timed_phase.finished - timed_phase.started
    latencies = sorted(timed_phase.latencies)
    return {
        "kind": spec["kind"],
        "sent": warmup.next + timed_phase.next,
        "answered": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed if elapsed > 0 else 0.0,
        "p50": _percentile(latencies, 0.50), "p90": _percentile(latencies, 0.90),
        "p99": _percentile(latencies, 0.99), "max": latencies[-1] * 1000 if latencies else 0.0,
        "errors": dict(warmup.errors + timed_phase.errors),
        "error_samples": warmup.error_samples + timed_phase.error_samples,
        "duplicates": warmup.duplicates + timed_phase.duplicates,
        "client_cpu": cpu / elapsed if elapsed > 0 else 0.0,
    }


def _percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000


def load(spec: dict, result) -> None:
    """Load-generator process: build every request first, then time them."""
    tag = f"{spec['kind']}-{spec['round']}-{uuid.uuid4().hex[:8]}"
    requests = build_requests(spec["source"], spec["warmup"] + spec["requests"], spec["port"], tag)
    try:
        outcome = asyncio.run(_drive(spec, requests[:spec["warmup"]], requests[spec["warmup"]:]))
    except Exception as error:  # noqa: BLE001 -- report it; never leave the parent waiting
        outcome = {"failure": repr(error)}
    result.send(outcome)
    result.close()


def measure(context, spec: dict) -> dict:
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=load, args=(spec, send), name="bench-load", daemon=True)
    process.start()
    send.close()
    try:
        outcome = receive.recv()
    except EOFError:
        outcome = {"failure": f"load generator exited with {process.exitcode}"}
    process.join()
    if "failure" in outcome:
        raise SystemExit(f"load generator failed on {spec['kind']}: {outcome['failure']}")
    return outcome


# --- database ----------------------------------------------------------------------------------

def prepare_database(args, folder: str):
    """A fresh SQLite file, or a fresh schema on the given PostgreSQL; returns (url, cleanup)."""
    if not args.database_url:
        return f"sqlite:///{os.path.join(folder, 'bridge.db')}", lambda: None
    from sqlalchemy import create_engine, text

    from bridge.storage.db import normalise_url

    base = args.database_url
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"

    def cleanup():
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{base}{separator}options=-csearch_path%3D{schema}", cleanup


def count_inbox(database_url: str, source: str) -> tuple[int, int]:
    from sqlalchemy import func, select

    from bridge.storage.db import create_database_engine
    from bridge.storage.schema import inbox_events

    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            c = inbox_events.c
            rows, distinct = connection.execute(
                select(func.count(), func.count(func.distinct(c.delivery_key)))
                .where(c.source == source)).one()
        return rows, distinct
    finally:
        engine.dispose()


# --- profiling ---------------------------------------------------------------------------------

def start_profiler(path: str, pid: int, gil: bool) -> subprocess.Popen:
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        raise SystemExit("--profile needs py-spy: pip install py-spy")
    fmt = {"svg": "flamegraph", "json": "speedscope"}.get(path.rsplit(".", 1)[-1], "raw")
    return subprocess.Popen([str(spy), "record", "--pid", str(pid), "--rate", "250",
                             "--format", fmt, "--output", path, "--nonblocking"]
                            + (["--gil"] if gil else []),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop_profiler(process: subprocess.Popen, path: str) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
    if path.endswith((".svg", ".json")) or not os.path.exists(path):
        print(f"profile: {path}")
        return
    summarise_profile(path)


def summarise_profile(path: str, top: int = 30) -> None:
    """Collapsed stacks -> share of samples in which each function (or file) appears."""
    total = 0
    by_function: Counter = Counter()
    by_leaf: Counter = Counter()
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = stack.split(";")
        for frame in set(frames):
            by_function[_short(frame)] += samples
        by_leaf[_short(frames[-1])] += samples
    if not total:
        print("profile: no samples")
        return
    print(f"\nprofile of the bridge process: {path} ({total} samples)")
    print("  inclusive (share of samples with the function on the stack):")
    for name, samples in by_function.most_common(top):
        print(f"    {samples / total:6.1%}  {name}")
    print("  self (leaf frames):")
    for name, samples in by_leaf.most_common(15):
        print(f"    {samples / total:6.1%}  {name}")


def _short(frame: str) -> str:
    # py-spy raw frames look like "function (path/to/file.py:123)"; drop the line number.
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where})"


# --- report ------------------------------------------------------------------------------------

def print_table(kind: str, rounds: list[dict]) -> None:
    print(f"\n{kind}")
    print(f"{'round':>7}{'req/s':>9}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}{'errors':>8}"
          f"{'server cpu/req':>16}{'client cpu':>12}")
    for number, r in enumerate(rounds, 1):
        print(f"{number:>7}{r['rps']:>9.0f}{r['p50']:>8.1f}{r['p90']:>8.1f}{r['p99']:>8.1f}"
              f"{r['max']:>8.1f}{sum(r['errors'].values()):>8}{r['server_cpu_ms']:>13.2f} ms"
              f"{r['client_cpu']:>12.0%}")
    med = {key: statistics.median(r[key] for r in rounds)
           for key in ("rps", "p50", "p90", "p99", "max", "server_cpu_ms")}
    errors = sum(sum(r["errors"].values()) for r in rounds)
    print(f"{'median':>7}{med['rps']:>9.0f}{med['p50']:>8.1f}{med['p90']:>8.1f}{med['p99']:>8.1f}"
          f"{med['max']:>8.1f}{errors:>8}{med['server_cpu_ms']:>13.2f} ms   (latency in ms)")


def report(args, results: dict, inbox: tuple[int, int] | None, sent: int) -> bool:
    baseline, bridge = results["baseline"], results["bridge"]
    print_table("baseline: bare Flask endpoint", baseline)
    print_table(f"bridge: signed {args.source} intake", bridge)
    ratios = [b["rps"] / a["rps"] for a, b in zip(baseline, bridge)]
    ratio = statistics.median(ratios)
    p99_base = statistics.median(r["p99"] for r in baseline)
    p99_bridge = statistics.median(r["p99"] for r in bridge)
    p99_rounds = ", ".join(f"{r['p99']:.1f}" for r in bridge)
    print(f"\nthroughput bridge/baseline: {ratio:.2f} (median of rounds: "
          f"{', '.join(f'{r:.2f}' for r in ratios)})  target >= {TARGET_RATIO}: "
          f"{'PASS' if ratio >= TARGET_RATIO else 'MISS'}")
    verdict = "PASS" if p99_bridge < TARGET_P99_MS else "MISS"
    if args.concurrency != TARGET_CONCURRENCY:
        verdict += f" (the target is set at {TARGET_CONCURRENCY} concurrent; this ran {args.concurrency})"
    print(f"p99 bridge {p99_bridge:.1f} ms (rounds: {p99_rounds}), baseline {p99_base:.1f} ms, "
          f"ratio {p99_bridge / p99_base:.1f}x  target < {TARGET_P99_MS:.0f} ms: {verdict}")
    mode = f"open loop at {args.rate:g} req/s" if args.rate else "closed loop"
    print(f"({args.concurrency} connections, {mode}, {args.requests} timed + {args.warmup} warm-up "
          f"requests per round, {args.rounds} rounds, median of rounds)")
    if not args.rate:
        print(f"note: in a closed loop, mean latency = connections / throughput (Little's law): "
              f"{args.concurrency} connections need > {args.concurrency / TARGET_P99_MS * 1000:.0f} "
              f"req/s for a mean, let alone a p99, under {TARGET_P99_MS:.0f} ms")

    ok = True
    problems = [(r["kind"], n, r) for rounds in results.values() for n, r in enumerate(rounds, 1)
                if r["errors"] or r["duplicates"]]
    for kind, number, r in problems:
        ok = False
        print(f"ERRORS {kind} round {number}: {r['errors']} duplicates={r['duplicates']}")
        for sample in r["error_samples"]:
            print(f"    {sample}")
    if not problems:
        print("non-200 answers: 0 (every bridge answer was 200 \"accepted\")")
    if inbox is not None:
        rows, distinct = inbox
        if rows == distinct == sent:
            print(f"inbox: {rows} events stored, {distinct} distinct = {sent} distinct events sent: "
                  "nothing lost, nothing doubled")
        else:
            ok = False
            print(f"INBOX MISMATCH: {rows} rows, {distinct} distinct, {sent} distinct events sent")
    return ok


# --- main --------------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", choices=("zendesk", "jira"), default="zendesk")
    parser.add_argument("--concurrency", type=int, default=TARGET_CONCURRENCY,
                        help="keep-alive connections, one request in flight each (default 200)")
    parser.add_argument("--requests", type=int, default=3000, help="timed requests per round")
    parser.add_argument("--warmup", type=int, default=300, help="untimed requests per round first")
    parser.add_argument("--duration", type=float,
                        help="stop each timed phase after this many seconds (at most --requests)")
    parser.add_argument("--rate", type=float, help="open loop: requests due per second")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="~10 s smoke run")
    parser.add_argument("--database-url", help="postgresql://... (a fresh schema is created)")
    parser.add_argument("--synchronous", choices=("FULL", "NORMAL"), default="FULL",
                        help="SQLite sqlite_synchronous (production default FULL)")
    parser.add_argument("--worker", action="store_true",
                        help="also run the embedded worker in the bridge process")
    parser.add_argument("--threads", type=int,
                        help="waitress threads for both servers (default: the production setting)")
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"),
                        help="bridge logging level (production default INFO)")
    parser.add_argument("--profile", metavar="FILE",
                        help="py-spy the bridge process during its rounds: .txt (collapsed stacks, "
                             "summarised here), .svg (flame graph) or .json (speedscope)")
    parser.add_argument("--profile-gil", action="store_true",
                        help="profile only the thread holding the GIL (CPU in Python), not waits")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.requests, args.warmup = 1, 1000, 100
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        database_url, cleanup = prepare_database(args, folder)
        options = {"database_url": database_url, "synchronous": args.synchronous,
                   "threads": args.threads, "log_level": args.log_level, "worker": args.worker}
        servers = {}
        profiler = None
        try:
            for kind in ("baseline", "bridge"):
                servers[kind] = Server(context, kind, options, folder)
            database = ("PostgreSQL (fresh schema)" if args.database_url
                        else f"SQLite synchronous={args.synchronous}")
            print(f"bridge on :{servers['bridge'].port} ({database}, {servers['bridge'].threads} "
                  f"threads, worker {'on' if args.worker else 'off'}), baseline on "
                  f":{servers['baseline'].port} ({servers['baseline'].threads} threads); "
                  f"{os.cpu_count()} CPUs")
            if args.profile:
                profiler = start_profiler(args.profile, servers["bridge"].process.pid, args.profile_gil)
            results = {"baseline": [], "bridge": []}
            for number in range(1, args.rounds + 1):
                for kind in ("baseline", "bridge"):
                    spec = {"kind": kind, "round": number, "port": servers[kind].port,
                            "source": args.source, "concurrency": args.concurrency,
                            "warmup": args.warmup, "requests": args.requests,
                            "duration": args.duration, "rate": args.rate}
                    cpu = servers[kind].cpu_seconds()
                    r = measure(context, spec)
                    # Server CPU per answered request, warm-up included (the server idles otherwise).
                    r["server_cpu_ms"] = ((servers[kind].cpu_seconds() - cpu) * 1000
                                          / max(1, r["answered"] + spec["warmup"]))
                    results[kind].append(r)
                    print(f"round {number} {kind:<8} {r['rps']:7.0f} req/s  p50 {r['p50']:6.1f}  "
                          f"p99 {r['p99']:6.1f}  max {r['max']:6.1f} ms  errors "
                          f"{sum(r['errors'].values())}  ({r['answered']} in {r['seconds']:.1f} s)",
                          flush=True)
            if profiler:
                stop_profiler(profiler, args.profile)
                profiler = None
        finally:
            if profiler:
                profiler.kill()
            for server in servers.values():
                server.stop()
        sent = sum(r["sent"] for r in results["bridge"])
        inbox = count_inbox(database_url, args.source)
        ok = report(args, results, inbox, sent)
        if not ok:
            print(f"bridge log (last lines):\n{servers['bridge'].log_tail()}")
        cleanup()
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
