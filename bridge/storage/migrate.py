"""Apply the Alembic migrations shipped inside the package (no alembic.ini needed)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from bridge.storage.db import is_postgresql, reading

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# The PostgreSQL advisory lock that migrators take in turn. Any constant works; it only has to be
# the same for every bridge process (of any version) on the database.
MIGRATION_LOCK_ID = 72_640_001


def alembic_config(engine: Engine) -> Config:
    config = alembic_config_without_engine()
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to call from several processes at once on PostgreSQL."""
    config = alembic_config(engine)
    if not is_postgresql(engine):
        command.upgrade(config, revision)
        return
    with engine.connect() as connection:
        # Another process may hold the lock for as long as its migrations take: no statement
        # timeout here nor in the migrations (env.py), only for the service's own queries.
        connection.execute(text("SET statement_timeout = 0"))
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        connection.commit()
        try:
            command.upgrade(config, revision)
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
            connection.execute(text("RESET statement_timeout"))  # back to the configured one
            connection.commit()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config_without_engine()).get_current_head()


def known_revisions() -> set[str]:
    """The revisions this version's migrations know (a newer bridge's are not among them)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config_without_engine())
    return {script.revision for script in scripts.walk_revisions()}


def alembic_config_without_engine() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    # Alembic announces its dialect at info level each time; reading the revision says nothing.
    migration_log = logging.getLogger("alembic.runtime.migration")
    level = migration_log.level
    migration_log.setLevel(logging.WARNING)
    try:
        with reading(engine) as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        migration_log.setLevel(level)
