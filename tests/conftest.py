"""Fixtures shared by the whole suite: a fresh, migrated database per test.

SQLite in the test's tmp_path by default. With TEST_DATABASE_URL set (a PostgreSQL database,
see .ci/postgres.sh), each test gets its own schema in that database instead, dropped afterwards.
Tests marked `requires_postgres` are skipped when TEST_DATABASE_URL is unset.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from bot.store.db import Database, make_engine
from bot.store.migrate import upgrade

# The emulator fixtures are written by another engineer; until that file exists the suite runs without them.
if (Path(__file__).parent / "emulator" / "fixtures.py").exists():
    pytest_plugins = ["tests.emulator.fixtures"]

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requires_postgres: needs TEST_DATABASE_URL (a PostgreSQL server)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL (start one with .ci/postgres.sh start)")
    for item in items:
        if item.get_closest_marker("requires_postgres"):
            item.add_marker(skip)


def with_query(url: str, **params: str) -> str:
    """The URL with query parameters added (values percent-encoded)."""
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    return url + ("&" if "?" in url else "?") + query


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database that only this test uses (not migrated)."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'cellule.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        # Every connection made from this URL sees only the test's schema; a short connect
        # timeout so a dead server fails the test quickly instead of hanging it.
        yield with_query(POSTGRES_URL, options=f"-csearch_path={schema}", connect_timeout="2")
        with admin.begin() as conn:
            # A test that left a transaction open would block the drop forever: give up instead.
            conn.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    """A URL to a fresh database, migrated to the latest revision."""
    upgrade(empty_database_url)
    return empty_database_url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def begins(db: Database) -> Iterator[Callable[[], int]]:
    """`begins()`: how many transactions the test's database has begun so far."""
    count = [0]

    def on_begin(_conn) -> None:  # noqa: ANN001
        count[0] += 1

    sa.event.listen(db.engine, "begin", on_begin)
    yield lambda: count[0]
    sa.event.remove(db.engine, "begin", on_begin)
