"""SIGKILL while events arrive (issue 12, items 4 and 5): nothing acknowledged is lost.

1. Killed during a database outage: what the process held is in its journal, and the next start
   records it — each person's marks with their own events' times, not rebuilt from Slack's state.
2. Killed in the middle of a burst of 500 events (messages, edits, deletions, pins and unpins), with
   more edits, deletions, pins and unpins while it is down: after the restart, the incident's
   timeline equals what Slack has.

The served bot is a real process (as test_process.py starts it). Bounded: every wait has a limit.
"""

from __future__ import annotations

import json
import random
import threading
import urllib.request
from contextlib import suppress

from bot.store.db import Database
from tests.e2e.test_held_events import EVENTS_IN_SCENARIO, scenario, timeline_of
from tests.e2e.test_kills import DECLARE, _finished, _forget_failed_deliveries, _kill
from tests.e2e.test_process import FORKED_SERVE, _start, _wait_for
from tests.ports import free_port
from tests.e2e.truth import bot_says, differences, slack_says

OUTAGE = ("-m", "tests.e2e.outage_serve")


def _declared(emu, database_url: str) -> str:
    emu.slash_command("UEN", "COPS", DECLARE)
    assert _wait_for(lambda: _finished(database_url), 30), "the declare did not finish"
    emu.wait_idle()
    return next(c.id for c in emu.state.channels.values() if c.name.startswith("tsr-"))


def _metric(port: int, sample: str) -> float:
    """A sample of GET /metrics, e.g. 'cellule_events_total{outcome="replayed"}' (0 when absent)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(sample + " "):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def _marks_sent(emu, count: int) -> dict[tuple[str, str, str], dict]:
    """The last `count` events Slack sent, as each person's last mark: (message ts, reason, user) →
    {"on", "at"} with the event's own time."""
    reasons = {"pushpin": "pin", "rotating_light": "alert"}
    marks = {}
    for body in list(emu._event_bodies.values())[-count:]:
        event = json.loads(body)["event"]
        if event["type"] in ("reaction_added", "reaction_removed"):
            key = (event["item"]["ts"], reasons[event["reaction"]], event["user"])
            marks[key] = {"on": event["type"] == "reaction_added", "at": float(event["event_ts"])}
    return marks


def _marks_recorded(database_url: str, channel: str) -> dict[tuple[str, str, str], dict]:
    from sqlmodel import select

    from bot.store.models import TimelineRow

    db = Database(database_url)
    try:
        with db.session() as s:
            rows = s.exec(select(TimelineRow).where(TimelineRow.channel_id == channel, TimelineRow.ts.is_not(None)))
            return {(r.ts, reason, user): mark for r in rows
                    for reason, people in (r.data.get("marks") or {}).items() for user, mark in people.items()}
    finally:
        db.dispose()


def test_a_process_killed_in_a_database_outage_records_what_it_held_at_the_next_start(emulator, database_url,
                                                                                       tmp_path):
    emu, port, outage = emulator, free_port(), tmp_path / "outage"
    proc = _start(emu, database_url, port, OUTAGE, CELLULE_TEST_OUTAGE=str(outage))
    emu.bot_url = f"http://127.0.0.1:{port}/slack/events"
    try:
        crisis = _declared(emu, database_url)
        outage.touch()  # the database stops answering
        delivered = len(emu.deliveries)
        said = scenario(emu, crisis)
        assert [d.status for _, d in emu.deliveries[delivered:]] == [200] * EVENTS_IN_SCENARIO  # acknowledged
        sent = _marks_sent(emu, EVENTS_IN_SCENARIO)
        _kill(proc)  # during the outage, with every event held
    finally:
        if proc.poll() is None:
            _kill(proc)
    outage.unlink()  # the database is back; the bot starts again (forked, as `python -m bot serve`)
    proc = _start(emu, database_url, port, FORKED_SERVE, METRICS="on")
    try:
        assert _wait_for(lambda: slack_says(emu, crisis) == bot_says(database_url, crisis), 30), differences(
            slack_says(emu, crisis), bot_says(database_url, crisis))
        recorded = _marks_recorded(database_url, crisis)
        # Each mark as its own event set it: the events were recorded, not guessed from Slack's state.
        assert {key: recorded.get(key) for key in sent} == sent
        assert _metric(port, 'cellule_events_total{outcome="replayed"}') == EVENTS_IN_SCENARIO
        db = Database(database_url)
        timeline = timeline_of(db, crisis, said)
        db.dispose()
        assert [t[2] for t in timeline] == [False, True, False, False, False, False, True]  # deletions too
    finally:
        _kill(proc)
        _forget_failed_deliveries(emu)


