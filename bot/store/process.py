"""Who holds a lease, and whether that holder is known to be dead: one mechanism for every lease.

Leases (a declare's Slack steps, a claimed reminder, an incident's Statuspage mirror) name their
holder: this process's identity, host + process id + a nonce drawn at start. A process killed
half-way cannot free its leases; waiting for them to run out (minutes) left work waiting. So:

- every running process has a row in `process` that it refreshes every `HEARTBEAT` seconds (a
  daemon thread, `Heartbeat`); a holder whose row was not refreshed for `STALE` is dead, on
  whatever host it ran;
- on this host, a holder whose process is gone, or that is an earlier incarnation of our own
  process id (a container's PID 1), is dead at once.

A holder with no row at all (a process of a version without heartbeats) is taken for alive until
its lease runs out. Heartbeats are written and judged on one clock, the database's (`now()` on
PostgreSQL; SQLite is one file on one host, so that host's clock): two hosts whose clocks disagree
still agree on which heartbeat is stale. Tests replace `clock` to move time without sleeping.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from bot.store.models import ProcessRow

log = logging.getLogger("cellule.process")

HEARTBEAT = 5.0  # seconds between two heartbeats
STALE = timedelta(seconds=15)  # a heartbeat older than this: its process is dead (three missed beats)


def identity(nonce: str | None = None) -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{nonce or secrets.token_hex(6)}"


IDENTITY = identity()


def _renew_after_fork() -> None:
    # A server that imports the bot, then forks workers (gunicorn --preload, a fork server) would
    # otherwise give them all its own identity: each would take the others' leases for its own.
    global IDENTITY
    IDENTITY = identity()


os.register_at_fork(after_in_child=_renew_after_fork)


def database_clock(session: Session) -> datetime:
    """The database's clock: the one clock every replica shares."""
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(sa.select(sa.func.now())).scalar_one().astimezone(timezone.utc)
    return datetime.now(timezone.utc)


clock: Callable[[Session], datetime] = database_clock


def beat(session: Session, holder: str | None = None) -> None:
    """Say that `holder` (this process) is alive, now by the database's clock."""
    holder = holder or IDENTITY
    host, pid, _ = holder.rsplit(":", 2)
    now = clock(session)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(ProcessRow.__table__).values(identity=holder, host=host, pid=int(pid), started_at=now, beat_at=now)
    session.execute(stmt.on_conflict_do_update(index_elements=["identity"], set_={"beat_at": now}))
    # Rows of processes dead for a day are of no use to anyone (their leases ran out long ago).
    session.execute(sa.delete(ProcessRow).where(ProcessRow.beat_at < now - timedelta(days=1)))


def _gone_here(holder: str) -> bool:
    """On this host: the holder's process is gone, or it is an earlier life of our process id."""
    try:
        host, pid_text, nonce = holder.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    my_host, my_pid, my_nonce = IDENTITY.rsplit(":", 2)
    if host != my_host:
        return False  # its heartbeat decides
    if pid == int(my_pid):
        return nonce != my_nonce
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, someone else's
        return False
    return False


def dead(session: Session, holders: Iterable[str | None]) -> set[str]:
    """Those of `holders` known to be dead: gone from this host, or silent for `STALE`."""
    holders = {h for h in holders if h and h != IDENTITY}
    if not holders:
        return set()
    gone = {h for h in holders if _gone_here(h)}
    rest = holders - gone
    if rest:
        cutoff = clock(session) - STALE
        gone |= set(session.execute(sa.select(ProcessRow.identity).where(
            ProcessRow.identity.in_(rest), ProcessRow.beat_at < cutoff)).scalars())
    return gone


def is_dead(holder: str | None) -> bool:
    """Known dead without asking the database: an earlier life of this process, or gone from this host."""
    return bool(holder) and holder != IDENTITY and _gone_here(holder)


def free(session: Session, *, lease, holder, now: datetime, where=sa.true()):
    """The SQL condition "this lease may be taken": none, run out, or held by a dead process.
    `where` narrows the rows whose holders are looked at. Used inside one conditional UPDATE (or a
    SELECT … FOR UPDATE), so two processes that both find a holder dead cannot both take over: the
    second sees the first's name on the row."""
    held = session.execute(sa.select(holder).distinct().where(where, lease >= now, holder.is_not(None))).scalars()
    gone = dead(session, held)
    cond = sa.or_(lease.is_(None), lease < now)
    return sa.or_(cond, holder.in_(sorted(gone))) if gone else cond


class Heartbeat:
    """A daemon thread that beats every `every` seconds. `wait(seconds) -> bool` (True: stop) is
    injected by tests, which may also call `beat_once()` themselves."""

    def __init__(self, db, every: float = HEARTBEAT, wait: Callable[[float], bool] | None = None,
                 holder: str | None = None):
        self.db, self.every, self.holder = db, every, holder
        self._stop = threading.Event()
        self._wait = wait or self._stop.wait
        self._thread: threading.Thread | None = None
        self._failing = False

    def beat_once(self) -> bool:
        try:
            with self.db.session() as s:
                beat(s, self.holder)
        except Exception:  # the database is away: the next beat tries again (said once per outage)
            if not self._failing:
                log.warning("heartbeat not recorded; trying again every %s s", self.every, exc_info=True)
            self._failing = True
            return False
        self._failing = False
        return True

    def start(self) -> None:
        """One beat now (before this process takes any lease), then one every `every` seconds."""
        self.beat_once()

        def loop():
            while not self._stop.is_set() and not self._wait(self.every):
                self.beat_once()

        self._thread = threading.Thread(target=loop, name="cellule-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
