"""A database that accepts connections and never answers: the bridge still answers every request
in bounded time, and recovers when the database is back, even from connections that never will."""

from __future__ import annotations

import re
import threading
import time
from functools import partial

import pytest
import requests
from sqlalchemy import make_url, text
from sqlalchemy.exc import OperationalError

from bridge.config.settings import DatabaseSettings
from bridge.runtime import build_runtime
from bridge.serving.server import ServerThread
from bridge.storage.db import create_database_engine
from tests.support.database import postgres_schema_url
from tests.support.fixtures import load_fixture
from tests.support.settings import make_settings
from tests.support.signing import body_of, zendesk_headers
from tests.support.tcp_proxy import TcpProxy


@pytest.fixture
def postgres_url():
    with postgres_schema_url() as url:
        yield url


@pytest.fixture
def proxy(postgres_url):
    parsed = make_url(postgres_url)
    proxy = TcpProxy((parsed.host or "127.0.0.1", parsed.port or 5432)).start()
    yield proxy
    proxy.stop()


def through(proxy: TcpProxy, url: str) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


class ReadinessProbes:
    """Kubernetes-style probes of /readyz, several at a time, for as long as the test runs."""

    def __init__(self, url: str, probers: int = 4):
        self.url, self.stop = url, threading.Event()
        self.slowest, self.statuses, self.errors = 0.0, set(), []
        self.threads = [threading.Thread(target=self._probe, daemon=True) for _ in range(probers)]
        for thread in self.threads:
            thread.start()

    def _probe(self) -> None:
        while not self.stop.is_set():
            try:
                answer, took = timed(lambda: requests.get(f"{self.url}/readyz", timeout=5))
                self.statuses.add(answer.status_code)
                self.slowest = max(self.slowest, took)
            except requests.RequestException as error:
                self.errors.append(type(error).__name__)
            time.sleep(0.1)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)


def post_webhook(url: str, clock, ticket: int) -> requests.Response:
    payload = load_fixture("zendesk", "ticket.created__docs_example")
    payload["id"] = f"hang-{ticket}-{time.monotonic_ns()}"
    body = body_of(payload)
    return requests.post(f"{url}/webhooks/zendesk", data=body, headers=zendesk_headers(body, clock()), timeout=30)


@pytest.fixture
def bridge_behind(proxy, postgres_url, clock):
    """A bridge (waitress, as in the demo) whose PostgreSQL is behind the proxy; its URL."""
    settings = make_settings(through(proxy, postgres_url), server={"threads": 8})
    runtime = build_runtime(settings, clock=clock)
    server = ServerThread(runtime).start()
    yield f"http://127.0.0.1:{server.port}"
    proxy.resume()
    server.stop()
    runtime.engine.dispose()


