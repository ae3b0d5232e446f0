"""One side of a two-process race, run by the store tests as `python race_worker.py URL JOB ARGS...`.

Jobs: `allocate PREFIX FIRST COUNT`, `timeline INCIDENT_ID KEYS`, `seen KEYS`, `setup INCIDENT_ID COUNT`,
`apply INCIDENT_ID COUNT`, `remind ISO_TIME SENT_FILE MODE` (the scheduler at that time: MODE tick, claim-only
or no-finish to die before sending or before marking done; SENT_FILE plays Slack's channel, shared by the
processes). The worker connects,
prints "ready", waits for a line on stdin so both processes start together, does COUNT (or KEYS)
separate transactions and prints a JSON list: the numbers it got, the keys it recorded first, or the setup steps it marked.
"""

from __future__ import annotations

import functools
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
    elif job == "remind":
        results = remind(db, url, datetime.fromisoformat(args[0]), args[1], args[2])
    else:
        raise SystemExit(f"unknown job {job!r}")
    db.dispose()
    print(json.dumps(results), flush=True)


class FileChat:
    """Slack for the race: each post is a line in a file all the processes share."""

    def __init__(self, path: str):
        self.path = path
        self.sent: list[str] = []

    def language_of(self, user):
        return "en"

    def post(self, channel, text, blocks=None, thread_ts=None, broadcast=False, key=None):
        with open(self.path, "a") as f:
            f.write(f"{key}\n")
        self.sent.append(key)
        return "1.0"

    def posted(self, channel, key, lookback=0):
        with open(self.path) as f:
            return "1.0" if key + "\n" in f.readlines() else None


def remind(db, url: str, now: datetime, sent_file: str, mode: str) -> list:
    from bot.config import Settings
    from bot.flows.deps import Deps
    from bot.flows.reminders import LEASE, Scheduler, replan_quietly
    from bot.runtime import catalogs_for
    from bot.slack.reminders import send
    from bot.store import due

    settings = Settings(database_url=url)
    chat = FileChat(sent_file)
    deps = Deps(settings=settings, db=db, catalogs=catalogs_for(settings), messenger=chat, clock=lambda: now)
    scheduler = Scheduler(deps, functools.partial(send, chat))
    if mode == "claim-only":  # plans (as every tick does first), claims what is due, then dies before sending
        # Planning the next step right after a send can lose a race with the other replica (it is
        # done quietly then); the next tick plans it anyway, as here.
        for incident_id in scheduler.incidents():
            replan_quietly(deps, incident_id)
        with db.session() as s:
            return [r.key for r in due.claim(session=s, now=now, owner="doomed", lease=LEASE)]
    if mode == "no-finish":  # sends, then dies before marking them done
        due.finish = lambda **kw: False
    scheduler.tick()
    return chat.sent


if __name__ == "__main__":
    main(*sys.argv[1:])
