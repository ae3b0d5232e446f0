"""Rendered pages are cached until what the page shows changes; the database is read at most once a second."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.i18n import Catalogs
from bot.statuspage.site import Site, negotiate
from bot.statuspage.snapshot import PageSettings
from bot.store import publishing as store

NOW = datetime(2025, 12, 4, 12, tzinfo=timezone.utc)


class Tick:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_cached_until_a_change_is_seen_then_rendered_again(db):
    tick = Tick()
    site = Site(PageSettings(name="Acme"), db, Catalogs(languages=("fr", "en"), timezone="Europe/Paris"),
                clock=lambda: NOW, monotonic=tick, check_every=1.0)
    first = site.respond("GET", "/api/v2/components.json")
    assert b'"components": []' in first.body
    with db.session() as s:
        store.add_component(session=s, key="api", names={"fr": "API", "en": "API"}, now=NOW)
    assert site.respond("GET", "/api/v2/components.json").body == first.body  # within the second: cached
    tick.t = 1.0
    second = site.respond("GET", "/api/v2/components.json")
    assert b'"id": "api"' in second.body
    assert dict(second.headers)["ETag"] != dict(first.headers)["ETag"]
    assert site.respond("GET", "/api/v2/components.json", headers={"If-None-Match": dict(second.headers)["ETag"]}).status.startswith("304")


def test_language_negotiation():
    assert negotiate("en-GB,en;q=0.9,fr;q=0.8", ("fr", "en")) == "en"
    assert negotiate("de, fr;q=0.5", ("fr", "en")) == "fr"
    assert negotiate("", ("fr", "en")) == "fr"
    assert negotiate("xx;q=abc", ("fr", "en")) == "fr"
