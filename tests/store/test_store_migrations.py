"""The Alembic revisions build the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from bot.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.store.db import make_engine
from bot.store.migrate import alembic_config, upgrade


def head_revision(url: str) -> str:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_on_an_empty_database_creates_every_table(empty_database_url):
    assert table_names(empty_database_url) == set()

    upgrade(empty_database_url)

    assert table_names(empty_database_url) == set(SQLModel.metadata.tables) | {"alembic_version"}
    assert current_revision(empty_database_url) == head_revision(empty_database_url)


def test_models_and_migrations_agree(database_url):
    # What `alembic check` does: autogenerate against the migrated database must find nothing to do.
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == [], "models changed without a migration; run alembic revision --autogenerate"


def test_upgrade_twice_changes_nothing(database_url):
    before = table_names(database_url)

    upgrade(database_url)

    assert table_names(database_url) == before
    assert current_revision(database_url) == head_revision(database_url)
