"""Events acknowledged while the database is down are never lost (issue 12, item 5).

Each chat or reaction event is written to the process's journal (bot.store.spool) before its 200;
held while the database does not answer; replayed in order once it does — by this process, or by the
next one if this one is killed. In process here (the database layer made to fail); a real killed
process is in test_kills_in_an_outage.py, a real PostgreSQL stopped in test_postgres_outage.py.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy.exc as sa_exc

from bot.store import incidents as store
from bot.store import timeline as tl
from tests.e2e.harness import Bot

DECLARE = "declare P2 FR Panne du réseau EN Network outage"


def database_down(monkeypatch, db) -> None:
    """Every session fails as a stopped server makes it fail; ping says so."""

    def down():
        raise sa_exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("the server is stopped"))

    monkeypatch.setattr(db, "session", down)
    monkeypatch.setattr(db, "ping", lambda timeout=1.0: False)


def scenario(emu, channel: str) -> list[str]:
    """Messages, a thread reply, edits, a deletion, pins, an unpin, an alert: what people do in a crisis."""
    said = [emu.post_message("UFR", channel, f"message {i}") for i in range(6)]
    said.append(emu.post_message("UEN", channel, "a reply", thread_ts=said[2]))
    emu.edit_message("UFR", channel, said[0], "message 0, corrected")
    emu.delete_message("UFR", channel, said[1])
    emu.add_reaction("UEN", channel, said[2], "pushpin")
    emu.add_reaction("UEN", channel, said[3], "pushpin")
    emu.remove_reaction("UEN", channel, said[3], "pushpin")
    emu.add_reaction("UFR", channel, said[4], "rotating_light")
    emu.add_reaction("UFR", channel, said[5], "pushpin")
    emu.add_reaction("UEN", channel, said[5], "pushpin")
    emu.remove_reaction("UEN", channel, said[5], "pushpin")
    emu.edit_message("UFR", channel, said[2], "message 2, v2")
    emu.edit_message("UFR", channel, said[2], "message 2, v3")
    emu.delete_message("UEN", channel, said[6])
    return said


EVENTS_IN_SCENARIO = 7 + 2 + 1 + 6 + 2 + 1


def timeline_of(db, channel: str, said: list[str]) -> list[tuple]:
    """The channel's chat entries, by the order they were said: text, deleted, key, alert, and whose
    marks are on (times aside: they are the events' own, different in each channel)."""
    with db.session() as s:
        incident = store.by_channel(session=s, channel_id=channel)
        rows = {r.ts: r for r in tl_rows(s, incident.id)}
    out = []
    for i, ts in enumerate(said):
        row = rows.get(ts)
        if row is None:
            out.append((i, None))
            continue
        marks = {reason: sorted(p for p, m in people.items() if m["on"])
                 for reason, people in (row.data.get("marks") or {}).items()}
        out.append((i, row.text, row.deleted, row.key, bool(row.data.get("alert")), marks))
    return out


def tl_rows(session, incident_id: int):
    from sqlmodel import select

    from bot.store.models import TimelineRow

    return session.exec(select(TimelineRow).where(TimelineRow.incident_id == incident_id,
                                                  TimelineRow.ts.is_not(None)))


def test_events_in_an_outage_are_journaled_then_replayed_into_the_same_timeline(bot, monkeypatch):
    emu, db, held = bot.emu, bot.rt.deps.db, bot.rt.edge.held
    bot.command("UEN", DECLARE)
    calm = bot.incident_channel()
    said_calm = scenario(emu, calm)
    bot.settle()
    expected = timeline_of(db, calm, said_calm)
    assert expected[1][2] is True and expected[2][1] == "message 2, v3"  # the scenario did what it says

    bot.command("UEN", "declare P2 FR Base de données EN Database")
    stormy = bot.incident_channel()
    assert stormy != calm
    delivered = len(emu.deliveries)
    database_down(monkeypatch, db)
    said = scenario(emu, stormy)
    bot.settle()
    assert [d.status for _, d in emu.deliveries[delivered:]] == [200] * EVENTS_IN_SCENARIO
    # Written down before each 200, and held in order.
    assert len(held.spool) == EVENTS_IN_SCENARIO == len(held)
    lines = [json.loads(line) for line in held.spool.path.read_text().splitlines()]
    assert [line["envelope"]["event"]["type"] for line in lines] == (
        ["message"] * 9 + ["reaction_added"] * 2 + ["reaction_removed"] + ["reaction_added"] * 3
        + ["reaction_removed"] + ["message"] * 3)

    monkeypatch.undo()  # the database answers again
    assert held.recover(backfill=False) == EVENTS_IN_SCENARIO  # the journal alone, no look at Slack
    assert timeline_of(db, stormy, said) == expected
    assert len(held.spool) == 0 and held.spool.path.stat().st_size == 0  # truncated once all are recorded


def test_what_a_dead_process_journaled_is_recorded_by_the_next_one_in_order(emulator, database_url, monkeypatch):
    first = Bot(emulator, database_url)
    try:
        first.command("UEN", DECLARE)
        channel = first.incident_channel()
        database_down(monkeypatch, first.rt.deps.db)
        said = scenario(emulator, channel)
        first.settle()
        assert len(first.rt.edge.held.spool) == EVENTS_IN_SCENARIO
        first.rt.edge.held.close()  # the process dies: nothing more is written, its lock is gone
    finally:
        monkeypatch.undo()
        first.rt.edge.held._items.clear()  # its memory dies with it
        first.close()
    second = Bot(emulator, database_url)
    try:
        from bot.slack.listeners import events

        assert len(second.rt.edge.held.left) == EVENTS_IN_SCENARIO
        assert second.rt.edge.held.adopt(events.recorder(second.rt.edge)) == EVENTS_IN_SCENARIO
        timeline = timeline_of(second.rt.deps.db, channel, said)
        assert [t[1] for t in timeline] == ["message 0, corrected", "message 1", "message 2, v3", "message 3",
                                           "message 4", "message 5", "a reply"]
        assert [t[2] for t in timeline] == [False, True, False, False, False, False, True]
        assert [t[3] for t in timeline][2:6] == [True, False, True, True]  # an alert is a key moment too
        assert timeline[4][4] is True  # the alert
        assert len(second.rt.edge.held.spool) == 0
    finally:
        second.close()


def test_two_processes_on_one_host_never_share_a_journal_file(emulator, database_url):
    first, second = Bot(emulator, database_url), Bot(emulator, database_url)
    try:
        assert first.rt.edge.held.spool.path != second.rt.edge.held.spool.path
        assert first.rt.edge.held.spool.path.parent == second.rt.edge.held.spool.path.parent
    finally:
        second.close()
        first.close()


@pytest.mark.http_only  # over Socket Mode the same refusal is no acknowledgement, which Slack retries too
def test_an_unusable_journal_in_an_outage_sends_events_back_to_slack_to_retry(emulator, database_url, monkeypatch,
                                                                             tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    b = Bot(emulator, database_url, EVENT_JOURNAL=str(blocked / "journal"))
    try:
        assert b.rt.edge.held.spool is None  # it said so in the log, and goes on without
        b.command("UEN", DECLARE)
        channel = b.incident_channel()
        database_down(monkeypatch, b.rt.deps.db)
        first = emulator.post_message("UFR", channel, "before we knew")
        b.settle()
        assert emulator.deliveries[-1][1].status == 200 and b.rt.edge.held.holding  # held in memory
        emulator.post_message("UFR", channel, "during")
        assert emulator.deliveries[-1][1].status == 503  # neither recorded nor kept: Slack will retry it
        retried = emulator.last_event_id()
        monkeypatch.undo()
        assert b.rt.edge.held.recover(backfill=False) == 1
        assert emulator.resend_event(retried).status == 200  # Slack's retry, a minute later
        b.settle()
        with b.rt.deps.db.session() as s:
            incident = store.by_channel(session=s, channel_id=channel)
            texts = {e.text for e in tl.entries(session=s, incident_id=incident.id)}
        assert {"before we knew", "during"} <= texts
        assert first
    finally:
        b.close()


@pytest.mark.parametrize("torn", ['{"n": 3, "envelope": {"type": "event_call', "not json", '[1, 2]'])
def test_a_torn_or_foreign_line_in_a_journal_is_skipped(tmp_path, torn):
    from bot.store.spool import Spool

    first = Spool(tmp_path)
    first.open()
    n = first.append({"event_id": "Ev1"})
    first.append({"event_id": "Ev2"})
    first.done(n)
    with open(first.path, "a") as f:
        f.write(torn)
    first.close()
    second = Spool(tmp_path)
    assert [e for _, e in second.open()] == [{"event_id": "Ev2"}]


def test_a_full_journal_refuses(tmp_path):
    from bot.store.spool import Spool, SpoolFull

    spool = Spool(tmp_path, max_pending=2)
    spool.open()
    spool.append({"event_id": "Ev1"})
    spool.append({"event_id": "Ev2"})
    with pytest.raises(SpoolFull):
        spool.append({"event_id": "Ev3"})


def test_a_journal_with_events_never_done_is_compacted_and_keeps_them(tmp_path, monkeypatch):
    from bot.store import spool as spool_module
    from bot.store.spool import Spool

    monkeypatch.setattr(spool_module, "COMPACT_BYTES", 2000)
    spool = Spool(tmp_path)
    spool.open()
    stuck = spool.append({"event_id": "EvStuck"})  # its acknowledgement came too late: never recorded
    for i in range(100):
        spool.done(spool.append({"event_id": f"Ev{i}", "text": "x" * 50}))
    assert spool.path.stat().st_size < 2000 + 200
    spool.append({"event_id": "EvLast"})
    spool.close()
    again = Spool(tmp_path)
    assert [e["event_id"] for _, e in again.open()] == ["EvStuck", "EvLast"]
    assert stuck


def test_where_the_journal_lives():
    from bot.config import Settings

    assert Settings.from_env({"DATABASE_URL": "sqlite:///data/cellule.db"}).event_journal == "data/cellule.db.events"
    assert Settings.from_env({}).event_journal == "cellule.db.events"
    assert Settings.from_env({"DATABASE_URL": "postgresql://db/cellule"}).event_journal == "cellule-events"
    assert Settings.from_env({"EVENT_JOURNAL": "/var/spool/cellule"}).event_journal == "/var/spool/cellule"
    assert Settings.from_env({"EVENT_JOURNAL": "off"}).event_journal is None
    assert Settings().event_journal is None
