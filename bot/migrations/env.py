"""Alembic environment: the URL comes from the Config set by bot.store.migrate."""

from alembic import context
from sqlmodel import SQLModel

from bot.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.store.db import make_engine

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch mode to alter tables
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Two processes starting together (two replicas, a rolling deploy) would both try to
                # create the tables: the second waits here, then finds the schema up to date.
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(2641)")
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
