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
