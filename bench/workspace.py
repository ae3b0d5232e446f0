"""The emulated Slack workspace and databases the benchmarks run against."""

from __future__ import annotations

import math
import os
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/run.py` puts bench/, not the repo, on sys.path
    sys.path.insert(0, str(REPO))

from bot.emulator import SlackEmulator  # noqa: E402
from bot.store.db import make_engine  # noqa: E402
from tests.emulator.fixtures import SIGNING_SECRET, populate  # noqa: E402


def emulator() -> SlackEmulator:
    """The e2e tests' workspace: UFR, UEN, USTAKE; #ops (COPS), #incidents-fr, #incidents-en."""
    emu = SlackEmulator(SIGNING_SECRET)
    populate(emu)
    emu.start()
    return emu


def postgres_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or ""


@contextmanager
def database(kind: str, tmp: Path, name: str):
    """A fresh, empty database URL: a SQLite file, or a throwaway schema in PostgreSQL."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / (name + '.db')}"
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url())
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        base = postgres_url()
        yield base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}&connect_timeout=5"
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def wait_until(predicate, timeout: float, what: str, step: float = 0.01):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(step)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]
