"""Routes of the public page, its cache (ETag, Last-Modified, 304) and the static export.

Every route renders to bytes once per change of what the page shows; the live server and
`python -m bot status-page export` call the same `get`, so the files are the bytes served.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qs

from bot.i18n import Catalogs
from bot.statuspage import feeds
from bot.statuspage.api import NAMES as API_NAMES
from bot.statuspage.api import Api
from bot.statuspage.pages import Pages
from bot.statuspage.snapshot import PageSettings, Snapshot, fingerprint, read
from bot.store.db import Database

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
TYPES = {"atom": "application/atom+xml; charset=utf-8", "rss": "application/rss+xml; charset=utf-8"}
CACHE_CONTROL = "public, max-age=10"


@dataclass(frozen=True)
class Response:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True)
class _Rendered:
    status: int
    content_type: str
    body: bytes
    etag: str
    last_modified: datetime | None


class Site:
    def __init__(self, page: PageSettings, db: Database, catalogs: Catalogs, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 monotonic: Callable[[], float] = time.monotonic, check_every: float = 1.0):
        self.page, self.db, self.catalogs = page, db, catalogs
        self.clock, self.monotonic, self.check_every = clock, monotonic, check_every
        self.pages = Pages(page, catalogs)
        self.api = Api(page)
        self._lock = threading.Lock()
        self._checked = float("-inf")
        self._generation: tuple | None = None
        self._snapshot: Snapshot | None = None
        self._cache: dict[tuple, _Rendered] = {}

    # --- routing --------------------------------------------------------------------------------

    def handles(self, path: str) -> bool:
        return path == "/status" or path.startswith("/status/") or path.startswith("/api/v2/")

    def route(self, path: str) -> tuple[tuple, str | None] | None:
        """(route, language in the path or None); None when the path is none of ours."""
        parts = [p for p in path.split("/") if p]
        lang = None
        at = 1 if parts[:1] == ["status"] else 2 if parts[:2] == ["api", "v2"] else None
        if at is not None and len(parts) > at and parts[at] in self.page.languages:
            lang = parts.pop(at)
        if parts == ["status"]:
            return ("index",), lang
        if parts == ["status", "history"]:
            return ("history",), lang
        if len(parts) == 2 and parts[0] == "status" and parts[1] in ("history.atom", "history.rss"):
            return ("feed", parts[1].split(".")[1]), lang
        if len(parts) == 3 and parts[:2] == ["status", "incidents"]:
            return ("incident", parts[2].upper()), lang
        if parts[:2] == ["api", "v2"] and "/".join(parts[2:]) in API_NAMES:
            return ("api", "/".join(parts[2:])), lang
        return None

    def language(self, path_lang: str | None, query: str, accept: str) -> str:
        if path_lang:
            return path_lang
        wanted = (parse_qs(query).get("lang") or [""])[0].lower()
        if wanted in self.page.languages:
            return wanted
        return negotiate(accept, self.page.languages)

    # --- rendering ------------------------------------------------------------------------------

    def _current(self) -> tuple[tuple, Snapshot]:
        """What the page shows now, read again at most every `check_every` seconds."""
        with self._lock:
            now = self.monotonic()
            if self._snapshot is None or now - self._checked >= self.check_every:
                self._checked = now
                clock = self.clock()
                generation = (fingerprint(self.db), clock.astimezone(self.catalogs.lang(self.page.languages[0]).tz).date())
                snap = self._snapshot
                if generation != self._generation or snap is None or snap.unresolved:
                    snap = read(self.db)
                    # Ongoing incidents show how long they have lasted: a new minute is a new page.
                    if snap.unresolved:
                        generation += (clock.replace(second=0, microsecond=0),)
                if generation != self._generation:
                    self._generation, self._snapshot, self._cache = generation, snap, {}
            return self._generation, self._snapshot

    def render(self, route: tuple, lang_code: str) -> _Rendered:
        generation, snap = self._current()
        key = (route, lang_code)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        lang = self.catalogs.lang(lang_code)
        now = self.clock()
        status, ctype = 200, HTML
        if route[0] == "index":
            body = self.pages.index(snap, lang, now).encode()
        elif route[0] == "history":
            body = self.pages.history(snap, lang, now).encode()
        elif route[0] == "incident":
            incident = snap.incident(route[1])
            if incident is None:  # unknown, private and unpublished look the same
                status, body = 404, self.pages.not_found(lang).encode()
            else:
                body = self.pages.incident(snap, incident, lang, now).encode()
        elif route[0] == "feed":
            ctype, body = TYPES[route[1]], feeds.render(self.page, snap, lang, route[1])
        else:
            ctype, body = JSON, self.api.render(snap, route[1], lang.code)
        last = snap.updated_at.replace(microsecond=0) if snap.updated_at else None
        rendered = _Rendered(status, ctype, body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"', last)
        with self._lock:
            if self._generation == generation:
                self._cache[key] = rendered
        return rendered

    def not_found(self, lang_code: str) -> _Rendered:
        body = self.pages.not_found(self.catalogs.lang(lang_code)).encode()
        return _Rendered(404, HTML, body, "", None)

    # --- HTTP -----------------------------------------------------------------------------------

    def respond(self, method: str, path: str, query: str = "", headers: dict | None = None) -> Response:
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        found = self.route(path)
        lang = self.language(found[1] if found else None, query, headers.get("accept-language", ""))
        if method not in ("GET", "HEAD"):
            return Response("405 Method Not Allowed", (("Allow", "GET, HEAD"), ("Content-Length", "0")), b"")
        r = self.render(found[0], lang) if found else self.not_found(lang)
        out = [("Content-Type", r.content_type), ("Content-Language", lang), ("Vary", "Accept-Language"),
               ("X-Content-Type-Options", "nosniff")]
        if r.status == 404:
            body = r.body if method == "GET" else b""
            return Response("404 Not Found", tuple(out + [("Cache-Control", "no-cache"),
                                                          ("Content-Length", str(len(r.body)))]), body)
        out += [("Cache-Control", CACHE_CONTROL), ("ETag", r.etag)]
        if r.last_modified:
            out.append(("Last-Modified", format_datetime(r.last_modified, usegmt=True)))
        if r.content_type == HTML:
            out += [("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'"),
                    ("Referrer-Policy", "no-referrer")]
        if _not_modified(headers, r):
            return Response("304 Not Modified", tuple(h for h in out if h[0] != "Content-Type"), b"")
        out.append(("Content-Length", str(len(r.body))))
        return Response("200 OK", tuple(out), r.body if method == "GET" else b"")

    def wsgi(self, environ, start_response):
        names = {"HTTP_IF_NONE_MATCH": "if-none-match", "HTTP_IF_MODIFIED_SINCE": "if-modified-since",
                 "HTTP_ACCEPT_LANGUAGE": "accept-language"}
        headers = {v: environ[k] for k, v in names.items() if k in environ}
        r = self.respond(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", ""),
                         environ.get("QUERY_STRING", ""), headers)
        start_response(r.status, list(r.headers))
        return [r.body]

    # --- static export --------------------------------------------------------------------------

    def export_paths(self) -> list[tuple[str, str]]:
        """(file path, the URL path it holds): each language under its own folder, the first
        language also at the contract's paths."""
        _, snap = self._current()
        out = []
        for i, lang in enumerate(self.page.languages):
            pages = [f"status/{lang}"] + (["status"] if i == 0 else [])
            apis = [f"api/v2/{lang}"] + (["api/v2"] if i == 0 else [])
            for folder in pages:
                out.append((f"{folder}/index.html", f"/{folder}/"))
                out.append((f"{folder}/history/index.html", f"/{folder}/history/"))
                out += [(f"{folder}/history.{k}", f"/{folder}/history.{k}") for k in ("atom", "rss")]
                out += [(f"{folder}/incidents/{inc.ref}/index.html", f"/{folder}/incidents/{inc.ref}/")
                        for inc in snap.incidents]
            for folder in apis:
                out += [(f"{folder}/{name}", f"/{folder}/{name}") for name in API_NAMES]
        return out

    def export(self, folder: Path) -> list[Path]:
        written = []
        first = self.page.languages[0]
        for file, url in self.export_paths():
            r = self.respond("GET", url, headers={"accept-language": first})
            target = folder / file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(r.body)
            written.append(target)
        nf = folder / "status" / "404.html"
        nf.write_bytes(self.not_found(first).body)
        written.append(nf)
        return written


def _not_modified(headers: dict, r: _Rendered) -> bool:
    tags = headers.get("if-none-match")
    if tags is not None:
        return r.etag in [t.strip().removeprefix("W/") for t in tags.split(",")] or tags.strip() == "*"
    since = headers.get("if-modified-since")
    if since and r.last_modified:
        try:
            return r.last_modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def negotiate(accept: str, languages: tuple[str, ...]) -> str:
    """The best configured language for an Accept-Language header, else the first configured."""
    best, best_q = languages[0], 0.0
    for i, part in enumerate(accept.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower().split("-")[0]
        q = 1.0
        m = re.search(r"q=([0-9.]+)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        if code in languages and q > best_q:
            best, best_q = code, q
    return best
