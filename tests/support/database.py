"""Fresh, isolated databases: a SQLite file per test, or a PostgreSQL schema per test."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from bridge.storage.db import normalise_url

POSTGRES_ENV = "BRIDGE_TEST_POSTGRES_URL"
SKIP_POSTGRES = (f"set {POSTGRES_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test) "
                 "to run storage tests on PostgreSQL; .ci/run sets it")


@contextmanager
def postgres_schema_url():
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(SKIP_POSTGRES)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
