"""Signed webhook intake under concurrent load, as a ratio against a bare Flask endpoint.

Run:  PYTHONPATH=. python bench/ingest.py            # ~1 minute: 3 rounds of 10 s, 200 connections
      PYTHONPATH=. python bench/ingest.py --quick    # one round of 5 s
      PYTHONPATH=. python bench/ingest.py --source jira
      PYTHONPATH=. python bench/ingest.py --synchronous NORMAL
      PYTHONPATH=. python bench/ingest.py --database-url postgresql://postgres@127.0.0.1:5432/test
Needs wrk (Debian: `apt-get install wrk`).

Targets (issue 2): bridge throughput at least 0.5 of the bare endpoint's, p99 under 50 ms at 200
concurrent requests. The machine is shared and noisy, so nothing is an absolute figure: both
servers run side by side and the measurements are interleaved (baseline, bridge, baseline, ...
for --rounds); the report gives the median of the rounds and the bridge/baseline ratio.

Setup, all on loopback, each part in its own process:
  * bridge: `bridge.serving.server.production_server` -- the granian setup of `bridge serve`, one HTTP
    process with the production thread count -- serving the real app on a runtime from
    `build_runtime` with production defaults: a SQLite file in a temp dir with
    `sqlite_synchronous: FULL` (or --synchronous NORMAL, or a fresh schema on --database-url
    postgresql://...), logging as `bridge serve` configures it (INFO, logfmt, to a file here). The
    embedded worker is off unless --worker (with it, the worker competes for the database).
  * baseline: a bare Flask app with one POST route answering 200 "ok", on the very same
    `production_server` (same process model, threads and granian options) and, like the bridge,
    behind `bridge.http.buffered_wsgi.BufferedWSGI` (bodies read on the event loop).
  * load: wrk (C; one thread, --connections keep-alive connections, closed loop) replaying
    pre-built requests. Every request is a distinct, correctly signed Zendesk event envelope
    (unique event `id`) -- or, with --source jira, a signed Jira webhook with a unique
    X-Atlassian-Webhook-Identifier -- so each one is really stored. They are signed at the start
    of each round (Zendesk timestamps are valid for 5 minutes); both servers replay the same file.
    The first version of this script drove the load from Python (asyncio), which on 2 cores
    capped the baseline near 1,100 req/s and so flattered the ratio; wrk took 5-8 % of a core at
    the bridge's rate and up to ~20 % at the baseline's.

After the run the inbox is counted: it must hold one row per request the bridge answered (plus at
most one per connection still in flight when wrk stopped), no two alike. Exit status 1 when any
answer was not 2xx or the inbox count is off; missing a performance target only prints MISS.
"server cpu/req" is the CPU time of the server's processes per answered request (from /proc).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
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
# Requests are replayed in order; more are prepared than the bridge can answer in a round (the
# baseline, which stores nothing, may go round them again).
REQUESTS_PER_SECOND_CEILING = 12_000

# wrk replays a file of raw requests separated by NUL bytes (none occurs in a request).
WRK_SCRIPT = """
local requests, index = {}, 0
function init(args)
  local file = assert(io.open(args[1], "rb"))
  local data = file:read("*a")
  file:close()
  local start = 1
  while start <= #data do
    local stop = string.find(data, "\\0", start, true) or (#data + 1)
    table.insert(requests, string.sub(data, start, stop - 1))
    start = stop + 1
  end
end
function request()
  index = index + 1
  if index > #requests then index = 1 end
  return requests[index]
end
"""


# --- servers -----------------------------------------------------------------------------------

def bridge_settings(database_url: str, synchronous: str, threads: int | None, log_level: str,
                    worker: bool):
    """Production defaults everywhere except what a benchmark must set (secrets, database)."""
    from bridge.config.settings import Settings
    from tests.support.settings import JIRA_SECRET, ZENDESK_SECRET

    data = {
        "zendesk": {"url": "https://acme.zendesk.com", "email": "bot@acme.test",
                    "api_token": "zendesk-token", "webhook_secret": ZENDESK_SECRET},
        "jira": {"url": "https://acme.atlassian.net", "email": "bot@acme.test",
                 "api_token": "jira-token", "webhook_secret": JIRA_SECRET},
        "database": {"url": database_url, "sqlite_synchronous": synchronous},
        "teams": {"engineering": {"project": "ENG"}},
        "logging": {"level": log_level},
        "worker": {"embedded": worker},
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


def serve(kind: str, options: dict, port: int, log_path: str) -> None:
    """Server process: the bridge or the baseline on the production granian setup, until SIGTERM."""
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 2)  # the server's logs go to a file in the temp dir
    os.dup2(log_fd, 1)
    os.close(log_fd)
    from functools import partial

    from bridge.http.buffered_wsgi import BufferedWSGI
    from bridge.logs import configure_logging
    from bridge.metrics import BridgeMetrics
    from bridge.serving.server import http_process_app, production_server
    from bridge.storage.db import create_database_engine
    from bridge.storage.migrate import upgrade

    settings = bridge_settings(options["database_url"], options["synchronous"], options["threads"],
                               options["log_level"], options["worker"])
    configure_logging(settings.logging.level, settings.logging.format)  # as `bridge serve`
    if kind == "bridge":
        engine = create_database_engine(options["database_url"], settings.database)
        upgrade(engine)
        engine.dispose()
        loader = partial(http_process_app, settings, os.getpid())
    else:
        # Served as the bridge is: the body read on the event loop, the app run on a thread.
        loader = partial(BufferedWSGI, bare_app(), settings.server, BridgeMetrics())
    production_server(settings, HOST, port).serve(target_loader=loader, wrap_loader=False)


class Server:
    def __init__(self, kind: str, options: dict, folder: str):
        from bridge.serving.server import free_port

        self.kind = kind
        self.port = free_port(HOST)
        self.log_path = os.path.join(folder, f"{kind}.log")
        self.process = multiprocessing.get_context("spawn").Process(
            target=serve, args=(kind, options, self.port, self.log_path), name=f"bench-{kind}")
        self.process.start()
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or not self.process.is_alive():
                    self.stop()
                    raise SystemExit(f"{kind} server did not start; its log:\n{self.log_tail()}") from None
                time.sleep(0.05)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process and its children (granian's HTTP process)."""
        return sum(_cpu_seconds(pid) for pid in _process_tree(self.process.pid))

    def stop(self) -> None:
        if self.process.is_alive():
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.join(20)
        if self.process.is_alive():
            for pid in _process_tree(self.process.pid):
                os.kill(pid, signal.SIGKILL)
            self.process.join()


def _process_tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid] + [p for child in children for p in _process_tree(int(child))]


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- requests ----------------------------------------------------------------------------------

