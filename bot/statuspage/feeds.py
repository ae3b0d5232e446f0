"""Atom and RSS feeds of the public page, one per language: one entry per published update.

Deterministic (no "now" inside), so the static export equals what the live routes serve.
"""

from __future__ import annotations

from datetime import datetime, timezone

from feedgen.feed import FeedGenerator

from bot.i18n import N_, Lang
from bot.statuspage.snapshot import PageSettings, Snapshot
from bot.statuspage.text import pick, postmortem_update_id

FEED_TITLE = N_("{name} status — incident history")
ENTRY_TITLE = N_("{ref} {title}: {status}")
POSTMORTEM = N_("postmortem")
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
LIMIT = 100


def render(page: PageSettings, snap: Snapshot, lang: Lang, kind: str) -> bytes:
    base = page.public_url
    home = f"{base}/status/{lang.code}/"
    fg = FeedGenerator()
    fg.id(f"{base}/status/{lang.code}/history" if base else f"tag:cellule,2026:{page.page_id}:{lang.code}")
    fg.title(lang._(FEED_TITLE, name=page.name))
    fg.link(href=home or "/status/", rel="alternate")
    fg.link(href=f"{base}/status/{lang.code}/history.{kind}", rel="self")
    fg.description(lang._(FEED_TITLE, name=page.name))
    fg.language(lang.code)
    fg.generator("Cellule")
    fg.updated(snap.updated_at or EPOCH)
    fg.lastBuildDate(snap.updated_at or EPOCH)
    items = []
    for i in snap.incidents:
        title = pick(i.title, lang.code, page.languages)
        link = f"{base}/status/{lang.code}/incidents/{i.ref}/"
        for u in i.updates:
            items.append((u.display_at, f"{i.ref}-{u.id}", lang._(ENTRY_TITLE, ref=i.ref, title=title, status=lang.status(u.status)),
                          pick(u.texts, lang.code, page.languages), link, u.created_at))
        if i.postmortem and i.postmortem_at:
            items.append((i.postmortem_at, postmortem_update_id(i),
                          lang._(ENTRY_TITLE, ref=i.ref, title=title, status=lang._(POSTMORTEM)),
                          pick(i.postmortem, lang.code, page.languages), link, i.postmortem_at))
    items.sort(key=lambda x: (x[0], x[1]))  # feedgen prepends: add oldest first, newest ends on top
    for display_at, uid, title, body, link, created in items[-LIMIT:]:
        e = fg.add_entry()
        e.id(f"{link}#{uid}" if base else f"tag:cellule,2026:{page.page_id}:{uid}")
        e.guid(f"{link}#{uid}" if base else f"tag:cellule,2026:{page.page_id}:{uid}", permalink=bool(base))
        e.title(title)
        e.link(href=link)
        e.description(body)
        e.content(body, type="text")
        e.published(display_at)
        e.updated(max(created, display_at))
    return fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)
