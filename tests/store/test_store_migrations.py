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
