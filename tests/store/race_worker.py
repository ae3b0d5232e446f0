"""One side of a two-process race, run by the store tests as `python race_worker.py URL JOB ARGS...`.

Jobs: `allocate PREFIX FIRST COUNT`, `timeline INCIDENT_ID KEYS`, `seen KEYS`, `setup INCIDENT_ID COUNT`, `apply INCIDENT_ID COUNT`. The worker connects,
prints "ready", waits for a line on stdin so both processes start together, does COUNT (or KEYS)
separate transactions and prints a JSON list: the numbers it got, the keys it recorded first, or the setup steps it marked.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone

from bot.core import transitions
from bot.core.model import Entry, EntryKind
from bot.store import changes, incidents, timeline
from bot.store.db import Database


def main(url: str, job: str, *args: str) -> None:
    db = Database(url)
    assert db.ping(), f"cannot reach {url}"
    print("ready", flush=True)
    sys.stdin.readline()
    now = datetime.now(timezone.utc)
    results: list = []
    if job == "allocate":
        prefix, first, count = args[0], int(args[1]), int(args[2])
        for _ in range(count):
            with db.session() as session:
                results.append(incidents.allocate_number(session=session, prefix=prefix, first=first))
    elif job == "timeline":
        incident_id, keys = int(args[0]), int(args[1])
        for i in range(keys):
            with db.session() as session:
                entry = Entry(kind=EntryKind.MESSAGE, at=now, text=f"message {i}", ts=f"1700000000.{i:06d}")
                if timeline.add(session=session, incident_id=incident_id, entry=entry, now=now,
                                channel_id="C1", dedupe_key=f"C1:{i}") is not None:
                    results.append(i)
    elif job == "seen":
        for i in range(int(args[0])):
            with db.session() as session:
                if timeline.first_time_seen(session=session, event_id=f"Ev{i}", now=now):
                    results.append(i)
    elif job == "setup":
        incident_id, count = int(args[0]), int(args[1])
        for i in range(count):
            step = f"{os.getpid()}:{i}"
            with db.session() as session:
                incidents.mark_setup(session=session, incident_id=incident_id, step=step)
            results.append(step)
    elif job == "apply":  # each process adds its own role holders through the store's locked apply
        incident_id, count = int(args[0]), int(args[1])
        for i in range(count):
            person = f"U{os.getpid()}x{i}"
            changes.apply(db, incident_id, lambda incident, _w, person=person: transitions.set_field(
                incident, user=person, name="context", value={person: "seen"}, now=now), now=now)
            results.append(person)
    else:
        raise SystemExit(f"unknown job {job!r}")
    db.dispose()
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
