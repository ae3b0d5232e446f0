"""The Alembic revisions build the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from bot.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.store.db import make_engine
from bot.store import incidents as store
from bot.store.migrate import alembic_config, current_revision, upgrade


def head_revision(url: str) -> str:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


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
    """Everything the inspector sees of each table: columns (their order aside: a column a later
    revision adds comes last), keys, indexes, constraints."""
    engine = make_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {table: {"columns": sorted((c["name"], repr(c["type"]), c["nullable"], c.get("default"))
                                          for c in inspector.get_columns(table)),
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


def test_older_rows_are_brought_to_the_current_shape(empty_database_url):
    """Migration 0006: a message made key before marks were kept per person becomes one pinned by
    someone unknown (so anyone's removal still unpins it); a summary step saying only `true` is
    marked pinned (it was pinned in the same step then)."""
    from datetime import datetime, timezone

    from bot.core import transitions
    from bot.store import timeline as tl
    from bot.store.db import Database

    before = ScriptDirectory.from_config(alembic_config(empty_database_url)).get_revision("0006").down_revision
    upgrade(empty_database_url, before)
    now = datetime(2025, 12, 4, 11, 13)
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            def incident(number: int, setup: str) -> int:
                return conn.execute(sa.text(
                    "INSERT INTO incident (ref, number, title, status, priority, category, components, impact, cause,"
                    " context, roles, is_private, setup, version) VALUES (:ref, :n, '{}', 'investigating', 'P3', '',"
                    " '{}', '{}', '{}', '{}', '{}', false, :setup, 0) RETURNING id"),
                    {"ref": f"TSR-{number}", "n": number, "setup": setup}).scalar_one()

            old, new = incident(1, '{"summary": true, "topic": "x"}'), incident(2, '{"summary": "1.5"}')
            for ts, key, data in (("1.0", True, '{"files": ["graph.png"]}'), ("2.0", False, "{}"),
                                  ("3.0", True, '{"marks": {"alert": {"UA": {"on": true, "at": 7.0}}}, "alert": true}')):
                conn.execute(sa.text(
                    "INSERT INTO timeline_entry (incident_id, kind, at, text, texts, key, data, channel_id, ts,"
                    " deleted, dedupe_key) VALUES (:i, 'message', :at, 'hello', '{}', :key, :data, 'C1', :ts, false,"
                    " :dedupe)"), {"i": old, "at": now, "key": key, "data": data, "ts": ts, "dedupe": f"msg:C1:{ts}"})
    finally:
        engine.dispose()

    upgrade(empty_database_url)

    db = Database(empty_database_url)
    try:
        with db.session() as s:
            pinned, plain, alert = (tl.to_entry(tl.by_message(session=s, channel_id="C1", ts=ts))
                                    for ts in ("1.0", "2.0", "3.0"))
            setups = {r.number: r.setup for r in store.open_incidents(session=s)}
    finally:
        db.dispose()
    assert pinned.data == {"files": ["graph.png"], "marks": {"pin": {"?": {"on": True, "at": 0}}}}
    assert plain.data == {} and alert.data == {"marks": {"alert": {"UA": {"on": True, "at": 7.0}}}, "alert": True}
    assert not transitions.mark(pinned, reason="pin", on=False, user="UB", when=1.0).key  # still unpinned by anyone
    assert setups == {1: {"summary": True, "topic": "x", "pinned": True}, 2: {"summary": "1.5"}}
