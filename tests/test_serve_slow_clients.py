"""`bridge serve` against clients that send headers and part of a body, then go quiet (issue 13,
item 1): they must not hold the server's threads, and each is answered 408 and closed once the
body deadline has passed."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

import requests

from bridge.runtime import utc_now
from tests.support.fixtures import load_fixture
from tests.support.processes import BridgeProcess
from tests.support.settings import make_settings, write_config
from tests.support.signing import body_of, zendesk_headers

THREADS = 4
BODY_SECONDS = 2
DECLARED_LENGTH = 4000
API_TOKEN = "api-test-token"
SLOW_PATHS = ("/webhooks/zendesk", "/webhooks/jira", "/api/problems", "/metrics")


def open_slow_body(port: int, path: str) -> socket.socket:
    """A client that sends its headers and the first bytes of its body, then nothing."""
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    client.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {DECLARED_LENGTH}\r\n\r\n").encode() + b'{"id": "')
    return client


def trickle(client: socket.socket, stop: threading.Event) -> None:
    """Never idle, never done: a byte every 100 ms (4,000 bytes would take 400 s)."""
    while not stop.wait(0.1):
        try:
            client.sendall(b"x")
        except OSError:
            return


def read_until_closed(client: socket.socket, timeout: float) -> bytes:
    client.settimeout(timeout)
    received = b""
    try:
        while chunk := client.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def timed(call) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_slow_bodies_neither_block_the_server_nor_hang_on(tmp_path, sqlite_url):
    settings = make_settings(sqlite_url, server={"threads": THREADS, "body_timeout_seconds": BODY_SECONDS},
                             api={"token": API_TOKEN})
    config = write_config(tmp_path, settings)
    bridge = BridgeProcess("--config", str(config), "serve", "--host", "127.0.0.1", "--port", "0")
    slow: list[socket.socket] = []
    stop_trickling = threading.Event()
    try:
        port = int(bridge.wait_for_line(r"event=serve\.listening .*port=(\d+)").group(1))
        url = f"http://127.0.0.1:{port}"
        # Twice as many stalled bodies as the server has threads, on every kind of endpoint.
        slow = [open_slow_body(port, SLOW_PATHS[number % len(SLOW_PATHS)]) for number in range(2 * THREADS)]
        trickling = open_slow_body(port, "/webhooks/zendesk")
        threading.Thread(target=trickle, args=(trickling, stop_trickling), daemon=True).start()
        slow_since = time.monotonic()
        time.sleep(0.3)  # the server has taken every one of them in

        health, seconds = timed(lambda: requests.get(f"{url}/healthz", timeout=5))
        assert health.status_code == 200 and seconds < 1, seconds
        metrics, seconds = timed(lambda: requests.get(f"{url}/metrics", timeout=5))
        assert metrics.status_code == 200 and seconds < 1, seconds
        api, seconds = timed(lambda: requests.get(
            f"{url}/api/problems", params={"state": "open", "limit": 5}, timeout=5,
            headers={"Authorization": f"Bearer {API_TOKEN}"}))
        assert api.status_code == 200 and seconds < 1, seconds
        assert api.json()["limit"] == 5
        body = body_of(load_fixture("zendesk", "ticket.created__docs_example"))
        webhook, seconds = timed(lambda: requests.post(
            f"{url}/webhooks/zendesk", data=body, headers=zendesk_headers(body, utc_now()), timeout=5))
        assert webhook.status_code == 200 and seconds < 1, seconds
        assert webhook.json() == {"status": "accepted"}

        # Past the deadline every stalled client is told why, then the connection is closed; the
        # trickling one too: the deadline is for the whole body, not for a pause.
        for client in [*slow, trickling]:
            answer = read_until_closed(client, timeout=BODY_SECONDS + 5)
            assert answer.startswith(b"HTTP/1.1 408 "), answer
            assert b'"error": "request_timeout"' in answer, answer
        waited = time.monotonic() - slow_since
        assert BODY_SECONDS - 0.5 < waited < BODY_SECONDS + 3, waited
        assert requests.get(f"{url}/healthz", timeout=5).status_code == 200
        metrics = requests.get(f"{url}/metrics", timeout=5).text
        assert f'bridge_http_bodies_refused_total{{reason="request_timeout"}} {2 * THREADS + 1}.0' in metrics
    finally:
        stop_trickling.set()
        for client in slow:
            client.close()
        code = stop(bridge)
    assert code == 0, bridge.output
    assert ("event=http.body_refused logger=bridge.http path=/webhooks/zendesk reason=request_timeout "
            "status=408") in bridge.output


def test_bodies_over_the_limit_or_past_the_bound_are_refused_at_once(tmp_path, sqlite_url):
    settings = make_settings(sqlite_url, server={"threads": THREADS, "body_timeout_seconds": 1,
                                                 "max_body_reads": 2, "max_body_bytes": 8192})
    bridge = BridgeProcess("--config", str(write_config(tmp_path, settings)), "serve",
                           "--host", "127.0.0.1", "--port", "0")
    slow: list[socket.socket] = []
    try:
        port = int(bridge.wait_for_line(r"event=serve\.listening .*port=(\d+)").group(1))
        slow = [open_slow_body(port, "/webhooks/zendesk") for _ in range(2)]
        time.sleep(0.3)
        # Past the bound: refused without waiting, and told when to come back.
        busy = open_slow_body(port, "/webhooks/jira")
        answer = read_until_closed(busy, timeout=0.5)
        assert answer.startswith(b"HTTP/1.1 503 ") and b"retry-after: 5" in answer.lower(), answer
        # A declared length over the limit is refused before a byte of the body is read.
        too_large = socket.create_connection(("127.0.0.1", port), timeout=5)
        too_large.sendall(b"POST /webhooks/zendesk HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/json\r\nContent-Length: 8193\r\n\r\n")
        answer = read_until_closed(too_large, timeout=0.5)
        assert answer.startswith(b"HTTP/1.1 413 ") and b'"error": "too_large"' in answer, answer
        for client in slow:
            assert read_until_closed(client, timeout=3).startswith(b"HTTP/1.1 408 ")
        # The bound counts bodies in progress: with those gone, a body is read again.
        body = body_of(load_fixture("zendesk", "ticket.created__docs_example"))
        webhook = requests.post(f"http://127.0.0.1:{port}/webhooks/zendesk", data=body,
                                headers=zendesk_headers(body, utc_now()), timeout=5)
        assert webhook.status_code == 200
    finally:
        for client in slow:
            client.close()
        code = stop(bridge)
    assert code == 0, bridge.output


def stop(bridge: BridgeProcess) -> int:
    try:
        return bridge.stop()
    except subprocess.TimeoutExpired:  # still held by clients (the server before this fix)
        bridge.process.kill()
        raise
