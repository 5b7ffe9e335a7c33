"""`run_demo`: bring up the loopback environment, play the stages, summarise."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from bridge.demo.environment import LoopbackEnvironment
from bridge.demo.first_look import FIRST_LOOK
from bridge.demo.history import create_history, demo_history
from bridge.demo.scenario import generate_scenario
from bridge.demo.settings import find_rules_dir
from bridge.demo.stages import STAGES, DemoRun
from bridge.demo.summary import DemoSummary, collect_summary


@dataclass(frozen=True)
class DemoOptions:
    tickets: int = 40
    seed: int = 7
    pace_seconds: float = 0.02  # between customer tickets, so the stream is seen as it happens
    process_timeout: float = 30.0
    rules_dir: Path | None = None  # default: find_rules_dir()
    first_look: bool = False  # --keep-running: leave problems open, at risk, overdue, detecting (first_look.py)


Present = Callable[[DemoSummary, LoopbackEnvironment], None]


def run_demo(options: DemoOptions, say: Callable[[str], None], present: Present) -> DemoSummary:
    """Run every stage, then call `present(summary, env)` while everything is still up."""
    started = time.monotonic()
    scenario = generate_scenario(options.tickets, options.seed)
    history = demo_history(datetime.now(UTC), options.seed, options.first_look)
    shipped = options.rules_dir or find_rules_dir()
    with tempfile.TemporaryDirectory(prefix="bridge-demo-rules-") as scratch, \
            LoopbackEnvironment(_copy_of(shipped, Path(scratch)), history=partial(create_history, history)) as env:
        say(f"bridge on {env.bridge_url}, Zendesk simulator on {env.zendesk.url}, "
            f"Jira simulator on {env.jira.url}; rules from {env.rules_dir} (a copy of {shipped}: "
            "the rule the demo accepts is written there)")
        say("== setup")
        for line in env.setup_lines:
            say(line if line.startswith("$ ") else f"  {line}")
        run = DemoRun(env, scenario, say, options.pace_seconds, options.process_timeout, history=history,
                      started_at=env.runtime.clock())
        for stage in STAGES + (FIRST_LOOK if options.first_look else ()):
            say(f"== {stage.name}")
            stage.run(run)
        summary = collect_summary(run, time.monotonic() - started)
        present(summary, env)
    return summary


def _copy_of(rules_dir: Path, scratch: Path) -> Path:
    copy = scratch / "rules"
    shutil.copytree(rules_dir, copy)
    return copy

