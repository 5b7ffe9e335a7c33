"""Real `bridge serve` and `bridge worker` processes: the HTTP process and the worker process die
with `bridge serve` however that dies, one worker process per SQLite database, and a start-up that waits for a database
that is not up yet and otherwise says in one line why it gave up."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy.engine import make_url

from bridge.serving.server import free_port
from tests.support.database import postgres_schema_url
from tests.support.processes import ROOT, BridgeProcess
from tests.support.settings import make_settings, write_config
from tests.support.tcp_proxy import TcpProxy

LISTENING = r"event=serve\.listening .*port=(\d+)"


def children_of(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def is_running(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def serve(config: Path) -> BridgeProcess:
    return BridgeProcess("--config", str(config), "serve", "--host", "127.0.0.1", "--port", "0")


def test_children_die_with_a_killed_serve_and_a_restart_takes_over(tmp_path, sqlite_url):
    config = write_config(tmp_path, make_settings(sqlite_url))
    first = serve(config)
    children: list[int] = []
    restarted = None
    try:
        port = int(first.wait_for_line(LISTENING).group(1))
        children = children_of(first.process.pid)
        # The HTTP process and the worker process.
        assert len(children) == 2 and requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok

        first.process.send_signal(signal.SIGKILL)
        first.process.wait(5)
        deadline = time.monotonic() + 4
        while any(is_running(pid) for pid in children) or answers(port):
            assert time.monotonic() < deadline, "a child outlived bridge serve:\n" + first.output
            time.sleep(0.05)

        # The database is free again: a restart starts (one process on it, as before).
        restarted = serve(config)
        restarted.wait_for_line(LISTENING)
    finally:
        for pid in children:  # only if the test failed: do not leave it serving
            if is_running(pid):
                os.kill(pid, signal.SIGKILL)
        first.stop()
        if restarted:
            assert restarted.stop() == 0, restarted.output


def test_a_child_whose_parent_is_gone_before_it_watches_ends_at_once():
    # The race: the parent may die between the fork and the child's set-up. Here the "parent" the
    # child was told about is not its parent at all, as after such a death.
    child = subprocess.run(
        [sys.executable, "-c", "import time; from bridge.serving.parent_death import end_with_parent; "
                               "end_with_parent(2 ** 22 + 1); time.sleep(30)"],
        cwd=ROOT, timeout=10, capture_output=True, text=True)
    assert child.returncode == -signal.SIGTERM, child.stderr
    assert "serve.parent_gone" in child.stderr


def test_a_child_that_does_not_stop_on_sigterm_is_killed_after_the_grace():
    started = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-c", "import signal, time; from bridge.serving.parent_death import end_with_parent; "
                               "signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                               "end_with_parent(2 ** 22 + 1); time.sleep(30)"],
        cwd=ROOT, timeout=10, capture_output=True, text=True)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert time.monotonic() - started < 8


def test_second_process_on_one_sqlite_database_is_refused_and_short_commands_still_run(tmp_path, sqlite_url):
    config = write_config(tmp_path, make_settings(sqlite_url))
    first = serve(config)
    try:
        first.wait_for_line(LISTENING)
        for command in ("serve", "worker"):
            second = subprocess.run([sys.executable, "-m", "bridge.cli", "--config", str(config), command],
                                    cwd=ROOT, timeout=20, capture_output=True, text=True)
            lines = (second.stdout + second.stderr).splitlines()
            assert second.returncode == 1 and len(lines) == 1, lines
            assert f"in use by bridge process {first.process.pid}" in lines[0]

        listed = subprocess.run([sys.executable, "-m", "bridge.cli", "--config", str(config), "events", "list"],
                                cwd=ROOT, timeout=20, capture_output=True, text=True)
        assert listed.returncode == 0, listed.stderr
    finally:
        assert first.stop() == 0, first.output


def test_postgresql_takes_no_lock(tmp_path):
    with postgres_schema_url() as url:
        config = write_config(tmp_path, make_settings(url))
        workers = [BridgeProcess("--config", str(config), "worker") for _ in range(2)]
        try:
            for worker in workers:
                worker.wait_for_line(r"event=worker\.started")
        finally:
            codes = [worker.stop() for worker in workers]
    assert codes == [0, 0], [worker.output for worker in workers]


def test_start_with_the_database_down_gives_up_after_the_wait_in_a_few_lines(tmp_path):
    url = f"postgresql://bridge:s3cret-pw@127.0.0.1:{free_port('127.0.0.1')}/bridge"
    config = write_config(tmp_path, make_settings(url, database={"startup_wait_seconds": 1}))
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "bridge.cli", "--config", str(config), "serve", "--port", "0"],
                            cwd=ROOT, timeout=30, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert time.monotonic() - started >= 1  # it waited
    assert len(output.splitlines()) <= 3 and "Traceback" not in output, output
    assert "s3cret-pw" not in output
    last = output.splitlines()[-1]
    assert last.startswith("error: cannot reach the database postgresql+psycopg://bridge:***@127.0.0.1:")
    assert "Connection refused" in last


def test_a_short_command_with_the_database_down_fails_at_once_in_one_line(tmp_path):
    url = f"postgresql://bridge:s3cret-pw@127.0.0.1:{free_port('127.0.0.1')}/bridge"
    config = write_config(tmp_path, make_settings(url, database={"startup_wait_seconds": 30}))
    result = subprocess.run([sys.executable, "-m", "bridge.cli", "--config", str(config), "problems", "list"],
                            cwd=ROOT, timeout=20, capture_output=True, text=True)
    lines = (result.stdout + result.stderr).splitlines()
    assert result.returncode == 1 and len(lines) == 1, lines
    assert lines[0].startswith("error: cannot reach the database postgresql+psycopg://bridge:***@")


def test_start_waits_for_a_database_that_comes_up(tmp_path):
    with postgres_schema_url() as real_url:
        real = make_url(real_url)
        port = free_port("127.0.0.1")
        url = real.set(port=port).render_as_string(hide_password=False)
        config = write_config(tmp_path, make_settings(url, database={"startup_wait_seconds": 30}))
        worker = BridgeProcess("--config", str(config), "worker")
        proxy = None
        try:
            worker.wait_for_line(r"event=database\.unreachable")
            proxy = TcpProxy((real.host, real.port or 5432), port).start()  # the database comes up
            worker.wait_for_line(r"event=database\.reachable")
            worker.wait_for_line(r"event=worker\.started")
        finally:
            code = worker.stop()
            if proxy:
                proxy.stop()
    assert code == 0, worker.output
    assert "Traceback" not in worker.output

