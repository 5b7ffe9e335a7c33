"""The runtime each process of `bridge serve` builds after the fork: on SQLite, its write transactions
take turns with the other process's, intake's first (bridge/storage/write_turns.py); and the worker
process steps aside while intake is busy (bridge/intake/load.py)."""

from __future__ import annotations

from pathlib import Path

from bridge.config.settings import Settings, resolve_database_url
from bridge.intake.load import IntakeLoad
from bridge.runtime import Runtime, build_runtime
from bridge.storage.db import create_database_engine, sqlite_file
from bridge.storage.write_turns import WriteTurns

# The worker waits this long for intake to finish writing before it writes anyway (a flood of
# webhooks delays processing, it does not fail it).
WORKER_MAX_TURN_WAIT_SECONDS = 30.0


def write_turns_file(run_folder: Path) -> Path:
    return run_folder / "sqlite-write-turns.lock"


def intake_load_file(run_folder: Path) -> Path:
    return run_folder / "intake-load"


def process_runtime(settings: Settings, run_folder: Path, *, intake: bool) -> Runtime:
    url = resolve_database_url(settings)
    turns = None
    if sqlite_file(url) is not None:
        max_wait = settings.database.sqlite_busy_timeout_seconds if intake else WORKER_MAX_TURN_WAIT_SECONDS
        turns = WriteTurns(write_turns_file(run_folder), yields=not intake, max_wait_seconds=max_wait)
    engine = create_database_engine(url, settings.database, write_turns=turns)
    load = IntakeLoad(intake_load_file(run_folder), settings.server.threads)
    return build_runtime(settings, migrate=False, engine=engine, intake_load=load,
                         yield_to_intake=not intake and settings.worker.yield_to_intake)