BURST = 500
USERS = ("UFR", "UEN")


class People:
    """What people do in a crisis channel, drawn from a seeded generator: say, edit, delete, pin, unpin.
    Deliveries to a dead bot fail (OSError): Slack's state changes all the same."""

    def __init__(self, emu, channel: str, seed: int):
        self.emu, self.channel, self.random = emu, channel, random.Random(seed)
        self.mine: dict[str, str] = {}  # ts → author, of messages still there
        self.done = 0

    def act(self) -> None:
        emu, channel, rnd = self.emu, self.channel, self.random
        choice = rnd.random() if len(self.mine) > 5 else 0.0
        with suppress(OSError):
            if choice < 0.4:
                user = rnd.choice(USERS)
                self.mine[emu.post_message(user, channel, f"said {self.done} by {user}")] = user
            else:
                ts = rnd.choice(sorted(self.mine))
                author = self.mine[ts]
                if choice < 0.6:
                    emu.edit_message(author, channel, ts, f"edited {self.done}")
                elif choice < 0.7:
                    del self.mine[ts]
                    emu.delete_message(author, channel, ts)
                else:
                    self._mark(ts, rnd.choice(USERS), "rotating_light" if choice > 0.95 else "pushpin")
        self.done += 1

    def _mark(self, ts: str, user: str, name: str) -> None:
        with self.emu.state.lock:
            reactions = self.emu.channel(self.channel).messages[ts].get("reactions") or []
            on = any(r["name"] == name and user in r["users"] for r in reactions)
        (self.emu.remove_reaction if on else self.emu.add_reaction)(user, self.channel, ts, name)

    def some(self, count: int, stop: threading.Event | None = None) -> None:
        for _ in range(count):
            if stop is not None and stop.is_set():
                return
            self.act()

    def changes(self, count: int) -> None:
        """Only edits, deletions, pins and unpins (what the backfill must reconcile)."""
        for _ in range(count):
            ts = self.random.choice(sorted(self.mine))
            pick = self.random.random()
            with suppress(OSError):
                if pick < 0.35:
                    self.emu.edit_message(self.mine[ts], self.channel, ts, f"edited while down {self.done}")
                elif pick < 0.5:
                    self.emu.delete_message(self.mine.pop(ts), self.channel, ts)
                else:
                    self._mark(ts, self.random.choice(USERS), "pushpin")
            self.done += 1


def test_a_kill_in_a_burst_of_500_events_then_changes_while_down_gives_slacks_timeline(emulator, database_url):
    emu, port = emulator, free_port()
    proc = _start(emu, database_url, port, FORKED_SERVE)
    emu.bot_url = f"http://127.0.0.1:{port}/slack/events"
    try:
        crisis = _declared(emu, database_url)
        delivered = len(emu.deliveries)
        # Slack delivers side by side: four people at once, 125 events each.
        crowd = [People(emu, crisis, seed=12 + i) for i in range(4)]
        bursts = [threading.Thread(target=p.some, args=(BURST // 4,), name=f"burst-{i}") for i, p in enumerate(crowd)]
        for b in bursts:
            b.start()
        assert _wait_for(lambda: sum(p.done for p in crowd) >= BURST // 2, 60), "the burst did not get half-way"
        _kill(proc)  # mid-burst: what it acknowledged may not be recorded; the rest is delivered to nobody
        for b in bursts:
            b.join(120)
        assert not any(b.is_alive() for b in bursts) and sum(p.done for p in crowd) == BURST
    finally:
        if proc.poll() is None:
            _kill(proc)
    emu.wait_idle()
    acknowledged = sum(1 for _, d in emu.deliveries[delivered:] if d.status == 200)
    assert BURST // 4 < acknowledged < BURST  # killed in the middle
    for p in crowd:  # while the bot is down
        p.changes(25)
    proc = _start(emu, database_url, port, FORKED_SERVE)
    try:
        assert _wait_for(lambda: slack_says(emu, crisis) == bot_says(database_url, crisis), 60), "\n".join(
            differences(slack_says(emu, crisis), bot_says(database_url, crisis)))
        assert len(slack_says(emu, crisis)) > 50  # a real burst, not an empty channel
    finally:
        _kill(proc)
        _forget_failed_deliveries(emu)
