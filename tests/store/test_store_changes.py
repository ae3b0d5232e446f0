"""The store applies a pure transition in one locked transaction and hands out domain values."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.core import transitions
from bot.core.impact import ImpactError
from bot.core.lifecycle import TransitionRefused
from bot.core.model import Entry, EntryKind, Incident, Role, Status
from bot.store import changes
from bot.store import incidents as store
from bot.store import timeline as tl
from bot.store.db import Database

NOW = datetime(2025, 12, 4, 11, 13, tzinfo=timezone.utc)


def test_apply_saves_the_new_incident_and_its_entries_in_one_transaction(db, incident_id, begins):
    with db.session() as s:
        store.add_post(session=s, incident_id=incident_id, kind="summary", channel_id="C1", ts="1.0")
        store.add_post(session=s, incident_id=incident_id, kind="update", channel_id="C1", ts="2.0")
    start = begins()
    applied = changes.apply(db, incident_id, lambda i, w: transitions.update(
        i, user="UEN", status=Status.RESOLVED, texts={"en": "Done"}, now=NOW), now=NOW)
    assert begins() - start == 1
    assert isinstance(applied.incident, Incident) and applied.before.status is Status.INVESTIGATING
    assert (applied.incident.status, applied.incident.resolved_at) == (Status.RESOLVED, NOW)
    [entry] = applied.entries
    assert isinstance(entry, Entry) and entry.id is not None and entry.kind is EntryKind.STATUS
    assert [p.kind for p in applied.state.posts] == ["summary"]  # what the refresh edits
    with db.session() as s:
        row = store.get(session=s, incident_id=incident_id)
        assert (row.status, row.resolved_at, row.version) == ("resolved", NOW, 1)
        assert [e.id for e in tl.entries(session=s, incident_id=incident_id)] == [entry.id]
    assert applied.state.signature == (1, ())


def test_a_refused_transition_writes_nothing(db, incident_id):
    changes.apply(db, incident_id, lambda i, w: transitions.update(
        i, user="U", status=Status.MONITORING, texts={}, now=NOW), now=NOW)
    with pytest.raises(TransitionRefused):
        changes.apply(db, incident_id, lambda i, w: transitions.update(
            i, user="U", status=Status.INVESTIGATING, texts={}, now=NOW), now=NOW)
    with db.session() as s:
        assert store.get(session=s, incident_id=incident_id).status == "monitoring"
        assert len(tl.entries(session=s, incident_id=incident_id)) == 1


def test_the_transition_sees_the_impact_windows_and_the_state_after_includes_its_entries(db, incident_id):
    seen = []

    def start(incident, window):
        seen.append(list(window))
        return transitions.start_impact(incident, window, user="U", at=NOW)

    first = changes.apply(db, incident_id, start, now=NOW)
    assert seen == [[]] and [e.kind for e in first.state.window] == [EntryKind.IMPACT_START]
    assert first.state.version == 0  # the incident itself did not change: not saved
    changes.apply(db, incident_id, lambda i, w: transitions.end_impact(i, w, user="U", at=NOW.replace(minute=20)),
                  now=NOW)
    with pytest.raises(ImpactError):  # no window open any more: the transition saw the one just closed
        changes.apply(db, incident_id, lambda i, w: transitions.end_impact(i, w, user="U", at=NOW), now=NOW)


def test_create_declares_once_per_key(db):
    def draft(number):
        return transitions.declare(Incident(ref=f"TSR-{number}", number=number, title={"en": "Payments"}),
                                   user="UFR", now=NOW)

    made, created = changes.create(db, draft, prefix="TSR", first=2641, now=NOW, declare_key="k1", private=True)
    again, created_again = changes.create(db, draft, prefix="TSR", first=2641, now=NOW, declare_key="k1", private=True)
    assert (created, created_again) == (True, False) and made == again
    assert (made.ref, made.private, made.roles) == ("TSR-2641", True, {Role.COMMANDER: "UFR"})
    with db.session() as s:
        assert [e.kind for e in tl.entries(session=s, incident_id=made.id)] == [EntryKind.DECLARED]


def test_mark_message_applies_to_the_captured_message(db, incident_id):
    with db.session() as s:
        tl.add(session=s, incident_id=incident_id, now=NOW, channel_id="C1", dedupe_key="msg:C1:1.0",
               entry=Entry(kind=EntryKind.MESSAGE, at=NOW, text="hello", ts="1.0"))
    marked = changes.mark_message(db, "C1", "1.0", lambda m: transitions.mark(m, reason="alert", on=True, user="UA", when=1))
    assert marked.key and marked.data["alert"]
    assert changes.mark_message(db, "C1", "9.0", lambda m: pytest.fail("no message")) is None
    with db.session() as s:
        assert tl.by_message(session=s, channel_id="C1", ts="1.0").key


def test_two_processes_applying_at_once_lose_no_change(database_url, incident_id, race):
    first, second = race(database_url, "apply", str(incident_id), "25")
    db = Database(database_url)
    try:
        with db.session() as s:
            row = store.get(session=s, incident_id=incident_id)
            assert set(row.context) == set(first) | set(second)
            assert row.version == 50
    finally:
        db.dispose()
