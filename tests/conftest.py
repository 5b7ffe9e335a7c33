from __future__ import annotations

import pytest

from bridge.http.app import create_app
from bridge.runtime import build_runtime
from tests.support.clock import FakeClock
from tests.support.database import postgres_schema_url
from tests.support.settings import make_settings


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'bridge.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Storage tests take this fixture to run once per supported database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bridge.db'}"
    else:
        with postgres_schema_url() as url:
            yield url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(sqlite_url):
    return make_settings(sqlite_url)


@pytest.fixture
def runtime(settings, clock):
    runtime = build_runtime(settings, clock=clock)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def app(runtime):
    return create_app(runtime)


@pytest.fixture
def client(app):
    return app.test_client()
