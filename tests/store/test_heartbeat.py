"""A lease held by a dead process is recognised as dead within seconds, on whatever host it ran:
each process beats in the database (bot.store.process), and a holder silent for `STALE` is dead.
One mechanism for the three leases: a declare's Slack steps, a claimed reminder, the Statuspage mirror."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest

from bot.core.model import Incident, Priority
from bot.core.reminders import Due
from bot.store import due
from bot.store import incidents as store
from bot.store import process

NOW = datetime(2025, 12, 4, 11, 13, tzinfo=timezone.utc)
ELSEWHERE = "replica-b.example:4242:0123456789ab"  # a process on another host: its pid says nothing here


class DbClock:
    """The database's clock, moved by the test (heartbeats are judged on it, never on a host's)."""

    def __init__(self):
        self.now = NOW

    def __call__(self, session):
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock(monkeypatch) -> DbClock:
    c = DbClock()
    monkeypatch.setattr(process, "clock", c)
    return c


def _incident(db) -> int:
    with db.session() as s:
        return store.create(session=s, incident=Incident(ref="TSR-1", number=1, title={"fr": "x"}, priority=Priority.P2),
                            declare_key=None, is_private=False, now=NOW).id


def _as(monkeypatch, holder: str) -> None:
    monkeypatch.setattr(process, "IDENTITY", holder)


def _beat(db, holder: str) -> None:
    with db.session() as s:
        process.beat(s, holder)


def test_a_declare_held_on_another_host_is_respected_while_it_beats_and_taken_soon_after_it_stops(db, clock, monkeypatch):
    iid = _incident(db)
    me = process.IDENTITY
    _beat(db, ELSEWHERE)
    _as(monkeypatch, ELSEWHERE)
    with db.session() as s:
        assert store.claim_setup(session=s, incident_id=iid, now=clock.now) is not None
    _as(monkeypatch, me)
    # It keeps beating: alive, its lease is respected (however long it has held it, within the lease).
    for _ in range(6):
        clock.advance(process.HEARTBEAT)
        _beat(db, ELSEWHERE)
        with db.session() as s:
            assert store.claim_setup(session=s, incident_id=iid, now=clock.now) is None
    # It is killed: no more beats. Still alive for STALE...
    started = clock.now
    clock.advance(process.STALE.total_seconds() - 1)
    with db.session() as s:
        assert store.claim_setup(session=s, incident_id=iid, now=clock.now) is None
    # ...then dead: taken over, long before its 120 s lease runs out.
    clock.advance(2)
    with db.session() as s:
        assert store.claim_setup(session=s, incident_id=iid, now=clock.now) is not None
    assert clock.now - started < store.SETUP_LEASE / 4
    with db.session() as s:
        assert store.get(session=s, incident_id=iid).setup_holder == me


def test_a_holder_without_heartbeat_is_trusted_until_its_lease_runs_out(db, clock, monkeypatch):
    """A process of a version without heartbeats, or one that never beat: its lease decides."""
    iid = _incident(db)
    me = process.IDENTITY
    _as(monkeypatch, ELSEWHERE)
    with db.session() as s:
        store.claim_setup(session=s, incident_id=iid, now=clock.now)
    _as(monkeypatch, me)
    clock.advance(60)
    with db.session() as s:
        assert store.claim_setup(session=s, incident_id=iid, now=clock.now) is None
    clock.advance(61)
    with db.session() as s:
        assert store.claim_setup(session=s, incident_id=iid, now=clock.now) is not None


def test_a_claimed_reminder_of_a_silent_process_is_taken_over_within_seconds(db, clock):
    iid = _incident(db)
    with db.session() as s:
        due.sync(session=s, incident_id=iid, planned=[Due(key="k1", kind="update", due_at=NOW, data={})], now=NOW)
    _beat(db, ELSEWHERE)
    with db.session() as s:
        assert [r.key for r in due.claim(session=s, now=clock.now, owner=ELSEWHERE, lease=timedelta(minutes=2))] == ["k1"]
    clock.advance(process.HEARTBEAT)
    _beat(db, ELSEWHERE)
    with db.session() as s:
        assert due.claim(session=s, now=clock.now, owner=process.IDENTITY, lease=timedelta(minutes=2)) == []
    clock.advance(process.STALE.total_seconds() + 1)
    with db.session() as s:
        taken = due.claim(session=s, now=clock.now, owner=process.IDENTITY, lease=timedelta(minutes=2))
        assert [(r.key, r.claimed_by) for r in taken] == [("k1", process.IDENTITY)]


def test_heartbeat_thread_beats_on_its_own_schedule(db, clock):
    waits = []

    def wait(seconds):  # the injected sleeper: three beats, then stop
        waits.append(seconds)
        clock.advance(seconds)
        return len(waits) > 3

    hb = process.Heartbeat(db, wait=wait, holder=ELSEWHERE)
    hb.start()
    hb._thread.join(timeout=10)
    assert waits == [process.HEARTBEAT] * 4
    with db.session() as s:
        assert process.dead(s, [ELSEWHERE]) == set()
        clock.advance(process.STALE.total_seconds() + 1)
        assert process.dead(s, [ELSEWHERE]) == {ELSEWHERE}


# Two processes: the holder is a real process "on another host", killed with SIGKILL -----------

HOLDER = """
import sys, threading
from datetime import datetime, timezone
from bot.store import incidents, process
from bot.store.db import Database

process.IDENTITY = process.identity().replace(process.IDENTITY.split(":")[0], "replica-b.example", 1)
db = Database(sys.argv[1])
process.Heartbeat(db).start()
with db.session() as s:
    assert incidents.claim_setup(session=s, incident_id=int(sys.argv[2]), now=datetime.now(timezone.utc))
print(process.IDENTITY, flush=True)
threading.Event().wait()
"""


def test_a_holder_on_another_host_killed_with_sigkill_is_taken_over_after_its_heartbeat_stops(db, database_url,
                                                                                          monkeypatch):
    import os
    import signal
    import subprocess
    import sys

    iid = _incident(db)
    later = timedelta()  # the database's clock, as this process reads it: moved instead of slept
    monkeypatch.setattr(process, "clock", lambda s: process.database_clock(s) + later)
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, database_url, str(iid)], stdout=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        holder = proc.stdout.readline().strip()
        assert holder.startswith("replica-b.example:"), holder
        with db.session() as s:  # alive and beating: respected
            assert store.claim_setup(session=s, incident_id=iid, now=datetime.now(timezone.utc)) is None
            assert store.get(session=s, incident_id=iid).setup_holder == holder
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    # Its pid says nothing here (another host): its heartbeat, silent now, decides after STALE.
    later = process.STALE + timedelta(seconds=process.HEARTBEAT + 1)
    with db.session() as s:
        assert store.claim_setup(session=s, incident_id=iid, now=datetime.now(timezone.utc) + later) is not None
        assert store.get(session=s, incident_id=iid).setup_holder == process.IDENTITY
    assert later < store.SETUP_LEASE / 4


def test_a_forked_process_has_an_identity_of_its_own():
    """A server that imports the bot then forks its workers (gunicorn --preload, a fork server) must
    not give them one identity: each would take the others' leases for its own, never for a dead one's."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports its identity and leaves at once
        os.write(write, process.IDENTITY.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        child = pipe.read().decode()
    os.waitpid(pid, 0)
    assert child.split(":")[1] == str(pid) and child != process.IDENTITY
