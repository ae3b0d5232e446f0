"""Read-only use cases: what `/incident list`, `status` and `timeline` show, as values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import metrics
from bot.core.dora import Clock as DoraClock
from bot.core.impact import WINDOW_KINDS, impact_windows
from bot.core.model import Entry, Incident
from bot.flows.deps import Deps
from bot.flows.incidents import Permissions
from bot.store import incidents as store
from bot.store import timeline as tl

TIMELINE_TAIL = 40  # entries `/incident timeline` shows


@dataclass
class IncidentView:
    incident: Incident
    entries: list[Entry]  # the entries its header is made of (declaration, impact edges)
    dora: DoraClock | None = None  # REGULATION=dora: the classification and time limits
    now: datetime | None = None


def open_incidents(deps: Deps, permissions: Permissions, user: str) -> list[Incident]:
    with deps.db.session() as s:
        incidents = [store.to_incident(r) for r in store.open_incidents(session=s)]
    return [i for i in incidents if permissions.may_read(user, i)]


def status(deps: Deps, incident: Incident) -> IncidentView:
    from bot.flows import dora

    with deps.db.session() as s:
        entries = tl.entries(session=s, incident_id=incident.id, kinds=WINDOW_KINDS)
    return IncidentView(incident, entries, dora.clock(deps, incident.id), deps.now())


def windows(deps: Deps, incident: Incident) -> list:
    return impact_windows(status(deps, incident).entries)


def latest_entries(deps: Deps, incident: Incident) -> list[Entry]:
    with deps.db.session() as s:
        return tl.entries(session=s, incident_id=incident.id)[-TIMELINE_TAIL:]


def failure_code(deps: Deps) -> str:
    """What to tell someone whose command failed unexpectedly: the database, or our own fault."""
    if deps.db.ping():
        return "internal"
    metrics.DB_ERRORS.inc()  # a command or form that failed because the database did not answer
    return "database_down"
