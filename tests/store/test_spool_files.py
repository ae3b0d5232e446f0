"""The event journal's files: one per live process on a host, and what a dead one left is adopted."""

from __future__ import annotations

from bot.store.spool import Spool


def test_each_live_process_gets_a_file_and_a_dead_ones_pending_events_are_adopted(tmp_path):
    folder = tmp_path / "journal"
    first, second = Spool(folder), Spool(folder)
    assert first.open() == [] and second.open() == []
    assert {first.path.name, second.path.name} == {"events-0.jsonl", "events-1.jsonl"}
    assert sorted(p.name for p in folder.iterdir()) == ["events-0.jsonl", "events-1.jsonl"]  # none made for nothing
    second.append({"event_id": "Ev1"})
    done = second.append({"event_id": "Ev2"})
    second.done(done)
    second.close()  # its process died: its lock is gone, Ev1 was never recorded

    third = Spool(folder)
    assert [e["event_id"] for _, e in third.open()] == ["Ev1"]  # the dead file's pending event, now ours
    assert third.path.name == "events-1.jsonl"
    first.close()
    third.close()
    last = Spool(folder)
    assert [e["event_id"] for _, e in last.open()] == ["Ev1"]  # still pending: nobody recorded it
