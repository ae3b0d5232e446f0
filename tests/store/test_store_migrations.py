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


def test_models_and_migrations_agree(migrated_database_url):
    # What `alembic check` does: autogenerate against the migrated database must find nothing to do.
    engine = make_engine(migrated_database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == [], "models changed without a migration; run alembic revision --autogenerate"


def test_upgrade_twice_changes_nothing(migrated_database_url):
    before = table_names(migrated_database_url)

    upgrade(migrated_database_url)

    assert table_names(migrated_database_url) == before
    assert current_revision(migrated_database_url) == head_revision(migrated_database_url)


def schema_of(url: str) -> dict:
    """Everything the inspector sees of each table: columns, keys, indexes, constraints."""
    engine = make_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {table: {"columns": [(c["name"], str(c["type"]), c["nullable"], c.get("default"))
                                    for c in inspector.get_columns(table)],
                        "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
                        "foreign_keys": sorted((fk["constrained_columns"], fk["referred_table"],
                                                fk["referred_columns"], fk.get("options", {}).get("ondelete"))
                                               for fk in inspector.get_foreign_keys(table)),
                        "indexes": sorted((i["name"], i["column_names"], bool(i["unique"]))
                                          for i in inspector.get_indexes(table)),
                        "unique": sorted(sorted(u["column_names"]) for u in inspector.get_unique_constraints(table))}
                for table in sorted(inspector.get_table_names())}
    finally:
        engine.dispose()


def test_each_tests_database_is_what_the_migrations_build(database_url, tmp_path):
    """The suite copies one migrated template per test (tests/conftest.py): the copy must be exactly
    what Alembic builds, table for table, at the same revision."""
    if database_url.startswith("sqlite"):
        reference = f"sqlite:///{tmp_path / 'reference.db'}"
        upgrade(reference)
        assert schema_of(database_url) == schema_of(reference)
    else:
        # The test's schema holds the copy; Alembic builds the reference in a second schema.
        import uuid

        from tests.conftest import POSTGRES_URL, with_query

        admin = make_engine(POSTGRES_URL)
        reference_schema = f"t_{uuid.uuid4().hex[:16]}"
        try:
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{reference_schema}"'))
            reference = with_query(POSTGRES_URL, options=f"-csearch_path={reference_schema}")
            upgrade(reference)
            assert schema_of(database_url) == schema_of(reference)
        finally:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{reference_schema}" CASCADE'))
            admin.dispose()
    assert current_revision(database_url) == head_revision(database_url)