def test_readiness_health_and_metrics_answer_in_time_while_the_database_hangs(bridge_behind, proxy):
    url = bridge_behind
    assert requests.get(f"{url}/readyz", timeout=5).status_code == 200
    while gauges_read_age(url) > 1:  # the first scrape starts the first read of the inbox gauges
        time.sleep(0.05)

    proxy.hang()
    probes = ReadinessProbes(url, probers=12)  # more than the server's 8 threads
    time.sleep(2)  # by now the ping in flight has overrun the readiness timeout
    try:
        for _ in range(4):
            ready, took = timed(lambda: requests.get(f"{url}/readyz", timeout=5))
            assert ready.status_code == 503 and took < 2, f"/readyz: {ready.status_code} after {took:.1f} s"
            health, took = timed(lambda: requests.get(f"{url}/healthz", timeout=5))
            assert health.status_code == 200 and took < 1, f"/healthz after {took:.1f} s"
            scrape, took = timed(lambda: requests.get(f"{url}/metrics", timeout=5))
            assert scrape.status_code == 200 and took < 1, f"/metrics after {took:.1f} s"
            assert 'bridge_inbox_events{status="pending"}' in scrape.text  # from the last good read
            assert "bridge_database_gauges_read_age_seconds " in scrape.text
            pinging = [t for t in threading.enumerate() if t.name == "bridge-readyz"]
            assert len(pinging) <= 1, "more than one thread waits on the database for /readyz"
            time.sleep(0.5)
    finally:
        probes.finish()
    assert probes.errors == [] and probes.slowest < 2, (probes.errors, probes.slowest)
    assert 503 in probes.statuses  # (the first probes may get the last answer known: ready)

    # The connections held while it hung never answer; new ones do.
    proxy.resume()
    deadline = time.monotonic() + 20
    while requests.get(f"{url}/readyz", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, "/readyz did not recover"
        time.sleep(0.2)
    assert gauges_read_age(url) > 2  # still the read from before the hang
    while gauges_read_age(url) > 2:
        assert time.monotonic() < deadline, "the inbox gauges were not read again"
        time.sleep(0.2)


def gauges_read_age(url: str) -> float:
    scrape = requests.get(f"{url}/metrics", timeout=5).text
    return float(re.search(r"^bridge_database_gauges_read_age_seconds (\S+)$", scrape, re.M).group(1))


def test_intake_answers_503_in_time_while_the_database_hangs_and_recovers(bridge_behind, proxy, clock):
    url = bridge_behind
    assert post_webhook(url, clock, 1).status_code == 200

    proxy.hang()
    for ticket in (2, 3):  # the second finds the writer stuck on the first: still bounded
        answer, took = timed(partial(post_webhook, url, clock, ticket))
        assert answer.status_code == 503 and took < 5, f"{answer.status_code} after {took:.1f} s"
        assert answer.headers["Retry-After"] and answer.json()["error"] == "unavailable"

    # The writer's connection never answers, even now: it must not hold up what follows.
    proxy.resume()
    deadline = time.monotonic() + 20
    while post_webhook(url, clock, 4).status_code != 200:
        assert time.monotonic() < deadline, "intake did not recover"
    for ticket in (5, 6, 7):
        answer, took = timed(partial(post_webhook, url, clock, ticket))
        assert answer.status_code == 200 and took < 1, f"{answer.status_code} after {took:.1f} s"


def test_postgresql_connections_carry_timeouts_and_keep_the_urls_options(postgres_url):
    settings = DatabaseSettings(url=postgres_url, statement_timeout_seconds=0.3, connect_timeout_seconds=3,
                                keepalive_idle_seconds=20, keepalive_interval_seconds=5, keepalive_count=4)
    engine = create_database_engine(postgres_url, settings)
    try:
        with engine.connect() as connection:
            schema = make_url(postgres_url).query["options"].split("search_path=")[1]
            assert connection.execute(text("SHOW search_path")).scalar() == schema
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "300ms"
            parameters = connection.connection.dbapi_connection.info.get_parameters()
            assert {key: parameters.get(key) for key in ("connect_timeout", "keepalives", "keepalives_idle",
                                                         "keepalives_interval", "keepalives_count")} == {
                "connect_timeout": "3", "keepalives": "1", "keepalives_idle": "20",
                "keepalives_interval": "5", "keepalives_count": "4"}
        with engine.connect() as connection, pytest.raises(OperationalError, match="statement timeout"):
            connection.execute(text("SELECT pg_sleep(5)"))
    finally:
        engine.dispose()


def test_a_connect_to_a_server_that_never_answers_times_out(postgres_url, proxy):
    proxy.hang()
    engine = create_database_engine(through(proxy, postgres_url), DatabaseSettings(connect_timeout_seconds=2))
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError):
            engine.connect()
        assert time.monotonic() - started < 5
    finally:
        engine.dispose()


def test_sqlite_waits_for_a_lock_no_longer_than_its_busy_timeout(tmp_path):
    url = f"sqlite:///{tmp_path / 'bridge.db'}"
    engine = create_database_engine(url, DatabaseSettings(url=url, sqlite_busy_timeout_seconds=0.5))
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
        with engine.connect() as holder:
            assert holder.execute(text("PRAGMA busy_timeout")).scalar() == 500
            holder.execute(text("INSERT INTO t VALUES (1)"))  # holds the write lock (BEGIN IMMEDIATE)
            started = time.monotonic()
            with pytest.raises(OperationalError, match="locked"), engine.begin() as writer:
                writer.execute(text("INSERT INTO t VALUES (2)"))
            assert time.monotonic() - started < 3
    finally:
        engine.dispose()


def test_migrations_wait_for_another_process_longer_than_the_statement_timeout(postgres_url):
    from bridge.storage.migrate import MIGRATION_LOCK_ID, current_revision, upgrade

    engine = create_database_engine(postgres_url, DatabaseSettings(statement_timeout_seconds=0.3))
    other = create_database_engine(postgres_url)
    try:
        with other.connect() as holder:  # another bridge process, migrating
            holder.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            holder.commit()
            threading.Timer(1.0, lambda: holder.execute(
                text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})).start()
            upgrade(engine)
        assert current_revision(engine) is not None
        with engine.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "300ms"
    finally:
        engine.dispose()
        other.dispose()
