"""Alembic environment: runs migrations on the engine handed over by fivesafes.store.db.

The migrations are written by hand; ``fivesafes.tables`` gathers every model for comparing them.
"""

from alembic import context

from fivesafes.store.base import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
