"""The scheduler: reminders stored as rows, planned from the incidents, sent once by any replica.

Why not APScheduler: its 3.x job stores are not safe with several processes on one database (each
scheduler runs every job it loaded itself), and 4.x was not released as stable. What we need is
small: due rows, an atomic claim (PostgreSQL `FOR UPDATE SKIP LOCKED`, SQLite's one writer at a
time), a lease taken over when a process dies, and a key per reminder so a sent one is never sent
again. Time always comes from `deps.now()`, so tests move the clock and call `tick()`.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from bot.core import reminders as plan_
from bot.core import transitions
from bot.core.model import EntryKind, Role
from bot.core.reminders import Facts, Policy, parse_duration
from bot.flows.deps import Deps
from bot.store import due as due_store
from bot.store import incidents as store
from bot.store import process
from bot.store import timeline as tl

log = logging.getLogger("cellule.reminders")

LEASE = timedelta(minutes=2)  # a claim not finished by then is taken over (sooner if its process is dead)
TICK_SECONDS = 20.0
RECENT = timedelta(days=62)  # resolved incidents still planned: postmortem reminder, DORA final report


def policy(deps: Deps) -> Policy:
    s = deps.settings
    return Policy(cadence=s.cadence, postmortem_due=parse_duration(s.postmortem_due))


def facts(deps: Deps, session, row) -> Facts:
    from bot.flows import dora  # the clock is read only when REGULATION=dora

    incident = store.to_incident(row)
    kinds = {EntryKind.STATUS, EntryKind.DECLARED, EntryKind.POSTMORTEM} | dora.DORA_KINDS
    entries = tl.entries(session=session, incident_id=row.id, kinds=kinds)
    declared = incident.declared_at or row.created_at
    updates = [transitions.posted_at(e) for e in entries if e.kind is EntryKind.STATUS]
    limits = []
    if deps.settings.dora:
        clock = dora.clock_of(deps, entries)
        if clock and clock.major:
            limits = [(d.stage.value, d.due) for d in clock.deadlines if d.submitted_at is None]
    return Facts(incident_id=row.id, status=incident.status, priority=incident.priority, declared_at=declared,
                 last_update_at=max(updates, default=declared), resolved_at=incident.resolved_at,
                 has_commander=bool(incident.roles.get(Role.COMMANDER)),
                 has_postmortem=any(e.kind is EntryKind.POSTMORTEM for e in entries), deadlines=limits)


def planned(deps: Deps, session, row, now: datetime) -> list[plan_.Due]:
    if not row.channel_id:
        return []  # a declare still being set up: nowhere to remind yet
    done = due_store.done_keys(session=session, incident_id=row.id)
    return plan_.plan(facts(deps, session, row), policy(deps), done, now)


def replan(deps: Deps, incident_id: int) -> None:
    """After a change: move or cancel the incident's pending reminders."""
    with deps.db.session() as s:
        _replan(deps, s, incident_id)


def _replan(deps: Deps, session, incident_id: int) -> None:
    now = deps.now()
    row = store.get(session=session, incident_id=incident_id)
    if row is not None:
        due_store.sync(session=session, incident_id=incident_id, planned=planned(deps, session, row, now), now=now)


def replan_in(deps: Deps, session, incident_id: int) -> None:
    """Replan inside the caller's transaction; a failure is rolled back to a savepoint and logged
    (the tick plans again), never failing the change itself."""
    try:
        with session.begin_nested():
            _replan(deps, session, incident_id)
    except Exception:
        log.warning("could not plan the reminders of incident %s", incident_id, exc_info=True)


def replan_quietly(deps: Deps, incident_id: int) -> None:
    try:
        replan(deps, incident_id)
    except Exception:  # the tick plans again; a change must not fail for its reminders
        log.warning("could not plan the reminders of incident %s", incident_id, exc_info=True)


class Scheduler:
    def __init__(self, deps: Deps, send, owner: str | None = None):
        """`send(deps, row) -> None` posts one reminder (bot.slack.reminders.send)."""
        self.deps = deps
        self.send = send
        self.owner = owner or process.IDENTITY  # a dead owner's claims are taken over (bot.store.process)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def incidents(self) -> list[int]:
        since = self.deps.now() - RECENT
        with self.deps.db.session() as s:
            rows = store.open_incidents(session=s) + store.resolved_since(session=s, since=since)
        return sorted({r.id for r in rows})

    def tick(self) -> int:
        """Plan every live incident, then claim and send what is due. Returns how many were sent."""
        for incident_id in self.incidents():
            replan_quietly(self.deps, incident_id)
        sent = 0
        while True:
            with self.deps.db.session() as s:
                batch = due_store.claim(session=s, now=self.deps.now(), owner=self.owner, lease=LEASE)
            if not batch:
                return sent
            for row in batch:
                sent += self.run(row)

    def run(self, row) -> int:
        """Send one claimed row if the incident still calls for it (checked again, fresh), then mark it."""
        now = self.deps.now()
        with self.deps.db.session() as s:
            incident = store.get(session=s, incident_id=row.incident_id)
            wanted = incident is not None and row.key in {d.key for d in planned(self.deps, s, incident, now)}
        if not wanted:
            with self.deps.db.session() as s:
                due_store.finish(session=s, row_id=row.id, owner=self.owner, state=due_store.CANCELLED, now=now)
            return 0
        try:
            self.send(self.deps, row)
        except Exception:
            log.warning("reminder %s not sent; it is tried again when its lease ends", row.key, exc_info=True)
            return 0
        with self.deps.db.session() as s:
            due_store.finish(session=s, row_id=row.id, owner=self.owner, state=due_store.DONE, now=self.deps.now())
        replan_quietly(self.deps, row.incident_id)  # the next step of a series
        return 1

    def start(self, interval: float = TICK_SECONDS) -> None:
        """A daemon thread ticking at once (reminders missed while down are sent at start), then
        every `interval` seconds."""

        def loop():
            while not self._stop.is_set():
                try:
                    self.tick()
                except Exception:
                    log.warning("scheduler tick failed", exc_info=True)
                self._stop.wait(interval)

        self._thread = threading.Thread(target=loop, name="cellule-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

