"""Mirror of the public page to Atlassian Statuspage (REST API v1), when STATUSPAGE_API_KEY and
STATUSPAGE_PAGE_ID are set.

A reconciler, not a relay: it compares what is published here with what it last sent and sends the
difference, so a Statuspage outage only delays it (it catches up on the next round, and says once
in the crisis channel that it could not). Nothing is ever created twice:
- every remote id is stored as soon as it is known (incidents, updates, components);
- a create whose answer was lost (a 5xx after the write, a timeout, a restart) is found again
  before anything is created: incidents by their `metadata.cellule.ref`, updates by their body,
  components by their name;
- one replica at a time syncs an incident (a lease in the database, taken over at once from a
  replica known dead: bot.store.process).
Requests are spaced one second apart per token (Statuspage's limit), and a 420/429 is retried after
its Retry-After. Slack commands only wake the mirror up; they never wait for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlmodel import select

from bot.core.publicpage import PublicIncident, combined_body
from bot.flows.deps import Deps
from bot.i18n import N_
from bot.statuspage.snapshot import read
from bot.store import incidents as incident_store
from bot.store import process
from bot.store import publishing as store
from bot.store.models import PublicationRow, PublicComponentRow, RemoteUpdateRow

log = logging.getLogger("cellule.statuspage")

LEASE = timedelta(seconds=120)
TOLD = "told: "
CLAIM = "creating until "  # public_component.remote_id while one replica creates it on Statuspage  # mirror_error prefix once the crisis channel was told
INTERVAL = 15.0  # seconds between rounds when nothing wakes the mirror up
MIRROR_FAILED = N_("The Statuspage mirror could not send {ref} ({reason}); it keeps trying and catches up "
                   "as soon as Statuspage answers.")


class MirrorError(Exception):
    def __init__(self, reason: str, transient: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


class RateLimiter:
    """At most one request per `spacing` seconds (Statuspage: 1 request per second per token)."""

    def __init__(self, spacing: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.spacing, self.clock, self.sleep = spacing, clock, sleep
        self._next = float("-inf")
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self.clock()
            if now < self._next:
                self.sleep(self._next - now)
                now = self.clock()
            self._next = max(now, self._next) + self.spacing


class Client:
    def __init__(self, api_url: str, page_id: str, api_key: str, *, limiter: RateLimiter | None = None,
                 sleep: Callable[[float], None] = time.sleep, retries: int = 5, timeout: float = 10.0):
        self.base = f"{api_url.rstrip('/')}/pages/{page_id}"
        self.key = api_key
        self.limiter = limiter or RateLimiter(sleep=sleep)
        self.sleep, self.retries, self.timeout = sleep, retries, timeout

    def call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        for _ in range(self.retries + 1):
            self.limiter.wait()
            req = urllib.request.Request(self.base + path, data=data, method=method, headers={
                "Authorization": f"OAuth {self.key}", "Content-Type": "application/json",
                "Accept": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as r:
                    return json.loads(r.read() or b"null")
            except urllib.error.HTTPError as e:
                if e.code in (420, 429):
                    try:
                        wait = float(e.headers.get("Retry-After") or 1.0)
                    except ValueError:
                        wait = 1.0
                    self.sleep(max(wait, 1.0))
                    continue
                raise MirrorError(f"HTTP {e.code}", transient=e.code >= 500) from None
            except (urllib.error.URLError, OSError, ValueError) as e:
                raise MirrorError(type(e).__name__) from None
        raise MirrorError("rate limited")


def _fingerprint(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


class Mirror:
    def __init__(self, deps: Deps, client: Client, *, interval: float = INTERVAL):
        self.deps, self.client, self.interval = deps, client, interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    # --- running --------------------------------------------------------------------------------

    def kick(self, incident_id=None, session=None) -> None:
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="statuspage-mirror", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.sync_all()
            except Exception:
                log.warning("Statuspage mirror round failed", exc_info=True)

    # --- one round ------------------------------------------------------------------------------

    def sync_all(self) -> bool:
        """One round; True when everything is sent."""
        with self._lock:
            snap = read(self.deps.db)
            ok = True
            try:
                remote_components, ok = self._components(snap)
            except MirrorError as e:  # the incidents still go, with the components already known there
                log.warning("Statuspage components: %s", e.reason)
                ok = False
                with self.deps.db.session() as s:
                    remote_components = {r.key: r.remote_id for r in s.exec(select(PublicComponentRow))
                                         if r.remote_id and not r.remote_id.startswith(CLAIM)}
            with self.deps.db.session() as s:
                ids = list(s.exec(select(PublicationRow.incident_id).where(
                    sa.or_(PublicationRow.published == True, PublicationRow.remote_id.is_not(None)))))  # noqa: E712
            for incident_id in ids:
                ok &= self._incident(snap, incident_id, remote_components)
            return ok

    def _components(self, snap) -> tuple[dict[str, str], bool]:
        """Create the components Statuspage lacks, send changed statuses: (local key -> remote id, all done)."""
        langs = self.deps.settings.languages
        with self.deps.db.session() as s:
            rows = {r.key: (r.remote_id, r.remote_status) for r in s.exec(select(PublicComponentRow))}
        remote = None
        out, done = {}, True
        for c in snap.components:
            remote_id, sent = rows.get(c.key, (None, None))
            if remote_id is None or remote_id.startswith(CLAIM):
                if not self._claim_component(c.key, remote_id):
                    done = False  # another replica is creating it
                    continue
                name = " / ".join(dict.fromkeys(c.names[l] for l in langs if c.names.get(l)))
                try:
                    if remote is None:
                        remote = self.client.call("GET", "/components") or []
                    found = next((r for r in remote if r.get("name") == name), None)
                    remote_id = found["id"] if found else self.client.call(
                        "POST", "/components", {"component": {"name": name, "status": "operational"}})["id"]
                except MirrorError:
                    self._save_component(c.key, remote_id=None)  # free the claim: the next round tries again
                    raise
                self._save_component(c.key, remote_id=remote_id)
            status = snap.statuses[c.key].value
            if status != sent:
                self.client.call("PATCH", f"/components/{remote_id}", {"component": {"status": status}})
                self._save_component(c.key, remote_status=status)
            out[c.key] = remote_id
        return out, done

    def _claim_component(self, key: str, seen: str | None) -> bool:
        """Only one replica creates a component: the one whose conditional UPDATE wins."""
        now = self.deps.now()
        if seen is not None and datetime.fromisoformat(seen[len(CLAIM):]) > now:
            return False
        with self.deps.db.session() as s:
            cond = PublicComponentRow.remote_id.is_(None) if seen is None else PublicComponentRow.remote_id == seen
            return s.execute(sa.update(PublicComponentRow).where(PublicComponentRow.key == key, cond)
                             .values(remote_id=CLAIM + (now + LEASE).isoformat())).rowcount == 1

    def _save_component(self, key: str, **values) -> None:
        with self.deps.db.session() as s:
            s.execute(sa.update(PublicComponentRow).where(PublicComponentRow.key == key).values(**values))

    def _claim(self, incident_id: int) -> datetime | None:
        now = self.deps.now()
        with self.deps.db.session() as s:
            mine = PublicationRow.incident_id == incident_id
            free = process.free(s, lease=PublicationRow.mirror_lease, holder=PublicationRow.mirror_holder, now=now,
                                where=mine)
            done = s.execute(sa.update(PublicationRow).where(mine, free)
                             .values(mirror_lease=now + LEASE, mirror_holder=process.IDENTITY)).rowcount
        return now + LEASE if done == 1 else None

    def _incident(self, snap, incident_id: int, components: dict[str, str]) -> bool:
        if self._claim(incident_id) is None:
            return False  # another replica is on it
        try:
            with self.deps.db.session() as s:
                row = incident_store.get(session=s, incident_id=incident_id)
                pub = store.publication(session=s, incident_id=incident_id)
                ref, remote_id, published = row.ref, pub.remote_id, pub.published and not row.is_private
                channel, had_error = row.channel_id, pub.mirror_error
            public = snap.incident(ref) if published else None
            if public is None:
                if remote_id:
                    self._unpublish(incident_id, remote_id)
                self._done(incident_id, None)
                return True
            self._send(incident_id, public, remote_id, components)
            self._done(incident_id, None)
            return True
        except MirrorError as e:
            # A failure that lasts more than one round is told in the crisis channel, once per outage.
            log.warning("Statuspage mirror of incident %s: %s", incident_id, e.reason)
            told = bool(had_error) and had_error.startswith(TOLD)
            if had_error and not told and channel:
                self._tell(channel, ref, e.reason)
                told = True
            self._done(incident_id, (TOLD if told else "") + e.reason)
            return False
        except Exception:
            self._done(incident_id, "error")
            raise

    def _done(self, incident_id: int, error: str | None) -> None:
        with self.deps.db.session() as s:
            s.execute(sa.update(PublicationRow).where(PublicationRow.incident_id == incident_id)
                      .values(mirror_lease=None, mirror_holder=None, mirror_error=error[:200] if error else None))

    def _tell(self, channel: str, ref: str, reason: str) -> None:
        from bot.flows.ports import Plain

        text = "\n".join(l._(MIRROR_FAILED, ref=ref, reason=reason) for l in self.deps.langs)
        try:
            self.deps.messenger.publish(channel, Plain(text))
        except Exception:
            log.warning("could not tell the crisis channel about the mirror", exc_info=True)

    def _unpublish(self, incident_id: int, remote_id: str) -> None:
        try:
            self.client.call("DELETE", f"/incidents/{remote_id}")
        except MirrorError as e:
            if e.reason != "HTTP 404":
                raise
        with self.deps.db.session() as s:
            s.execute(sa.delete(RemoteUpdateRow).where(RemoteUpdateRow.incident_id == incident_id))
            s.execute(sa.update(PublicationRow).where(PublicationRow.incident_id == incident_id)
                      .values(remote_id=None, remote_sent={}))

    # --- sending one incident -------------------------------------------------------------------

    def _body(self, texts) -> str:
        return combined_body(texts, self.deps.settings.languages)

    def _send(self, incident_id: int, i: PublicIncident, remote_id: str | None, components: dict[str, str]) -> None:
        langs = self.deps.settings.languages
        name = " / ".join(dict.fromkeys(i.title[l] for l in langs if i.title.get(l)))
        affected = {components[k]: (s.value if i.active else "operational")
                    for k, s in i.components.items() if k in components}
        if remote_id is None:
            if not i.updates:
                return  # Statuspage opens an incident with its first update: wait for one
            remote_id = self._find_or_create(incident_id, i, name, affected)
        remote = self.client.call("GET", f"/incidents/{remote_id}")
        mapped = self._mapped(incident_id)
        taken = set(mapped.values())
        for u in i.updates:
            key = f"{incident_id}:{u.id}"
            body = self._body(u.texts)
            uid = mapped.get(key)
            if uid is None:  # a lost answer: the update may be there already
                found = next((r for r in reversed(remote.get("incident_updates", []))
                              if r.get("body") == body and r["id"] not in taken), None)
                if found is None:
                    remote = self.client.call("PATCH", f"/incidents/{remote_id}", {"incident": {
                        "status": u.status.value, "body": body,
                        "components": affected, "component_ids": list(affected)}})
                    found = remote["incident_updates"][0]
                uid = found["id"]
                taken.add(uid)
                self._map(key, incident_id, uid, None)
            sent = _fingerprint(body, u.display_at)
            if self._sent(key) != sent:
                self.client.call("PATCH", f"/incidents/{remote_id}/incident_updates/{uid}", {"incident_update": {
                    "body": body, "display_at": u.display_at.astimezone(timezone.utc).isoformat()}})
                self._map(key, incident_id, uid, sent)
        self._postmortem(incident_id, i, remote_id)
        state = _fingerprint(name, i.status.value, affected)
        with self.deps.db.session() as s:
            last = store.publication(session=s, incident_id=incident_id).remote_sent.get("state")
        if last != state:
            fields = {"name": name, "components": affected, "component_ids": list(affected)}
            if remote.get("status") != i.status.value:
                fields["status"] = i.status.value
            self.client.call("PATCH", f"/incidents/{remote_id}", {"incident": fields})
            with self.deps.db.session() as s:
                pub = store.publication(session=s, incident_id=incident_id, lock=True)
                pub.remote_sent = {**pub.remote_sent, "state": state}
                s.add(pub)

    def _postmortem(self, incident_id: int, i: PublicIncident, remote_id: str) -> None:
        """Statuspage's postmortem: one draft holding every language, then published (both idempotent)."""
        if not i.postmortem:
            return
        langs = self.deps.settings.languages
        body = "\n\n---\n\n".join(i.postmortem[l] for l in langs if i.postmortem.get(l))
        sent = _fingerprint(body)
        with self.deps.db.session() as s:
            if store.publication(session=s, incident_id=incident_id).remote_sent.get("postmortem") == sent:
                return
        self.client.call("PUT", f"/incidents/{remote_id}/postmortem", {"postmortem": {"body_draft": body}})
        self.client.call("PUT", f"/incidents/{remote_id}/postmortem/publish",
                         {"postmortem": {"notify_subscribers": True, "notify_twitter": False}})
        with self.deps.db.session() as s:
            pub = store.publication(session=s, incident_id=incident_id, lock=True)
            pub.remote_sent = {**pub.remote_sent, "postmortem": sent}
            s.add(pub)

    def _find_or_create(self, incident_id: int, i: PublicIncident, name: str, affected: dict) -> str:
        existing = self.client.call("GET", "/incidents") or []
        found = next((r for r in existing if (r.get("metadata") or {}).get("cellule", {}).get("ref") == i.ref), None)
        if found is None:
            first = i.updates[0]
            fields = {"name": name, "status": first.status.value, "body": self._body(first.texts),
                      "metadata": {"cellule": {"ref": i.ref}}, "deliver_notifications": True,
                      "components": affected, "component_ids": list(affected)}
            found = self.client.call("POST", "/incidents", {"incident": fields})
        with self.deps.db.session() as s:
            s.execute(sa.update(PublicationRow).where(PublicationRow.incident_id == incident_id)
                      .values(remote_id=found["id"]))
        return found["id"]

    def _mapped(self, incident_id: int) -> dict[str, str]:
        with self.deps.db.session() as s:
            rows = s.exec(select(RemoteUpdateRow).where(RemoteUpdateRow.incident_id == incident_id))
            return {r.key: r.remote_id for r in rows if r.remote_id}

    def _sent(self, key: str) -> str | None:
        with self.deps.db.session() as s:
            row = s.get(RemoteUpdateRow, key)
            return row.sent if row else None

    def _map(self, key: str, incident_id: int, remote_id: str, sent: str | None) -> None:
        with self.deps.db.session() as s:
            row = store.remote_update(session=s, key=key, incident_id=incident_id)
            row.remote_id = remote_id
            if sent is not None:
                row.sent = sent
            s.add(row)


def attach(deps: Deps) -> Mirror | None:
    """The mirror, woken by every public change, when STATUSPAGE_API_KEY and STATUSPAGE_PAGE_ID are set.
    `serve` starts its loop; tests run `sync_all` themselves."""
    s = deps.settings
    if not (s.statuspage_api_key and s.statuspage_page_id):
        return None
    mirror = Mirror(deps, Client(s.statuspage_api_url, s.statuspage_page_id, s.statuspage_api_key))
    deps.listeners.append(mirror.kick)  # every change: a published incident's updates reach it at once
    return mirror
