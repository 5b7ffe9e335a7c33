"""What the benches share: `bridge serve` (and `bridge worker`) as users run them, in subprocesses
with a config file written here; the CPU of a process tree from /proc; a fresh database; the
inbox's counts. Importing this module starts nothing.

The benches drive the bridge only through its command line, its config file, its HTTP endpoints
and its database, so they measure whatever `bridge serve` does: the same script works whether the
worker runs in the HTTP process, in a process `bridge serve` starts, or anywhere else under it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from connectors.zendesk.simulator.server import STANDALONE_PRODUCT_FIELD_ID

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
TEAMS = {
    "finance": {"project": "FIN", "issue_type": "Task", "due": "5 business days"},
    "engineering": {"project": "ENG", "issue_type": "Bug", "due": "10 business days"},
    "shipping": {"project": "SHIP", "issue_type": "Task", "due": "2 business days"},
}
PRODUCT_FIELD_ID = STANDALONE_PRODUCT_FIELD_ID  # custom_fields.product in config.simulators.yaml


def bridge_config(database_url: str, *, worker: bool = True, zendesk_url: str = "https://acme.zendesk.com",
                  jira_url: str = "https://acme.atlassian.net", bridge_user_id: int | None = None,
                  synchronous: str = "FULL", threads: int | None = None, log_level: str = "INFO",
                  rules: bool = False, extra: dict | None = None) -> dict:
    """Production defaults everywhere except what a benchmark must set: secrets, addresses, the
    database; the shipped rules (rules/*.yaml, teams and custom field as config.simulators.yaml)
    with `rules`."""
    from tests.support.settings import JIRA_SECRET, ZENDESK_SECRET

    zendesk = {"url": zendesk_url, "email": "bridge@example.com", "api_token": "simulator-token",
               "webhook_secret": ZENDESK_SECRET}
    if bridge_user_id is not None:
        zendesk["bridge_user_id"] = bridge_user_id
    config: dict = {
        "zendesk": zendesk,
        "jira": {"url": jira_url, "email": "bridge@example.com", "api_token": "simulator-token",
                 "webhook_secret": JIRA_SECRET},
        "database": {"url": database_url, "sqlite_synchronous": synchronous},
        "teams": TEAMS if rules else {"engineering": {"project": "ENG"}},
        "logging": {"level": log_level},
        "worker": {"embedded": worker},
    }
    if rules:
        config["rules"] = [str(ROOT / "rules" / "*.yaml")]
        config["custom_fields"] = {"product": PRODUCT_FIELD_ID}
    if threads:
        config["server"] = {"threads": threads}
    for key, value in (extra or {}).items():
        config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
    return config


def write_config(folder: str, name: str, config: dict) -> str:
    path = os.path.join(folder, f"{name}.yaml")
    Path(path).write_text(json.dumps(config, indent=1))  # JSON is YAML
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class BridgeCommand:
    """`bridge --config PATH serve` (or `worker`) in a subprocess, its output in a log file."""

    def __init__(self, config_path: str, folder: str, command: str = "serve", name: str | None = None):
        self.name = name or command
        self.port = free_port() if command == "serve" else None
        self.log_path = os.path.join(folder, f"{self.name}.log")
        arguments = [sys.executable, "-m", "bridge.cli", "--config", config_path, command]
        if self.port:
            arguments += ["--host", HOST, "--port", str(self.port)]
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(arguments, stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT),
                                            env=environment, start_new_session=True)
        self.started = time.monotonic()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def wait_listening(self, timeout: float = 60) -> float:
        """Seconds from start until the port accepts connections."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return time.monotonic() - self.started
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise SystemExit(f"bridge {self.name} did not start; its log:\n{self.log_tail()}") from None
                time.sleep(0.05)

    def cpu_seconds(self) -> float:
        """User + system CPU of the process and everything under it (granian's HTTP process, a
        worker process), live ones only: sample before a child exits."""
        return process_tree_cpu(self.process.pid)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 30) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                for pid in process_tree(self.process.pid):
                    _kill(pid)
                self.process.wait()


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def process_tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid] + [p for child in children for p in process_tree(int(child))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree_cpu(pid: int) -> float:
    return sum(cpu_seconds(p) for p in process_tree(pid))


# --- database ----------------------------------------------------------------------------------

def prepare_database(database_url: str | None, folder: str, name: str = "bridge"):
    """A fresh SQLite file, or a fresh schema on the given PostgreSQL; returns (url, cleanup)."""
    if not database_url:
        return f"sqlite:///{os.path.join(folder, name + '.db')}", lambda: None
    from sqlalchemy import create_engine, text

    from bridge.storage.db import normalise_url

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in database_url else "?"

    def cleanup():
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{database_url}{separator}options=-csearch_path%3D{schema}", cleanup


@dataclass
class InboxCounts:
    by_status: dict[str, int]
    oldest_waiting_seconds: float  # age of the oldest event not yet processed (0 when none)

    @property
    def waiting(self) -> int:
        return self.by_status.get("pending", 0) + self.by_status.get("processing", 0)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


class InboxReader:
    """Counts the inbox straight from the database (no dependency on what /metrics exports)."""

    def __init__(self, database_url: str):
        from bridge.storage.db import create_database_engine

        self.engine = create_database_engine(database_url)

    def counts(self, source: str | None = None) -> InboxCounts:
        from datetime import UTC, datetime

        from sqlalchemy import func, select

        from bridge.storage.db import reading
        from bridge.storage.schema import inbox_events

        c = inbox_events.c
        where = [c.source == source] if source else []
        with reading(self.engine) as connection:  # no write lock: the worker is writing
            rows = connection.execute(select(c.status, func.count()).where(*where).group_by(c.status)).all()
            oldest = connection.execute(select(func.min(c.received_at)).where(
                c.status.in_(["pending", "processing"]), *where)).scalar()
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        return InboxCounts({status: count for status, count in rows}, max(0.0, age))

    def distinct(self, source: str) -> tuple[int, int]:
        from sqlalchemy import func, select

        from bridge.storage.db import reading
        from bridge.storage.schema import inbox_events

        c = inbox_events.c
        with reading(self.engine) as connection:  # no write lock: the worker is writing
            return connection.execute(select(func.count(), func.count(func.distinct(c.delivery_key)))
                                      .where(c.source == source)).one()

    def close(self) -> None:
        self.engine.dispose()


def migrate(database_url: str) -> None:
    """Create the schema before any bridge process starts (as `bridge db upgrade` would)."""
    from bridge.storage.db import create_database_engine
    from bridge.storage.migrate import upgrade

    engine = create_database_engine(database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
