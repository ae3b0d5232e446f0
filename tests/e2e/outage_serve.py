"""`python -m tests.e2e.outage_serve`: `python -m bot serve`, whose database does not answer while the
file named by CELLULE_TEST_OUTAGE exists — an outage a test starts and ends in a real process, on
SQLite as on PostgreSQL (every session fails as a stopped server makes it fail; /healthz says 503)."""

from __future__ import annotations

import os
import sys

import sqlalchemy.exc as sa_exc

from bot import cli
from bot.store.db import Database

FLAG = os.environ["CELLULE_TEST_OUTAGE"]
_session, _ping = Database.session, Database.ping


def session(self):
    if os.path.exists(FLAG):
        raise sa_exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("the server is stopped"))
    return _session(self)


def ping(self, timeout: float = 1.0) -> bool:
    return not os.path.exists(FLAG) and _ping(self, timeout)


Database.session = session
Database.ping = ping

if __name__ == "__main__":
    sys.exit(cli.main(["serve"]))
