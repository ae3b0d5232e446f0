"""Two scheduler processes on one database, and a process dying in the middle: every reminder is
sent exactly once. Run on PostgreSQL (FOR UPDATE SKIP LOCKED) with TEST_DATABASE_URL, else SQLite."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

from bot.core.model import Incident, Priority, Role
from bot.store import due
from bot.store import incidents
from tests.store.conftest import run_race

T0 = datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)
INCIDENTS = 12


def _incidents(db) -> None:
    with db.session() as s:
        for n in range(1, INCIDENTS + 1):
            row = incidents.create(session=s, incident=Incident(
                ref=f"TSR-{n}", number=n, title={"en": "Payments down"}, priority=Priority.P1, declared_at=T0,
                declared_by="U1", roles={Role.COMMANDER: "U1"}), declare_key=None, is_private=False, now=T0)
            row.channel_id = f"C{n}"
            s.add(row)


def _sent(path) -> Counter:
    return Counter(path.read_text().split()) if path.exists() else Counter()


def test_two_processes_and_restarts_never_duplicate_or_lose_a_reminder(db, database_url, tmp_path):
    _incidents(db)
    slack = tmp_path / "slack.txt"
    slack.touch()

    # Two replicas tick together at 09:31: each P1 incident gets its first reminder, once.
    a, b = run_race(database_url, "remind", (T0 + timedelta(minutes=31)).isoformat(), str(slack), "tick")
    sent = _sent(slack)
    assert len(sent) == INCIDENTS and set(sent.values()) == {1}
    assert len(a) + len(b) == INCIDENTS

    # 10:00: one process claims the second round, then dies before sending anything.
    claimed, = run_race(database_url, "remind", (T0 + timedelta(minutes=60)).isoformat(), str(slack),
                        "claim-only", processes=1)
    assert len(claimed) == INCIDENTS
    # Its claims hold for their lease: a replica ticking a minute later leaves them alone...
    run_race(database_url, "remind", (T0 + timedelta(minutes=61)).isoformat(), str(slack), "tick")
    assert len(_sent(slack)) == INCIDENTS
    # ...and takes them over once the lease has run out: each sent once.
    run_race(database_url, "remind", (T0 + timedelta(minutes=63)).isoformat(), str(slack), "tick")
    sent = _sent(slack)
    assert len(sent) == 2 * INCIDENTS and set(sent.values()) == {1}

    # 10:30: a process sends the third round, then dies before marking it done. The replicas that
    # take over after the lease see the posts already there and do not post again.
    run_race(database_url, "remind", (T0 + timedelta(minutes=90)).isoformat(), str(slack), "no-finish", processes=1)
    assert len(_sent(slack)) == 3 * INCIDENTS
    run_race(database_url, "remind", (T0 + timedelta(minutes=93)).isoformat(), str(slack), "tick")
    sent = _sent(slack)
    assert len(sent) == 3 * INCIDENTS and set(sent.values()) == {1}
    with db.session() as s:
        rows = due.rows(session=s)
    assert Counter(r.state for r in rows if r.kind == "cadence")["done"] == 3 * INCIDENTS
    assert not [r for r in rows if r.state == "claimed"]
