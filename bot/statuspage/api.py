"""Statuspage's public API v2 shapes (summary, status, components, incidents, unresolved incidents),
so status widgets, monitors and aggregators read Cellule as they read a Statuspage page.

Field names and values follow Statuspage's v2 documentation; ids are ours (component key, incident
reference). Names and bodies are in one language: the caller's `?lang=`, else the first configured.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.publicpage import ComponentStatus, PublicIncident
from bot.statuspage.snapshot import PageSettings, Snapshot
from bot.statuspage.text import pick, postmortem_update_id

INCIDENT_LIMIT = 50  # Statuspage's incidents.json lists the 50 most recent


def _time(dt: datetime | None, tz: ZoneInfo) -> str | None:
    return dt.astimezone(tz).isoformat(timespec="milliseconds") if dt else None


class Api:
    def __init__(self, page: PageSettings):
        self.page = page
        self.tz = ZoneInfo(page.timezone)

    def _page(self, snap: Snapshot) -> dict:
        return {"id": self.page.page_id, "name": self.page.name, "url": f"{self.page.public_url}/status",
                "time_zone": self.page.timezone, "updated_at": _time(snap.updated_at, self.tz)}

    def _component(self, snap: Snapshot, c, lang: str) -> dict:
        # A component removed from the catalog still shows on the incidents that affected it.
        status = snap.statuses.get(c.key, ComponentStatus.OPERATIONAL)
        return {"id": c.key, "name": pick(c.names, lang, self.page.languages), "status": status.value,
                "created_at": _time(c.created_at, self.tz), "updated_at": _time(snap.updated_at or c.created_at, self.tz),
                "position": c.position, "description": None, "showcase": True, "start_date": None,
                "group_id": None, "page_id": self.page.page_id, "group": False, "only_show_if_degraded": False}

    def _affected(self, snap: Snapshot, i: PublicIncident, lang: str) -> list[dict]:
        out = []
        for key, status in i.components.items():
            c = snap.all_components.get(key)
            if c is None:
                continue
            shown = snap.statuses.get(key, status) if i.active else "operational"
            out.append({**self._component(snap, c, lang), "status": getattr(shown, "value", shown)})
        return out

    def _updates(self, snap: Snapshot, i: PublicIncident, lang: str) -> list[dict]:
        def one(uid: str, status: str, body: str, created: datetime, display: datetime) -> dict:
            return {"id": uid, "status": status, "body": body, "incident_id": i.ref,
                    "created_at": _time(created, self.tz), "updated_at": _time(created, self.tz),
                    "display_at": _time(display, self.tz), "affected_components": None,
                    "deliver_notifications": True, "custom_tweet": None, "tweet_id": None}

        updates = [one(f"{i.ref}-{u.id}", u.status.value, pick(u.texts, lang, self.page.languages), u.created_at,
                       u.display_at) for u in i.updates]
        if i.postmortem and i.postmortem_at:
            updates.append(one(postmortem_update_id(i), "postmortem", pick(i.postmortem, lang, self.page.languages),
                               i.postmortem_at, i.postmortem_at))
        return sorted(updates, key=lambda u: u["display_at"], reverse=True)  # newest first, as Statuspage

    def _incident(self, snap: Snapshot, i: PublicIncident, lang: str) -> dict:
        return {"id": i.ref, "name": pick(i.title, lang, self.page.languages), "status": i.shown_status(),
                "created_at": _time(i.started_at, self.tz), "updated_at": _time(i.updated_at, self.tz),
                "monitoring_at": _time(i.monitoring_at, self.tz), "resolved_at": _time(i.resolved_at, self.tz),
                "impact": i.impact.value, "shortlink": f"{self.page.public_url}/status/incidents/{i.ref}",
                "started_at": _time(i.started_at, self.tz), "page_id": self.page.page_id,
                "incident_updates": self._updates(snap, i, lang), "components": self._affected(snap, i, lang)}

    def documents(self, snap: Snapshot, lang: str) -> dict[str, dict]:
        page = self._page(snap)
        components = [self._component(snap, c, lang) for c in snap.components]
        unresolved = [self._incident(snap, i, lang) for i in snap.unresolved]
        status = {"indicator": snap.indicator.value, "description": snap.description}
        return {
            "summary.json": {"page": page, "components": components, "incidents": unresolved,
                             "scheduled_maintenances": [], "status": status},
            "status.json": {"page": page, "status": status},
            "components.json": {"page": page, "components": components},
            "incidents.json": {"page": page, "incidents": [self._incident(snap, i, lang)
                                                           for i in snap.incidents[:INCIDENT_LIMIT]]},
            "incidents/unresolved.json": {"page": page, "incidents": unresolved},
        }

    def render(self, snap: Snapshot, name: str, lang: str) -> bytes:
        return json.dumps(self.documents(snap, lang)[name], ensure_ascii=False, indent=2).encode() + b"\n"


NAMES = ("summary.json", "status.json", "components.json", "incidents.json", "incidents/unresolved.json")
