"""Figure 3: compiling the postmortem of an incident with 10,000 timeline entries.

The entries go in through bot.store, as the bot writes them. Timed: compile_markdown, which
reads the store, compiles and renders every configured language; baseline: reading the same
rows with a plain SELECT through the same engine. Also timed apart, to show where time goes.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from bench.workspace import database
from bot.config import Settings
from bot.core.model import Action, Entry, EntryKind, Incident, Priority, Responsibility, Status
from bot.core.postmortem import compile_postmortem
from bot.flows.deps import Deps
from bot.flows.postmortem import compile_markdown, timeline_hint
from bot.render.postmortem import render_postmortem
from bot.runtime import catalogs_for
from bot.store import incidents as store
from bot.store import timeline as tl
from bot.store.db import Database
from bot.store.migrate import upgrade

START = datetime(2025, 12, 4, 11, 8, tzinfo=timezone.utc)


def _entries(n: int) -> list[Entry]:
    """A long incident: chat every ~3 s, a key moment every 50 messages, an update every 500,
    and impact windows that open and close (the last one closed before the end)."""
    out = [Entry(kind=EntryKind.DECLARED, at=START, author="UFR",
                 data={"title": {"fr": "Panne paiement", "en": "Payment outage"}, "priority": "P1"})]
    for i in range(1, n):
        at = START + timedelta(seconds=3 * i)
        if i % 1000 == 1:
            out.append(Entry(kind=EntryKind.IMPACT_START, at=at, author="UEN", key=True))
        elif i % 1000 == 700:
            out.append(Entry(kind=EntryKind.IMPACT_END, at=at, author="UEN", key=True))
        elif i % 500 == 250:
            out.append(Entry(kind=EntryKind.STATUS, at=at, author="UEN", data={"from": "identified", "to": "monitoring"},
                             texts={"fr": f"Mise à jour {i} : nous surveillons.", "en": f"Update {i}: we are monitoring."}))
        elif i % 50 == 0:
            out.append(Entry(kind=EntryKind.EVENT, at=at, author="UFR", key=True,
                             texts={"fr": f"Bascule sur le second acquéreur ({i})", "en": f"Switched to the second acquirer ({i})"}))
        else:
            ts = f"{at.timestamp():.6f}"
            out.append(Entry(kind=EntryKind.MESSAGE, at=at, author=("UFR", "UEN")[i % 2], ts=ts, key=i % 97 == 0,
                             text=f"message {i}: error rate on the acquirer link is {i % 13}%, checking the logs"))
    return out


def _seed(db: Database, n: int) -> tuple[str, int, float]:
    now = START + timedelta(hours=10)
    incident = Incident(ref="TSR-2641", number=2641, title={"fr": "Panne paiement", "en": "Payment outage"},
                        priority=Priority.P1, status=Status.RESOLVED, declared_at=START, declared_by="UFR",
                        resolved_at=START + timedelta(seconds=3 * n), category="payment",
                        responsibility=Responsibility.EXTERNAL,
                        components={"fr": "Plateforme de paiement", "en": "Payment platform"},
                        impact={"fr": "Paiements refusés", "en": "Payments declined"},
                        cause={"fr": "Panne chez l'acquéreur", "en": "Acquirer outage"},
                        context={"fr": "Pic de trafic", "en": "Traffic peak"},
                        channel_id="CBENCH", channel_name="tsr-2641-panne-paiement")
    started = time.perf_counter()
    with db.session() as s:
        row = store.create(session=s, incident=incident, declare_key=None, is_private=False, now=now)
        incident_id = row.id
        store.add_action(session=s, incident_id=incident_id, now=now,
                         action=Action(symptom={"fr": "Refus", "en": "Declines"}, action={"fr": "Alerte", "en": "Alert"}))
    entries = _entries(n)
    for chunk in range(0, n, 1000):
        with db.session() as s:
            for e in entries[chunk:chunk + 1000]:
                tl.add(session=s, incident_id=incident_id, entry=e, now=now, channel_id="CBENCH" if e.ts else None,
                       dedupe_key=f"msg:CBENCH:{e.ts}" if e.ts else None)
    return incident.ref, incident_id, time.perf_counter() - started


def _best(fn, repeat: int) -> tuple[float, float]:
    """(median, min) seconds over `repeat` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def run_one(db_kind: str, tmp: Path, n: int, repeat: int) -> dict:
    with database(db_kind, tmp, "postmortem") as url:
        upgrade(url)
        settings = Settings.from_env({"DATABASE_URL": url, "INCIDENT_PREFIX": "TSR"})
        db = Database(url)
        try:
            deps = Deps(settings=settings, db=db, catalogs=catalogs_for(settings), messenger=None)
            ref, incident_id, seed_s = _seed(db, n)
            with db.engine.connect() as conn:
                count = conn.execute(sa.text("SELECT count(*) FROM timeline_entry WHERE incident_id = :i"),
                                     {"i": incident_id}).scalar_one()

            def plain_select():
                with db.engine.connect() as conn:
                    rows = conn.execute(sa.text("SELECT * FROM timeline_entry WHERE incident_id = :i ORDER BY at, id"),
                                        {"i": incident_id}).all()
                assert len(rows) == count

            markdown, pm = compile_markdown(deps, ref)  # warm: catalogs, statement cache
            total = _best(lambda: compile_markdown(deps, ref), repeat)
            base = _best(plain_select, repeat)
            # The same three steps as compile_markdown, one at a time.
            with db.session() as s:
                incident = store.to_incident(store.by_ref(session=s, ref=ref))
                actions = store.actions(session=s, incident_id=incident_id)

            def read():
                with db.session() as s:
                    return tl.entries(session=s, incident_id=incident_id)

            entries = read()
            steps = {
                "store_read_s": _best(read, repeat)[0],
                "compile_s": _best(lambda: compile_postmortem(incident, entries, actions, now=deps.now()), repeat)[0],
                "render_s": _best(lambda: render_postmortem(pm, deps.langs, timeline_hint=timeline_hint(deps.langs[0], ref)),
                                  repeat)[0],
            }
        finally:
            db.dispose()
    return {"entries": count, "seed_s": seed_s, "compile_markdown_s": total[0], "compile_markdown_min_s": total[1],
            "select_s": base[0], "select_min_s": base[1], "ratio": total[0] / base[0], "steps": steps,
            "overview_lines": len(pm.overview), "markdown_chars": len(markdown)}


def run(tmp: Path, n: int, repeat: int, postgres: bool) -> dict:
    out = {"sqlite": run_one("sqlite", tmp, n, repeat)}
    if postgres:
        out["postgres"] = run_one("postgres", tmp, n, repeat)
    return out
