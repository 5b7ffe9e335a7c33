"""Reading Prometheus' text format in tests."""

from __future__ import annotations

import re
import time


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text, labels matched exactly (any order)."""
    for line in text.splitlines():
        match = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if found == labels:
            return float(match.group(3))
    return None


def samples(text: str, name: str) -> list[dict[str, str]]:
    """The labels of every sample of `name`."""
    return [dict(re.findall(r'(\w+)="([^"]*)"', line)) for line in text.splitlines()
            if line.startswith(name + "{")]


def scrape_after_a_new_read(client, runtime) -> str:
    """/metrics serves the database gauges from the last read: scrape once a read started after
    this call has finished."""
    asked, reads = time.monotonic(), runtime.database_metrics.reads
    while (last := reads.refresh(wait=True).last_good) is None or last.started_at < asked:
        assert time.monotonic() - asked < 5
        time.sleep(0.01)
    return client.get("/metrics").get_data(as_text=True)
