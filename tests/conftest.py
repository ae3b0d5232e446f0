"""Fixtures shared by the whole suite: a fresh, migrated database per test.

Alembic runs once per session, into a template; each test gets a copy of it. SQLite: a file in
the test's tmp_path, copied from the migrated template file. With TEST_DATABASE_URL set (a
PostgreSQL database, see .ci/postgres.sh), each test gets its own schema in that database instead,
built by one script made once (the tables' DDL and Alembic's stamp) and dropped afterwards. tests/store/test_store_migrations.py runs real Alembic on both databases and
checks that the template's copies match what it builds.
Tests marked `requires_postgres` are skipped when TEST_DATABASE_URL is unset.

CELLULE_DATABASE_TESTS_ONLY=1 (CI's PostgreSQL run) keeps only the tests that reach the database:
those using its fixtures, and those marked `database` (which read TEST_DATABASE_URL themselves).
The rest (pure core, catalogs, rendering, the emulator, the playground on its own SQLite file, and
tests marked `any_database`) gives the same result on any database and has run already.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import settings

from bot.store.db import Database, make_engine
from bot.store.migrate import alembic_config, upgrade

# The emulator fixtures are written by another engineer; until that file exists the suite runs without them.
if (Path(__file__).parent / "emulator" / "fixtures.py").exists():
    pytest_plugins = ["tests.emulator.fixtures"]

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")

# The tests' files (each test's SQLite database and event journal) on the machine's RAM disk when it
# has one and TMPDIR does not say otherwise: the bot fsyncs its journal on every event and SQLite
# its WAL at checkpoints, and on a virtual disk those fsyncs were a tenth of the suite's time. The
# code that fsyncs still runs; pytest keeps its usual last three runs there (about 60 MB each).
RAM_DISK = Path("/dev/shm")
if "TMPDIR" not in os.environ and RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK):
    tempfile.tempdir = str(RAM_DISK)

# Property tests draw the same examples on every run, so a run fails only for a change in the code;
# `HYPOTHESIS_PROFILE=explore ./dev test tests/core` draws new ones (a failure found there prints
# the example to add with @example).
# No per-example deadline: a timing limit is not deterministic on a loaded 2-core machine.
settings.register_profile("repeatable", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requires_postgres: needs TEST_DATABASE_URL (a PostgreSQL server)")
    config.addinivalue_line("markers", "database: reaches TEST_DATABASE_URL without the database fixtures")
    config.addinivalue_line("markers", "any_database: uses a database, but what it checks does not depend on which")


DATABASE_FIXTURES = {"empty_database_url", "postgres_admin", "postgres_schema"}


def uses_a_database(item: pytest.Item) -> bool:
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))) or bool(item.get_closest_marker("database"))


def reaches_the_database(item: pytest.Item) -> bool:
    """Uses one, and what it checks depends on which (not marked `any_database`)."""
    return not item.get_closest_marker("any_database") and uses_a_database(item)


# The modules that take longest (a browser, real processes, Slack held slow on purpose), run first:
# pytest-xdist hands out whole modules in collection order (pyproject.toml: `--dist loadscope
# --no-loadscope-reorder`), and one of these handed out last keeps its worker busy alone at the end
# of the run. Measured with --durations=0.
LONGEST_FIRST = (
    "tests/playground/test_playground_browser.py",
    "tests/e2e/test_rounds.py",
    "tests/bench/test_bench_smoke.py",
    "tests/statuspage/test_page_browser.py",
    "tests/e2e/test_socket_mode.py",
    "tests/playground/test_playground_server.py",
    "tests/e2e/test_two_processes.py",
    "tests/e2e/test_kills.py",
    "tests/e2e/test_newcomer_path.py",
    "tests/e2e/test_modes.py",
)


def longest_first(item: pytest.Item) -> int:
    module = item.nodeid.split("::", 1)[0]
    return LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST)


@pytest.fixture(autouse=True)
def _journal_in_the_tests_folder(request: pytest.FixtureRequest) -> Iterator[None]:
    """A PostgreSQL test's event journal lives in its tmp_path, which pytest cleans up (a SQLite one
    lives beside its file already); in the shared temporary folder, each run left one per test.
    Its own patch: a test's `monkeypatch.undo()` (a database coming back) must not move it."""
    if not POSTGRES_URL or not uses_a_database(request.node):
        yield
        return
    from tests.e2e import harness

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(harness, "JOURNAL_ROOT", str(request.getfixturevalue("tmp_path")))
        yield


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=longest_first)  # stable: the rest keep their order
    if os.environ.get("CELLULE_DATABASE_TESTS_ONLY") == "1":
        kept = [item for item in items if reaches_the_database(item)]
        config.hook.pytest_deselected(items=[item for item in items if not reaches_the_database(item)])
        items[:] = kept
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


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    """One engine for the whole session that creates and drops the tests' schemas."""
    admin = make_engine(POSTGRES_URL)
    yield admin
    admin.dispose()


