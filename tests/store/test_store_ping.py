"""Database.ping answers True for a live database and False, quickly, for one that is not there."""

from __future__ import annotations

import socket

from bot.store.db import Database


def closed_port() -> int:
    # Bound then released: nothing listens there during the test.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ping(url: str) -> bool:
    database = Database(url)
    try:
        return database.ping()
    finally:
        database.dispose()


def test_ping_is_true_on_a_live_database(db):
    assert db.ping() is True


def test_ping_is_false_for_sqlite_in_a_missing_directory(tmp_path):
    assert ping(f"sqlite:///{tmp_path / 'missing' / 'cellule.db'}") is False


def test_ping_is_false_for_postgresql_on_a_closed_port():
    assert ping(f"postgresql+psycopg://cellule@127.0.0.1:{closed_port()}/cellule_test?connect_timeout=2") is False


def test_a_postgresql_server_that_never_answers_is_given_up_on_not_waited_for_forever():
    """A host that takes the connection and then says nothing (a partition, a hung server): every
    session fails as a database that is down, so the work that needed it says so, and nothing that
    reads before an acknowledgement hangs. Without a connect timeout, libpq waits forever."""
    import threading

    import sqlalchemy as sa
    from sqlmodel import select

    from bot.store.db import DATABASE_DOWN

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        database = Database(f"postgresql+psycopg://cellule@127.0.0.1:{silent.getsockname()[1]}/cellule_test")
        outcome: list[BaseException | None] = []

        def read() -> None:
            try:
                with database.read() as s:
                    s.exec(select(sa.literal(1))).one()
                outcome.append(None)
            except BaseException as e:  # noqa: BLE001 - the test looks at what it was
                outcome.append(e)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout=30)
        database.dispose()
    assert outcome, "still waiting for a server that never answers"
    assert isinstance(outcome[0], DATABASE_DOWN), outcome
