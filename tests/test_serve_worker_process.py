"""`bridge serve` runs the worker and the scheduler in a process of their own (issue 15): webhooks are
answered whatever that process is doing, it is restarted when it dies, /metrics adds up its
counters, and SIGTERM takes everything down."""

from __future__ import annotations

import fcntl
import glob
import os
import re
import signal
import sqlite3
import tempfile
import time

import requests

from bridge.config.settings import load_settings
from bridge.runtime import build_runtime, utc_now
from bridge.storage.inbox import DONE, PENDING
from tests.detection.conftest import write_rules
from tests.support.fixtures import load_fixture
from tests.support.processes import BridgeProcess
from tests.support.settings import make_settings, write_config
from tests.support.signing import body_of, zendesk_headers
from tests.test_serve_processes import LISTENING, children_of, is_running

WORKER_STARTED = r"event=serve\.worker_started .*pid=(\d+) restarts={}"


def send_ticket_event(url: str, number: int) -> requests.Response:
    payload = load_fixture("zendesk", "ticket.created__docs_example")
    payload["id"] = f"worker-process-{number}"
    payload["detail"]["id"] = str(1000 + number)
    body = body_of(payload)
    # A generous bound: the answer must not wait for the worker, however slow the machine.
    return requests.post(f"{url}/webhooks/zendesk", data=body, headers=zendesk_headers(body, utc_now()), timeout=10)


def wait_until(condition, output, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, output()
        time.sleep(0.05)


def is_writing(serve_pid: int, database: str) -> bool:
    """Whether the (stopped) worker process holds its write turn or SQLite's write lock: stopped there,
    it makes intake wait out its bound and answer 503 (tests/test_database_hangs.py), by design."""
    (turns,) = glob.glob(os.path.join(tempfile.gettempdir(), f"bridge-serve-{serve_pid}-*", "sqlite-write-turns.lock"))
    with open(turns) as turn:
        try:
            fcntl.flock(turn, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(turn, fcntl.LOCK_UN)
    probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def stop_between_writes(worker: int, serve_pid: int, database: str) -> None:
    """SIGSTOP the worker process at a moment it is not writing (its start-up jobs write)."""
    deadline = time.monotonic() + 20
    while True:
        os.kill(worker, signal.SIGSTOP)
        if not is_writing(serve_pid, database):
            return
        os.kill(worker, signal.SIGCONT)
        assert time.monotonic() < deadline, "the worker process never stopped writing"
        time.sleep(0.02)


def start(tmp_path, sqlite_url) -> tuple[BridgeProcess, str, object]:
    config = write_config(tmp_path, make_settings(sqlite_url))
    bridge = BridgeProcess("--config", str(config), "serve", "--host", "127.0.0.1", "--port", "0")
    port = int(bridge.wait_for_line(LISTENING).group(1))
    return bridge, f"http://127.0.0.1:{port}", build_runtime(load_settings(config))


def test_webhooks_are_answered_while_the_worker_process_is_stopped_and_it_then_catches_up(tmp_path, sqlite_url):
    bridge, url, runtime = start(tmp_path, sqlite_url)
    worker = int(bridge.wait_for_line(WORKER_STARTED.format(0)).group(1))
    try:
        assert worker in children_of(bridge.process.pid)
        stop_between_writes(worker, bridge.process.pid, sqlite_url.removeprefix("sqlite:///"))
        try:
            answers = [send_ticket_event(url, number) for number in range(3)]
            assert [answer.status_code for answer in answers] == [200] * 3
            assert runtime.inbox.counts()[PENDING] == 3  # taken in, nobody processed them
        finally:
            os.kill(worker, signal.SIGCONT)

        wait_until(lambda: runtime.inbox.counts()[DONE] == 3, lambda: bridge.output)
        assert runtime.tickets.get(1002) is not None
        # Counted in the worker process, shown by the HTTP process.
        metrics = requests.get(f"{url}/metrics", timeout=10).text
        assert re.search(r'bridge_events_processed_total\{outcome="done",source="zendesk"\} 3\.0', metrics), metrics
        assert re.search(r'bridge_webhook_events_received_total\{source="zendesk"\} 3\.0', metrics), metrics
        assert "bridge_rules_loaded 2.0" in metrics  # the agents' tag rules of the one team
        assert "bridge_scheduler_leader 1.0" in metrics, metrics  # the worker process leads
    finally:
        runtime.engine.dispose()
        code = bridge.stop()
    assert code == 0, bridge.output


def test_a_killed_worker_process_is_restarted_and_sigterm_stops_every_process(tmp_path, sqlite_url):
    bridge, url, runtime = start(tmp_path, sqlite_url)
    children: list[int] = []
    try:
        first = int(bridge.wait_for_line(WORKER_STARTED.format(0)).group(1))
        os.kill(first, signal.SIGKILL)
        bridge.wait_for_line(rf"event=serve\.worker_died .*pid={first} how=\"?signal SIGKILL")
        second = int(bridge.wait_for_line(WORKER_STARTED.format(1)).group(1))
        assert second != first and not is_running(first)

        assert send_ticket_event(url, 1).status_code == 200
        wait_until(lambda: runtime.inbox.counts()[DONE] == 1, lambda: bridge.output)
        children = children_of(bridge.process.pid)
        assert second in children and len(children) == 2  # the HTTP process and the new worker process
    finally:
        runtime.engine.dispose()
        started = time.monotonic()
        code = bridge.stop(timeout=30)
    assert code == 0, bridge.output
    assert time.monotonic() - started < 15, bridge.output
    assert not any(is_running(pid) for pid in children), bridge.output
    assert "event=serve.worker_stopped" in bridge.output and "event=serve.stopped" in bridge.output


CRASH_RULE = """
rules:
  - name: crash
    team: engineering
    match:
      any:
        - text: {any: ["crash"]}
    threshold: {count: 3, of: tickets, window: 24h}
"""


def test_readyz_says_which_rules_run_after_an_edit_though_the_worker_process_reloads_them(tmp_path, sqlite_url):
    write_rules(tmp_path / "rules", CRASH_RULE)
    config = write_config(tmp_path, make_settings(sqlite_url, rules=["rules/*.yaml"]))
    bridge = BridgeProcess("--config", str(config), "serve", "--host", "127.0.0.1", "--port", "0")
    try:
        url = f"http://127.0.0.1:{int(bridge.wait_for_line(LISTENING).group(1))}"

        def rules() -> dict:
            return requests.get(f"{url}/readyz", timeout=10).json()["rules"]

        # The file's rule, plus the 2 implied by the one team's agent tags.
        assert rules() == {"loaded": 3, "last_reload_error": None}
        write_rules(tmp_path / "rules", CRASH_RULE.replace("threshold:", "thresold:"))
        stamp = time.time() + 5
        os.utime(tmp_path / "rules" / "rules.yaml", (stamp, stamp))
        wait_until(lambda: "rules.yaml:8: rules[0].thresold: unknown key" in (rules()["last_reload_error"] or ""),
                   lambda: f"{rules()}\n{bridge.output}")
        assert rules()["loaded"] == 3  # the last valid rules keep running
    finally:
        code = bridge.stop()
    assert code == 0, bridge.output
