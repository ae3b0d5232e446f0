"""Timeline entries and seen events: recorded once per key, ordered by time, stored in UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.core.model import Entry, EntryKind
from bot.store import incidents, timeline
from bot.store.models import IncidentRow, TimelineRow

UTC = timezone.utc
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 12, 4, 11, 30, tzinfo=UTC)


def add(db, incident_id: int, at: datetime, text: str = "", dedupe_key: str | None = None) -> TimelineRow | None:
    with db.session() as session:
        return timeline.add(session=session, incident_id=incident_id, now=NOW, channel_id="C1",
                            entry=Entry(kind=EntryKind.MESSAGE, at=at, text=text), dedupe_key=dedupe_key)


def texts(db, incident_id: int) -> list[str]:
    with db.session() as session:
        return [e.text for e in timeline.entries(session=session, incident_id=incident_id)]


def test_the_same_dedupe_key_twice_records_one_entry(db, incident_id):
    first = add(db, incident_id, NOW, "hello", dedupe_key="C1:1700000000.000100")
    again = add(db, incident_id, NOW, "hello (retry)", dedupe_key="C1:1700000000.000100")

    assert first is not None and first.id is not None
    assert again is None
    assert texts(db, incident_id) == ["hello"]


def test_entries_without_a_dedupe_key_are_all_recorded(db, incident_id):
    add(db, incident_id, NOW, "one")
    add(db, incident_id, NOW, "two")

    assert texts(db, incident_id) == ["one", "two"]


def test_a_duplicate_does_not_undo_the_rest_of_the_transaction(db, incident_id):
    add(db, incident_id, NOW, "original", dedupe_key="k")
    with db.session() as session:
        entry = Entry(kind=EntryKind.EVENT, at=NOW, text="before")
        timeline.add(session=session, incident_id=incident_id, entry=entry, now=NOW, dedupe_key="k2")
        duplicate = Entry(kind=EntryKind.MESSAGE, at=NOW, text="duplicate")
        assert timeline.add(session=session, incident_id=incident_id, entry=duplicate, now=NOW, dedupe_key="k") is None
        entry = Entry(kind=EntryKind.EVENT, at=NOW, text="after")
        timeline.add(session=session, incident_id=incident_id, entry=entry, now=NOW)

    assert texts(db, incident_id) == ["original", "before", "after"]


def test_a_rolled_back_transaction_leaves_no_entry(db, incident_id):
    with pytest.raises(RuntimeError):
        with db.session() as session:
            entry = Entry(kind=EntryKind.MESSAGE, at=NOW, text="lost")
            assert timeline.add(session=session, incident_id=incident_id, entry=entry, now=NOW, dedupe_key="k") is not None
            raise RuntimeError("handler failed after recording")

    assert texts(db, incident_id) == []
    # The key is free again, so Slack's retry of the same message is recorded.
    assert add(db, incident_id, NOW, "retried", dedupe_key="k") is not None


def test_two_processes_adding_the_same_messages_record_each_once(db, database_url, incident_id, race):
    first, second = race(database_url, "timeline", str(incident_id), "40")

    assert sorted(first + second) == list(range(40))
    with db.session() as session:
        keys = session.exec(select(TimelineRow.dedupe_key).where(TimelineRow.incident_id == incident_id)).all()
    assert sorted(keys) == sorted(f"C1:{i}" for i in range(40))


def test_an_event_is_seen_for_the_first_time_once(db):
    with db.session() as session:
        assert timeline.first_time_seen(session=session, event_id="Ev1", now=NOW) is True
    with db.session() as session:
        assert timeline.first_time_seen(session=session, event_id="Ev1", now=NOW) is False
        assert timeline.first_time_seen(session=session, event_id="Ev2", now=NOW) is True


def test_two_processes_see_each_event_for_the_first_time_once(database_url, race):
    first, second = race(database_url, "seen", "40")

    assert sorted(first + second) == list(range(40))


def test_entries_come_ordered_by_time_then_by_recording_order(db, incident_id):
    add(db, incident_id, NOW + timedelta(minutes=5), "late")
    add(db, incident_id, NOW, "tie 1")
    add(db, incident_id, NOW - timedelta(minutes=5), "early")
    add(db, incident_id, NOW, "tie 2")

    assert texts(db, incident_id) == ["early", "tie 1", "tie 2", "late"]


def test_an_aware_local_time_comes_back_as_the_same_instant_in_utc(db, incident_id):
    winter = datetime(2025, 12, 4, 12, 8, tzinfo=PARIS)  # 11:08 UTC
    summer = datetime(2025, 7, 1, 9, 0, tzinfo=PARIS)  # 07:00 UTC
    add(db, incident_id, winter, "winter")
    add(db, incident_id, summer, "summer")
    with db.session() as session:
        incident = incidents.get(session=session, incident_id=incident_id)
        incident.resolved_at = winter
        incidents.save(session=session, row=incident, now=NOW)

    with db.session() as session:
        got = {e.text: e.at for e in timeline.entries(session=session, incident_id=incident_id)}
        resolved_at = session.exec(select(IncidentRow.resolved_at).where(IncidentRow.id == incident_id)).one()
    assert got["winter"] == datetime(2025, 12, 4, 11, 8, tzinfo=UTC) and got["winter"].tzinfo == UTC
    assert got["summer"] == datetime(2025, 7, 1, 7, 0, tzinfo=UTC) and got["summer"].tzinfo == UTC
    assert resolved_at == datetime(2025, 12, 4, 11, 8, tzinfo=UTC) and resolved_at.tzinfo == UTC


def test_a_naive_time_is_refused(db, incident_id):
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        add(db, incident_id, datetime(2025, 12, 4, 12, 8), "naive")
