"""A SQLite file locked by another process: health answers at once, and says so (issue 12, item 5)."""

from __future__ import annotations

import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(bool(POSTGRES_URL), reason="a SQLite file lock")
BOUND = 10.0  # far below the 30 s busy timeout that used to hold /healthz


@contextmanager
def locked(database_url: str):
    path = database_url[len("sqlite:///"):]
    locker = subprocess.Popen([sys.executable, str(Path(__file__).with_name("locker.py")), path],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        yield
    finally:
        locker.stdin.close()
        locker.wait(timeout=30)


def within(bound: float, fn):
    """fn's result, or a failure if it has not answered within `bound` seconds (not a timing measure)."""
    out: list = []
    worker = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    worker.start()
    worker.join(bound)
    assert out, f"no answer within {bound} s"
    return out[0]


def test_ping_is_false_at_once_on_a_locked_file_and_true_after(db, database_url):
    with locked(database_url):
        assert within(BOUND, db.ping) is False
    assert within(BOUND, db.ping) is True
