"""Incident rows under concurrent writers."""

from __future__ import annotations

from bot.store import incidents


def test_two_processes_marking_setup_steps_lose_none(db, database_url, incident_id, race):
    # mark_setup reads the row, then writes it back: a second writer must wait, not fail or overwrite.
    first, second = race(database_url, "setup", str(incident_id), "30")

    with db.session() as session:
        setup = incidents.get(session=session, incident_id=incident_id).setup
    assert len(first) == len(second) == 30
    assert set(setup) == set(first + second)
