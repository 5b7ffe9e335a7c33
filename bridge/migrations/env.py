"""Alembic environment: the engine comes from bridge.storage.migrate, never from a URL in a file."""

from alembic import context

from bridge.storage.schema import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Schema changes on big tables may take longer than database.statement_timeout_seconds.
            connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        context.run_migrations()
