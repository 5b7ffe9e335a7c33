"""Kill a real worker process mid-batch: after a restart every acknowledged event is applied once."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from bridge.config.settings import load_settings
from bridge.runtime import build_runtime, utc_now
from bridge.storage.inbox import DONE, PROCESSING
from tests.support.fixtures import load_fixture
from tests.support.settings import make_settings
from tests.support.settings import write_config as write_settings_file

EVENTS = 200
ROOT = Path(__file__).resolve().parent.parent


def write_config(tmp_path, database_url) -> Path:
    return write_settings_file(tmp_path, make_settings(database_url, worker={"batch_size": 50, "lease_seconds": 5}))


def test_killed_worker_loses_nothing_and_repeats_nothing(tmp_path, database_url):
    config = write_config(tmp_path, database_url)
    runtime = build_runtime(load_settings(config))
    template = load_fixture("zendesk", "ticket.created__docs_example")
    for i in range(EVENTS):
        payload = {**template, "id": f"evt-{i}", "detail": {**template["detail"], "id": str(i % 37 + 1)}}
        runtime.inbox.store("zendesk", f"evt-{i}", "zen:event-type:ticket.created",
                            json.dumps(payload), runtime.clock())

    process = subprocess.Popen([sys.executable, "-m", "tests.support.slow_worker", str(config)],
                               cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        # A batch commits at once: wait until one has and the next is under way, then kill.
        while (counts := runtime.inbox.counts())[DONE] < 30 or not counts[PROCESSING]:
            assert process.poll() is None, "worker exited early"
            assert time.monotonic() < deadline, "worker made no progress"
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()

    counts = runtime.inbox.counts()
    assert 30 <= counts[DONE] < EVENTS and counts[PROCESSING] > 0  # killed mid-batch
    assert sum(runtime.tickets.event_counts().values()) == counts[DONE]

    # Restart: once the dead worker's lease has expired, a new worker takes its events over.
    runtime.clock = lambda: utc_now() + timedelta(seconds=10)
    runtime.new_worker("restarted").drain()
    assert runtime.inbox.counts()[DONE] == EVENTS
    assert sum(runtime.tickets.event_counts().values()) == EVENTS
    runtime.engine.dispose()
