"""One consistent read of everything the public page shows, and the page's own settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.publicpage import (Component, ComponentStatus, Indicator, PublicIncident, component_statuses,
                                 page_status)
from bot.store import publishing as store
from bot.store.db import Database


@dataclass(frozen=True)
class PageSettings:
    name: str = "Status"
    public_url: str = ""  # no trailing slash; empty: links are relative to the site's root
    languages: tuple[str, ...] = ("fr", "en")
    timezone: str = "Europe/Paris"
    page_id: str = "cellule"

    @classmethod
    def from_settings(cls, settings) -> "PageSettings":
        import re

        page_id = re.sub(r"[^a-z0-9]+", "-", settings.status_page_name.lower()).strip("-") or "status"
        return cls(name=settings.status_page_name, public_url=settings.public_url, languages=settings.languages,
                   timezone=settings.timezone, page_id=page_id)


@dataclass
class Snapshot:
    components: list[Component]
    incidents: list[PublicIncident]  # newest first
    statuses: dict[str, ComponentStatus]
    indicator: Indicator
    description: str
    updated_at: datetime | None
    all_components: dict[str, Component] = field(default_factory=dict)  # with removed ones, for old incidents

    @property
    def unresolved(self) -> list[PublicIncident]:
        return [i for i in self.incidents if i.active]

    def incident(self, ref: str) -> PublicIncident | None:
        return next((i for i in self.incidents if i.ref == ref.upper()), None)


def read(db: Database) -> Snapshot:
    with db.session() as s:
        components = store.components(session=s)
        every = {c.key: c for c in store.components(session=s, include_removed=True)}
        incidents = store.public_incidents(session=s)
    statuses = component_statuses(components, incidents)
    indicator, description = page_status(statuses, incidents)
    times = [i.updated_at for i in incidents] + [c.created_at for c in components if c.created_at]
    return Snapshot(components, incidents, statuses, indicator, description, max(times, default=None), every)


def fingerprint(db: Database) -> tuple:
    with db.session() as s:
        return store.fingerprint(session=s)
