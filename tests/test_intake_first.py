"""While webhooks keep intake busy, the worker process of `bridge serve` steps aside (issue 15):
the shared load stamp, the pacing it gives the worker, and both through a real `bridge serve`."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bridge.config.settings import load_settings
from bridge.intake.load import TRICKLE_BATCH, TRICKLE_SECONDS, IntakeFirst, IntakeLoad
from bridge.queue_worker import QueueWorker
from bridge.runtime import build_runtime
from bridge.storage.inbox import DONE
from tests.support.processes import BridgeProcess
from tests.support.settings import make_settings, write_config
from tests.test_serve_processes import LISTENING
from tests.test_serve_worker_process import send_ticket_event, wait_until


def shared_pair(tmp_path, threads: int = 8) -> tuple[IntakeLoad, IntakeLoad]:
    """The HTTP process's view and the worker process's view of one file."""
    path = IntakeLoad.create(tmp_path / "intake-load")
    return IntakeLoad(path, threads), IntakeLoad(path, threads)


def test_intake_is_busy_while_a_quarter_of_its_threads_hold_webhooks_and_a_moment_after(tmp_path):
    http, worker = shared_pair(tmp_path, threads=8)  # busy from 2 requests at once
    assert not worker.busy()
    with http.request():
        assert not worker.busy()  # one request at a time is a stream, not a flood
    with http.request(), http.request():
        assert worker.busy()
    assert worker.busy()  # the window: a flood has gaps between requests
    assert not worker.busy(time.monotonic_ns() + 200_000_000)


class FakeLoad(IntakeLoad):
    def __init__(self, busy_until: float):
        super().__init__()
        self.busy_until = busy_until

    def busy(self, now_ns=None) -> bool:
        return time.monotonic() < self.busy_until


def test_the_worker_waits_while_intake_is_busy_taking_a_trickle_and_says_how_long():
    waits: list[float] = []
    pacing = IntakeFirst(FakeLoad(busy_until=time.monotonic() + 60), waits.append)
    stop = threading.Event()
    started = time.monotonic()
    assert pacing.batch_size(50, stop) == TRICKLE_BATCH
    assert pacing.batch_size(50, stop) == TRICKLE_BATCH
    elapsed = time.monotonic() - started
    assert elapsed >= TRICKLE_SECONDS  # the second batch waited its trickle interval
    assert len(waits) >= 1 and sum(waits) <= elapsed

    quiet = IntakeFirst(FakeLoad(busy_until=0), waits.append)
    waits.clear()
    assert quiet.batch_size(50, stop) == 50 and waits == []


def test_the_worker_takes_a_full_batch_as_soon_as_the_flood_ends_and_stops_waiting_on_stop():
    pacing = IntakeFirst(FakeLoad(busy_until=time.monotonic() + 0.05))
    pacing.batch_size(50, threading.Event())  # the first may go at once: nothing ran before
    assert pacing.batch_size(50, threading.Event()) == 50

    # A clock that never moves: only the stop can end the wait.
    stop = threading.Event()
    waiting = threading.Thread(target=IntakeFirst(FakeLoad(busy_until=time.monotonic() + 60),
                                                  clock=lambda: 0.0).batch_size, args=(50, stop))
    waiting.start()
    stop.set()
    waiting.join(timeout=10)
    assert not waiting.is_alive()


class CountingPacing:
    def __init__(self, size: int):
        self.size, self.asked = size, 0

    def batch_size(self, full: int, stop: threading.Event) -> int:
        self.asked += 1
        stop.set()  # one round of the loop
        return self.size


class RecordingQueue:
    def __init__(self):
        self.limits: list[int] = []

    def claim(self, owner, limit, now, lease):
        self.limits.append(limit)
        return []


def test_a_queue_worker_claims_no_more_than_its_pacing_allows(settings):
    queue = RecordingQueue()
    worker = QueueWorker(queue, settings.worker, clock=lambda: None)
    worker.pacing = CountingPacing(TRICKLE_BATCH)
    worker.run(threading.Event())
    assert queue.limits == [TRICKLE_BATCH] and worker.pacing.asked == 1


def yielded_seconds(url: str) -> float:
    metrics = requests.get(f"{url}/metrics", timeout=10).text
    found = re.search(r"^bridge_worker_yielded_to_intake_seconds_total (\S+)$", metrics, re.M)
    assert found, metrics
    return float(found.group(1))


@pytest.fixture
def serve(tmp_path, sqlite_url):
    # 8 threads: 2 webhooks at once make intake busy.
    config = write_config(tmp_path, make_settings(sqlite_url, server={"threads": 8}))
    bridge = BridgeProcess("--config", str(config), "serve", "--host", "127.0.0.1", "--port", "0")
    runtime = build_runtime(load_settings(config))
    try:
        yield bridge, f"http://127.0.0.1:{int(bridge.wait_for_line(LISTENING).group(1))}", runtime
    finally:
        runtime.engine.dispose()
        code = bridge.stop()
    assert code == 0, bridge.output


def test_a_steady_stream_is_processed_as_it_arrives_and_a_flood_makes_the_worker_step_aside(serve):
    bridge, url, runtime = serve
    for number in range(30):  # one request at a time
        assert send_ticket_event(url, number).status_code == 200
    wait_until(lambda: runtime.inbox.counts()[DONE] == 30, lambda: bridge.output)
    assert yielded_seconds(url) == 0

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda number: send_ticket_event(url, number).status_code, range(30, 630)))
    assert answers == [200] * 600
    wait_until(lambda: runtime.inbox.counts()[DONE] == 630, lambda: bridge.output, seconds=60)
    assert yielded_seconds(url) > 0, bridge.output
