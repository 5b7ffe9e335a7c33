"""Alembic environment: the engine comes from bridge.storage.migrate, never from a URL in a file."""

from alembic import context

from bridge.storage.schema import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
