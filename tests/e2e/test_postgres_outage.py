"""A real PostgreSQL stopped while signed events arrive over HTTP (issue 12, item 5): none is lost.

The suite's server is shared by every test; this one gets a dedicated cluster of its own
(`.ci/postgres.sh` with its own CELLULE_PG_DIR), stops it (`pause`: pg_ctl stop -m fast) in the
middle of a stream of messages and reactions, starts it again (`resume`, same port) and checks that
the timeline has everything Slack has. Runs on the PostgreSQL run of the suite; skipped without
PostgreSQL's binaries. Bounded: the outage lasts as long as the stream takes (no sleeps), and the
bot's look at the database is made when the server is back, not after its 5 s wait.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from bot.store.migrate import upgrade
from tests.conftest import POSTGRES_URL, with_query
from tests.e2e.harness import Bot
from tests.e2e.test_process import _wait_for
from tests.e2e.truth import bot_says, differences, slack_says

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "postgres.sh"

pytestmark = [
    pytest.mark.database,  # kept in CI's PostgreSQL run (CELLULE_DATABASE_TESTS_ONLY), where it runs
    pytest.mark.skipif(not POSTGRES_URL, reason="stops a PostgreSQL server: the suite's PostgreSQL run"),
    pytest.mark.skipif(not (glob.glob("/usr/lib/postgresql/*/bin/pg_ctl") or shutil.which("pg_ctl")),
                       reason="needs PostgreSQL's server binaries (pg_ctl)"),
]


def _pg(command: str, directory: Path) -> str:
    done = subprocess.run([str(SCRIPT), command], env={**os.environ, "CELLULE_PG_DIR": str(directory)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def own_server():
    """A PostgreSQL cluster for this test alone: its URL, and a function to stop or start it."""
    # Directly under the temporary folder: the server's own user must reach it (pytest's are private).
    directory = Path(tempfile.mkdtemp(prefix="cellule-pg-outage-"))
    out = _pg("start", directory)
    url = next(line.split("=", 1)[1].strip("'") for line in out.splitlines() if "TEST_DATABASE_URL=" in line)
    try:
        yield with_query(url, connect_timeout="2"), lambda command: _pg(command, directory)
    finally:
        _pg("stop", directory)


def test_postgres_stopped_while_events_arrive_loses_none(emulator, own_server):
    url, server = own_server
    upgrade(url)
    bot = Bot(emulator, url)
    held = bot.rt.edge.held
    back = threading.Event()
    held._wait = lambda seconds: back.wait(seconds)  # the watcher looks again as soon as the server is back
    try:
        bot.command("UEN", "declare P2 FR Panne du réseau EN Network outage")
        crisis = bot.incident_channel()
        said = [emulator.post_message("UFR", crisis, f"before {i}") for i in range(5)]
        bot.settle()
        delivered = len(emulator.deliveries)
        server("pause")  # PostgreSQL is stopped
        for i in range(30):
            said.append(emulator.post_message("UFR" if i % 2 else "UEN", crisis, f"during {i}"))
            if i % 3 == 0:
                emulator.add_reaction("UEN", crisis, said[-2], "pushpin")
            if i % 7 == 0:
                emulator.edit_message("UFR", crisis, said[1], f"before 1, edited during {i}")
        emulator.remove_reaction("UEN", crisis, said[7], "pushpin")  # pinned during, at i = 3
        emulator.delete_message("UFR", crisis, said[3])
        bot.settle()
        during = emulator.deliveries[delivered:]
        assert held.holding  # the bot found the database down…
        assert all(d.status == 200 for _, d in during)  # …and still acknowledged every event: all journaled
        assert len(held.spool) == len(during)
        server("resume")
        back.set()
        for i in range(5):  # and the stream goes on
            emulator.post_message("UEN", crisis, f"after {i}")
        bot.settle()
        assert _wait_for(lambda: not held.holding and slack_says(emulator, crisis) == bot_says(url, crisis), 60), (
            "\n".join(differences(slack_says(emulator, crisis), bot_says(url, crisis))))
        assert len(held.spool) == 0
    finally:
        back.set()
        bot.close()