def build_requests(source: str, count: int, tag: str) -> list[bytes]:
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
        head = [f"POST {PATHS[source]} HTTP/1.1", f"Host: {HOST}",
                f"Content-Length: {len(body)}", "User-Agent: bench-ingest"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        requests.append(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
    return requests


# --- load --------------------------------------------------------------------------------------

def prepare_round(args, folder: str, tag: str) -> tuple[str, int]:
    """Sign this round's requests (Zendesk timestamps are valid for 5 minutes) into the file wrk
    replays, for both servers; returns its path and how many it holds."""
    count = int(REQUESTS_PER_SECOND_CEILING * args.duration) + args.connections
    path = os.path.join(folder, "requests.bin")
    with open(path, "wb") as out:
        out.write(b"\0".join(build_requests(args.source, count, tag)))
    return path, count


def measure(server: Server, args, script: str, requests: tuple[str, int]) -> dict:
    requests_path, count = requests
    cpu = server.cpu_seconds()
    completed = subprocess.run(
        ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "--timeout", "10s",
         "-s", script, f"http://{HOST}:{server.port}{PATHS[args.source]}", "--", requests_path],
        capture_output=True, text=True, check=True)
    result = parse_wrk(completed.stdout)
    result["server_cpu_ms"] = (server.cpu_seconds() - cpu) * 1000 / max(1, result["answered"])
    # The baseline may wrap around the file; the bridge must see each request once.
    if server.kind == "bridge" and result["answered"] > count - args.connections:
        raise SystemExit(f"{server.kind} answered {result['answered']} requests, more than the "
                         f"{count} prepared: raise REQUESTS_PER_SECOND_CEILING")
    return result


def parse_wrk(output: str) -> dict:
    def milliseconds(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    percentiles = {int(p): milliseconds(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\S+)", output, re.M)}
    answered = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    not_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": percentiles[50], "p90": percentiles[90], "p99": percentiles[99],
        "max": milliseconds(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", output).group(1)),
        "answered": answered,
        "errors": (sum(map(int, errors.groups())) if errors else 0) + (int(not_ok.group(1)) if not_ok else 0),
    }


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
            return connection.execute(
                select(func.count(), func.count(func.distinct(c.delivery_key)))
                .where(c.source == source)).one()
    finally:
        engine.dispose()


# --- report ------------------------------------------------------------------------------------

def print_table(kind: str, rounds: list[dict]) -> None:
    print(f"\n{kind}")
    print(f"{'round':>7}{'req/s':>9}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}{'errors':>8}"
          f"{'server cpu/req':>16}")
    for number, r in enumerate(rounds, 1):
        print(f"{number:>7}{r['rps']:>9.0f}{r['p50']:>8.1f}{r['p90']:>8.1f}{r['p99']:>8.1f}"
              f"{r['max']:>8.1f}{r['errors']:>8}{r['server_cpu_ms']:>13.3f} ms")
    med = {key: statistics.median(r[key] for r in rounds)
           for key in ("rps", "p50", "p90", "p99", "max", "server_cpu_ms")}
    print(f"{'median':>7}{med['rps']:>9.0f}{med['p50']:>8.1f}{med['p90']:>8.1f}{med['p99']:>8.1f}"
          f"{med['max']:>8.1f}{sum(r['errors'] for r in rounds):>8}{med['server_cpu_ms']:>13.3f} ms"
          "   (latency in ms)")


def report(args, results: dict, inbox: tuple[int, int]) -> bool:
    baseline, bridge = results["baseline"], results["bridge"]
    print_table("baseline: bare Flask endpoint", baseline)
    print_table(f"bridge: signed {args.source} intake", bridge)
    ratios = [b["rps"] / a["rps"] for a, b in zip(baseline, bridge, strict=True)]
    ratio = statistics.median(ratios)
    p99_bridge = statistics.median(r["p99"] for r in bridge)
    print(f"\nthroughput bridge/baseline: {ratio:.2f} (rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
          f"  target >= {TARGET_RATIO}: {'PASS' if ratio >= TARGET_RATIO else 'MISS'}")
    verdict = "PASS" if p99_bridge < TARGET_P99_MS else "MISS"
    if args.connections != TARGET_CONCURRENCY:
        verdict += f" (the target is set at {TARGET_CONCURRENCY} connections; this ran {args.connections})"
    p99_rounds = ", ".join(f"{r['p99']:.1f}" for r in bridge)
    print(f"p99 bridge {p99_bridge:.1f} ms (rounds: {p99_rounds})"
          f"  target < {TARGET_P99_MS:.0f} ms: {verdict}")
    p99_baseline = statistics.median(r["p99"] for r in baseline)
    print(f"p99 bridge/baseline: {p99_bridge / p99_baseline:.2f} (bare endpoint {p99_baseline:.1f} ms)")
    if p99_baseline >= TARGET_P99_MS:
        print(f"  the bare endpoint, which stores nothing, misses {TARGET_P99_MS:.0f} ms itself "
              "on this machine")
    print(f"({args.connections} connections, closed loop, {args.duration:g} s per round, "
          f"{args.rounds} rounds; {os.cpu_count()} CPUs)")
    ok = True
    for kind, rounds in results.items():
        for number, r in enumerate(rounds, 1):
            if r["errors"]:
                ok = False
                print(f"ERRORS {kind} round {number}: {r['errors']} (socket errors or non-2xx answers)")
    answered = sum(r["answered"] for r in bridge)
    rows, distinct = inbox
    in_flight = args.connections * args.rounds
    if rows == distinct and answered <= rows <= answered + in_flight:
        print(f"inbox: {rows} events stored, all distinct, for {answered} answered requests "
              f"(+{rows - answered} in flight when wrk stopped): nothing lost, nothing doubled")
    else:
        ok = False
        print(f"INBOX MISMATCH: {rows} rows, {distinct} distinct, {answered} requests answered")
    return ok


# --- main --------------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", choices=("zendesk", "jira"), default="zendesk")
    parser.add_argument("--connections", type=int, default=TARGET_CONCURRENCY,
                        help="keep-alive connections, one request in flight each (default 200)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round of 5 s")
    parser.add_argument("--database-url", help="postgresql://... (a fresh schema is created)")
    parser.add_argument("--synchronous", choices=("FULL", "NORMAL"), default="FULL",
                        help="SQLite sqlite_synchronous (production default FULL)")
    parser.add_argument("--worker", action="store_true",
                        help="also run the embedded worker in the bridge process")
    parser.add_argument("--threads", type=int,
                        help="server threads for both servers (default: the production setting)")
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"),
                        help="bridge logging level (production default INFO)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.duration = 1, 5
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        print("bench/ingest.py needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        database_url, cleanup = prepare_database(args, folder)
        options = {"database_url": database_url, "synchronous": args.synchronous,
                   "threads": args.threads, "log_level": args.log_level, "worker": args.worker}
        servers = {}
        try:
            for kind in ("baseline", "bridge"):
                servers[kind] = Server(kind, options, folder)
            database = ("PostgreSQL (fresh schema)" if args.database_url
                        else f"SQLite synchronous={args.synchronous}")
            print(f"bridge on :{servers['bridge'].port} ({database}, worker "
                  f"{'on' if args.worker else 'off'}), baseline on :{servers['baseline'].port}; "
                  f"both on bridge.serving.server.production_server")
            script = os.path.join(folder, "replay.lua")
            Path(script).write_text(WRK_SCRIPT)
            results = {"baseline": [], "bridge": []}
            for number in range(1, args.rounds + 1):
                requests = prepare_round(args, folder, f"round{number}-{uuid.uuid4().hex[:6]}")
                for kind in ("baseline", "bridge"):
                    r = measure(servers[kind], args, script, requests)
                    results[kind].append(r)
                    print(f"round {number} {kind:<8} {r['rps']:7.0f} req/s  p50 {r['p50']:6.1f}  "
                          f"p99 {r['p99']:6.1f}  max {r['max']:6.1f} ms  errors {r['errors']}",
                          flush=True)
        finally:
            for server in servers.values():
                server.stop()
        ok = report(args, results, count_inbox(database_url, args.source))
        if not ok:
            print(f"bridge log (last lines):\n{servers['bridge'].log_tail()}")
        cleanup()
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
