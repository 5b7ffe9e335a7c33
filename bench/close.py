"""Fix shipped for N = 100, 1,000 and 10,000 linked tickets, through the Zendesk simulator with its
limits on: 100 tickets per call, 30 jobs in flight, 100 requests per window.

Run: PYTHONPATH=. python bench/close.py   (about a minute; --sizes 100 1000 for less)

The window is 1 s instead of Zendesk's minute (time scale 60) and the bridge's pace is scaled
alike (`zendesk.requests_per_minute` 6000), so 10,000 tickets take seconds, not minutes; simulated
jobs run 20 ms after they are queued. One ticket in ten is closed (half of those unknown to the
bridge until Zendesk refuses the update). Printed per run: bulk writes against the floor
ceil(N/100), job polls, reads (requesters' names for personalised replies, read-backs), 429s,
the wall time against the floor the rate limit implies for the floor's writes, and whether every
requester got exactly one message.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bridge.closure.in_process import run_closure
from tests.support.closure_world import (
    LIMIT_PER_WINDOW,
    PERSONAL_RULE,
    SAME_RULE,
    TIME_SCALE,
    WINDOW_SECONDS,
    closure_runtime,
    limited_simulator,
    messages_per_requester,
    seed_world,
    start_closure,
)

SIZES = (100, 1000, 10_000)
FORMS = {"personalised": PERSONAL_RULE, "identical": SAME_RULE}


def kind_of(path: str) -> str:
    if "/update_many" in path or "/create_many" in path:
        return "writes"
    if "/job_statuses" in path:
        return "polls"
    return "reads"


def bench(size: int, form: str) -> dict:
    with limited_simulator() as sim, tempfile.TemporaryDirectory(prefix="bench-close-") as scratch:
        runtime = closure_runtime(sim, Path(scratch))
        world = seed_world(sim, runtime, size, closed_every=10, rule=FORMS[form])
        closure_id = start_closure(world)
        sim.clear_requests()
        started = time.perf_counter()
        progress = run_closure(runtime, closure_id, timeout=600)
        wall = time.perf_counter() - started
        calls = Counter(kind_of(r.path) for r in sim.requests)
        limited = sum(1 for r in sim.requests if r.status == 429)
        once = set(messages_per_requester(world).values()) == {1}
        runtime.engine.dispose()
    floor_writes = math.ceil(size / 100)
    floor_seconds = floor_writes / (LIMIT_PER_WINDOW / WINDOW_SECONDS)
    return {"n": size, "form": form, "notified": progress.done, "writes": calls["writes"], "floor": floor_writes,
            "polls": calls["polls"], "reads": calls["reads"], "429": limited, "wall": wall,
            "floor_s": floor_seconds, "once": once}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--forms", nargs="+", choices=sorted(FORMS), default=list(FORMS))
    arguments = parser.parse_args()
    print(f"simulated limit: {LIMIT_PER_WINDOW} requests per {WINDOW_SECONDS:g} s window "
          f"(time scale {TIME_SCALE:g}: 1 s here is 1 minute at Zendesk), 30 jobs in flight, 100 tickets per call")
    header = ("N", "form", "notified", "writes", "floor", "polls", "reads", "429s", "wall s", "floor s",
              "wall/floor", "exactly once")
    print(" | ".join(header))
    for size in arguments.sizes:
        for form in arguments.forms:
            r = bench(size, form)
            print(" | ".join(str(value) for value in (
                f"{r['n']:,}", r["form"], f"{r['notified']:,}", r["writes"], r["floor"], r["polls"], r["reads"],
                r["429"], f"{r['wall']:.2f}", f"{r['floor_s']:.2f}", f"{r['wall'] / r['floor_s']:.1f}",
                "yes" if r["once"] else "NO")), flush=True)


if __name__ == "__main__":
    main()
