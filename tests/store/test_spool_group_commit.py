"""The event journal's group commit: events written while an fsync runs share the next fsync, and an
append returns only once an fsync that started after its line was written has ended."""

from __future__ import annotations

import threading

from bot.store import spool as spool_module
from bot.store.spool import Spool


def test_appends_during_an_fsync_share_the_next_one_and_none_returns_unsynced(tmp_path, monkeypatch):
    journal = Spool(tmp_path / "journal")
    journal.open()
    real_fsync = spool_module.os.fsync
    first_started, let_first_end = threading.Event(), threading.Event()
    syncs: list[int] = []  # how many events were written when each fsync started

    def fsync(fd):
        syncs.append(journal._written)
        if len(syncs) == 1:
            first_started.set()
            let_first_end.wait(10)
        real_fsync(fd)

    monkeypatch.setattr(spool_module.os, "fsync", fsync)
    returned: list[int] = []

    def append(i):
        journal.append({"event_id": f"Ev{i}"})
        returned.append(i)

    first = threading.Thread(target=append, args=(0,))
    first.start()
    assert first_started.wait(10)
    others = [threading.Thread(target=append, args=(i,)) for i in range(1, 6)]
    for t in others:
        t.start()
    for _ in range(10_000):  # the five others write their lines, then wait for an fsync (bounded)
        if journal._written == 6:
            break
        threading.Event().wait(0.001)
    assert journal._written == 6
    assert returned == []  # nobody returns before an fsync covering it has ended
    let_first_end.set()
    for t in [first, *others]:
        t.join(10)
    assert sorted(returned) == list(range(6))
    assert syncs == [1, 6]  # six events, two fsyncs: the second covered the five written meanwhile
    assert [n for n, _ in journal.pending()] == [1, 2, 3, 4, 5, 6]
    journal.close()