@pytest.fixture
def postgres_schema(postgres_admin: sa.Engine) -> Iterator[str]:
    """A schema of the test's own in the PostgreSQL database, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with postgres_admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield schema
    with postgres_admin.begin() as conn:
        # A test that left a transaction open would block the drop forever: give up instead.
        conn.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def empty_database_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A URL to an empty database that only this test uses (not migrated)."""
    if not POSTGRES_URL:
        return f"sqlite:///{tmp_path / 'cellule.db'}"
    schema = request.getfixturevalue("postgres_schema")
    # Every connection made from this URL sees only the test's schema; a short connect
    # timeout so a dead server fails the test quickly instead of hanging it.
    return with_query(POSTGRES_URL, options=f"-csearch_path={schema}", connect_timeout="2")


@pytest.fixture
def migrated_database_url(empty_database_url: str) -> str:
    """A fresh database migrated by Alembic itself, as `serve` migrates (for the migration tests)."""
    upgrade(empty_database_url)
    return empty_database_url


def _postgres_tables_script() -> str:
    """The tables' DDL from the models, and Alembic's stamp of the head revision: what Alembic builds
    on an empty database (test_store_migrations checks it table for table against real Alembic)."""
    from alembic.script import ScriptDirectory
    from sqlmodel import SQLModel

    from bot.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)

    statements: list[str] = []
    mock = sa.create_mock_engine(make_engine(POSTGRES_URL).url,
                                 lambda ddl, *_, **__: statements.append(str(ddl.compile(dialect=mock.dialect))))
    SQLModel.metadata.create_all(mock, checkfirst=False)
    head = ScriptDirectory.from_config(alembic_config(POSTGRES_URL)).get_current_head()
    statements += ["CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                   "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))",
                   f"INSERT INTO alembic_version (version_num) VALUES ('{head}')"]
    return "BEGIN;\n" + ";\n".join(statements) + ";\nCOMMIT;"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """What every test's database starts from, made once per session.

    SQLite: a database file migrated by Alembic (its write-ahead log folded in, so the file alone
    is the whole database). PostgreSQL: a script of the tables' DDL and Alembic's stamp, played into
    each test's schema (a schema cannot be copied; Alembic's offline SQL cannot hold data steps)."""
    if POSTGRES_URL:
        return _postgres_tables_script()
    path = tmp_path_factory.mktemp("template") / "cellule.db"
    upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def database_url(empty_database_url: str, migrated_template: Path | str,
                 request: pytest.FixtureRequest) -> str:
    """A URL to a fresh database at the latest revision: a copy of the session's template."""
    if isinstance(migrated_template, Path):
        shutil.copyfile(migrated_template, empty_database_url.removeprefix("sqlite:///"))
        return empty_database_url
    schema = request.getfixturevalue("postgres_schema")
    with request.getfixturevalue("postgres_admin").connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # The script brings its own BEGIN and COMMIT; search_path puts its tables in the test's schema.
        conn.exec_driver_sql(f'SET search_path TO "{schema}"')
        try:
            conn.exec_driver_sql(migrated_template)
        finally:
            conn.exec_driver_sql("RESET search_path")
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
