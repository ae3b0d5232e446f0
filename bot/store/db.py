"""Engine and sessions. Created from the settings at start, never at import."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

BUSY_TIMEOUT_MS = 30000  # a write waits this long for another's lock before failing
PING_TIMEOUT = 1.0  # /healthz answers within about this
# What a database that does not answer raises (stopped, unreachable, locked past the busy timeout).
DATABASE_DOWN = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


CONNECT_TIMEOUT = 3  # seconds to open a PostgreSQL connection (libpq's own minimum is 2)


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would look for psycopg2.
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            # WAL lets readers work while a writer commits; foreign keys are off by default in SQLite.
            cur = dbapi_conn.cursor()
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
                # In WAL mode NORMAL is still safe against corruption and application crashes; only a power
                # cut can lose the last commits — and chat is fetched back from Slack at start anyway.
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.close()
            # pysqlite begins transactions itself, late (not before a SELECT) and in a way that turns
            # the first SAVEPOINT into the outer transaction: take that over (SQLAlchemy's documented recipe).
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # noqa: ANN001
            # IMMEDIATE takes the write lock up front, so a read-then-write transaction from another
            # process waits (busy_timeout) instead of failing with "database is locked" or losing an update.
            # Reads that must never wait (before an acknowledgement) begin deferred: in WAL mode
            # they go on while another process holds the write lock.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("cellule_read") else "BEGIN IMMEDIATE")

        return engine
    # libpq waits forever for a server that takes the connection and never answers (a partition, a
    # hung host): give up after a few seconds, so the work says the database is down instead of hanging.
    timeout = {} if "connect_timeout" in url else {"connect_timeout": CONNECT_TIMEOUT}
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, connect_args=timeout)


class Database:
    """The engine plus a session scope; passed to whoever needs the store."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._reader = self.engine.execution_options(cellule_read=True)
        self._ping_lock = threading.Lock()
        self._ping: Future | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only, that no writer holds up (SQLite: a deferred transaction)."""
        with Session(self._reader, expire_on_commit=False) as session:
            yield session  # closing ends the transaction and keeps what was read (a rollback would expire it)

    def ping(self, timeout: float = PING_TIMEOUT) -> bool:
        """Whether the database takes a write now, answered within `timeout` seconds whatever
        holds it (a SQLite file locked by another process, a PostgreSQL server that hangs)."""
        with self._ping_lock:
            running = self._ping
            if running is None or running.done():
                running = self._ping = Future()
                threading.Thread(target=lambda f=running: f.set_result(self._try_write(timeout)),
                                 name="db-ping", daemon=True).start()
        try:
            return running.result(timeout=timeout + 0.5)
        except FutureTimeout:
            return False  # still waiting: the next ping asks the same one rather than piling up

    def _try_write(self, timeout: float) -> bool:
        try:
            if self.engine.dialect.name == "sqlite":
                raw = self.engine.raw_connection()
                try:
                    cur = raw.cursor()
                    cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
                    try:
                        cur.execute("BEGIN IMMEDIATE")  # the write lock, as a command would take it
                        cur.execute("ROLLBACK")
                    finally:
                        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                finally:
                    raw.close()
                return True
            with self.engine.connect() as conn:
                conn.execute(sa.text(f"SET LOCAL statement_timeout = {int(timeout * 1000)}"))
                conn.execute(sa.text("SELECT 1"))
            return True
        except Exception:  # any driver error means "not answering"
            return False

    def dispose(self) -> None:
        self.engine.dispose()
